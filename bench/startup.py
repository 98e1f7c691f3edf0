"""Start-up of the ``chalk-policy`` command as a whole process, against the interpreter's own start-up.

    .venv/bin/python bench/startup.py [--repeat N]

:func:`cli_startup` is what bench/run.py calls. Both commands run with the same interpreter and environment, in
alternation (so that both see the same machine load), after one unmeasured run each. The bytecode cache is a
private temporary directory (``PYTHONPYCACHEPREFIX``, ``PYTHONDONTWRITEBYTECODE`` unset): the numbers are those of
an installed tool whose modules are compiled once, whatever the caller's environment, and nothing is written into
the repository or the virtual environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAN_ARGS = ("plan", "--regions", "jp1,us2", "--option", "1")
PYTHON = "python -c pass"
PLAN = "chalk-policy " + " ".join(PLAN_ARGS)
"""The keys of :func:`cli_startup`'s result."""


def chalk_policy_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m chalk_policy``."""
    script = Path(sys.executable).with_name("chalk-policy")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "chalk_policy"]


def cli_startup(repeat: int) -> dict[str, float]:
    """Median wall seconds of ``repeat`` runs each: ``python -c pass`` (the interpreter's start-up, the floor) and
    ``chalk-policy plan --regions jp1,us2 --option 1`` (the whole process, printing its table)."""
    commands = {
        PYTHON: [sys.executable, "-c", "pass"],
        PLAN: [*chalk_policy_command(), *PLAN_ARGS],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory(prefix="chalk-startup-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache

        def run(command: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
            return time.perf_counter() - start

        for command in commands.values():
            run(command)  # compiles the modules into the cache
        for _ in range(repeat):
            for name, command in commands.items():
                samples[name].append(run(command))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    results = cli_startup(parser.parse_args().repeat)
    for name, seconds in results.items():
        print(f"  {name:<50} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
