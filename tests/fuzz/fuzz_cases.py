"""The fuzz cases of each user-facing input: seeds, the commands that read each input, and the strategies.

Inputs (each a :data:`KINDS` entry, two strategies each where it applies):

* ``catalog``: a catalog YAML (``catalog validate/show/diff``, ``plan``, ``render`` with ``--catalog``);
* ``overlay``: an overlay YAML (``--overlay``, ``catalogOverlay`` of a policy config and of a stack);
* ``stack``: ``stacks/Pulumi.dev.yaml`` and ``Pulumi.yaml`` of a copy of the project (``preview``, and ``check
  --project-dir``, which reads them for annotations);
* ``plan``: a ``pulumi preview --json`` digest or a ``pulumi stack export`` (``check``);
* ``policy``: a policy pack config JSON (``check``/``preview --policy-config``);
* ``cli``: command-line values (``--regions``, ``--option``, ``--clients``, ``--proxy``, ``--stack``, ...).

``*-structure`` strategies generate valid-shaped documents from a template (:func:`fuzz_values.perturbed`), with
YAML's constructs and odd encodings, plus whole-file hostile shapes; ``*-mutation`` strategies edit the repository's
valid files (:mod:`fuzz_mutations`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import yaml
from fuzz_documents import ENCODINGS, Laughs, encode, to_json, to_yaml
from fuzz_mutations import mutated_bytes, mutated_tree, with_yaml_features
from fuzz_runner import REPO, Case
from fuzz_values import SPECIAL_STRINGS, cli_text, long_strings, odd_text, perturbed
from hypothesis import strategies as st

from chalk_policy.policy_names import (
    POLICY_HOSTS,
    POLICY_LEAST_PRIVILEGE,
    POLICY_MEDIA,
    POLICY_OPTION,
    POLICY_UNVERIFIED,
)

SS = st.SearchStrategy
Draw = Callable[[SS[Any]], Any]

# --- seeds: the repository's valid inputs ---------------------------------------------------------------------------

CATALOG_BYTES = (REPO / "chalk_policy" / "catalog" / "data" / "chalk-catalog.yaml").read_bytes()
CATALOG_TREE: dict[str, Any] = yaml.safe_load(CATALOG_BYTES)
CATALOG_SMALL = {key: value[:3] if isinstance(value, list) and key not in ("port_options", "encryption_modes")
                 else value for key, value in CATALOG_TREE.items()}
"""The template of generated catalogs: three of each list (regions, hosts, ...)."""

OVERLAY_BYTES = b"""\
# An overlay: a new range for jp1, a new region, a host added and one removed.
overlay: 1
version: "2026120101"
sources:
  ptc-news: {url: "https://example.com/chalk-notice", title: PTC notice}
regions:
  - id: jp1
    add_cidrs:
      - {cidr: 13.115.245.0/27, source: ptc-news, evidence: retrieved}
    remove_cidrs: [54.65.63.192/26]
  - id: kr1
    name: Korea
    media_host: {host: kr1.vss.twilio.com, source: ptc-news, evidence: retrieved}
    annotation_proxy: {id: ap-southeast-1, source: ptc-news, evidence: inferred}
    cidrs:
      - {cidr: 203.0.113.0/26, source: ptc-news, evidence: retrieved}
hosts:
  - {host: new.prod.look.vuforia.com, role: chalk-cloud, source: ptc-news, evidence: retrieved}
