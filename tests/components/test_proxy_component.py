"""ChalkSquidProxy under mocks: the Squid fleet's resources, its security groups and its inputs' validation."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest
from chalk_mocks import (
    ASG,
    EGRESS,
    INGRESS,
    LAUNCH_TEMPLATE,
    LISTENER,
    NLB,
    PROXY_COMPONENT,
    SG,
    TARGET_GROUP,
    Engine,
)
from chalk_testkit import ALLOWED_REGIONS

from chalk_policy.catalog import load_catalog
from chalk_policy.components.proxy import (
    AL2023_ARM64,
    AL2023_X86_64,
    ChalkSquidProxy,
    ChalkSquidProxyArgs,
    ProxyInputError,
)
from chalk_policy.planning import plan
from chalk_policy.proxy import render_squid

VPC = "vpc-0a1b2c3d4e5f60718"
SUBNETS = ("subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829")
ARGS = ChalkSquidProxyArgs(vpc_id=VPC, subnet_ids=SUBNETS, regions=["jp1"], client_cidrs=("10.40.0.0/16",),
                           tags={"owner": "platform-network"})


def build(engine: Engine, args: ChalkSquidProxyArgs = ARGS, name: str = "chalk-proxy") -> tuple[Any, dict[str, Any]]:
    holder: dict[str, ChalkSquidProxy] = {}

    def program() -> pulumi.Output[list[Any]]:
        proxy = holder["proxy"] = ChalkSquidProxy(name, args)
        return pulumi.Output.all(proxy.endpoint, proxy.proxy_security_group_id, proxy.instance_security_group_id,
                                 proxy.auto_scaling_group_name, proxy.dns_name, proxy.port, proxy.regions,
                                 proxy.catalog_version, proxy.squid_config)

    run = engine.run(program)
    endpoint, proxy_sg, instance_sg, asg, dns, port, regions, catalog_version, squid_config = run.value
    return run, {"proxy": holder["proxy"], "endpoint": endpoint, "proxy_sg": proxy_sg, "instance_sg": instance_sg,
                 "asg": asg, "dns": dns, "port": port, "regions": regions, "catalog_version": catalog_version,
                 "squid_config": squid_config}


def user_data(run: Any) -> str:
    (template,) = run.of(LAUNCH_TEMPLATE)
    return base64.b64decode(template.inputs["userData"]).decode()


def test_resources_are_children_named_after_the_component(engine: Engine) -> None:
    run, _ = build(engine)
    assert run.inventory() == {
        (PROXY_COMPONENT, "chalk-proxy"),
        (SG, "chalk-proxy-lb-sg"), (SG, "chalk-proxy-instance-sg"),
        (INGRESS, "chalk-proxy-lb-ingress-tcp-3128-10.40.0.0-16"),
        (EGRESS, "chalk-proxy-lb-egress-tcp-3128-instances"),
        (INGRESS, "chalk-proxy-instance-ingress-tcp-3128-lb"),
        (EGRESS, "chalk-proxy-instance-egress-tcp-443-0.0.0.0-0"),
        (NLB, "chalk-proxy-nlb"), (TARGET_GROUP, "chalk-proxy-tg"), (LISTENER, "chalk-proxy-listener"),
        (LAUNCH_TEMPLATE, "chalk-proxy-launch-template"), (ASG, "chalk-proxy-asg"),
    }
    for name in run.names() - {"chalk-proxy"}:
        assert run.monitor.requests[name]["parent"].endswith(f"{PROXY_COMPONENT}::chalk-proxy"), name


def test_outputs(engine: Engine) -> None:
    _, out = build(engine)
    assert out["dns"] == "chalk-proxy-nlb-0123456789abcdef.elb.us-west-2.amazonaws.com"
    assert out["endpoint"] == f"{out['dns']}:3128"
    assert out["proxy_sg"] == "chalk-proxy-lb-sg-id"  # what the clients' security group must reach
    assert out["instance_sg"] == "chalk-proxy-instance-sg-id"
    assert out["asg"] == "chalk-proxy-asg"
    assert (out["port"], out["regions"], out["catalog_version"]) == (3128, ["jp1"], "2026120101")


def test_security_groups_let_clients_in_on_the_proxy_port_and_squid_out_on_443_only(engine: Engine) -> None:
    run, _ = build(engine)
    rules = run.by_name()
    lb_in = rules["chalk-proxy-lb-ingress-tcp-3128-10.40.0.0-16"].inputs
    assert (lb_in["securityGroupId"], lb_in["cidrIpv4"], lb_in["ipProtocol"], lb_in["fromPort"], lb_in["toPort"]) == (
        "chalk-proxy-lb-sg-id", "10.40.0.0/16", "tcp", 3128, 3128)
    lb_out = rules["chalk-proxy-lb-egress-tcp-3128-instances"].inputs
    assert (lb_out["securityGroupId"], lb_out["referencedSecurityGroupId"], lb_out["fromPort"]) == (
        "chalk-proxy-lb-sg-id", "chalk-proxy-instance-sg-id", 3128)
    instance_in = rules["chalk-proxy-instance-ingress-tcp-3128-lb"].inputs
    assert (instance_in["securityGroupId"], instance_in["referencedSecurityGroupId"], instance_in["toPort"]) == (
        "chalk-proxy-instance-sg-id", "chalk-proxy-lb-sg-id", 3128)
    assert "cidrIpv4" not in instance_in  # no VPC-wide rule: nobody reaches Squid around the load balancer
    instance_out = rules["chalk-proxy-instance-egress-tcp-443-0.0.0.0-0"].inputs
    assert (instance_out["cidrIpv4"], instance_out["ipProtocol"], instance_out["fromPort"], instance_out["toPort"]) == (
        "0.0.0.0/0", "tcp", 443, 443)
    for group in run.of(SG):
        assert "egress" not in group.inputs and "ingress" not in group.inputs  # no inline rules
        assert group.inputs["vpcId"] == VPC
        assert group.inputs["tags"]["owner"] == "platform-network"
        assert group.inputs["tags"]["chalk:catalog-version"] == "2026120101"


def test_a_client_security_group_instead_of_cidrs(engine: Engine) -> None:
    run, _ = build(engine, ChalkSquidProxyArgs(**(ARGS | dict(client_cidrs=(),
                                                              client_security_group_id="sg-0123456789abcdef0"))))
    ingress = [call for call in run.of(INGRESS) if call.name.startswith("chalk-proxy-lb-")]
    assert [(call.name, call.inputs["referencedSecurityGroupId"]) for call in ingress] == [
        ("chalk-proxy-lb-ingress-tcp-3128-clients", "sg-0123456789abcdef0")]
    assert "acl chalk_clients src 10.0.0.0/8\n" in user_data(run)  # Squid cannot see groups: private ranges


def test_load_balancer_target_group_and_listener(engine: Engine) -> None:
    run, _ = build(engine)
    (nlb,) = run.of(NLB)
    assert (nlb.inputs["loadBalancerType"], nlb.inputs["internal"], nlb.inputs["subnets"]) == (
        "network", True, list(SUBNETS))
    assert nlb.inputs["securityGroups"] == ["chalk-proxy-lb-sg-id"]
    assert nlb.inputs["enableCrossZoneLoadBalancing"] is True
    (target_group,) = run.of(TARGET_GROUP)
    assert (target_group.inputs["port"], target_group.inputs["protocol"], target_group.inputs["targetType"],
            target_group.inputs["vpcId"], target_group.inputs["preserveClientIp"]) == (
        3128, "TCP", "instance", VPC, "true")
    assert target_group.inputs["healthCheck"]["protocol"] == "TCP"
    assert target_group.inputs["healthCheck"]["port"] == "3128"
    (listener,) = run.of(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (3128, "TCP")
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": target_group_arn()}]
    # Squid closes idle tunnels after 900 s; the load balancer keeps idle flows a minute longer.
    assert listener.inputs["tcpIdleTimeoutSeconds"] == 960


def target_group_arn() -> str:
    return "arn:aws:elasticloadbalancing:us-west-2:123456789012:chalk-proxy-tg"


def test_launch_template_and_auto_scaling_group(engine: Engine) -> None:
    run, _ = build(engine)
    (template,) = run.of(LAUNCH_TEMPLATE)
    assert template.inputs["imageId"] == AL2023_X86_64
    assert template.inputs["imageId"] == (
        "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
    assert template.inputs["instanceType"] == "t3.small"
    assert template.inputs["vpcSecurityGroupIds"] == ["chalk-proxy-instance-sg-id"]
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    (group,) = run.of(ASG)
    assert (group.inputs["minSize"], group.inputs["maxSize"], group.inputs["desiredCapacity"]) == (2, 4, 2)
    assert group.inputs["vpcZoneIdentifiers"] == list(SUBNETS)
    assert group.inputs["launchTemplate"] == {"id": "chalk-proxy-launch-template-id", "version": "1"}
    assert group.inputs["targetGroupArns"] == [target_group_arn()]
    assert group.inputs["healthCheckType"] == "ELB"
    assert group.inputs["instanceRefresh"]["strategy"] == "Rolling"
    tags = {tag["key"]: (tag["value"], tag["propagateAtLaunch"]) for tag in group.inputs["tags"]}
    assert tags["Name"] == ("chalk-proxy", True) and tags["owner"] == ("platform-network", True)


def test_user_data_installs_squid_with_the_generated_configuration(engine: Engine) -> None:
    run, out = build(engine)
    script = user_data(run)
    expected = render_squid(plan(load_catalog(), ["jp1"], 1), port=3128, clients=["10.40.0.0/16"])
    assert out["squid_config"] == expected
    assert script.startswith("#!/bin/bash\n")
    assert "dnf install -y squid" in script
    assert f"cat > /etc/squid/squid.conf <<'CHALK_SQUID_CONF'\n{expected}CHALK_SQUID_CONF\n" in script
    assert script.index("squid -k parse") < script.index("systemctl restart squid")
    assert "acl chalk_hosts dstdomain -n jp1.vss.twilio.com\n" in script


def test_changing_the_plan_changes_the_launch_template(engine: Engine) -> None:
    first, _ = build(engine)
    second, _ = build(engine, ChalkSquidProxyArgs(**(ARGS | dict(regions=["jp1", "us2"]))))
    assert user_data(first) != user_data(second)
    assert "acl chalk_hosts dstdomain -n us2.vss.twilio.com\n" in user_data(second)


def test_graviton_instance_types_get_the_arm64_image(engine: Engine) -> None:
    run, _ = build(engine, ChalkSquidProxyArgs(**(ARGS | dict(instance_type="t4g.small"))))
    (template,) = run.of(LAUNCH_TEMPLATE)
    assert template.inputs["imageId"] == AL2023_ARM64


def test_custom_port_and_idle_timeout(engine: Engine) -> None:
    run, out = build(engine, ChalkSquidProxyArgs(**(ARGS | dict(port=8080, idle_timeout=1800))))
    assert out["endpoint"].endswith(":8080")
    (listener,) = run.of(LISTENER)
    assert (listener.inputs["port"], listener.inputs["tcpIdleTimeoutSeconds"]) == (8080, 1860)
    assert "http_port 8080\n" in user_data(run) and "read_timeout 1800 seconds\n" in user_data(run)


def test_public_clients_with_the_opt_in(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    clients = ("10.40.0.0/16", "203.0.113.0/24")
    run, out = build(engine, ChalkSquidProxyArgs(**(ARGS | dict(client_cidrs=clients, allow_public_clients=True))))
    assert sorted(rule.inputs["cidrIpv4"] for rule in run.of(INGRESS) if "cidrIpv4" in rule.inputs) == list(clients)
    expected = render_squid(plan(load_catalog(), ["jp1"], 1), port=3128, clients=clients, allow_public_clients=True)
    assert out["squid_config"] == expected
    assert "# WARNING: public client networks, allowed on purpose: 203.0.113.0/24. " in expected
    assert "acl chalk_clients src 203.0.113.0/24\n" in user_data(run)
    assert any("allow_public_clients: public client networks 203.0.113.0/24 may use this proxy" in record.message
               for record in caplog.records), caplog.text


def test_the_generated_configuration_denies_loopback_link_local_and_metadata(engine: Engine) -> None:
    _, out = build(engine)
    lines = out["squid_config"].splitlines()
    assert "acl chalk_forbidden_link_local dst 169.254.0.0/16 fe80::/10" in lines
    assert "acl chalk_forbidden_metadata dst 169.254.169.254 fd00:ec2::254 100.100.100.200" in lines
    access = [line for line in lines if line.startswith("http_access ")]
    assert access[-2:] == ["http_access allow chalk_hosts", "http_access deny all"]
    assert {"http_access deny to_localhost", "http_access deny chalk_forbidden_link_local",
            "http_access deny chalk_forbidden_metadata"} <= set(access[:-2])


BAD_INPUTS: dict[str, tuple[dict[str, Any], str]] = {
    "no subnets": ({"subnet_ids": ()}, "subnet_ids: () is not a list of subnets; allowed: one or more subnet ids in "
                                       "different availability zones, e.g. [subnet-0a1b2c3d4e5f60718]"),
    "bad subnet": ({"subnet_ids": ("subnet-xyz",)}, "subnet_ids: 'subnet-xyz' is not a subnet id; allowed: subnet- "
                                                    "and 8 or 17 lower-case hex digits, e.g. subnet-0a1b2c3d4e5f60718"),
    "duplicate subnet": ({"subnet_ids": (SUBNETS[0], SUBNETS[0])},
                         f"subnet_ids: {[SUBNETS[0], SUBNETS[0]]!r} lists a subnet twice; allowed: each subnet once"),
    "bad vpc": ({"vpc_id": "vpc-1"}, "vpc_id: 'vpc-1' is not a VPC id; allowed: vpc- and 8 or 17 lower-case hex "
                                     "digits, e.g. vpc-0a1b2c3d4e5f60718"),
    "desired above max": ({"desired_size": 5}, "sizes: min_size 2, desired_size 5, max_size 4; allowed: min_size <= "
                                               "desired_size <= max_size"),
    "min above desired": ({"min_size": 3}, "sizes: min_size 3, desired_size 2, max_size 4; allowed: min_size <= "
                                           "desired_size <= max_size"),
    "no instances": ({"max_size": 0, "desired_size": 0, "min_size": 0},
                     "max_size: 0 is out of range; allowed: an integer >= 1"),
    "size not an integer": ({"min_size": "2"}, "min_size: '2' is out of range; allowed: an integer >= 0"),
    "port": ({"port": 70000}, "port: 70000 is out of range; allowed: an integer 1-65535"),
    "idle timeout": ({"idle_timeout": 120}, "idle_timeout: 120 is out of range; allowed: an integer 300-5940"),
    "instance type": ({"instance_type": "small"}, "instance_type: 'small' is not an instance type; allowed: "
                                                  "family.size, e.g. t3.small"),
    "image": ({"image_id": "amzn2"}, "image_id: 'amzn2' is not an image; allowed: an AMI id (ami-...) or "
                                     f"resolve:ssm:<parameter>, e.g. {AL2023_X86_64}"),
    "no clients": ({"client_cidrs": ()}, "client_cidrs: no clients; allowed: client networks (e.g. "
                                         "['10.20.0.0/16']) and/or client_security_group_id"),
    "host bits": ({"client_cidrs": ("10.40.0.1/16",)},
                  "client_cidrs: '10.40.0.1/16' has host bits set; allowed: the network address, 10.40.0.0/16"),
    "ipv6 client": ({"client_cidrs": ("fd00::/8",)}, "client_cidrs: ['fd00::/8'] must be unique IPv4 networks "
                                                     "without host bits; allowed: e.g. ['10.20.0.0/16', "
                                                     "'192.168.0.0/16']"),
    "public clients": ({"client_cidrs": ("10.40.0.0/16", "8.8.8.0/24")},
                       "client_cidrs: '8.8.8.0/24' holds public addresses (its hosts could use the proxy wherever its "
                       "port is reachable); allowed: networks inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
                       "100.64.0.0/10 or 127.0.0.0/8; public clients only with "
                       "allow_public_clients: true"),
    "world-wide clients": ({"client_cidrs": ("0.0.0.0/0",), "allow_public_clients": False},
                           "client_cidrs: '0.0.0.0/0' is world-wide (anyone on the internet could use the proxy "
                           "wherever its port is reachable); allowed: networks inside 10.0.0.0/8, 172.16.0.0/12, "
                           "192.168.0.0/16, 100.64.0.0/10 or 127.0.0.0/8; public clients only "
                           "with allow_public_clients: true"),
    "opt-in not a boolean": ({"allow_public_clients": "yes"}, "allow_public_clients: 'yes' is not a boolean; "
                                                              "allowed: true or false"),
    "bad client group": ({"client_security_group_id": "sg-1"}, "client_security_group_id: 'sg-1' is not a security "
                                                               "group id; allowed: sg- and 8 or 17 lower-case hex "
                                                               "digits, e.g. sg-0a1b2c3d4e5f60718"),
    "unknown region": ({"regions": ["mars1"]}, "regions: unknown region mars1; " + ALLOWED_REGIONS),
    "bad tags": ({"tags": {"owner": 1}}, "tags: {'owner': 1} is not a tag map; allowed: a mapping of non-empty "
                                         "string keys to string values"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_inputs_fail_before_any_resource(engine: Engine, case: str) -> None:
    changes, message = BAD_INPUTS[case]
    errors: list[str] = []

    def program() -> None:
        with pytest.raises(ProxyInputError) as raised:
            ChalkSquidProxy("chalk-proxy", ChalkSquidProxyArgs(**(ARGS | changes)))
        errors.append(str(raised.value))

    assert engine.run(program).mocks.calls == []  # nothing registered, not even the component
    assert errors == [message]


@pytest.mark.parametrize(("name", "message"), [
    ("chalk-proxy-for-the-japan-office", "name: 'chalk-proxy-for-the-japan-office' is not usable for a load "
                                         "balancer; allowed: 1-20 letters, digits and inner hyphens, e.g. chalk-proxy"),
    ("chalk_proxy", "name: 'chalk_proxy' is not usable for a load balancer; allowed: 1-20 letters, digits and inner "
                    "hyphens, e.g. chalk-proxy"),
])
def test_names_that_do_not_fit_a_load_balancer_are_refused(engine: Engine, name: str, message: str) -> None:
    with pytest.raises(ProxyInputError) as raised:
        build(engine, name=name)
    assert str(raised.value) == message


def test_the_error_is_a_value_error() -> None:
    assert issubclass(ProxyInputError, ValueError)
