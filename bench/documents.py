"""Seeded, realistic ``pulumi preview --json --show-sames`` documents for the benchmarks (issue 14).

    python bench/documents.py --resources 10000 > plan-10k.json

The step shape is copied from what the real CLI writes
(``tests/fixtures/engine/dev-add-region-preview-show-sames.json``, made by pulumi v3.274.1; the writer is
``ShowPreviewDigest`` in pkg/backend/display/json.go, the shapes ``PreviewDigest``/``PreviewStep`` in
pkg/display/json.go): a deployed stack previewed again, every resource a ``same`` step whose
``newState`` has the inputs and whose ``oldState`` has the id and outputs.

What a document of N resources holds, per the issue's measurement:
- 60% ``SecurityGroupEgressRule`` across N/50 security groups. One set of client groups is fully compliant: the
  groups a ``ChalkAwsEgress`` would build for the stack's regions and option, with one rule per (range, protocol,
  port range). The other groups are an estate's ordinary egress (databases, HTTPS to partners, DNS) and miss Chalk.
- Azure NSGs of 50 inline rules each (priorities, allows, denies, service tags, port lists), 50 per 10k resources.
- The rest unrelated resources (buckets, roles, queues, subnets) with a few properties each.

``nsg_document(1000)`` is the one NSG with 1,000 rules.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from typing import Any

PROJECT = "bench"
STACK = "prod"
REGIONS = ("jp1", "us2")
OPTION = 1
PROVIDER_AWS = (f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:aws::default_7_51_1::"
                "b843e598-1810-4ccb-85bb-dad4880915e8")
PROVIDER_AZ = (f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:azure-native::default_3_10_0::"
               "0a6e7d1e-64c1-4d52-9a4e-1d0f0c1f3a11")
SG = "aws:ec2/securityGroup:SecurityGroup"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
NSG = "azure-native:network:NetworkSecurityGroup"
UNRELATED = ("aws:s3/bucket:Bucket", "aws:iam/role:Role", "aws:sqs/queue:Queue", "aws:ec2/subnet:Subnet",
             "azure-native:storage:StorageAccount", "aws:lambda/function:Function")
TAGS = {"cost-center": "4711", "environment": STACK, "owner": "platform-network"}
NSGS_PER_10K = 50
"""Calibrated on the issue's own measurement: with 50 NSGs per 10k resources, the code before issue 14 (1e26b2b)
checks the 10k document in 24.5 s, the 24 s the issue reports (with 20: 16.9 s; 200 make the NSGs, not the security
groups, most of the document)."""


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_}::{name}"


def _same(type_: str, name: str, inputs: dict[str, Any], id_: str, provider: str = PROVIDER_AWS,
          outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    urn = _urn(type_, name)
    new = {"urn": urn, "custom": True, "type": type_, "inputs": {"__defaults": [], **inputs},
           "parent": _urn("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}"), "provider": provider}
    old = {"urn": urn, "custom": True, "id": id_, "type": type_, "inputs": inputs,
           "outputs": {**inputs, "id": id_, **(outputs or {})}, "provider": provider}
    return {"op": "same", "urn": urn, "provider": provider, "oldState": old, "newState": new}


def _chalk_rules() -> list[tuple[str, str, int, int]]:
    """(cidr, protocol, low, high) of every rule the stack's regions and option need, from the real planner."""
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from chalk_policy.catalog import load_catalog
    from chalk_policy.planning import plan

    chalk = plan(load_catalog(), ",".join(REGIONS), OPTION)
    return [(cidr, rule.protocol.value, rule.ports.from_port, rule.ports.to_port)
            for rule in chalk.media_rules for cidr in rule.cidrs]


def _cidr(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/{rng.choice((24, 26, 28))}"


def _ordinary_egress(rng: random.Random) -> dict[str, Any]:
    kind = rng.random()
    if kind < 0.5:
        port = rng.choice((5432, 3306, 6379, 9200, 8080, 22))
        return {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": _cidr(rng)}
    if kind < 0.8:
        return {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                "cidrIpv4": f"{rng.randrange(11, 200)}.{rng.randrange(256)}.{rng.randrange(256)}.0/24"}
    if kind < 0.95:
        return {"ipProtocol": "udp", "fromPort": 53, "toPort": 53, "cidrIpv4": _cidr(rng)}
    return {"ipProtocol": "tcp", "fromPort": 1024, "toPort": 65535, "cidrIpv4": _cidr(rng)}


def _nsg_rule(rng: random.Random, index: int) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": f"rule-{index}", "priority": 100 + index, "direction": rng.choice(
        ("Outbound", "Outbound", "Inbound")), "access": "Deny" if rng.random() < 0.2 else "Allow",
        "protocol": rng.choice(("Tcp", "Udp", "*")), "sourceAddressPrefix": rng.choice(("*", "VirtualNetwork",
                                                                                          _cidr(rng))),
        "sourcePortRange": "*"}
    if rng.random() < 0.5:
        rule["destinationAddressPrefixes"] = [_cidr(rng) for _ in range(rng.randrange(1, 6))]
    else:
        rule["destinationAddressPrefix"] = rng.choice(("Internet", "Storage", "AzureCloud", _cidr(rng)))
    if rng.random() < 0.5:
        rule["destinationPortRanges"] = [str(rng.choice((22, 80, 443, 1433, 3389, 5432))),
                                         f"{rng.randrange(1024, 30000)}-{rng.randrange(30000, 65535)}"]
    else:
        rule["destinationPortRange"] = rng.choice(("*", "443", "3478", "8000-9000"))
    return rule