remove_hosts: [otc.prod.look.vuforia.com]
"""
OVERLAY_TREE: dict[str, Any] = yaml.safe_load(OVERLAY_BYTES)

PROJECT_BYTES = (REPO / "Pulumi.yaml").read_bytes()
PROJECT_TREE: dict[str, Any] = yaml.safe_load(PROJECT_BYTES)
PROGRAM_BYTES = (REPO / "__main__.py").read_bytes()
STACK_FILES = {path.name: path.read_bytes() for path in sorted((REPO / "stacks").glob("Pulumi.*.yaml"))}
STACK_TREES = {name: yaml.safe_load(data) for name, data in STACK_FILES.items()}

FIXTURES = REPO / "tests" / "fixtures" / "engine"
PLAN_FILES = {path.name: path.read_bytes() for path in sorted(FIXTURES.glob("*.json"))
              if path.stat().st_size <= 200_000}
"""The saved plans to mutate (the ones up to 200 KB: each case is then checked in about 0.2 s)."""
PLAN_TREES = {name: json.loads(data) for name, data in PLAN_FILES.items()}
REFUSED_PLANS = frozenset({"aws-nacl-deny-added-preview.json", "dev-add-region-preview.json",
                           "dev-failed-preview.json", "empty-preview.json"})
"""Fixtures that ``check`` refuses by design (exit 2: sames left out, a failed preview, no resources); mutated
like the others."""
SMALL_PLAN = "azure-tcp-preview-create.json"
DEV_PLAN = "dev-preview-create.json"

POLICY_TREE: dict[str, Any] = {
    "all": "mandatory",
    POLICY_MEDIA: {"enforcementLevel": "mandatory", "regions": ["de1", "ie1"], "option": 3, "encryption": "standard",
                   "clientTag": {"key": "chalk", "value": "client"}, "clientCidrs": ["10.0.0.0/8"],
                   "catalogOverlay": "", "fromStackConfig": True},
    POLICY_HOSTS: {"enforcementLevel": "advisory", "regions": ["de1", "ie1"]},
    POLICY_LEAST_PRIVILEGE: "advisory",
    POLICY_OPTION: {"enforcementLevel": "mandatory"},
    POLICY_UNVERIFIED: "disabled",
}
POLICY_BYTES = json.dumps(POLICY_TREE, indent=2).encode()

SIG_KEY, SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def project_files(stack: bytes, project: bytes = PROJECT_BYTES, name: str = "dev") -> dict[str, bytes]:
    """A copy of the chalk-network project (its real program) with the given stack file."""
    return {"Pulumi.yaml": project, "__main__.py": PROGRAM_BYTES, f"stacks/Pulumi.{name}.yaml": stack}


# --- the commands that read each input ------------------------------------------------------------------------------

C, OV, P, F = "catalog.yaml", "overlay.yaml", "policy.json", "plan.json"

CATALOG_COMMANDS = (
    ("catalog", "validate", C),
    ("catalog", "show", "--catalog", C),
    ("catalog", "show", "--catalog", C, "--format", "json"),
    ("catalog", "show", "--catalog", C, "--region", "jp1"),
    ("plan", "--regions", "all", "--catalog", C),
    ("plan", "--regions", "all", "--catalog", C, "--format", "json"),
    ("plan", "--regions", "jp1,us2", "--option", "3", "--encryption", "e2ee", "--catalog", C, "--format", "csv"),
    ("catalog", "diff", "shipped.yaml", C, "--fail-on-removal"),
    ("catalog", "diff", C, "shipped.yaml", "--format", "json"),
    ("render", "squid", "--regions", "all", "--catalog", C),
    ("render", "pac", "--regions", "all", "--catalog", C, "--proxy", "proxy.example:3128"),
    ("regions", "--catalog", C),
    ("plan", "--regions", "all", "--catalog", C, "--format", "markdown", "--clients", "10.0.0.0/8"),
    ("render", "nftables", "--regions", "all", "--encryption", "e2ee", "--catalog", C, "--clients", "10.0.0.0/8"),
    ("render", "iptables", "--regions", "all", "--catalog", C, "--stateless"),
)
OVERLAY_COMMANDS = (
    ("catalog", "validate", "shipped.yaml", "--overlay", OV),
    ("catalog", "show", "--overlay", OV),
    ("catalog", "show", "--overlay", OV, "--format", "json"),
    ("plan", "--regions", "all", "--overlay", OV, "--format", "json"),
    ("plan", "--regions", "jp1", "--overlay", OV),
    ("render", "squid", "--regions", "all", "--overlay", OV),
    ("render", "pac", "--regions", "all", "--overlay", OV, "--proxy", "proxy.example:3128"),
    ("regions", "--overlay", OV, "--format", "json"),
    ("render", "nftables", "--regions", "all", "--overlay", OV),
    ("check", F, "--policy-config", P),
    ("preview", "--stack", "dev"),
)
STACK_COMMANDS = (
    ("preview", "--stack", "dev"),
    ("preview", "--stack", "dev", "--format", "json"),
    ("preview", "--stack", "dev", "--no-policies"),
    ("preview", "--stack", "dev", "--config", 'chalk-network:regions=["jp1"]'),
    ("check", F, "--project-dir", "."),
    ("check", F, "--project-dir", ".", "--format", "github"),
    ("check", F, "--project-dir", ".", "--format", "sarif"),
)
PLAN_COMMANDS = (
    ("check", F),
    ("check", F, "--format", "json"),
    ("check", F, "--format", "sarif"),
    ("check", F, "--format", "github"),
    ("check", F, "--format", "junit"),
    ("check", F, "--regions", "jp1,us2", "--option", "1"),
    ("check", F, "second.json"),
    ("check", F, "--format", "sarif", "--output", "report.sarif"),
)
POLICY_COMMANDS = (
    ("check", F, "--policy-config", P),
    ("check", F, "--policy-config", P, "--format", "json"),
    ("check", F, "--policy-config", P, "--format", "sarif"),
    ("check", F, "--policy-config", P, "--regions", "jp1"),
    ("preview", "--stack", "dev", "--policy-config", P),
)


def _overlay_files(argv: tuple[str, ...], overlay: bytes) -> dict[str, bytes]:
    files = {OV: overlay, "shipped.yaml": CATALOG_BYTES}
    if argv[0] == "check":
        policy = {POLICY_MEDIA: {"regions": ["all"], "catalogOverlay": OV}}
        files |= {F: PLAN_FILES[SMALL_PLAN], P: json.dumps(policy).encode()}
    elif argv[0] == "preview":
        stack = STACK_FILES["Pulumi.dev.yaml"] + b"  chalk-network:catalogOverlay: overlay.yaml\n"
        files |= project_files(stack)
    return files


def _stack_files(argv: tuple[str, ...], stack: bytes, project: bytes = PROJECT_BYTES) -> dict[str, bytes]:
    files = project_files(stack, project)
    if argv[0] == "check":
        files[F] = PLAN_FILES[DEV_PLAN]
    return files


def _policy_files(argv: tuple[str, ...], policy: bytes) -> dict[str, bytes]:
    files = {P: policy, OV: OVERLAY_BYTES}
    if argv[0] == "check":
        files[F] = PLAN_FILES[SMALL_PLAN]
    else:
        files |= project_files(STACK_FILES["Pulumi.dev.yaml"])
    return files


# --- documents: a tree written as YAML or JSON, then as bytes -------------------------------------------------------

YAML_STYLES = ("pyyaml", "block", "flow", "json")


def yaml_document(trees: SS[Any]) -> SS[bytes]:
    @st.composite
    def build(draw: Draw) -> bytes:
        tree = draw(trees.flatmap(with_yaml_features))
        style = draw(st.sampled_from(YAML_STYLES))
        text = to_json(tree) + "\n" if style == "json" else to_yaml(tree, style)
        return encode(text, draw(st.sampled_from(ENCODINGS)))
    return build()


def json_document(trees: SS[Any]) -> SS[bytes]:
    @st.composite
    def build(draw: Draw) -> bytes:
        tree = draw(trees.flatmap(lambda t: with_yaml_features(t, json=True)))
        text = to_json(tree, draw(st.sampled_from([1, None, 2])), ascii_only=draw(st.booleans()))
        return encode(text, draw(st.sampled_from(ENCODINGS)))
    return build()


def _deep_block(depth: int) -> bytes:
    return "".join(f"{'  ' * i}a:\n" for i in range(depth)).encode() + b"  " * depth + b"1\n"


HOSTILE_FILES = (
    b"", b" \n\t\n", b"# only a comment\n", b"---\n", b"...\n", b"---\na: 1\n---\nb: 2\n", b"\xef\xbb\xbf",
    b"\xff\xfe", b"\xfe\xff\x00a", b"\x00" * 16, b"\xff" * 16, b"null\n", b"[]\n", b"{}\n", b"42\n", b'"text"\n',
    b"- a\n- b\n", b"%YAML 1.1\n---\na: 1\n", b"%YAML 9.9\n---\na: 1\n", b"%TAG ! tag:x,2000:\n---\n!a {b: 1}\n",
    b"!!map {a: 1}\n", b"!!python/object/apply:builtins.len [[1]]\n", b"a: &a [*a]\n", b"&a {b: *a}\n",
    b"a: *nowhere\n", b"a: 1\na: 2\n", b"? [1, 2]\n: x\n", b"? {a: 1}\n: x\n", b"{[1]: 2}\n",
    b"a:\n  - b\n c: d\n", b"\ta: 1\n", b"a: 'unterminated\n", b'a: "\\ud800"\n', b'{"a": "\\udc80"}\n',
    b'{"a": 1} {"b": 2}\n', b'{"sequence": 1, "timestamp": 1}\n{"sequence": 2, "timestamp": 2}\n',
    b"NaN\n", b"1e999\n", b"9" * 5000 + b"\n", b'{"version": ' + b"9" * 5000 + b"}\n",
    b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, _deep_block(2000),
    b"a: " + b"x" * 2_000_000 + b"\n", b"".join(b"k%d: %d\n" % (i, i) for i in range(100_000)),
    to_yaml({"a": Laughs(9, 9)}, "flow").encode(), to_yaml({"regions": Laughs(8, 8)}, "block").encode(),
)
"""Whole files that no template produces: empty, only a BOM, several documents, deep nesting, huge, ..."""


def hostile_files() -> SS[bytes]:
    return st.sampled_from(HOSTILE_FILES)


# --- plans: assembled from the fixtures' resources ------------------------------------------------------------------


def _resource_templates() -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for tree in PLAN_TREES.values():
        states = [s.get("newState") for s in tree.get("steps", [])] + tree.get("deployment", {}).get("resources", [])
        for state in states:
            if isinstance(state, dict) and state.get("type") not in found:
                found[state["type"]] = {k: v for k, v in state.items() if k not in ("stackTrace",
                                                                                     "propertyDependencies")}
    templates = list(found.values())
    rule = copy.deepcopy(found.get("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", {}))
    if rule:  # secrets, as a stack export and a preview digest write them
        for value in ({SIG_KEY: SIG, "ciphertext": "v1:abc"}, {SIG_KEY: SIG, "plaintext": '"13.115.244.0/27"'},
                      {SIG_KEY: SIG, "plaintext": "[" * 5000}, {SIG_KEY: SIG, "plaintext": '"\\ud800"'},
                      "[secret]", UNKNOWN):
            templates.append({**rule, "inputs": {**rule.get("inputs", {}), "cidrIpv4": value}})
    return templates


RESOURCE_TEMPLATES = _resource_templates()
OPS = ("create", "create", "create", "same", "update", "replace", "refresh", "delete", "read", "import",
       "create-replacement", "delete-replaced", "discard", "diff", "bogus")


@st.composite
def plan_template(draw: Draw) -> dict[str, Any]:
    states = draw(st.lists(st.sampled_from(RESOURCE_TEMPLATES), max_size=6))
    kind = draw(st.sampled_from(["preview", "export", "export4"]))
    if kind == "preview":
        steps = []
        for state in states:
            op = draw(st.sampled_from(OPS))
            step = {"op": op, "urn": state.get("urn"), "provider": state.get("provider", ""), "newState": state,
                    "detailedDiff": None}
            if op in ("same", "update"):
                step["oldState"] = {**state, "id": "sg-123", "outputs": state.get("inputs", {})}
            steps.append(step)
        return {"config": PLAN_TREES[DEV_PLAN]["config"], "steps": steps, "duration": 1_234_000_000,
                "changeSummary": {"create": len(steps)}}
    resources = [{**state, "outputs": state.get("inputs", {})} for state in states]
    return {"version": 4 if kind == "export4" else 3, **({"features": []} if kind == "export4" else {}),
            "deployment": {"manifest": {"time": "2026-11-25T10:00:00Z", "magic": "0" * 64, "version": "v3.231.0"},
                           "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:abc"}},
                           "resources": resources}}


# --- the strategies of each kind ------------------------------------------------------------------------------------


def _mutated_file(data: bytes, tree: Any, as_json: bool) -> SS[bytes]:
    """The file with its bytes edited, or its tree edited and written again."""
    @st.composite
    def rewritten(draw: Draw) -> bytes:
        mutated = draw(mutated_tree(tree, yaml_features=not as_json))
        if as_json:
            text = to_json(mutated, draw(st.sampled_from([4, 1, None])))
        else:
            text = to_yaml(mutated, draw(st.sampled_from(YAML_STYLES[:3])))
        return encode(text, draw(st.sampled_from(ENCODINGS)))
    return st.one_of(mutated_bytes(data), rewritten())


def catalog_structure() -> SS[Case]:
    documents = st.one_of(yaml_document(perturbed(CATALOG_SMALL)), hostile_files())
    return st.builds(lambda doc, argv: Case("catalog-structure", argv, {C: doc, "shipped.yaml": CATALOG_BYTES}),
                     documents, st.sampled_from(CATALOG_COMMANDS))


def catalog_mutation() -> SS[Case]:
    return st.builds(lambda doc, argv: Case("catalog-mutation", argv, {C: doc, "shipped.yaml": CATALOG_BYTES}),
                     _mutated_file(CATALOG_BYTES, CATALOG_TREE, False), st.sampled_from(CATALOG_COMMANDS))


def overlay_structure() -> SS[Case]:
    documents = st.one_of(yaml_document(perturbed(OVERLAY_TREE)), hostile_files())
    return st.builds(lambda doc, argv: Case("overlay-structure", argv, _overlay_files(argv, doc)),
                     documents, st.sampled_from(OVERLAY_COMMANDS))


def overlay_mutation() -> SS[Case]:
    return st.builds(lambda doc, argv: Case("overlay-mutation", argv, _overlay_files(argv, doc)),
                     _mutated_file(OVERLAY_BYTES, OVERLAY_TREE, False), st.sampled_from(OVERLAY_COMMANDS))


SAFE_MAIN = (None, ".", "__main__.py", "missing.py", "stacks", 42, ["x"], "", "../")
"""``main:`` of a generated Pulumi.yaml: never a path that could reach another Python file on this machine."""


def _safe_project(tree: Any, main_index: int) -> Any:
    if isinstance(tree, dict) and "main" in tree:
        tree = {**tree, "main": SAFE_MAIN[main_index]}
    return tree


def stack_structure() -> SS[Case]:
    stacks = st.sampled_from(sorted(STACK_TREES)).flatmap(lambda name: perturbed(STACK_TREES[name]))

    @st.composite
    def build(draw: Draw) -> Case:
        argv = draw(st.sampled_from(STACK_COMMANDS))
        if draw(st.integers(0, 3)) < 3:  # the stack file
            stack = draw(st.one_of(yaml_document(stacks), hostile_files()))
            return Case("stack-structure", argv, _stack_files(argv, stack))
        project = draw(perturbed(PROJECT_TREE).map(lambda t: _safe_project(t, 0)).flatmap(
            lambda t: yaml_document(st.just(t))))
        return Case("stack-structure", argv, _stack_files(argv, STACK_FILES["Pulumi.dev.yaml"], project))
    return build()


def stack_mutation() -> SS[Case]:
    @st.composite
    def build(draw: Draw) -> Case:
        argv = draw(st.sampled_from(STACK_COMMANDS))
        if draw(st.integers(0, 3)) < 3:
            name = draw(st.sampled_from(sorted(STACK_FILES)))
            stack = draw(_mutated_file(STACK_FILES[name], STACK_TREES[name], False))
            return Case("stack-mutation", argv, _stack_files(argv, stack))
        project = draw(_mutated_file(PROJECT_BYTES, PROJECT_TREE, False))
        if b"main" in project:  # a mutation may have written a main: key; never run another file
            project = project.replace(b"main", b"mian")
        return Case("stack-mutation", argv, _stack_files(argv, STACK_FILES["Pulumi.dev.yaml"], project))
    return build()


def _plan_case(kind: str, doc: bytes, argv: tuple[str, ...]) -> Case:
    return Case(kind, argv, {F: doc, "second.json": PLAN_FILES[SMALL_PLAN]})


def plan_structure() -> SS[Case]:
    documents = st.one_of(json_document(plan_template().flatmap(perturbed)), hostile_files())
    return st.builds(lambda doc, argv: _plan_case("plan-structure", doc, argv), documents,
                     st.sampled_from(PLAN_COMMANDS))


def plan_mutation() -> SS[Case]:
    documents = st.sampled_from(sorted(PLAN_FILES)).flatmap(
        lambda name: _mutated_file(PLAN_FILES[name], PLAN_TREES[name], True))
    return st.builds(lambda doc, argv: _plan_case("plan-mutation", doc, argv), documents,
                     st.sampled_from(PLAN_COMMANDS))


def policy_config() -> SS[Case]:
    documents = st.one_of(json_document(perturbed(POLICY_TREE)), _mutated_file(POLICY_BYTES, POLICY_TREE, True),
                          hostile_files())
    return st.builds(lambda doc, argv: Case("policy-config", argv, _policy_files(argv, doc)), documents,
                     st.sampled_from(POLICY_COMMANDS))


# --- command-line values --------------------------------------------------------------------------------------------

REGION_VALUES = ("all", "jp1", "jp1,us2", "JP1", " jp1 ", "jp1,,us2", ",", "", "all,jp1", "jp1,jp1", "zz9", "jp1 us2",
                 "jp1;us2", "au1,br1,de1,ie1,in1,jp1,sg1,us1,us2", "ALL", "jp1," * 5000)
OPTION_VALUES = ("1", "2", "3", "0", "4", "-1", "1.0", " 1", "\u0661", "01", "9" * 30, "nan", "", "1e0", "0x1", "+1")
ENCRYPTION_VALUES = ("standard", "e2ee", "E2EE", "", " standard", "none", "standard\n")
NUMBER_VALUES = ("60", "0", "1", "2", "-1", "100000", "9" * 30, "1.5", "", "x", "0x10", "\u0661\u0660", "2")
WINDOW_VALUES = ("100-4096", "4096-100", "0-0", "-1-5", "100-", "-", "a-b", "100-4096-5", "1-99999999999999999999",
                 "4095-4096", "100-101", "100 - 200", "\u0661\u0660\u0660-4096", "", "100--200")
CLIENT_VALUES = ("10.0.0.0/8", "10.0.0.0/8,172.16.0.0/12", "10.0.0.1/8", "0.0.0.0/0", "::/0", "2001:db8::/32", "",
                 ",", "10.0.0.0/33", "10.0.0.0", "300.0.0.0/8", "10.0.0.0/8,,", "a b", "10.0.0.0/8 " * 1000,
                 "10.0.0.0/-1", "10/8", "1.2.3.4%eth0/32", "\u0661.\u0662.\u0663.\u0664/8")
PROXY_VALUES = ("proxy.example:3128", "p:0", "p:65536", "p:65535", "[::1]:3128", "::1", "p:", ":3128", "p:3128:1",
                "p:-1", "p: 80", "p:80 ", "p", "", "[::1]", "[::1", "10.0.0.1:3128", "xn--p:1", "p:0x10",
                "p:\u0661\u0662", "a" * 300 + ":1", "-p:1", "p..q:1", "p:99999999999999999999")
FALLBACK_VALUES = ("DIRECT", "PROXY corp:8080; DIRECT", "", '"; alert(1); //', "PROXY a:1\nDIRECT", "SOCKS x:1",
                   "\u2028", "x" * 10000)
STACK_VALUES = ("dev", "../dev", "a/b", "", ".", "x" * 200, "dev\n", "DEV", "dev ", "prod", "org/proj/dev", "-dev",
                "nope")
CONFIG_VALUES = ('chalk-network:regions=["jp1"]', "regions=[]", "regions=", "=x", "x", "chalk-network:option=9",
                 "chalk-network:option=abc", "aws:region=", "chalk-network:regions=" + "[" * 5000,
                 'chalk-network:regions=["\\ud800"]', "chalk-network:tags={", "chalk-network:awsRulesPerGroup=-1",
                 "chalk-network:clouds=[\"gcp\"]", "chalk-network:catalogOverlay=/nonexistent/x.yaml",
                 "chalk-network:encryption=e2ee", "::=1", "a:b:c:d=1")
OUTPUT_VALUES = ("out.txt", "sub/out.txt", ".", "/nonexistent-chalk-fuzz/out.txt", "a" * 300, "out\udc80.txt")
"""``--output``: only names inside the case's directory, or that cannot be written."""
PROJECT_DIR_VALUES = (".", "nonexistent", "stacks", "Pulumi.yaml", "")


