"""chalk-network: open Vuforia Chalk egress in the stack's network, as planned from the chalk-policy catalog.

Config keys are declared (typed, with defaults) in Pulumi.yaml and set in stacks/Pulumi.<stack>.yaml.
The logic lives in the chalk_policy package; this file only wires the config to the components.
"""

from pathlib import Path

import pulumi

from chalk_policy.components import ChalkAwsEgress
from chalk_policy.components.program import read_settings

settings = read_settings(pulumi.Config(), project_dir=Path(__file__).resolve().parent)

if "aws" in settings.clouds:
    aws_egress = ChalkAwsEgress("chalk", settings.aws_args())
    pulumi.export("securityGroupIds", aws_egress.security_group_ids)
    pulumi.export("ruleCounts", aws_egress.rule_counts)
    pulumi.export("firewallPolicyArn", aws_egress.firewall_policy_arn)
    pulumi.export("ruleGroupArns", aws_egress.rule_group_arns)
    pulumi.export("catalogVersion", aws_egress.catalog_version)
    pulumi.export("regions", list(aws_egress.regions))