def nsg_step(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    nsg_id = f"/subscriptions/0000/resourceGroups/rg-bench/providers/Microsoft.Network/networkSecurityGroups/{name}"
    return _same(NSG, name, {"networkSecurityGroupName": name, "resourceGroupName": "rg-bench",
                             "location": "westeurope", "securityRules": rules}, nsg_id, PROVIDER_AZ)


def preview_document(resources: int, seed: int = 14, nsgs_per_10k: int = NSGS_PER_10K) -> dict[str, Any]:
    rng = random.Random(seed)
    chalk_rules = _chalk_rules()
    steps: list[dict[str, Any]] = []
    groups = max(2, resources // 50)
    egress_total = int(resources * 0.6)
    nsgs = max(1, resources * nsgs_per_10k // 10000)
    unrelated = resources - groups - egress_total - nsgs
    group_ids = [f"sg-{rng.getrandbits(60):015x}" for _ in range(groups)]
    for index, group_id in enumerate(group_ids):
        tags = {**TAGS, "Name": f"app-{index}"} if index else {**TAGS, "Name": "chalk-clients", "chalk:shard": "1"}
        steps.append(_same(SG, f"app-{index}", {"description": f"app tier {index}", "name": f"app-{index}",
                                                 "tags": tags, "vpcId": "vpc-0a1b2c3d4e5f60718"}, group_id))
    for index, (cidr, protocol, low, high) in enumerate(chalk_rules[:egress_total]):
        steps.append(_same(EGRESS, f"chalk-egress-{protocol}-{low}-{cidr.replace('/', '-')}", {
            "ipProtocol": protocol, "fromPort": low, "toPort": high, "cidrIpv4": cidr,
            "securityGroupId": group_ids[0], "description": f"Chalk media {index}", "tags": TAGS},
            f"sgr-{rng.getrandbits(60):015x}"))
    for index in range(egress_total - min(egress_total, len(chalk_rules))):
        group_id = group_ids[1 + index % (groups - 1)]
        steps.append(_same(EGRESS, f"egress-{index}", {**_ordinary_egress(rng), "securityGroupId": group_id,
                                                        "tags": TAGS}, f"sgr-{rng.getrandbits(60):015x}"))
    for index in range(nsgs):
        steps.append(nsg_step(f"nsg-{index}", [_nsg_rule(rng, i) for i in range(50)]))
    for index in range(unrelated):
        type_ = UNRELATED[index % len(UNRELATED)]
        steps.append(_same(type_, f"thing-{index}", {"name": f"thing-{index}", "tags": TAGS,
                                                     "description": "unrelated to Chalk " * 3},
                           f"id-{index}", PROVIDER_AZ if type_.startswith("azure") else PROVIDER_AWS))
    rng.shuffle(steps)
    config = {"aws:region": "us-west-2", f"{PROJECT}:regions": json.dumps(list(REGIONS)),
              f"{PROJECT}:option": str(OPTION), f"{PROJECT}:encryption": "standard"}
    return {"config": config, "steps": steps, "diagnostics": [], "duration": 1, "changeSummary": {"same": len(steps)}}


def nsg_document(rules: int, seed: int = 14) -> dict[str, Any]:
    """One NSG of ``rules`` rules: random estate rules, and Chalk's own somewhere in the middle."""
    rng = random.Random(seed)
    body = [_nsg_rule(rng, i) for i in range(rules)]
    config = {f"{PROJECT}:regions": json.dumps(list(REGIONS)), f"{PROJECT}:option": str(OPTION)}
    return {"config": config, "steps": [nsg_step("big-nsg", body)], "diagnostics": [], "duration": 1,
            "changeSummary": {"same": 1}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=10000)
    parser.add_argument("--nsg-rules", type=int, help="Write the one-NSG document with this many rules instead.")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    doc = nsg_document(args.nsg_rules, args.seed) if args.nsg_rules else preview_document(args.resources, args.seed)
    json.dump(doc, sys.stdout)


if __name__ == "__main__":
    main()