def _value(choices: tuple[str, ...]) -> SS[str]:
    return cli_text(st.one_of(st.sampled_from(choices), odd_text(), st.sampled_from(SPECIAL_STRINGS),
                              long_strings().map(lambda s: s[:100_000])))


@st.composite
def _cli_argv(draw: Draw) -> tuple[tuple[str, ...], dict[str, bytes]]:
    command = draw(st.sampled_from(["plan", "squid", "pac", "show", "check", "preview", "preview-config"]))
    regions, option = draw(_value(REGION_VALUES)), draw(_value(OPTION_VALUES))
    encryption = draw(_value(ENCRYPTION_VALUES))
    if command == "plan":
        argv = ("plan", "--regions", regions, "--option", option, "--encryption", encryption,
                "--aws-rules-per-group", draw(_value(NUMBER_VALUES)), "--azure-priorities", draw(_value(WINDOW_VALUES)),
                "--format", draw(st.sampled_from(["table", "json", "csv"])))
        return argv, {}
    if command == "squid":
        output = draw(st.lists(st.sampled_from(OUTPUT_VALUES), max_size=1))
        return ("render", "squid", "--regions", regions, "--option", option, "--clients", draw(_value(CLIENT_VALUES)),
                "--proxy", draw(_value(PROXY_VALUES)), *(("--output", *output) if output else ())), {}
    if command == "pac":
        return ("render", "pac", "--regions", regions, "--encryption", encryption, "--proxy",
                draw(_value(PROXY_VALUES)), "--fallback", draw(_value(FALLBACK_VALUES))), {}
    if command == "show":
        return ("catalog", "show", "--region", regions, "--format", draw(st.sampled_from(["text", "json"]))), {}
    if command == "check":
        output = draw(st.lists(st.sampled_from(OUTPUT_VALUES), max_size=1))
        return (("check", F, "--regions", regions, "--option", option, "--encryption", encryption,
                 "--project-dir", draw(st.sampled_from(PROJECT_DIR_VALUES)),
                 *(("--output", *output) if output else ())), {F: PLAN_FILES[DEV_PLAN]})
    files = project_files(STACK_FILES["Pulumi.dev.yaml"])
    if command == "preview":
        return ("preview", "--stack", draw(_value(STACK_VALUES)), "--project-dir",
                draw(st.sampled_from(PROJECT_DIR_VALUES))), files
    configs = draw(st.lists(_value(CONFIG_VALUES), min_size=1, max_size=3))
    return ("preview", "--stack", "dev", *(part for value in configs for part in ("--config", value))), files


