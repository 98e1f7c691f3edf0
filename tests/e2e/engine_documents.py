"""The real-document corpus: what the Pulumi CLI writes for our stacks, saved under tests/fixtures/engine/.

    python tests/e2e/engine_documents.py            # regenerate tests/fixtures/engine/ (needs `make engine`)

Each document is produced by the CLI built by scripts/pulumi-engine, on a local file backend, with the recording
provider standing in for aws and azure-native; README.md beside the documents lists the command that made each.
test_engine_documents.py makes them again and fails when their shape drifts from the saved ones.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine_kit import PACK, PROGRAMS, PROJECT_FILES, REPO, Workspace, engine_bin, new_workspace

FIXTURES = REPO / "tests" / "fixtures" / "engine"


@dataclass(frozen=True)
class Document:
    file: str
    what: str
    args: tuple[str, ...]
    before: tuple[tuple[str, ...], ...] = ()
    """pulumi commands run first (not saved)."""


DEV: tuple[Document, ...] = (
    Document("dev-preview-create.json", "dev stack, nothing deployed yet: every resource a create",
             ("preview", "--json")),
    Document("dev-stack-export.json", "dev stack after `pulumi up`",
             ("stack", "export"), before=(("up", "--yes", "--skip-preview"),)),
    Document("dev-add-region-preview.json", "deployed dev stack with de1 added: only the changes (no sames)",
             ("preview", "--json"), before=(("config", "set", "--path", "regions[2]", "de1"),)),
    Document("dev-add-region-preview-show-sames.json", "the same with --show-sames --diff: every resource",
             ("preview", "--json", "--show-sames", "--diff")),
    Document("dev-add-region-preview-refresh.json", "the same with --refresh: refresh steps first",
             ("preview", "--json", "--show-sames", "--refresh")),
    Document("dev-failed-preview.json", "a failed preview: the program rejects option 4 (diagnostics, severity error)",
             ("preview", "--json"), before=(("config", "set", "option", "4"),)),
)
DEV_REMOVE: tuple[Document, ...] = (
    Document("dev-remove-region-preview-refresh.json",
             "deployed dev stack with us2 removed, --refresh: us2's rules have a refresh step, then a delete",
             ("preview", "--json", "--show-sames", "--refresh"),
             before=(("up", "--yes", "--skip-preview"), ("config", "rm", "--path", "regions[1]"))),
)
AZURE: tuple[Document, ...] = (
    Document("azure-tcp-preview-create.json", "azure-tcp stack, nothing deployed yet", ("preview", "--json")),
)
VIOLATION: tuple[Document, ...] = (
    Document("aws-missing-jp1-policy-preview.json",
             "tests/e2e/programs/aws-missing-jp1 with the chalk-media pack: a mandatory violation, which the JSON "
             "leaves out (only `error: preview failed`): pkg/backend/display/json.go skips policy events",
             ("preview", "--json", "--policy-pack", "<repo>/policy_packs/chalk-media")),
)
NACL: tuple[Document, ...] = (
    Document("aws-nacl-deny-added-preview.json",
             "tests/e2e/programs/aws-nacl deployed, then a NetworkAclRule deny added to its unchanged ACL: no sames",
             ("preview", "--json"),
             before=(("up", "--yes", "--skip-preview"), ("config", "set", "denyTurn", "true"))),
    Document("aws-nacl-deny-added-preview-show-sames.json", "the same with --show-sames: the ACL is a `same` step",
             ("preview", "--json", "--show-sames")),
)
AZURE_FIX: tuple[Document, ...] = (
    Document("azure-deny-fixed-preview-refresh.json",
             "tests/e2e/programs/azure-deny deployed with its Deny, then fixed (withDeny false), previewed with "
             "--refresh: the NSG's refresh step holds the broken rules, its update step the fixed ones",
             ("preview", "--json", "--show-sames", "--refresh"),
             before=(("up", "--yes", "--skip-preview"), ("config", "set", "withDeny", "false"))),
)
EMPTY: tuple[Document, ...] = (
    Document("empty-preview.json", "tests/e2e/programs/empty: a program without resources",
             ("preview", "--json", "--show-sames")),
)


def _expand(args: tuple[str, ...]) -> list[str]:
    return [str(PACK) if arg == "<repo>/policy_packs/chalk-media" else arg for arg in args]


def _produce(workspace: Workspace, documents: tuple[Document, ...], out_dir: Path) -> None:
    for document in documents:
        for command in document.before:
            workspace.pulumi(*command, check=True)
        run = workspace.pulumi(*_expand(document.args))
        json.loads(run.stdout)  # every document is JSON, also when the command fails
        (out_dir / document.file).write_text(run.stdout)


SETS: tuple[tuple[str, Path, str, tuple[Document, ...]], ...] = (
    ("dev", REPO, "chalk-network (the repo's Pulumi.yaml, __main__.py, stacks/)", DEV),
    ("dev", REPO, "chalk-network", DEV_REMOVE),
    ("azure-tcp", REPO, "chalk-network", AZURE),
    ("e2e", PROGRAMS / "aws-missing-jp1", "tests/e2e/programs/aws-missing-jp1", VIOLATION),
    ("e2e", PROGRAMS / "aws-nacl", "tests/e2e/programs/aws-nacl", NACL),
    ("e2e", PROGRAMS / "azure-deny", "tests/e2e/programs/azure-deny", AZURE_FIX),
    ("e2e", PROGRAMS / "empty", "tests/e2e/programs/empty", EMPTY),
)


def produce_set(index: int, out_dir: Path, bin_dir: Path, scratch: Path) -> tuple[Document, ...]:
    """The documents of SETS[index], on a stack of their own (the sets are independent); returns them."""
    stack, source, _project, documents = SETS[index]
    files = PROJECT_FILES if source == REPO else None
    workspace = new_workspace(scratch / f"set-{index}", bin_dir, source, files, stack)
    _produce(workspace, documents, out_dir)
    return documents


def produce(out_dir: Path, bin_dir: Path, scratch: Path, progress: Callable[[str], None] = lambda _: None) -> None:
    for index, (stack, _source, _project, documents) in enumerate(SETS):
        progress(f"{stack}: {', '.join(d.file for d in documents)}")
        produce_set(index, out_dir, bin_dir, scratch)


def readme(version: str) -> str:
    lines = [
        "# Documents the real Pulumi CLI wrote for our stacks",
        "",
        f"Made by `python tests/e2e/engine_documents.py` with pulumi {version} (scripts/pulumi-engine), on a local",
        "file backend, with chalk-policy's recording provider standing in for aws and azure-native (ids, ARNs and",
        "auto-names are the recorder's). Ground truth for the offline reader: do not edit by hand; regenerate.",
        "tests/e2e/test_engine_documents.py fails when a fresh run's documents differ in shape from these.",
        "",
        "| file | project, stack | commands, in order (`pulumi ... --non-interactive --color never`) | what |",
        "|---|---|---|---|",
    ]
    for stack, _source, project, documents in SETS:
        for document in documents:
            commands = "; ".join(f"`pulumi {' '.join(c)}`" for c in (*document.before, document.args))
            lines.append(f"| {document.file} | {project}, `{stack}` | {commands} | {document.what} |")
    lines += ["", "Within one project the rows run in order on the same stack: each starts where the one above "
              "left off."]
    return "\n".join(lines) + "\n"


def main() -> int:
    bin_dir, _home = engine_bin()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        produce(FIXTURES, bin_dir, Path(scratch), progress=lambda line: print(line, file=sys.stderr))
    version = json.loads((FIXTURES / "dev-stack-export.json").read_text())["deployment"]["manifest"]["version"]
    (FIXTURES / "README.md").write_text(readme(version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
