"""Auto-naming, as the real providers do it in ``Check`` when the program gives no name.

AWS (pulumi-aws provider/autonaming.go; pulumi-terraform-bridge ``tfbridge.AutoName``): every resource with an
input ``name`` gets ``<logical name>-<7 random hex>``, capped at 255 characters (target groups at 32:
provider/aliases.go, ``tfbridge.AutoName("name", 32, "-")``; load balancers at 32 too, the AWS limit, NOT VERIFIED
in pulumi-aws's resources.go). The bridge does not apply the default when a conflicting property (``namePrefix``)
is set, records the names it filled in under ``__defaults`` in the checked inputs, and reuses an old value only if
the old ``__defaults`` lists it (or there is no such list): pkg/tfbridge/schema.go, ``applyDefaults``.
A name longer than the cap fails Check with the SDK's message ("name '<p>' plus 7 random chars is longer than
maximum length <n>", sdk/go/common/resource/resource_id.go ``NewUniqueName``).

Azure (pulumi-azure-native, provider/pkg/provider/provider.go ``getDefaultName``/``applyDefaults``): the ARM name
parameter gets ``<logical name><8 random hex>`` (no separator), an old value is always reused, and
``__createBeforeDelete: true`` is set when the name was random. Which strategy azure-native uses for a rule
collection group (random or copy) was NOT VERIFIED; random is assumed.

Both honour the engine's autonaming options (``CheckRequest.autonaming``): ENFORCE and PROPOSE use the proposed
name, DISABLE leaves the name unset.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from recorder import replacements as r

DEFAULTS_KEY = "__defaults"
CREATE_BEFORE_DELETE_KEY = "__createBeforeDelete"


@dataclass(frozen=True)
class AutoName:
    prop: str
    separator: str
    random_len: int
    max_len: int  # 0: no cap
    conflicts: tuple[str, ...] = ()


def _aws(max_len: int = 255) -> AutoName:
    return AutoName("name", "-", 7, max_len, ("namePrefix",))


def _azure(prop: str) -> AutoName:
    return AutoName(prop, "", 8, 0)


AUTO_NAMES: dict[str, AutoName] = {
    r.SECURITY_GROUP: _aws(),
    r.LAUNCH_TEMPLATE: _aws(),
    r.AUTOSCALING_GROUP: _aws(),
    r.LOAD_BALANCER: _aws(32),
    r.TARGET_GROUP: _aws(32),
    # name is Required in Terraform for these two; the bridge still auto-names it (autonaming.go: "Optional ||
    # Required"), and they have no name_prefix.
    r.RULE_GROUP: AutoName("name", "-", 7, 255),
    r.FIREWALL_POLICY: AutoName("name", "-", 7, 255),
    r.AZURE_NSG: _azure("networkSecurityGroupName"),
    r.AZURE_FIREWALL_POLICY: _azure("firewallPolicyName"),
    r.AZURE_RULE_COLLECTION_GROUP: _azure("ruleCollectionGroupName"),
}


def logical_name(urn: str) -> str:
    """The last ``::`` part of a URN: the name the program gave the resource."""
    return urn.rsplit("::", 1)[-1]


def random_hex(length: int) -> str:
    return secrets.token_hex((length + 1) // 2)[:length]


def unique_name(prefix: str, random_len: int, max_len: int) -> str:
    """``prefix`` plus ``random_len`` hex characters; ``ValueError`` with the SDK's words when over ``max_len``."""
    if max_len and len(prefix) + random_len > max_len:
        raise ValueError(f"name '{prefix}' plus {random_len} random chars is longer than maximum length {max_len}")
    return prefix + random_hex(random_len)
