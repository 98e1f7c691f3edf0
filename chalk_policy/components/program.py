"""The ``chalk-network`` Pulumi program's stack config, read into typed settings.

The root ``__main__.py`` stays thin: it reads the config through :func:`read_settings` and builds the
components. Defaults here are the same as in ``Pulumi.yaml`` (a test keeps them in step), so the program
behaves the same when it runs outside the CLI, e.g. under the SDK's mocks.

Each cloud's component module (and so its provider SDK) is imported only when that cloud is selected; a selected
cloud whose SDK is not installed (an install without that extra) is one error line naming the extra.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import pulumi

from ..text import show
from . import missing_sdk_message, sdk_installed
from .errors import ChalkInputError

if TYPE_CHECKING:
    from ..catalog import Catalog
    from .aws import ChalkAwsEgressArgs
    from .azure import ChalkAzureEgressArgs
    from .proxy import ChalkSquidProxyArgs

PROJECT = "chalk-network"
ALLOWED_CLOUDS = ("aws", "azure")
DEFAULTS: Mapping[str, Any] = {
    "option": 1,
    "encryption": "standard",
    "clouds": ["aws"],
    "awsVpcId": "",
    "awsSignaling": "network-firewall",
    "awsProxySecurityGroupId": "",
    "awsRulesPerGroup": 60,
    "awsFirewallHomeNet": [],
    "awsProxyEnabled": False,
    "awsProxySubnetIds": [],
    "awsProxyPort": 3128,
    "awsProxyInstanceType": "t3.small",
    "awsProxyMinSize": 2,
    "awsProxyMaxSize": 4,
    "awsProxyDesiredSize": 2,
    "awsProxyClientCidrs": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    "awsProxyAllowPublicClients": False,
    "azureResourceGroup": "",
    "azureLocation": "",
    "azurePriorityStart": 100,
    "azurePriorityEnd": 4096,
    "azureDenyInternet": True,
    "azureFirewallPolicyId": "",
    "azureSourceAddresses": ["*"],
    "azureRuleCollectionGroupPriority": 500,
    "catalogOverlay": "",
    "tags": {},
}
"""Project config defaults, as declared in ``Pulumi.yaml``; ``regions`` has none (required)."""
_JSON_KEYS = ("regions", "clouds", "tags", "azureSourceAddresses", "awsProxySubnetIds", "awsProxyClientCidrs",
              "awsFirewallHomeNet")
_INT_KEYS = ("option", "awsRulesPerGroup", "azurePriorityStart", "azurePriorityEnd",
             "azureRuleCollectionGroupPriority", "awsProxyPort", "awsProxyMinSize", "awsProxyMaxSize",
             "awsProxyDesiredSize")
_BOOL_KEYS = ("azureDenyInternet", "awsProxyEnabled", "awsProxyAllowPublicClients")
_STRING_KEYS = ("encryption", "awsVpcId", "awsSignaling", "awsProxySecurityGroupId", "azureResourceGroup",
                "azureLocation", "azureFirewallPolicyId", "catalogOverlay", "awsProxyInstanceType")


class ProgramConfigError(ChalkInputError):
    """A stack config value is invalid; the message names the key and the allowed values."""

    @property
    def key(self) -> str:
        """The (first) project key the message names: every message starts with it (``option: 7 is not ...``)."""
        return str(self).split(":", 1)[0].split(",", 1)[0].strip()


class ConfigSource(Protocol):
    """What :func:`read_settings` reads a stack's config through: the program's ``pulumi.Config()``, or
    :class:`EngineStrings` to check a stack's config before the program runs."""

    def get(self, key: str) -> str | None: ...

    def get_int(self, key: str) -> int | None: ...

    def get_bool(self, key: str) -> bool | None: ...


