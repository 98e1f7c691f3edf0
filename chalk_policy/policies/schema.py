"""The config schema of every chalk-media policy: the keys a policy pack config may set (read by :mod:`.settings`).

Its own module, importing nothing, because the pack declares it at start-up (GetAnalyzerInfo) and the engine checks
a ``--policy-pack-config`` file against it before any analysis.
"""

from typing import Any

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "regions": {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "description": "The organisation's requirement: Chalk media regions every stack must allow (ids such as "
                       "jp1), or [\"all\"]. Not set: what the stack's Chalk components were asked for, else the "
                       "stack's <project>:regions, else no requirement (one advisory).",
    },
    "option": {
        "type": "integer",
        "enum": [1, 2, 3],
        "description": "PTC port option: 1 = UDP 443, 3478, 10000-60000; 2 = UDP 443, 3478, 5349; "
                       "3 = TCP 443, 3478, 5349. Not set: the option of the requirement's source (default 1).",
    },
    "encryption": {
        "type": "string",
        "enum": ["standard", "e2ee"],
        "description": "Chalk session encryption. Not set: the encryption of the requirement's source (default "
                       "standard).",
    },
    "clientTag": {
        "type": "object",
        "properties": {"key": {"type": "string", "minLength": 1}, "value": {"type": "string"}},
        "required": ["key"],
        "additionalProperties": False,
        "description": "Only security groups and NSGs with this tag are the Chalk clients' (value optional). "
                       "Default: every egress rule in the stack.",
    },
    "clientCidrs": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The Chalk clients' source addresses (IPv4 CIDRs), for rules limited to some sources (NSG "
                       "source prefixes, Azure Firewall source addresses, Network Firewall sources). Default: not "
                       "known, so such a rule is reported as unverified, never as a pass or a certain gap.",
    },
    "catalogOverlay": {
        "type": "string",
        "default": "",
        "description": "Catalog overlay file (absolute, or relative to the policy pack directory).",
    },
    "fromStackConfig": {
        "type": "boolean",
        "default": True,
        "description": "Without regions in the policy config, follow the stack's Chalk components, else its "
                       "<project>:regions/option/encryption config keys. false: only the policy config counts.",
    },
}
