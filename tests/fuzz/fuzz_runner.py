"""Run one fuzz case through the real CLI and judge what it did.

A :class:`Case` is a command line and the files it reads, relative to a fresh directory that is its cwd. A runner
writes the files, runs ``chalk-policy ARGV`` there and returns a :class:`RunResult`:

* :class:`ForkServerRunner` (the default): a warm server process forks one child per case (``fuzz_server.py``);
  a child gets the same limits as a real process and is killed at the timeout.
* :class:`SubprocessRunner` (``CHALK_FUZZ_RUNNER=subprocess``): a fresh ``python -m chalk_policy`` per case, under the
  same limits; about 10x slower, and what every failure is confirmed with before it is reported.

:func:`problems` states the contract: exit code 0, 1 or 2; no traceback; within the time and memory limits; on exit
2, a message on stderr of a few short lines. :class:`Campaign` keeps the distinct failures (by :func:`signature`),
each with its smallest case saved in a directory with a ``repro.sh``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chalk_policy.text import MESSAGE_LIMIT, MESSAGE_LINE_LIMIT, MESSAGE_LINES

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
SERVER = Path(__file__).with_name("fuzz_server.py")

TIMEOUT_SECONDS = 10.0
"""Wall-clock limit of one case."""
CPU_SECONDS = 30
"""CPU limit of one case: a backstop should the wall clock not be enforced."""
MEMORY_BYTES = 2 * 1024**3
"""Address-space limit of one case (RLIMIT_AS): a child of the warm server starts at 0.6 GiB (150 MiB resident)."""
FILE_BYTES = 64 * 1024**2
"""Largest output file of one case (RLIMIT_FSIZE)."""
MAX_RSS_MIB = 1024
"""Peak resident memory above which a case fails even when it finished (the limit above is the hard stop)."""
USAGE_LINES = 3
"""click's usage lines before its own errors' message ("Usage: ...", "Try ... --help", a blank line)."""
MAX_ERROR_CHARS = MESSAGE_LIMIT + MESSAGE_LINE_LIMIT + 200
"""On exit 2, the most stderr may hold: chalk_policy.text.message's bound, plus click's usage lines."""
MAX_ERROR_LINES = MESSAGE_LINES + USAGE_LINES
MAX_ERROR_LINE = MESSAGE_LINE_LIMIT + 100
"""On exit 2, the longest line stderr may hold (100: the ``chalk-policy: error:`` or ``Error:`` prefix)."""
TRACEBACK = "Traceback (most recent call last)"
READ_LIMIT = 1024 * 1024


@dataclass(frozen=True, repr=False)
class Case:
    """``chalk-policy ARGV`` run in a fresh directory holding ``files`` (relative path -> content)."""

    kind: str
    argv: tuple[str, ...]
    files: Mapping[str, bytes] = field(default_factory=dict)

    def __repr__(self) -> str:  # short: Hypothesis prints it for every failing example
        files = ", ".join(f"{name}: {len(content)} bytes" for name, content in self.files.items())
        return f"Case({self.kind!r}, chalk-policy {shown_argv(self.argv, 40)}, {{{files}}})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # what Hypothesis's printer calls on a dataclass
        printer.text(repr(self))

    @property
    def size(self) -> int:
        return sum(len(content) for content in self.files.values()) + sum(len(arg) for arg in self.argv)

    def write(self, directory: Path) -> None:
        for name, content in self.files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


@dataclass(frozen=True)
class RunResult:
    exit: int | None
    signal: int | None
    timed_out: bool
    elapsed: float
    maxrss_kb: int
    stdout: str
    stderr: str
    stdout_bytes: int
    stderr_bytes: int

    def describe(self) -> str:
        if self.timed_out:
            return f"killed after the {TIMEOUT_SECONDS:.0f} s timeout"
        if self.signal is not None:
            return f"killed by signal {signal.Signals(self.signal).name}"
        return f"exit {self.exit} after {self.elapsed:.2f} s, peak RSS {self.maxrss_kb // 1024} MiB"


def _read(path: Path) -> tuple[str, int]:
    try:
        with path.open("rb") as handle:
            data = handle.read(READ_LIMIT)
        size = path.stat().st_size
    except FileNotFoundError:
        return "", 0
    return data.decode("utf-8", "backslashreplace"), size


def bash_quote(arg: str) -> str:
    """One argument for bash, byte-exact (non-UTF-8 arguments arrive as lone surrogates: surrogateescape)."""
    raw = os.fsencode(arg)
    if all(32 <= byte < 127 for byte in raw):
        return shlex.quote(arg)
    return "$'" + "".join(chr(b) if 32 <= b < 127 and chr(b) not in "'\\" else f"\\x{b:02x}" for b in raw) + "'"


def shown_argv(argv: Sequence[str], limit: int = 60) -> str:
    """The command line for a report: long arguments abbreviated (repro.sh has them in full)."""
    def shown(arg: str) -> str:
        quoted = bash_quote(arg)
        return quoted if len(quoted) <= limit else f"{quoted[:limit]}...<{len(os.fsencode(arg))} bytes>"
    return " ".join(shown(a) for a in argv)


def repro_command(directory: Path, argv: Sequence[str]) -> str:
    limits = f"ulimit -v {MEMORY_BYTES // 1024} && timeout {TIMEOUT_SECONDS:.0f}"
    command = " ".join(bash_quote(a) for a in argv)
    return f"cd {shlex.quote(str(directory))} && ({limits} {PYTHON} -m chalk_policy {command})"


class Runner:
    """Writes a case into a directory and runs it; subclasses say how the process is started."""

    name = "runner"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._count = 0

    def new_dir(self, label: str) -> Path:
        self._count += 1
        return Path(tempfile.mkdtemp(prefix=f"{label.replace('/', '-')}-{self._count:05d}-", dir=self.workdir))

    def run_in(self, directory: Path, case: Case) -> RunResult:
        case.write(directory)
        out, err = directory / ".stdout", directory / ".stderr"
        answer = self._start(list(case.argv), directory, out, err)
        stdout, stdout_bytes = _read(out)
        stderr, stderr_bytes = _read(err)
        return RunResult(answer["exit"], answer["signal"], answer["timed_out"], answer["elapsed"],
                         answer["maxrss_kb"], stdout, stderr, stdout_bytes, stderr_bytes)

    def _start(self, argv: list[str], cwd: Path, out: Path, err: Path) -> dict[str, Any]:
        raise NotImplementedError

    def start(self) -> None:
        """Get ready to run cases (the fork server's warm-up), so that no case's time includes it."""

    def close(self) -> None:
        pass


class SubprocessRunner(Runner):
    """A fresh ``python -m chalk_policy`` per case (through ``fuzz_server.py exec`` for the limits)."""

    name = "subprocess"

    def _start(self, argv: list[str], cwd: Path, out: Path, err: Path) -> dict[str, Any]:
        command = [str(PYTHON), str(SERVER), "exec", str(MEMORY_BYTES), str(CPU_SECONDS), str(FILE_BYTES), "--",
                   str(PYTHON), "-m", "chalk_policy", *argv]
        start = time.monotonic()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen([os.fsencode(a) for a in command], cwd=cwd, stdin=subprocess.DEVNULL,
                                       stdout=stdout, stderr=stderr, start_new_session=True)
        timed_out = False
        while True:
            done, status, usage = os.wait4(process.pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - start > TIMEOUT_SECONDS:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
        process.returncode = 0  # reaped above; keep Popen from waiting for it again
        return {"elapsed": time.monotonic() - start, "timed_out": timed_out,
                "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None, "maxrss_kb": usage.ru_maxrss}


class ForkServerRunner(Runner):
    """One warm ``fuzz_server.py serve`` process; each case is a child forked from it."""

    name = "fork server"
    START_TIMEOUT = 180.0

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[bytes] | None = None

    def _ensure(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self.close()  # a server that died: its pipes and log
        self._log = (self.workdir / "fork-server.log").open("ab")
        process = subprocess.Popen([str(PYTHON), str(SERVER), "serve", str(REPO)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=self._log, text=True, encoding="utf-8",
                                   cwd=REPO)
        ready = self._readline(process, self.START_TIMEOUT)
        if not ready or not json.loads(ready).get("ready"):
            process.kill()
            raise RuntimeError(f"the fuzz fork server did not start; see {self.workdir / 'fork-server.log'}")
        self._process = process
        return process

    @staticmethod
    def _readline(process: subprocess.Popen[str], timeout: float) -> str:
        assert process.stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()  # type: ignore[union-attr]
                                                             ), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            process.kill()
            raise RuntimeError("the fuzz fork server stopped answering")
        return line[0] if line else ""

    def start(self) -> None:
        self._ensure()

    def _start(self, argv: list[str], cwd: Path, out: Path, err: Path) -> dict[str, Any]:
        process = self._ensure()
        request = {"argv": argv, "cwd": str(cwd), "stdout": str(out), "stderr": str(err), "timeout": TIMEOUT_SECONDS,
                   "memory": MEMORY_BYTES, "cpu": CPU_SECONDS}
        assert process.stdin is not None
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        answer = self._readline(process, TIMEOUT_SECONDS + 60)
        if not answer:  # the next case starts a new server
            raise RuntimeError(f"the fuzz fork server exited; see {self.workdir / 'fork-server.log'}")
        result: dict[str, Any] = json.loads(answer)
        return result

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def make_runner(workdir: Path) -> Runner:
    if os.environ.get("CHALK_FUZZ_RUNNER", "fork") == "subprocess":
        return SubprocessRunner(workdir)
    return ForkServerRunner(workdir)


# --- the contract ---------------------------------------------------------------------------------------------------


def problems(result: RunResult) -> list[str]:
    """What the run did wrong: an empty list when it kept the contract."""
    found = []
    if result.timed_out:
        found.append(f"no answer within {TIMEOUT_SECONDS:.0f} s (killed)")
    elif result.signal is not None:
        found.append(f"killed by signal {signal.Signals(result.signal).name}")
    elif result.exit not in (0, 1, 2):
        found.append(f"exit code {result.exit}, not 0, 1 or 2")
    if result.maxrss_kb > MAX_RSS_MIB * 1024:
        found.append(f"a peak RSS of {result.maxrss_kb // 1024} MiB (at most {MAX_RSS_MIB})")
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        if TRACEBACK in text:
            found.append(f"a traceback on {stream}")
    if result.exit == 2 and TRACEBACK not in result.stderr:
        lines = result.stderr.splitlines()
        if not result.stderr.strip():
            found.append("exit 2 with nothing on stderr")
        elif result.stderr_bytes > MAX_ERROR_CHARS:
            found.append(f"an error message of {result.stderr_bytes} bytes (at most {MAX_ERROR_CHARS})")
        elif len(lines) > MAX_ERROR_LINES:
            found.append(f"an error message of {len(lines)} lines (at most {MAX_ERROR_LINES})")
        elif max(len(line) for line in lines) > MAX_ERROR_LINE:
            found.append(f"an error line of {max(len(line) for line in lines)} characters (at most {MAX_ERROR_LINE})")
    return found


_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line \d+, in (?P<function>.+)$', re.M)
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Failure)?)(?::|$)",
                        re.M)


def traceback_origin(text: str) -> str:
    """``ExceptionType at module.function``: the last chalk_policy frame of the (last) traceback in ``text``."""
    tail = text[text.rfind(TRACEBACK):]
    frames = [(m["file"], m["function"]) for m in _FRAME.finditer(tail)]
    ours = [(f, fn) for f, fn in frames if "chalk_policy" in f] or frames
    where = ""
    if ours:
        file, function = ours[-1]
        parts = Path(file).with_suffix("").parts
        module = ".".join(parts[parts.index("chalk_policy"):]) if "chalk_policy" in parts else Path(file).stem
        where = f" at {module}.{function}"
    exception = ""
    for line in reversed(tail.splitlines()):
        if line and not line.startswith(" ") and not line.startswith(TRACEBACK):
            match = _EXCEPTION.match(line)
            if match:
                exception = match["type"].rsplit(".", 1)[-1]
                break
    return f"{exception or 'exception'}{where}"


def signature(case: Case, result: RunResult, found: Sequence[str]) -> str:
    """What makes two failures the same bug: the command, and the traceback's origin or the broken rule."""
    command = " ".join(a for a in case.argv[:2] if not a.startswith("-") and "." not in a)
    if TRACEBACK in result.stderr or TRACEBACK in result.stdout:
        return f"{command}: {traceback_origin(result.stderr + result.stdout)}"
    rule = re.sub(r"\d+", "N", found[0])
    if rule.startswith(("an error message of", "an error line of")):
        rule = "a long error message"
    shape = message_shape(result.stderr) if result.exit == 2 else ""
    return f"{command}: {rule}" + (f" [{shape}]" if shape else "")


def message_shape(stderr: str) -> str:
    """The first words of an error message, without file names, quoted values and numbers: what tells one long
    message's cause from another's (``--encryption: … is not``, ``preview: steps[N].newState: urn``)."""
    lines = stderr.strip().splitlines()
    line = lines[0].removeprefix("chalk-policy: error: ") if lines else ""
    line = re.sub(r"'[^']*'?|\"[^\"]*\"?", "…", line)
    line = re.sub(r"\d+", "N", line)
    words = line.split()
    while words and words[0].endswith(":") and "." in words[0]:  # a file name
        words.pop(0)
    return " ".join(words[:4])[:60]


# --- a campaign: many cases, distinct failures ------------------------------------------------------------------------


@dataclass
class Failure:
    signature: str
    case: Case
    result: RunResult
    problems: list[str]
    directory: Path
    count: int = 1
    first_seen: float = field(default_factory=time.monotonic)
    confirmed: str = ""

    def report(self) -> str:
        stderr = self.result.stderr.strip().splitlines()
        tail = stderr[-6:] if TRACEBACK in self.result.stderr else stderr[:4]
        files = ", ".join(f"{name} ({len(content)} bytes)" for name, content in self.case.files.items()) or "none"
        shown = [line if len(line) <= 300 else line[:300] + f"... ({len(line)} chars)" for line in tail]
        return "\n".join([
            f"* {self.signature}  [{self.count} case(s); {self.case.kind}]",
            f"  broke: {'; '.join(self.problems)} ({self.result.describe()})",
            f"  command: chalk-policy {shown_argv(self.case.argv)}",
            f"  files: {files}; kept in {self.directory}",
            f"  repro: bash {self.directory / 'repro.sh'}",
            *(f"  {self.confirmed}" for _ in [0] if self.confirmed),
            "  stderr: " + ("\n          ".join(shown) if shown else "(empty)"),
        ])


class Campaign:
    """Runs cases and keeps the distinct failures. ``raise_new``: a failure whose signature is new (or is being
    shrunk, until its shrink budget is spent) raises :class:`FuzzFailure` so that Hypothesis shrinks it; otherwise
    every failure is only recorded, and the test fails at the end listing them all."""

    def __init__(self, runner: Runner, keep: Path, raise_new: bool, shrink_seconds: float = 60.0) -> None:
        self.runner = runner
        self.keep = keep
        self.raise_new = raise_new
        self.shrink_seconds = shrink_seconds
        self.failures: dict[str, Failure] = {}
        self.cases = 0
        self.seconds = 0.0
        self.slowest: tuple[float, tuple[str, ...]] = (0.0, ())
        self.deadline = float("inf")

    @property
    def over_time(self) -> bool:
        return time.monotonic() > self.deadline

    def _kept(self, key: str, directory: Path) -> Path:
        """Move a failing case's directory into ``keep`` (out of pytest's temporary directories, which the next
        runs delete), under a name made from its signature."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[:80]
        target = self.keep / f"{slug}-{len(list(self.keep.glob(slug + '-*'))) + 1}"
        self.keep.mkdir(parents=True, exist_ok=True)
        shutil.move(str(directory), str(target))
        return target

    def run(self, case: Case) -> None:
        if self.over_time:
            return
        directory = self.runner.new_dir(case.kind)
        start = time.monotonic()
        result = self.runner.run_in(directory, case)
        elapsed = time.monotonic() - start
        self.seconds += elapsed
        self.cases += 1
        self.slowest = max(self.slowest, (elapsed, case.argv))
        found = problems(result)
        if not found:
            shutil.rmtree(directory, ignore_errors=True)
            return
        key = signature(case, result, found)
        failure = self.failures.get(key)
        if failure is None:
            failure = self.failures[key] = Failure(key, case, result, found, self._kept(key, directory))
        else:
            failure.count += 1
            if case.size < failure.case.size:  # keep the smallest case of each failure
                shutil.rmtree(failure.directory, ignore_errors=True)
                failure.case, failure.result, failure.problems = case, result, found
                failure.directory = self._kept(key, directory)
            else:
                shutil.rmtree(directory, ignore_errors=True)
        if self.raise_new and time.monotonic() - failure.first_seen < self.shrink_seconds and not self.over_time:
            raise failure_class(key)(f"{key}: {'; '.join(found)}")

    def confirm(self, seconds: float = 60.0, make: type[Runner] = SubprocessRunner) -> None:
        """Run each failure's case again in a real ``python -m chalk_policy`` process (for up to ``seconds`` in all);
        leave a ``repro.sh`` in its directory."""
        real = make(self.keep)
        deadline = time.monotonic() + seconds
        for failure in self.failures.values():
            (failure.directory / "repro.sh").write_text(
                "#!/bin/bash\n# " + failure.signature.replace("\n", " ") + "\n"
                + repro_command(failure.directory, failure.case.argv) + "\n", encoding="utf-8")
            if time.monotonic() > deadline:
                failure.confirmed = "not run again in a real process (out of time): run repro.sh"
                continue
            try:
                result = real.run_in(failure.directory, failure.case)
            except OSError as exc:
                failure.confirmed = f"could not start a real process: {exc}"
                continue
            again = problems(result)
            failure.confirmed = (f"confirmed in a real process: {'; '.join(again)} ({result.describe()})" if again
                                 else f"NOT reproduced in a real process ({result.describe()}): a harness artefact?")

    def summary(self, label: str) -> str:
        slowest = f"slowest {self.slowest[0]:.2f} s: {' '.join(self.slowest[1])[:120]}"
        lines = [f"{label}: {self.cases} case(s) in {self.seconds:.1f} s ({self.runner.name}; {slowest}); "
                 f"{len(self.failures)} distinct failure(s)"]
        lines += [failure.report() for failure in self.failures.values()]
        return "\n".join(lines)


class FuzzFailure(AssertionError):
    """A broken contract; one subclass per signature, so that Hypothesis shrinks each failure on its own."""


_CLASSES: dict[str, type[FuzzFailure]] = {}


def failure_class(key: str) -> type[FuzzFailure]:
    if key not in _CLASSES:
        _CLASSES[key] = type(f"FuzzFailure{len(_CLASSES)}", (FuzzFailure,), {"signature": key})
    return _CLASSES[key]