def cli_values() -> SS[Case]:
    return _cli_argv().map(lambda pair: Case("cli-values", pair[0], pair[1]))


KINDS: dict[str, Callable[[], SS[Case]]] = {
    "catalog-structure": catalog_structure,
    "catalog-mutation": catalog_mutation,
    "overlay-structure": overlay_structure,
    "overlay-mutation": overlay_mutation,
    "stack-structure": stack_structure,
    "stack-mutation": stack_mutation,
    "plan-structure": plan_structure,
    "plan-mutation": plan_mutation,
    "policy-config": policy_config,
    "cli-values": cli_values,
}
"""Each kind's strategy of cases (one test each)."""


def seed_cases() -> list[Case]:
    """The unmutated seeds through every command: all must be accepted (exit 0 or 1), or the seeds are wrong."""
    cases = [Case("seed-catalog", argv, {C: CATALOG_BYTES, "shipped.yaml": CATALOG_BYTES})
             for argv in CATALOG_COMMANDS]
    cases += [Case("seed-overlay", argv, _overlay_files(argv, OVERLAY_BYTES)) for argv in OVERLAY_COMMANDS]
    cases += [Case("seed-stack", argv, _stack_files(argv, STACK_FILES[name]))
              for name in sorted(STACK_FILES) for argv in STACK_COMMANDS[:1]]
    cases += [Case("seed-stack", argv, _stack_files(argv, STACK_FILES["Pulumi.dev.yaml"])) for argv in STACK_COMMANDS]
    cases += [Case("seed-plan", (*argv[:1], name, *argv[2:]), {name: data, "second.json": PLAN_FILES[SMALL_PLAN]})
              for name, data in PLAN_FILES.items() for argv in PLAN_COMMANDS[:1]]
    cases += [Case("seed-plan", argv, {F: PLAN_FILES[DEV_PLAN], "second.json": PLAN_FILES[SMALL_PLAN]})
              for argv in PLAN_COMMANDS]
    cases += [Case("seed-policy", argv, _policy_files(argv, POLICY_BYTES)) for argv in POLICY_COMMANDS]
    return cases

