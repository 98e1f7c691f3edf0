"""chalk-network: open Vuforia Chalk egress in the stack's network, as planned from the chalk-policy catalog.

Config keys are declared (typed, with defaults) in Pulumi.yaml and set in stacks/Pulumi.<stack>.yaml.
The logic lives in the chalk_policy package; this file only wires the config to the components, importing
each cloud's component (and provider SDK) only when the stack's `clouds` selects it.
"""

from pathlib import Path

import pulumi

from chalk_policy.components.program import read_settings

settings = read_settings(pulumi.Config(), project_dir=Path(__file__).resolve().parent)
catalog_version, regions = None, None

if "aws" in settings.clouds:
    from chalk_policy.components.aws import ChalkAwsEgress

    proxy_security_group_id = None
    if settings.aws_proxy_enabled:
        from chalk_policy.components.proxy import ChalkSquidProxy

        # The Squid fleet first: the clients' signaling rule then allows TCP to its security group only.
        proxy = ChalkSquidProxy("chalk-proxy", settings.aws_proxy_args())
        proxy_security_group_id = proxy.proxy_security_group_id
        pulumi.export("proxyEndpoint", proxy.endpoint)
        pulumi.export("proxySecurityGroupId", proxy.proxy_security_group_id)
        pulumi.export("proxyAutoScalingGroupName", proxy.auto_scaling_group_name)

    aws_egress = ChalkAwsEgress("chalk", settings.aws_args(proxy_security_group_id))
    pulumi.export("securityGroupIds", aws_egress.security_group_ids)
    pulumi.export("ruleCounts", aws_egress.rule_counts)
    pulumi.export("firewallPolicyArn", aws_egress.firewall_policy_arn)
    pulumi.export("ruleGroupArns", aws_egress.rule_group_arns)
    catalog_version, regions = aws_egress.catalog_version, aws_egress.regions

if "azure" in settings.clouds:
    from chalk_policy.components.azure import ChalkAzureEgress

    azure_egress = ChalkAzureEgress("chalk-azure", settings.azure_args())
    pulumi.export("nsgId", azure_egress.nsg_id)
    pulumi.export("nsgName", azure_egress.nsg_name)
    pulumi.export("nsgRuleCount", azure_egress.rule_count)
    pulumi.export("azureFirewallPolicyId", azure_egress.firewall_policy_id)
    pulumi.export("ruleCollectionGroupId", azure_egress.rule_collection_group_id)
    catalog_version, regions = azure_egress.catalog_version, azure_egress.regions

# Both components plan from the same catalog, regions and overlay, so these agree whichever clouds are selected.
pulumi.export("catalogVersion", catalog_version)
pulumi.export("regions", regions if regions is not None else [])
