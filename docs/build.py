"""Build the API reference (HTML) from the docstrings with pdoc, and fail on any warning.

Usage: ``python docs/build.py [-o DIR] [-v] [MODULE ...]`` (``make docs``: the public API into ``docs/api``).

Fails (exit 1, one line per problem) when pdoc warns about our code (an annotation it cannot resolve, a module it
cannot import, ...), or when a reStructuredText cross-reference in a rendered docstring (``:func:`x```,
``:class:`x```, ...) names nothing that exists: pdoc itself renders such a reference as plain text, silently.
Warnings that nothing of ours can fix are only counted (``-v`` lists them): see ``ignored``.
"""

from __future__ import annotations

import argparse
import importlib
import re
import shutil
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdoc.doc
import pdoc.extract
import pdoc.render

# The public API. A package with __all__ shows only the names (and submodules) it lists there, so the catalog,
# planner, components and policy registry show what they export; the CLI (no __all__) shows every command module.
MODULES = [
    "chalk_policy.components",
    "chalk_policy.catalog",
    "chalk_policy.planning",
    "chalk_policy.firewalls",
    "chalk_policy.probe",
    "chalk_policy.policies",
    "chalk_policy.cli",
]
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "api"

ROLE = re.compile(r"(?::py)?:(mod|func|data|const|class|meth|attr|exc|obj):`([^`]+)`")
UNRESOLVED = re.compile(
    r"Error parsing type annotation (?P<annotation>.+) for (?P<name>\S+)\. Import of (?P<missing>\S+) failed")
PROVIDER_SDK = re.compile(r"[/\\]pulumi_(aws|azure_native)[/\\]")


def ignored(w: warnings.WarningMessage, ours: tuple[str, ...]) -> bool:
    """Whether a warning is one that no docstring or annotation of ours (the packages ``ours``) can fix.

    - A provider SDK deprecating some of its own resources when it is imported (pytest ignores these too).
    - An annotation of a third-party class that one of ours inherits from (``pulumi.resource.Resource._aliases``).
    - ``pulumi.Input[...]`` in our annotations: pulumi defines ``Input = Union[T, Awaitable[T], "Output[T]"]``, and
      pdoc evaluates that forward reference in our module, where ``Output`` is not defined. The annotation is shown as
      written (``pulumi.Input[str]``), or as pulumi's union when the module does not postpone annotations.
    """
    if issubclass(w.category, DeprecationWarning) and PROVIDER_SDK.search(w.filename):
        return True
    m = UNRESOLVED.match(str(w.message))
    if m is None:
        return False
    if not m["name"].startswith(ours):
        return True
    pulumi_input = "Input[" in m["annotation"] or "ForwardRef('Output[T]')" in m["annotation"]
    return pulumi_input and m["missing"] in ("Output", "T")


def documented(module: pdoc.doc.Module, ours: tuple[str, ...]) -> Iterator[pdoc.doc.Doc[Any]]:
    """The module and every public object rendered on its page, with a docstring of our own (not inherited)."""
    yield module
    stack: list[pdoc.doc.Doc[Any]] = list(module.members.values())
    while stack:
        d = stack.pop()
        if (d.name.startswith("_") and d.name != "__init__") or not f"{d.modulename}.".startswith(ours):
            continue
        if isinstance(d, pdoc.doc.Class | pdoc.doc.Function):
            own = vars(d.obj).get("__doc__") if isinstance(d, pdoc.doc.Class) else getattr(d.obj, "__doc__", None)
            if not own:
                continue
        yield d
        if isinstance(d, pdoc.doc.Class):
            stack.extend(d.own_members)


def exists(dotted: str) -> bool:
    """Whether ``a.b.c`` names a module, or an attribute (a field counts) of one."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            fields = {n for k in getattr(obj, "__mro__", (obj,)) for n in getattr(k, "__annotations__", {})}
            if not hasattr(obj, attr) and attr not in fields:
                return False
            obj = getattr(obj, attr, None)
        return True
    return False


def broken_references(d: pdoc.doc.Doc[Any]) -> Iterator[str]:
    """The cross-references of ``d``'s docstring that pdoc cannot render as one: ``~`` (shown literally) or a name that
    does not exist, looked up from where ``d`` is defined: relative to its module, else in its class(es), its module,
    or as an absolute name."""
    home, qualname = (d.modulename, "") if isinstance(d, pdoc.doc.Module) else d.taken_from
    scopes = qualname.split(".") if isinstance(d, pdoc.doc.Class) else qualname.split(".")[:-1]
    for kind, target in ROLE.findall(d.docstring):
        if target.startswith("~"):
            yield f":{kind}:`{target}` (pdoc shows the ~ as it is; drop it)"
            continue
        name = target.removesuffix("()")
        if name.startswith("."):
            base = home if hasattr(importlib.import_module(home), "__path__") else home.rpartition(".")[0]
            while name.startswith(".."):
                name, base = name[1:], base.rpartition(".")[0]
            candidates = [base + name]
        else:
            candidates = [".".join([home, *scopes[:i], name]) for i in range(len(scopes), -1, -1)] + [name]
        if not any(exists(c) for c in candidates):
            yield f":{kind}:`{target}` (no such name)"


def clear(output: Path) -> None:
    """Empty a previous build, never a directory that does not look like one."""
    if output.exists():
        if any(output.iterdir()) and not (output / "index.html").exists():
            sys.exit(f"docs: {output} is not empty and holds no index.html; not deleting it")
        shutil.rmtree(output)


def build(modules: list[str], output: Path, verbose: bool) -> int:
    """Render ``modules`` into ``output``; the number of problems found (0: a clean build)."""
    start = time.monotonic()
    ours = tuple(f"{name.split('.')[0]}." for name in modules)
    pdoc.render.configure(docformat="restructuredtext", show_source=True, search=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = {name: pdoc.doc.Module.from_name(name) for name in pdoc.extract.walk_specs(modules)}
        clear(output)
        for module in docs.values():
            page = output / f"{module.fullname.replace('.', '/')}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(pdoc.render.html_module(module, docs), encoding="utf-8")
        (output / "index.html").write_text(pdoc.render.html_index(docs), encoding="utf-8")
        (output / "search.js").write_text(pdoc.render.search_index(docs), encoding="utf-8")
    problems: list[str] = []
    known: set[str] = set()
    for w in caught:
        message = str(w.message).strip()
        if ignored(w, ours):
            known.add(message)
        else:
            problems.append(f"{w.category.__name__}: {message}")
    seen: set[tuple[str, str]] = set()
    for module in docs.values():
        for d in documented(module, ours):
            if (key := (d.modulename, d.qualname)) not in seen:
                seen.add(key)
                problems += [f"{d.fullname}: broken reference {ref}" for ref in broken_references(d)]
    for problem in dict.fromkeys(problems):
        print(f"docs: {problem}", file=sys.stderr)
    if verbose:
        for message in sorted(known):
            print(f"docs: ignored: {message}", file=sys.stderr)
    print(f"docs: {len(docs)} modules into {output} in {time.monotonic() - start:.1f} s; "
          f"{len(dict.fromkeys(problems))} problems, {len(known)} known pdoc warnings ignored (-v lists them)",
          file=sys.stderr)
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="default: docs/api")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the pdoc warnings that are ignored")
    parser.add_argument("modules", nargs="*", default=MODULES, help="default: the public API")
    args = parser.parse_args(argv)
    return 1 if build(args.modules, args.output, args.verbose) else 0


if __name__ == "__main__":
    sys.exit(main())
