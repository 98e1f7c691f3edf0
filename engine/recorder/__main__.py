"""``python -m recorder --package aws|azure-native [--version V] [ENGINE_ADDRESS] [engine flags...]``.

Started by the Pulumi engine like any provider plugin: serves gRPC on 127.0.0.1 at a free port, prints that port
alone on one stdout line, and serves until the engine stops it. Flags the engine adds (``--logflow``,
``--logtostderr``, ``-v=9``, ``--tracing X``, ...) are accepted and ignored.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent import futures
from types import FrameType

import grpc
from pulumi.runtime.proto import provider_pb2_grpc

from recorder import LOG_ENV, PACKAGES
from recorder.journal import Journal
from recorder.provider import RecordingProvider

_MAX_MESSAGE = 400 * 1024 * 1024  # the engine's own limit for plugin messages


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="recorder", allow_abbrev=False,
                                     description="Recording stand-in for a Pulumi provider plugin.")
    parser.add_argument("--package", required=True, choices=sorted(PACKAGES))
    parser.add_argument("--version", default="", help="version to report (default: the installed SDK's)")
    parser.add_argument("engine", nargs="?", default="", help="the engine's gRPC address (not used)")
    known, _ignored = parser.parse_known_args(argv)
    return known


def sdk_version(package: str) -> str:
    try:
        return importlib.metadata.version(PACKAGES[package])
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def serve(package: str, version: str) -> None:
    journal = Journal(os.environ.get(LOG_ENV))
    options = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=options)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(RecordingProvider(package, version, journal), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()

    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Timed waits, not one stopped.wait(): the engine's SIGINT usually lands on one of gRPC's threads, and Python runs
    # the handler only once the main thread is back in bytecode; an untimed wait never got there, so every `pulumi`
    # command sat 5 s per provider until the engine gave up and killed us.
    while not stopped.wait(0.1):
        pass
    server.stop(grace=0).wait()
    journal.close()


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    serve(args.package, args.version or sdk_version(args.package))


if __name__ == "__main__":
    main()