class EngineStrings:
    """A stack's config as the engine hands it to the program (``{"chalk-network:option": "1", ...}``), read the way
    ``pulumi.Config()`` reads the project's keys (``get_int`` is ``int()``, ``get_bool`` takes true/True/false/False),
    a value of the wrong type being a :class:`ProgramConfigError` instead of pulumi's ``ConfigTypeError``."""

    def __init__(self, config: Mapping[str, str], project: str = PROJECT) -> None:
        self._config = config
        self._project = project

    def get(self, key: str) -> str | None:
        return self._config.get(f"{self._project}:{key}")

    def get_int(self, key: str) -> int | None:
        text = self.get(key)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            raise ProgramConfigError(f"{key}: {show(text)} is not an integer; allowed: an integer") from None

    def get_bool(self, key: str) -> bool | None:
        text = self.get(key)
        if text is None:
            return None
        if text in ("true", "True", "false", "False"):
            return text.lower() == "true"
        raise ProgramConfigError(f"{key}: {show(text)} is not a boolean; allowed: true or false")


@dataclass(frozen=True)
class ProgramSettings:
    regions: tuple[str, ...] | str
    option: int = 1
    encryption: str = "standard"
    clouds: tuple[str, ...] = ("aws",)
    aws_vpc_id: str = ""
    aws_signaling: str = "network-firewall"
    aws_proxy_security_group_id: str | None = None
    aws_rules_per_group: int = 60
    aws_firewall_home_net: tuple[str, ...] = ()
    aws_proxy_enabled: bool = False
    """Deploy the Squid fleet (ChalkSquidProxy) and point the Chalk clients' signaling at it."""
    aws_proxy_subnet_ids: tuple[str, ...] = ()
    aws_proxy_port: int = 3128
    aws_proxy_instance_type: str = "t3.small"
    aws_proxy_sizes: tuple[int, int, int] = (2, 4, 2)
    """(min, max, desired) instances."""
    aws_proxy_client_cidrs: tuple[str, ...] = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    aws_proxy_allow_public_clients: bool = False
    """Let client networks with public addresses use the proxy (ChalkSquidProxy warns)."""
    azure_resource_group: str = ""
    azure_location: str = ""
    azure_priority_window: tuple[int, int] = (100, 4096)
    azure_deny_internet: bool = True
    azure_firewall_policy_id: str | None = None
    azure_source_addresses: tuple[str, ...] = ("*",)
    azure_rule_collection_group_priority: int = 500
    catalog_overlay: str | None = None
    """Absolute path of the overlay file, or None."""
    tags: Mapping[str, str] = field(default_factory=dict)

    def aws_args(self, proxy_security_group_id: pulumi.Input[str] | None = None) -> ChalkAwsEgressArgs:
        """The Chalk clients' security groups; with the proxy enabled, signaling goes to its security group
        (``proxy_security_group_id``, the ChalkSquidProxy output) instead of TCP 443 to anywhere."""
        from ..catalog.models import Encryption
        from .aws import ChalkAwsEgressArgs, SignalingMode

        proxied = self.aws_proxy_enabled
        if proxied and proxy_security_group_id is None:
            raise ProgramConfigError("awsProxyEnabled: the proxy's security group id is needed for the clients; "
                                     "allowed: aws_args(proxy.proxy_security_group_id)")
        return ChalkAwsEgressArgs(
            vpc_id=self.aws_vpc_id,
            regions=self.regions,
            option=self.option,
            encryption=cast(Encryption, self.encryption),  # checked by the component, naming the key
            signaling=SignalingMode.PROXY if proxied else cast(SignalingMode, self.aws_signaling),
            proxy_security_group_id=proxy_security_group_id if proxied else self.aws_proxy_security_group_id,
            proxy_port=self.aws_proxy_port,
            rules_per_group=self.aws_rules_per_group,
            home_net=self.aws_firewall_home_net,
            overlay_path=self.catalog_overlay,
            tags=dict(self.tags),
        )

    def aws_proxy_args(self) -> ChalkSquidProxyArgs:
        from ..catalog.models import Encryption
        from .proxy import ChalkSquidProxyArgs

        min_size, max_size, desired_size = self.aws_proxy_sizes
        return ChalkSquidProxyArgs(
            vpc_id=self.aws_vpc_id,
            subnet_ids=self.aws_proxy_subnet_ids,
            regions=self.regions,
            option=self.option,
            encryption=cast(Encryption, self.encryption),  # checked by the component, naming the key
            port=self.aws_proxy_port,
            client_cidrs=self.aws_proxy_client_cidrs,
            allow_public_clients=self.aws_proxy_allow_public_clients,
            instance_type=self.aws_proxy_instance_type,
            min_size=min_size,
            max_size=max_size,
            desired_size=desired_size,
            overlay_path=self.catalog_overlay,
            tags=dict(self.tags),
        )

    def azure_args(self) -> ChalkAzureEgressArgs:
        from ..catalog.models import Encryption
        from .azure import ChalkAzureEgressArgs

        return ChalkAzureEgressArgs(
            resource_group_name=self.azure_resource_group,
            location=self.azure_location,
            regions=self.regions,
            option=self.option,
            encryption=cast(Encryption, self.encryption),  # checked by the component, naming the key
            priority_window=self.azure_priority_window,
            deny_internet=self.azure_deny_internet,
            firewall_policy_id=self.azure_firewall_policy_id,
            rule_collection_group_priority=self.azure_rule_collection_group_priority,
            source_addresses=self.azure_source_addresses,
            overlay_path=self.catalog_overlay,
            tags=dict(self.tags),
        )


