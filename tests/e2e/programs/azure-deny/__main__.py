"""An NSG with Chalk's de1 media allows for option 3 and, above them (unless `withDeny: false`, the fix), a Deny of
TCP 3478 to 18.156.18.128/25."""

import pulumi
import pulumi_azure_native as azure_native

MEDIA = ("52.59.186.0/27", "18.195.48.224/27", "18.156.18.128/25")
Rule = azure_native.network.SecurityRuleArgs

deny = [Rule(name="deny-turn-de1", priority=100, direction="Outbound", access="Deny", protocol="Tcp",
             source_address_prefix="*", source_port_range="*", destination_address_prefix="18.156.18.128/25",
             destination_port_range="3478")]
rules = deny if pulumi.Config().get_bool("withDeny", True) else []
rules += [Rule(name="chalk-media-tcp", priority=200, direction="Outbound", access="Allow", protocol="Tcp",
               source_address_prefix="*", source_port_range="*", destination_address_prefixes=list(MEDIA),
               destination_port_ranges=["443", "3478", "5349"]),
          Rule(name="chalk-signaling-tcp-443", priority=210, direction="Outbound", access="Allow", protocol="Tcp",
               source_address_prefix="*", source_port_range="*", destination_address_prefix="Internet",
               destination_port_range="443")]
azure_native.network.NetworkSecurityGroup("chalk-clients", resource_group_name="rg-chalk-fixture",
                                          location="westeurope", security_rules=rules)
