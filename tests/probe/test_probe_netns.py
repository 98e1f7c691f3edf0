"""``chalk-policy probe`` in a network namespace of its own (tests/probe/probe_kit.py ``run_in_netns``):

- UDP dropped by an nftables rule, as a firewall that only lets TCP out: only option 3 works. The STUN/TURN server
  listens on 52.59.186.5, an address of de1's media range put on the namespace's loopback, so the probe maps it to
  de1 and the fix for UDP 3478 is de1's ticket rule ``media-udp-3478-52.59.186.0/27``.
- Signaling through a real Squid configured by ``render_squid`` for de1: every de1 host is tunnelled (HTTP CONNECT,
  then a verified TLS handshake inside); a host the allowlist lacks (ie1's) is refused with its fix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from probe_kit import require_tool, run_in_netns

from chalk_policy.catalog import load_catalog
from chalk_policy.planning import plan

MEDIA_ADDRESS = "52.59.186.5"
USER, CREDENTIAL = "probe-proxy-user-9a7c", "probe-proxy-credential-3f61b2e0"

COMMON = """
import json, os, subprocess, sys
from pathlib import Path
from probe_kit import (NETNS_LOCAL_ADDRESS, SQUID_WITHOUT_UDP, free_port, make_ca, require_tool, running_coturn,
                       running_squid, running_tls_server)
from chalk_policy.catalog import load_catalog
from chalk_policy.planning import plan

tmp = Path(os.environ["PROBE_TMP"])
ca = make_ca(tmp)
MEDIA_HOSTS = ("global.stun.twilio.com", "global.turn.twilio.com")


def media_args(address, coturn):
    args = []
    for host in MEDIA_HOSTS:
        args += ["--resolve", f"{host}={address}"]
        for port, served in ((3478, coturn.port), (443, coturn.alt_port), (5349, coturn.tls_port)):
            args += ["--connect-to", f"{host}:{port}={address}:{served}"]
    return args


