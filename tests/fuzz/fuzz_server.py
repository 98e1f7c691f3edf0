"""The fuzz harness's process launcher: a fork server, and an rlimit wrapper for one real process.

``python fuzz_server.py serve REPO``
    Imports the CLI and everything its commands load (pydantic, netaddr, pulumi and the provider SDKs), runs each
    command once to warm up, then reads one JSON request per line on stdin and answers one JSON line per request on
    stdout. Each request runs in a child forked from the warm server: limits set (address space, CPU, file size,
    no core), cwd and stdio switched to the case's directory and files, then ``chalk_policy.cli.main.main(argv)``,
    exactly what ``python -m chalk_policy ARGV`` runs, with the interpreter's handling of an uncaught exception
    (traceback on stderr, exit 1) and of a failed flush of stdout at exit (exit 120). The server kills the child's
    process group at the wall-clock timeout. A hostile case can only take down its own child, never the server or the
    test process, and it starts in about 10 ms instead of a fresh interpreter's 0.15-2 s.

    Forking is done here, in a process with one thread, not in the pytest worker (whose execnet threads make
    ``fork`` unsafe).

``python fuzz_server.py exec AS_BYTES CPU_SECONDS FSIZE_BYTES -- PROGRAM ARGS...``
    Sets the same limits and ``exec``s PROGRAM: the real-process runner and the failure confirmation use it instead
    of ``preexec_fn`` (unsafe in a threaded parent).

Only the standard library and chalk_policy are imported here.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import select
import signal
import sys
import threading
import time
import traceback
from typing import Any, NoReturn

FILE_LIMIT = 64 * 1024 * 1024
"""Largest file a case may write (stdout and stderr are files): a runaway output is killed by SIGXFSZ."""


def set_limits(address_space: int, cpu_seconds: int, file_size: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_cli(argv: list[str]) -> int:
    """``main(argv)`` with what the interpreter does around a script: the exit code of SystemExit, the traceback of
    any other exception, and exit 120 when stdout cannot be flushed at the end."""
    from chalk_policy.cli.main import main

    sys.argv = ["chalk-policy", *argv]
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        sys.stdout.flush()
    except BaseException:
        print("Exception ignored on flushing sys.stdout:", file=sys.stderr)
        traceback.print_exc()
        code = 120
    with contextlib.suppress(BaseException):
        sys.stderr.flush()
    return code & 0xFF


def _child(request: dict[str, Any]) -> NoReturn:
    code = 71
    try:
        os.setpgid(0, 0)
        set_limits(request["memory"], request["cpu"], FILE_LIMIT)
        os.chdir(request["cwd"])
        stdin = os.open(os.devnull, os.O_RDONLY)
        stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(stdin, 0)
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        for fd in (stdin, stdout, stderr):
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = run_cli(list(request["argv"]))
    finally:
        os._exit(code)


def _wait(pid: int, timeout: float) -> tuple[int, resource.struct_rusage, bool]:
    """Wait for the child; kill its process group at ``timeout``. Returns (wait status, rusage, timed out)."""
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    try:
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                return status, usage, timed_out
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)  # the child leads its own process group
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # in case it was killed before setpgid
                _, status, usage = os.wait4(pid, 0)
                return status, usage, timed_out
            if pidfd >= 0:
                select.select([pidfd], [], [], min(left, 1.0))
            else:
                time.sleep(min(left, 0.005))
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(request)
    status, usage, timed_out = _wait(pid, float(request["timeout"]))
    return {"elapsed": time.monotonic() - start, "timed_out": timed_out,
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "maxrss_kb": usage.ru_maxrss}


def _warm_up(repo: str) -> None:
    """Run each command once in this process, so that the children find every module imported."""
    catalog = os.path.join(repo, "chalk_policy", "catalog", "data", "chalk-catalog.yaml")
    fixture = os.path.join(repo, "tests", "fixtures", "engine", "azure-tcp-preview-create.json")
    commands = [
        ["--help"], ["plan", "--regions", "all", "--format", "json"], ["catalog", "show", "--format", "json"],
        ["catalog", "validate", catalog], ["catalog", "diff", catalog, catalog],
        ["render", "squid", "--regions", "all"],
        ["render", "pac", "--regions", "all", "--proxy", "proxy.example:3128"], ["check", fixture, "--format", "sarif"],
        ["check", fixture, "--format", "junit"], ["preview", "--stack", "dev", "--project-dir", repo],
        ["preview", "--stack", "prod", "--project-dir", repo, "--format", "json"],
    ]
    saved = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for argv in commands:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            run_cli(argv)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def serve(repo: str) -> None:
    # The protocol gets its own descriptors; fds 0 and 1 become /dev/null, so that sys.stdin and sys.stdout are the
    # objects a CLI process with piped stdio would have, and no child can read a request or write into the answers.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    os.chdir(repo)
    _warm_up(repo)
    os.chdir(repo)
    gc.collect()
    gc.freeze()  # the children share the warm heap copy-on-write; their collections need not walk it
    threads = threading.active_count()
    answers.write(json.dumps({"ready": True, "pid": os.getpid(), "threads": threads}) + "\n")
    answers.flush()
    for line in requests:
        if not line.strip():
            continue
        answers.write(json.dumps(_answer(json.loads(line))) + "\n")
        answers.flush()


def exec_limited(args: list[str]) -> NoReturn:
    address_space, cpu, file_size, separator, *command = args
    if separator != "--" or not command:
        raise SystemExit("usage: fuzz_server.py exec AS_BYTES CPU_SECONDS FSIZE_BYTES -- PROGRAM ARGS...")
    set_limits(int(address_space), int(cpu), int(file_size))
    os.execv(command[0], command)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2])
    elif sys.argv[1:2] == ["exec"]:
        exec_limited(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
