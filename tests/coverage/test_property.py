"""Property: egress generated from a plan covers it exactly; dropping one rule yields exactly that one gap."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalk_policy.coverage import FindingKind, check_media
from chalk_policy.planning import plan

from .helpers import CATALOG, egress, nsg, nsg_rule

REGIONS = st.lists(st.sampled_from(CATALOG.region_ids), min_size=1, max_size=4, unique=True)
OPTIONS = st.sampled_from(CATALOG.option_ids)


def _stack(chalk_plan):
    rules = [egress(f"{rule.protocol.value}-{rule.ports}-{cidr}", cidr, rule.protocol.value, rule.ports.from_port,
                    rule.ports.to_port) for rule in chalk_plan.media_rules for cidr in chalk_plan.cidrs]
    allows = [nsg_rule(f"chalk-media-{protocol.value}", 100 + index, "Allow", protocol.value.capitalize(),
                       list(chalk_plan.cidrs), [str(r.ports) for r in chalk_plan.media_rules if r.protocol is protocol])
              for index, protocol in enumerate(chalk_plan.protocols)]
    return rules, nsg("chalk-nsg", [*allows, nsg_rule("deny", 4096, "Deny", "*", "Internet", "*")])


@settings(max_examples=25, deadline=None)
@given(regions=REGIONS, option=OPTIONS, data=st.data())
def test_generated_egress_covers_the_plan_and_each_rule_matters(regions, option, data):
    chalk_plan = plan(CATALOG, regions, option)
    rules, group = _stack(chalk_plan)
    assert check_media([*rules, group], chalk_plan, CATALOG).findings == ()

    dropped = data.draw(st.sampled_from(rules))
    result = check_media([r for r in rules if r is not dropped] + [group], chalk_plan, CATALOG)
    [finding] = result.findings
    props = dropped.props
    ports = (str(props["fromPort"]) if props["fromPort"] == props["toPort"]
             else f"{props['fromPort']}-{props['toPort']}")
    region = next(d.regions for d in chalk_plan.destinations if d.cidr == props["cidrIpv4"])
    assert len(region) == 1  # no catalog range is adjacent to another region's range
    assert finding.kind is FindingKind.VIOLATION
    assert finding.region == region[0]
    assert finding.message == (
        f"Region {region[0]} ({CATALOG.region(region[0]).name}): AWS security groups do not allow "
        f"{props['ipProtocol'].upper()} {ports} to {props['cidrIpv4']}. Add an aws.vpc.SecurityGroupEgressRule per "
        f"range (ip_protocol {props['ipProtocol']}, from_port {props['fromPort']}, to_port {props['toPort']}) or use "
        f"chalk_policy.components.aws.ChalkAwsEgress.")
