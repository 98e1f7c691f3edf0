"""Chalk clients' security group with jp1's media rules for option 1, one range short, and TCP 443 for signaling."""

import pulumi_aws as aws

MEDIA = ("13.115.244.0/27", "54.65.63.192/26")  # 18.180.220.128/25 forgotten
PORTS = ((443, 443), (3478, 3478), (10000, 60000))

group = aws.ec2.SecurityGroup("chalk-clients", vpc_id="vpc-0a1b2c3d4e5f60718", description="Chalk clients")
aws.vpc.SecurityGroupEgressRule("signaling-tcp-443", security_group_id=group.id, ip_protocol="tcp",
                                from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0")
for cidr in MEDIA:
    for low, high in PORTS:
        aws.vpc.SecurityGroupEgressRule(f"media-udp-{cidr.replace('/', '-')}-{low}-{high}",
                                        security_group_id=group.id, ip_protocol="udp",
                                        from_port=low, to_port=high, cidr_ipv4=cidr)