def read_settings(config: ConfigSource, project_dir: str | Path) -> ProgramSettings:
    """Read this program's keys from ``config`` (the ``chalk-network`` namespace). A catalog overlay is loaded here,
    so that a bad one is a :class:`ProgramConfigError` naming ``catalogOverlay`` (one error line under the engine)
    rather than the components' CatalogError (a traceback). So is a cloud in ``clouds`` whose provider SDK is not
    installed (:func:`check_sdks`)."""
    settings = parse_settings(_raw_values(config), project_dir)
    check_sdks(settings.clouds)
    if settings.catalog_overlay is not None:
        _overlay_catalog(settings)
    return settings


def check_sdks(clouds: tuple[str, ...]) -> None:
    """Each cloud's provider SDK is installed, else a :class:`ProgramConfigError` naming the extra that installs it
    (``clouds: azure needs pulumi-azure-native, which is not installed; install chalk-policy with the azure extra:
    ...``), before the program imports the component and fails with a traceback."""
    for cloud in clouds:
        if not sdk_installed(cloud):
            raise ProgramConfigError(f"clouds: {missing_sdk_message(cloud, cloud)}, or leave {cloud} out of clouds")


def check_stack_config(config: Mapping[str, str], project_dir: str | Path, project: str = PROJECT) -> ProgramSettings:
    """A stack's config (``{full key: engine string}``) checked before the program runs: read as
    :func:`read_settings` reads it, then its regions, port option and encryption planned against the catalog (and
    overlay) the way the components plan them. Raises :class:`ProgramConfigError` naming the key, the bad value and
    the allowed values."""
    settings = read_settings(EngineStrings(config, project), project_dir)
    check_requirement(settings)
    return settings


def check_requirement(settings: ProgramSettings) -> None:
    """The regions, port option and encryption against the catalog: the components' plan, as a
    :class:`ProgramConfigError` (``regions: unknown region xx9; allowed: all or any of ...``)."""
    from ..planning import plan
    from ..planning.plan import PlanError

    try:
        plan(_overlay_catalog(settings), settings.regions, settings.option, settings.encryption)
    except PlanError as exc:
        raise ProgramConfigError(str(exc)) from None


def _overlay_catalog(settings: ProgramSettings) -> Catalog:
    """The catalog the components plan from: the packaged one, with the stack's overlay when it has one; a bad
    overlay is a :class:`ProgramConfigError`."""
    from ..catalog import load_catalog
    from ..catalog.errors import CatalogError

    try:
        return load_catalog(overlay=settings.catalog_overlay)
    except CatalogError as exc:
        raise ProgramConfigError(f"catalogOverlay: {exc.summary}; allowed: a valid catalog overlay file, absolute "
                                 "or relative to the project directory") from None