def probe(*args):
    done = subprocess.run([sys.executable, "-m", "chalk_policy", "probe", "--format", "json", *args],
                          capture_output=True, text=True, timeout=60)
    return {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
"""

UDP_DROPPED = COMMON + """
MEDIA = sys.argv[1]
subprocess.run([require_tool("ip"), "addr", "add", f"{MEDIA}/32", "dev", "lo"], check=True)
hosts = plan(load_catalog(), "de1,ie1", 1).host_names
with running_tls_server(tmp, ca, hosts) as tls, \\
        running_coturn(tmp, ca=ca, tls_hostnames=MEDIA_HOSTS, extra_config=[f"listening-ip={MEDIA}"]) as coturn:
    args = ["--regions", "de1,ie1", "--timeout", "1.5", "--ca-file", str(ca.ca_pem), *media_args(MEDIA, coturn),
            "--resolve", "*=127.0.0.1", "--connect-to", f"*:443=127.0.0.1:{tls.port}"]
    print(json.dumps({"all": probe(*args, "--option", "all"), "1": probe(*args, "--option", "1")}))
"""

THROUGH_SQUID = COMMON + """
squid = sys.argv[1]
user, credential = sys.argv[2], sys.argv[3]
hosts = plan(load_catalog(), "de1,ie1", 3).host_names
from chalk_policy.proxy import render_squid
port = free_port()
config = render_squid(plan(load_catalog(), "de1", 3), port=port, listen_address="127.0.0.1", clients=["127.0.0.1/32"],
                      access_log=f"stdio:{tmp}/squid/access.log") + "\\n" + SQUID_WITHOUT_UDP + "\\n"
with running_tls_server(tmp, ca, hosts, address=NETNS_LOCAL_ADDRESS, port=443) as tls, \\
        running_coturn(tmp, ca=ca, tls_hostnames=MEDIA_HOSTS) as coturn, \\
        running_squid(squid, config, tmp, {host: NETNS_LOCAL_ADDRESS for host in hosts}) as proxy:
    args = ["--option", "3", "--ca-file", str(ca.ca_pem), *media_args("127.0.0.1", coturn),
            "--proxy", f"http://{user}:{credential}@127.0.0.1:{proxy.port}"]
    runs = {"de1": probe("--regions", "de1", *args), "de1,ie1": probe("--regions", "de1,ie1", *args)}
    runs["log"] = proxy.log_lines()
    runs["sni"] = list(tls.sni)
print(json.dumps(runs))
"""


def report(run: dict[str, Any]) -> dict[str, Any]:
    assert run["stdout"], run["stderr"]
    data: dict[str, Any] = json.loads(run["stdout"])
    return data


def last_json(stdout: str, stderr: str) -> dict[str, Any]:
    assert stdout.strip(), stderr
    data: dict[str, Any] = json.loads(stdout.splitlines()[-1])
    return data


def test_udp_dropped_only_option_3_works_and_the_fix_is_de1s_media_rule(tmp_path: Path) -> None:
    ran = run_in_netns(UDP_DROPPED, tmp_path, drop_udp=True, args=[MEDIA_ADDRESS])
    assert ran.returncode == 0, ran.stdout + ran.stderr
    runs = last_json(ran.stdout, ran.stderr)

    every = report(runs["all"])
    assert runs["all"]["code"] == 0, every["result"]  # --option all: one option works
    assert {o["option"]: o["verdict"] for o in every["options"]} == {1: "blocked", 2: "blocked", 3: "works"}
    assert every["best_option"] == 3 and every["result"].startswith("option 3 works (the best that works, TCP only)")
    checks = {c["id"]: c for c in every["checks"]}
    udp = checks["stun-udp-3478-global.turn.twilio.com"]
    assert (udp["status"], udp["failure"], udp["address"], udp["region"]) == ("failed", "timeout", MEDIA_ADDRESS,
                                                                              "de1")
    assert udp["detail"].startswith(f"no answer to the STUN binding request to {MEDIA_ADDRESS}:")
    assert udp["detail"].endswith("/udp within 1500 ms")
    assert udp["sent"].startswith("STUN Binding request x") and udp["fix"]["rule"] == "media-udp-3478-52.59.186.0/27"
    udp_443 = checks["stun-udp-443-global.turn.twilio.com"]
    assert udp_443["fix"]["rule"] == "media-udp-443-52.59.186.0/27" and not udp_443["counts"]
    tcp = [c for c in every["checks"] if c["kind"] == "stun" and c["transport"] == "tcp"]
    assert len(tcp) == 3 and all(c["status"] == "ok" and c["region"] == "de1" for c in tcp)
    option_1 = every["options"][0]
    assert [fix["rule"] for fix in option_1["fixes"]] == ["media-udp-3478-52.59.186.0/27"]
    regions = {(r["option"], r["region"]): r for r in every["regions_verdicts"]}
    assert regions[(3, "de1")]["verdict"] == "works" and regions[(1, "de1")]["verdict"] == "blocked"
    assert regions[(3, "ie1")]["verdict"] == "not probed"
    assert f"global.turn.twilio.com -> {MEDIA_ADDRESS} (de1)" in regions[(3, "ie1")]["evidence"]
    assert every["elapsed_ms"] < (1.5 + 0.5 + 1.0) * 1000  # the UDP checks waited out their --timeout, no longer

    alone = report(runs["1"])
    assert runs["1"]["code"] == 1 and alone["result"].startswith("option 1 is blocked: ")


def test_signaling_through_a_real_squid_from_render_squid(tmp_path: Path) -> None:
    squid = require_tool("squid")
    ran = run_in_netns(THROUGH_SQUID, tmp_path, drop_udp=False, args=[squid, USER, CREDENTIAL])
    assert ran.returncode == 0, ran.stdout + ran.stderr
    runs = last_json(ran.stdout, ran.stderr)
    de1_hosts = plan(load_catalog(), "de1", 3).host_names

    allowed = report(runs["de1"])
    assert runs["de1"]["code"] == 0, allowed["result"]
    signaling = [c for c in allowed["checks"] if c["kind"] == "signaling"]
    assert sorted(c["host"] for c in signaling) == sorted(de1_hosts)
    for check in signaling:
        assert check["status"] == "ok" and check["address"] is None  # the proxy resolved the name, not the probe
        steps = [step["name"] for step in check["steps"]]
        assert steps == ["dns", "connect", "proxy", "tls"]
        assert check["steps"][2]["detail"].startswith("the proxy answered 200")
        assert check["detail"].endswith(f"verified for {check['host']}")
    assert set(de1_hosts) <= set(runs["sni"])  # TLS inside the tunnel named each host
    tunnels = [line for line in runs["log"] if "TCP_TUNNEL/200" in line]
    assert {host for host in de1_hosts if any(f"CONNECT {host}:443" in line for line in tunnels)} == set(de1_hosts)
    assert allowed["settings"]["proxy"].startswith("http://***@127.0.0.1:")

    refused = report(runs["de1,ie1"])
    assert runs["de1,ie1"]["code"] == 1
    (option,) = refused["options"]
    assert (option["verdict"], option["signaling"]) == ("partial", "partial")
    ie1 = next(c for c in refused["checks"] if c["id"] == "signaling-tcp-443-ie1.vss.twilio.com")
    assert (ie1["status"], ie1["failure"]) == ("failed", "proxy")
    assert ie1["detail"] == "the proxy answered 403 Forbidden to CONNECT ie1.vss.twilio.com:443"
    assert ie1["fix"]["rule"] == "signaling-tcp-443-ie1.vss.twilio.com"
    assert "(`chalk-policy render squid` writes it)" in ie1["fix"]["text"]
    assert any("TCP_DENIED/403" in line and "CONNECT ie1.vss.twilio.com:443" in line for line in runs["log"])
    for run in (runs["de1"], runs["de1,ie1"]):
        assert USER not in run["stdout"] + run["stderr"] and CREDENTIAL not in run["stdout"] + run["stderr"]
