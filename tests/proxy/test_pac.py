"""The PAC file, evaluated by a JavaScript engine (node) with the standard PAC helper functions defined."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from proxy_kit import TIMEOUT, require_tool

from chalk_policy.catalog import load_catalog
from chalk_policy.planning import plan
from chalk_policy.proxy import ProxyConfigError, parse_endpoint, render_pac

# The PAC helpers as browsers implement them (Mozilla's ascii_pac_utils.js): dnsDomainIs is a plain suffix
# test, which is exactly why the generated file must not use it for an exact-name allowlist.
HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const [pacFile, hostsFile] = process.argv.slice(2);
const sandbox = {
  dnsDomainIs: (host, domain) => host.length >= domain.length && host.substring(host.length - domain.length) === domain,
  shExpMatch: (str, pattern) => new RegExp("^" + pattern.replace(/\./g, "\\.").replace(/\*/g, ".*")
                                             .replace(/\?/g, ".") + "$").test(str),
  isPlainHostName: (host) => host.indexOf(".") === -1,
  dnsResolve: () => { throw new Error("the PAC file must not resolve names"); },
  isInNet: () => { throw new Error("the PAC file must not resolve names"); },
  myIpAddress: () => "10.40.0.10",
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(pacFile, "utf8"), sandbox, { filename: pacFile });
const hosts = JSON.parse(fs.readFileSync(hostsFile, "utf8"));
const results = {};
for (const host of hosts) {
  results[host] = sandbox.FindProxyForURL("https://" + host + "/", host);
}
process.stdout.write(JSON.stringify(results));
"""

PROXY = "PROXY chalk-proxy.corp.example:3128"


def evaluate(tmp_path: Path, pac: str, hosts: list[str]) -> dict[str, str]:
    node = require_tool("node", package="nodejs")
    (tmp_path / "harness.js").write_text(HARNESS)
    (tmp_path / "proxy.pac").write_text(pac)
    (tmp_path / "hosts.json").write_text(json.dumps(hosts))
    result = subprocess.run([node, str(tmp_path / "harness.js"), str(tmp_path / "proxy.pac"),
                             str(tmp_path / "hosts.json")], capture_output=True, text=True, timeout=TIMEOUT,
                            check=False)
    assert result.returncode == 0, result.stderr
    results: dict[str, str] = json.loads(result.stdout)
    return results


def test_chalk_hosts_go_through_the_proxy_and_other_hosts_direct(tmp_path: Path) -> None:
    chalk_plan = plan(load_catalog(), "jp1,us2", 1)
    others = ["evilvuforiachalk.com", "vuforiachalk.com.evil.example", "www.vuforiachalk.com",
              "x.global.vss.twilio.com", "twilio.com", "example.com", "intranet", "us1.vss.twilio.com",
              "prod.look.vuforia.com", "10.1.2.3"]
    results = evaluate(tmp_path, render_pac(chalk_plan, "chalk-proxy.corp.example:3128"),
                       [*chalk_plan.host_names, "VuforiaChalk.COM", "vuforiachalk.com.", *others])
    assert {host: results[host] for host in chalk_plan.host_names} == dict.fromkeys(chalk_plan.host_names, PROXY)
    assert results["VuforiaChalk.COM"] == PROXY and results["vuforiachalk.com."] == PROXY
    assert {host: results[host] for host in others} == dict.fromkeys(others, "DIRECT")


def test_another_fallback(tmp_path: Path) -> None:
    chalk_plan = plan(load_catalog(), "jp1", 1)
    pac = render_pac(chalk_plan, parse_endpoint("10.40.0.5:8080"), fallback="PROXY corp-proxy:8080;DIRECT")
    results = evaluate(tmp_path, pac, ["vuforiachalk.com", "example.com"])
    assert results == {"vuforiachalk.com": "PROXY 10.40.0.5:8080", "example.com": "PROXY corp-proxy:8080; DIRECT"}


def test_the_file_names_its_plan_and_matches_exactly() -> None:
    chalk_plan = plan(load_catalog(), "de1", 2)
    pac = render_pac(chalk_plan, "proxy:3128")
    assert "// Plan: catalog 2026120101, regions de1, option 2, encryption standard." in pac
    code = "\n".join(line for line in pac.splitlines() if not line.lstrip().startswith("//"))
    assert "dnsDomainIs(" not in code and "shExpMatch(" not in code and "indexOf(" not in code
    assert all(f'"{host}": true' in pac for host in chalk_plan.host_names)


@pytest.mark.parametrize(("proxy", "fallback", "message"), [
    ("chalk-proxy", "DIRECT", "--proxy: 'chalk-proxy' is not a proxy endpoint; allowed: HOST:PORT with a host name or "
                              "IPv4 address and a port 1-65535, e.g. proxy.corp.example:3128"),
    ("chalk-proxy:99999", "DIRECT", "--proxy: 'chalk-proxy:99999' has port 99999; allowed: HOST:PORT with a host name "
                                    "or IPv4 address and a port 1-65535, e.g. proxy.corp.example:3128"),
    ('p";alert(1);"x:1', "DIRECT", "--proxy: 'p\";alert(1);\"x:1' is not a proxy endpoint; allowed: HOST:PORT with a "
                                   "host name or IPv4 address and a port 1-65535, e.g. proxy.corp.example:3128"),
    ("p:3128", "BLOCK", "--fallback: 'BLOCK' is not a PAC result; allowed: DIRECT, PROXY HOST:PORT, HTTPS HOST:PORT or "
                        "SOCKS/SOCKS5 HOST:PORT, several joined by '; ', e.g. 'PROXY corp-proxy:8080; DIRECT'"),
])
def test_bad_settings_are_refused(proxy: str, fallback: str, message: str) -> None:
    with pytest.raises(ProxyConfigError) as raised:
        render_pac(plan(load_catalog(), "jp1", 1), proxy, fallback=fallback)
    assert str(raised.value) == message