def _raw_values(config: ConfigSource) -> dict[str, Any]:
    """The program's keys that ``config`` sets, decoded: JSON lists and maps, integers, booleans, strings."""
    raw: dict[str, Any] = {}
    for key in _JSON_KEYS:
        value = config.get(key)
        if value is not None:
            try:
                raw[key] = json.loads(value)
            except json.JSONDecodeError:
                raw[key] = value  # e.g. `regions: all` given as a plain string
    for key in _INT_KEYS:
        number = config.get_int(key)
        if number is not None:
            raw[key] = number
    for key in _BOOL_KEYS:
        flag = config.get_bool(key)
        if flag is not None:
            raw[key] = flag
    for key in _STRING_KEYS:
        text = config.get(key)
        if text is not None:
            raw[key] = text
    return raw


def parse_settings(raw: Mapping[str, Any], project_dir: str | Path) -> ProgramSettings:
    """Config values (already decoded from JSON) -> settings; missing keys take the Pulumi.yaml defaults."""
    values = {**DEFAULTS, **raw}
    regions, clouds = _check_targets(values, raw)
    _check_scalars(values)
    _check_proxy(values, clouds)
    overlay = values["catalogOverlay"]
    return ProgramSettings(
        regions=regions if isinstance(regions, str) else tuple(regions),
        option=values["option"],
        encryption=values["encryption"],
        clouds=tuple(dict.fromkeys(clouds)),
        aws_vpc_id=values["awsVpcId"],
        aws_signaling=values["awsSignaling"],
        aws_proxy_security_group_id=values["awsProxySecurityGroupId"] or None,
        aws_rules_per_group=values["awsRulesPerGroup"],
        aws_firewall_home_net=_string_list(values["awsFirewallHomeNet"], "awsFirewallHomeNet",
                                           "IPv4 CIDRs of the Chalk clients, e.g. ['10.0.0.0/8']"),
        aws_proxy_enabled=values["awsProxyEnabled"],
        aws_proxy_subnet_ids=tuple(values["awsProxySubnetIds"]),
        aws_proxy_port=values["awsProxyPort"],
        aws_proxy_instance_type=values["awsProxyInstanceType"],
        aws_proxy_sizes=(values["awsProxyMinSize"], values["awsProxyMaxSize"], values["awsProxyDesiredSize"]),
        aws_proxy_client_cidrs=tuple(values["awsProxyClientCidrs"]),
        aws_proxy_allow_public_clients=values["awsProxyAllowPublicClients"],
        azure_resource_group=values["azureResourceGroup"],
        azure_location=values["azureLocation"],
        azure_priority_window=(values["azurePriorityStart"], values["azurePriorityEnd"]),
        azure_deny_internet=values["azureDenyInternet"],
        azure_firewall_policy_id=values["azureFirewallPolicyId"] or None,
        azure_source_addresses=tuple(values["azureSourceAddresses"]),
        azure_rule_collection_group_priority=values["azureRuleCollectionGroupPriority"],
        catalog_overlay=str(Path(project_dir) / overlay) if overlay else None,
        tags=values["tags"],
    )


def _check_targets(values: Mapping[str, Any], raw: Mapping[str, Any]) -> tuple[Any, list[str]]:
    """The regions and clouds, and what each cloud requires."""
    if "regions" not in raw:
        raise ProgramConfigError("regions: required; allowed: a list of Chalk region ids, names or country codes, "
                                 "or [all]")
    regions = values["regions"]
    if not (isinstance(regions, str) or (isinstance(regions, list) and all(isinstance(r, str) for r in regions))):
        raise ProgramConfigError(f"regions: {show(regions)} is not a list of region ids; "
                                 "allowed: e.g. [jp1, us2] or [all]")
    clouds = values["clouds"]
    if not isinstance(clouds, list) or not clouds or not all(isinstance(cloud, str) for cloud in clouds):
        raise ProgramConfigError(f"clouds: {show(clouds)} is not a list of clouds; allowed: a non-empty list of "
                                 f"{_listing(ALLOWED_CLOUDS)}")
    unknown = [cloud for cloud in clouds if cloud not in ALLOWED_CLOUDS]
    if unknown:
        raise ProgramConfigError(f"clouds: {', '.join(map(repr, unknown))} not available in this program; "
                                 f"allowed: {_listing(ALLOWED_CLOUDS)}")
    vpc_id = values["awsVpcId"]
    if "aws" in clouds and not vpc_id:
        raise ProgramConfigError("awsVpcId: required when clouds includes aws; allowed: the VPC id of the Chalk "
                                 "clients, e.g. vpc-0a1b2c3d4e5f60718")
    if "azure" in clouds:
        if not values["azureResourceGroup"]:
            raise ProgramConfigError("azureResourceGroup: required when clouds includes azure; allowed: the resource "
                                     "group of the Chalk NSG, e.g. rg-chalk-network")
        if not values["azureLocation"]:
            raise ProgramConfigError("azureLocation: required when clouds includes azure; allowed: an Azure location "
                                     "name, e.g. westeurope")
    return regions, clouds


