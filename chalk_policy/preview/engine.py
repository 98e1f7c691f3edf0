"""Run a Pulumi program under the SDK's mock engine and record what the engine would receive.

The program (``__main__.py`` of a project, or its ``main:``) runs in this process as
``pulumi-language-python-exec`` would run it: project and stack from the stack config, the stack config handed
over with ``set_all_config`` (strings, structured values as JSON, secret keys marked), cwd = the program
directory and that directory first on ``sys.path``. Every ``RegisterResource`` / ``ReadResource`` request is
recorded with its inputs exactly as the engine gets them (``MessageToDict(request.object)``: provider camelCase
names, the unknown sentinel for values that are computed during a preview, secrets in their signature wrapper),
which is what a CrossGuard analyzer would be sent. URNs are made the way the engine makes them (not the way the
SDK's ``MockMonitor`` does) and duplicate URNs are rejected like the engine does.

Nothing here knows about a particular program or component.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import runpy
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from google.protobuf import json_format
from pulumi.runtime import config as runtime_config
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import massage

from .stack_config import StackConfig

UNKNOWN = rpc.UNKNOWN
"""The sentinel string that stands for a value computed during a preview."""
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
STACK_TYPE = "pulumi:pulumi:Stack"
MOCK_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

_RUN_LOCK = threading.Lock()


class ProgramError(Exception):
    """The program failed under the mock engine; the message is one line."""


@dataclass(frozen=True)
class ResourceRecord:
    """One resource registration, as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent_urn: str | None
    parent_type: str | None
    dependencies: tuple[str, ...]
    inputs: dict[str, Any]
    """Engine-form inputs: ``MessageToDict(request.object)``."""
    outputs: dict[str, Any]
    """Engine-form state the mock returned."""
    id: str | None
    """The mock id; None when unknown (always during a preview)."""
    provider: str = ""
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    read: bool = False
    """True for ``Resource.get`` (ReadResource) rather than a registration."""


@dataclass(frozen=True)
class PreviewResult:
    project: str
    stack: str
    preview: bool
    stack_urn: str
    resources: tuple[ResourceRecord, ...]
    """Every registration except the root stack, parents before children, siblings in a stable order."""
    exports: dict[str, Any]
    """The stack outputs as the engine receives them (``RegisterResourceOutputs`` of the root stack)."""
    invokes: tuple[tuple[str, dict[str, Any]], ...] = ()
    diagnostics: tuple[tuple[str, str], ...] = ()
    """``(severity, message)`` logged by the program through ``pulumi.log``."""
    config: StackConfig | None = None
    duration: int = 0
    """How long the program ran under the mock engine, in nanoseconds."""

    def by_type(self, type_token: str) -> list[ResourceRecord]:
        return [r for r in self.resources if r.type == type_token]

    def by_urn(self) -> dict[str, ResourceRecord]:
        return {r.urn: r for r in self.resources}


def type_of_urn(urn: str) -> str:
    """The type token of a URN: the last ``$``-separated part of its qualified type."""
    return urn.split("::")[2].split("$")[-1]


def engine_urn(stack: str, project: str, parent: str, type_token: str, name: str) -> str:
    """The URN the engine gives a registration: ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``, where
    the qualified type is the parent's whole qualified type, ``$``, the type -- except under the root stack (or with
    no parent), where it is the type alone. ``Deployment.generateURN`` in pkg/resource/deploy/deployment.go and
    ``urn.New`` in sdk/go/common/resource/urn/urn.go (pulumi v3.274.1).

    The SDK's ``MockMonitor.make_urn`` differs twice: it keeps ``pulumi:pulumi:Stack$`` for the stack's children
    (``...::pulumi:pulumi:Stack$chalk:index:ChalkAwsEgress::chalk``) and keeps only the parent's *last* type, so
    below a nested component its URNs lose the outer types (and distinct resources can collide)."""
    qualified = type_token
    if parent:
        parent_type = parent.split("::")[2]
        if parent_type != STACK_TYPE:
            qualified = f"{parent_type}${type_token}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _aws_arn(type_token: str, name: str, region: str) -> str:
    module = type_token.split(":")[1] if type_token.count(":") >= 2 else "index"
    service, _, member = module.partition("/")
    resource = _kebab(member or type_token.rsplit(":", 1)[-1])
    return f"arn:aws:{service}:{region}:{MOCK_ACCOUNT}:{resource}/{name}"


