"""jp1 media for option 1 in a security group, an allow-all network ACL, and optionally a deny added to that ACL."""

import pulumi
import pulumi_aws as aws

VPC = "vpc-0a1b2c3d4e5f60718"
MEDIA = ("13.115.244.0/27", "54.65.63.192/26", "18.180.220.128/25")
PORTS = ((443, 443), (3478, 3478), (10000, 60000))

group = aws.ec2.SecurityGroup("chalk-clients", vpc_id=VPC, description="Chalk clients")
aws.vpc.SecurityGroupEgressRule("signaling-tcp-443", security_group_id=group.id, ip_protocol="tcp",
                                from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0")
for cidr in MEDIA:
    for low, high in PORTS:
        aws.vpc.SecurityGroupEgressRule(f"media-udp-{cidr.replace('/', '-')}-{low}-{high}",
                                        security_group_id=group.id, ip_protocol="udp",
                                        from_port=low, to_port=high, cidr_ipv4=cidr)

acl = aws.ec2.NetworkAcl("chalk-subnets", vpc_id=VPC, subnet_ids=["subnet-0a1b2c3d4e5f60718"],
                         egress=[aws.ec2.NetworkAclEgressArgs(rule_no=100, action="allow", protocol="-1",
                                                              cidr_block="0.0.0.0/0", from_port=0, to_port=0)],
                         ingress=[aws.ec2.NetworkAclIngressArgs(rule_no=100, action="allow", protocol="-1",
                                                                cidr_block="0.0.0.0/0", from_port=0, to_port=0)])
if pulumi.Config().get_bool("denyTurn"):
    aws.ec2.NetworkAclRule("deny-turn-jp1", network_acl_id=acl.id, rule_number=50, egress=True, protocol="udp",
                           rule_action="deny", cidr_block="13.115.244.0/27", from_port=3478, to_port=3478)