def _check_scalars(values: Mapping[str, Any]) -> None:
    """Integers, booleans, address lists and tags."""
    for key in _INT_KEYS:
        if isinstance(values[key], bool) or not isinstance(values[key], int):
            raise ProgramConfigError(f"{key}: {show(values[key])} is not an integer; allowed: an integer")
    if not isinstance(values["azureDenyInternet"], bool):
        raise ProgramConfigError(f"azureDenyInternet: {show(values['azureDenyInternet'])} is not a boolean; allowed: "
                                 "true or false")
    sources = values["azureSourceAddresses"]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise ProgramConfigError(f"azureSourceAddresses: {show(sources)} is not a list of addresses; "
                                 "allowed: e.g. ['*'] or ['10.20.0.0/16']")
    tags = values["tags"]
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise ProgramConfigError(f"tags: {show(tags)} is not a tag map; allowed: an object of string keys and values")


def _check_proxy(values: Mapping[str, Any], clouds: list[str]) -> None:
    """The awsProxy* keys: types always, the rest only when the proxy is enabled."""
    enabled = values["awsProxyEnabled"]
    for key in ("awsProxyEnabled", "awsProxyAllowPublicClients"):
        if not isinstance(values[key], bool):
            raise ProgramConfigError(f"{key}: {show(values[key])} is not a boolean; allowed: true or false")
    for key in ("awsProxySubnetIds", "awsProxyClientCidrs"):
        items = values[key]
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise ProgramConfigError(f"{key}: {show(items)} is not a list of strings; allowed: e.g. "
                                     + ("[subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829]" if key.endswith("Ids")
                                        else "[10.20.0.0/16]"))
    if not enabled:
        return
    if "aws" not in clouds:
        raise ProgramConfigError("awsProxyEnabled: the proxy is built on AWS; allowed: clouds including aws, "
                                 "or awsProxyEnabled false")
    if not values["awsProxySubnetIds"]:
        raise ProgramConfigError("awsProxySubnetIds: required when awsProxyEnabled is true; allowed: private subnets "
                                 "with a NAT route, one per availability zone, e.g. [subnet-0a1b2c3d4e5f60718, "
                                 "subnet-0b2c3d4e5f6071829]")
    if values["awsSignaling"] not in ("network-firewall", "proxy"):
        raise ProgramConfigError(f"awsSignaling: {show(values['awsSignaling'])} contradicts awsProxyEnabled "
                                 "(the clients' signaling then goes through the proxy); "
                                 "allowed: proxy, or leave it unset")
    if values["awsProxySecurityGroupId"]:
        raise ProgramConfigError("awsProxySecurityGroupId: set while awsProxyEnabled is true, which builds its own "
                                 "proxy security group; allowed: empty, or awsProxyEnabled false for an existing "
                                 "proxy")
    sizes = {key: values[f"awsProxy{key}Size"] for key in ("Min", "Desired", "Max")}
    if not sizes["Min"] <= sizes["Desired"] <= sizes["Max"] or sizes["Min"] < 0 or sizes["Desired"] < 1:
        raise ProgramConfigError(f"awsProxyMinSize, awsProxyDesiredSize, awsProxyMaxSize: {sizes['Min']}, "
                                 f"{sizes['Desired']}, {sizes['Max']}; allowed: 0 <= min <= desired <= max, "
                                 "desired >= 1")


def _listing(items: tuple[str, ...]) -> str:
    return ", ".join(items)


def _string_list(value: Any, key: str, allowed: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ProgramConfigError(f"{key}: {show(value)} is not a list of strings; allowed: {allowed}")
    return tuple(value)