class PreviewMocks(pulumi.runtime.Mocks):
    """Echo inputs as state; a deterministic fake id (``<name>-id``, unknown in preview); a few computed outputs
    and invokes that programs commonly need."""

    def __init__(self, preview: bool, region: str = DEFAULT_REGION) -> None:
        self.preview = preview
        self.region = region
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        if self.preview:
            return "", state  # id "" => unknown, like the engine during a preview; computed outputs stay unknown
        if args.typ.startswith("aws:") and "arn" not in state:
            state["arn"] = _aws_arn(args.typ, args.name, self.region)
        return args.resource_id or f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        with self._lock:
            self.invokes.append((args.token, dict(args.args)))
        region = self.region
        token, a = args.token, args.args
        if token == "aws:ssm/getParameter:getParameter":
            name = str(a.get("name", ""))
            value = f"preview-value-of-{name.strip('/').replace('/', '-') or 'parameter'}"
            return {"arn": f"arn:aws:ssm:{region}:{MOCK_ACCOUNT}:parameter/{name.lstrip('/')}", "id": name,
                    "name": name, "type": "String", "value": value, "insecureValue": value, "version": 1,
                    "withDecryption": a.get("withDecryption", True)}, None
        if token == "aws:index/getRegion:getRegion":
            return {"id": region, "name": region, "region": region, "description": region,
                    "endpoint": f"ec2.{region}.amazonaws.com"}, None
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"id": MOCK_ACCOUNT, "accountId": MOCK_ACCOUNT, "userId": "AIDAPREVIEW",
                    "arn": f"arn:aws:iam::{MOCK_ACCOUNT}:user/preview"}, None
        if token == "aws:index/getPartition:getPartition":
            return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com",
                    "reverseDnsPrefix": "com.amazonaws"}, None
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {"id": region, "names": [f"{region}{z}" for z in "abc"],
                    "zoneIds": [f"use1-az{i}" for i in (1, 2, 3)]}, None
        if token == "aws:ec2/getVpc:getVpc":
            vpc_id = a.get("id") or "vpc-preview"
            return {"id": vpc_id, "cidrBlock": "10.0.0.0/16", "ownerId": MOCK_ACCOUNT,
                    "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT}:vpc/{vpc_id}"}, None
        return {}, None


class RecordingMonitor(MockMonitor):
    """A MockMonitor that rejects duplicate URNs (atomically: registrations run on executor threads) and records
    each request in engine form."""

    def __init__(self, mocks: PreviewMocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self.records: list[ResourceRecord] = []
        self.stack_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN, not the SDK mock's (see ``engine_urn``); the base class uses this for every
        registration and read, so the URNs the program sees are the engine's too."""
        return engine_urn(pulumi.get_stack(), pulumi.get_project(), parent, type_, name)

    def _claim(self, urn: str) -> None:
        with self._lock:
            if urn in self._seen:
                raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self._seen.add(urn)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim(urn)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == STACK_TYPE and not request.parent:
            self.stack_urn = response.urn
            return response
        self._record(request, response.urn, response.id, response.object, inputs=request.object, read=False)
        return response

    def ReadResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim(urn)
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self._record(request, response.urn, request.id, response.properties, inputs=request.properties, read=True)
        return response

    def _record(self, request: Any, urn: str, id_: str, state: Any, inputs: Any, read: bool) -> None:
        parent = request.parent or None
        prop_deps = {}
        if not read:
            prop_deps = {k: tuple(v.urns) for k, v in request.propertyDependencies.items()}
        record = ResourceRecord(
            urn=urn, type=request.type, name=request.name, custom=bool(getattr(request, "custom", True)) or read,
            parent_urn=parent, parent_type=type_of_urn(parent) if parent else None,
            dependencies=tuple(getattr(request, "dependencies", ())),
            inputs=json_format.MessageToDict(inputs), outputs=json_format.MessageToDict(state),
            id=id_ or None, provider=request.provider, property_dependencies=prop_deps, read=read)
        with self._lock:
            self.records.append(record)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.messages.append((record.levelname.lower(), record.getMessage()))


def program_path(config: StackConfig) -> Path:
    """Where the Python language host would find the program: ``main:`` (a directory or a .py file) or the
    project directory, then its ``__main__.py``."""
    base = config.project_dir / (config.main or "")
    return base if base.suffix == ".py" else base / "__main__.py"


def one_line(exc: BaseException) -> str:
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


@contextlib.contextmanager
def _program_environment(program_dir: Path) -> Iterator[None]:
    """cwd = the program directory, that directory first on sys.path, and the program's own modules forgotten
    afterwards (each run starts like a fresh process); everything restored."""
    old_cwd = os.getcwd()
    old_path = list(sys.path)
    before = set(sys.modules)
    root = str(program_dir.resolve())
    os.chdir(root)
    sys.path.insert(0, root)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            with contextlib.suppress(ValueError):
                if module_file and Path(module_file).resolve().is_relative_to(root) and not _is_site(module_file):
                    del sys.modules[name]


def _is_site(path: str) -> bool:
    return "site-packages" in path or "dist-packages" in path


def run_program(config: StackConfig, preview: bool = True, program: str | Path | None = None) -> PreviewResult:
    """Run the project's program for ``config``'s stack under mocks. Raises ``ProgramError`` (one line) when the
    program fails: a missing config key, a component rejecting its input, a duplicate URN, any exception."""
    # Absolute: the program runs with the project directory as its working directory.
    path = (Path(program) if program is not None else program_path(config)).absolute()
    if not path.is_file():
        raise ProgramError(f"{path}: no such program file")
    with _RUN_LOCK:
        started = time.monotonic_ns()
        result = _run(config, path, preview)
        return replace(result, duration=time.monotonic_ns() - started)


class _Workers:
    """The executor the SDK registers resources on, and the event loop of each of its threads.

    The mock monitor serialises every registration with the SDK's ``_sync_await``, on the executor thread that runs
    it, and that creates an event loop for the thread the first time (``sync_await._ensure_event_loop``) which
    nothing ever closes. Each such loop outlives its thread as cyclic garbage (the loop, its selector and its
    self-pipe sockets); when the garbage collector finalises the sockets before the loop (the order is arbitrary
    among garbage), the loop's ``__del__`` closes a self-pipe that is already closed and Python prints "Exception
    ignored in: <function BaseEventLoop.__del__> ... ValueError: Invalid file descriptor: -1" -- at whatever moment
    the collection happens, e.g. after ``chalk-policy preview`` has printed its error. So each thread gets its loop
    here, when it starts (the SDK then uses it), and :meth:`close` joins the threads and closes their loops: a run
    leaves no loop open and no thread behind, whether the program passed or failed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loops: list[asyncio.AbstractEventLoop] = []
        self.executor = ThreadPoolExecutor(thread_name_prefix="asyncio", initializer=self._start_thread)

    def _start_thread(self) -> None:
        thread_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(thread_loop)
        with self._lock:
            self._loops.append(thread_loop)

    def close(self) -> None:
        """Stop the executor (work not yet started is cancelled) and wait for its threads -- every one of them, a
        thread started just before still making its loop too (the process would wait for them as it exits anyway;
        the mocks answer at once) -- then close their loops, which nothing runs any more."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            loops, self._loops = self._loops, []
        for thread_loop in loops:
            thread_loop.close()


def _run(config: StackConfig, path: Path, preview: bool) -> PreviewResult:
    region = str(config.values.get("aws:region") or DEFAULT_REGION)
    mocks = PreviewMocks(preview, region)
    monitor = RecordingMonitor(mocks)
    handler = _ListHandler()
    logger = logging.Logger("chalk-policy.preview.program")
    logger.addHandler(handler)
    exports: dict[str, Any] = {}

    old_config = dict(runtime_config.CONFIG.get())
    old_secret_keys = set(runtime_config._SECRET_KEYS.get())
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda _loop, _context: None)  # "Future exception was never retrieved" noise
    workers = _Workers()
    loop.set_default_executor(workers.executor)
    asyncio.set_event_loop(loop)
    try:
        settings.ROOT.set(None)  # set_mocks then creates a fresh root Stack => fresh exports
        pulumi.runtime.set_mocks(mocks, project=config.project, stack=config.stack, preview=preview,
                                 logger=logger, monitor=monitor)
        pulumi.runtime.set_all_config(dict(config.config), list(config.secret_keys))

        def program() -> Any:
            runpy.run_path(str(path), run_name="__main__")
            root = settings.get_root_resource()
            outputs = massage(getattr(root, "outputs", {}) or {}, [])

            async def serialize() -> None:  # what RegisterResourceOutputs(stack) carries
                struct = await rpc.serialize_properties(outputs, {})
                exports.update(json_format.MessageToDict(struct))

            return asyncio.ensure_future(serialize())

        try:
            # The whole run, not just the module body: applies and registrations finish after run_path returns,
            # and the SDK resolves the program's classes' annotations through sys.modules.
            with _program_environment(path.parent):
                pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # the program's failure becomes one line
            raise ProgramError(f"{path}: {one_line(exc)}") from exc
    finally:
        settings.ROOT.set(None)
        runtime_config.CONFIG.set(old_config)
        runtime_config._SECRET_KEYS.set(old_secret_keys)
        workers.close()
        asyncio.set_event_loop(None)
        loop.close()

    return PreviewResult(
        project=config.project, stack=config.stack, preview=preview, stack_urn=monitor.stack_urn,
        resources=_tree_order(monitor.records), exports=exports, invokes=tuple(mocks.invokes),
        diagnostics=tuple(handler.messages), config=config)


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _tree_order(records: list[ResourceRecord]) -> tuple[ResourceRecord, ...]:
    """Parents before children; siblings by type then name (numbers compared as numbers), so the order does not
    depend on which executor thread registered first."""
    known = {r.urn for r in records}
    children: dict[str | None, list[ResourceRecord]] = {}
    for record in records:
        parent = record.parent_urn if record.parent_urn in known else None
        children.setdefault(parent, []).append(record)
    ordered: list[ResourceRecord] = []

    def walk(parent: str | None) -> None:
        for child in sorted(children.get(parent, []), key=lambda r: (r.type, _natural(r.name))):
            ordered.append(child)
            walk(child.urn)

    walk(None)
    return tuple(ordered)


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG
