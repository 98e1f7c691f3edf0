"""The gRPC ``ResourceProvider`` service: unmarshal, ask :mod:`recorder.model`, log, marshal.

Every method appends one record to the journal before it answers (Invoke and Call too, before they fail).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import empty_pb2
from google.protobuf.message import Message
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from recorder import model
from recorder.ids import ACCOUNT, SUBSCRIPTION, Cloud
from recorder.journal import Journal
from recorder.props import Props, reveal, to_dict, to_struct

M = TypeVar("M", bound=Message)
_KINDS = provider_pb2.PropertyDiff.Kind
_AUTONAMING_MODES = {0: "PROPOSE", 1: "ENFORCE", 2: "DISABLE"}


def type_of(urn: str, given: str = "") -> str:
    """The resource type token: the request's ``type`` field, else the URN's (``...::parent$type::name``)."""
    if given:
        return given
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _field(message: Message, name: str, default: Any = "") -> Any:
    """``message.name`` when the installed proto has that field, else ``default``."""
    return getattr(message, name) if name in message.DESCRIPTOR.fields_by_name else default


def _known(cls: type[M], **values: Any) -> M:
    """``cls(**values)`` keeping only the fields this proto version defines."""
    fields = cls.DESCRIPTOR.fields_by_name
    message: M = cls(**{key: value for key, value in values.items() if key in fields})
    return message


def _config_value(args: Props, variables: Mapping[str, str], package: str, key: str) -> Any:
    if key in args:
        return reveal(args[key])
    raw = variables.get(f"{package}:config:{key}")
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _default_tags(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    tags = value.get("tags") if isinstance(value, dict) else None
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def cloud_from_config(package: str, args: Props, variables: Mapping[str, str]) -> Cloud:
    """Region (AWS ``region``, else ``AWS_REGION``/``AWS_DEFAULT_REGION``, else us-east-1), default tags and the
    Azure subscription (``subscriptionId``, else ``ARM_SUBSCRIPTION_ID``, else all zeros)."""
    def get(key: str) -> Any:
        return _config_value(args, variables, package, key)

    if package == model.AZURE:
        subscription = get("subscriptionId") or os.environ.get("ARM_SUBSCRIPTION_ID") or SUBSCRIPTION
        return Cloud(region=str(get("location") or ""), subscription=str(subscription))
    region = get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return Cloud(region=str(region), account=ACCOUNT, default_tags=_default_tags(get("defaultTags")))


class RecordingProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, package: str, version: str, journal: Journal) -> None:
        self._package = package
        self._version = version
        self._journal = journal
        self._cloud = Cloud()

    # --- bookkeeping -------------------------------------------------------------------------------------

    def _log(self, method: str, **fields: Any) -> None:
        self._journal.record({"ts": time.time(), "pid": os.getpid(), "package": self._package, "method": method,
                              **fields})

    def _resource(self, request: Message) -> dict[str, Any]:
        urn = str(_field(request, "urn"))
        return {"urn": urn, "type": type_of(urn, str(_field(request, "type")))}

    # --- plugin and provider configuration ---------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        self._log("GetPluginInfo", version=self._version)
        return plugin_pb2.PluginInfo(version=self._version)

    def Handshake(self, request: Message, context: grpc.ServicerContext) -> Message:  # not in every proto version
        self._log("Handshake", engineAddress=_field(request, "engine_address"))
        return _known(provider_pb2.ProviderHandshakeResponse, accept_secrets=True, accept_resources=True,
                      accept_outputs=True, supports_autonaming_configuration=True)

    def GetSchema(self, request: provider_pb2.GetSchemaRequest,
                  context: grpc.ServicerContext) -> provider_pb2.GetSchemaResponse:
        self._log("GetSchema")
        return provider_pb2.GetSchemaResponse(schema=json.dumps({"name": self._package, "version": self._version}))

    def CheckConfig(self, request: provider_pb2.CheckRequest,
                    context: grpc.ServicerContext) -> provider_pb2.CheckResponse:
        self._log("CheckConfig", urn=request.urn, news=to_dict(request.news), olds=to_dict(request.olds))
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: provider_pb2.DiffRequest,
                   context: grpc.ServicerContext) -> provider_pb2.DiffResponse:
        self._log("DiffConfig", urn=request.urn, news=to_dict(request.news), olds=to_dict(request.olds))
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request: provider_pb2.ConfigureRequest,
                  context: grpc.ServicerContext) -> provider_pb2.ConfigureResponse:
        args, variables = to_dict(request.args), dict(request.variables)
        self._cloud = cloud_from_config(self._package, args, variables)
        # `variables` carry decrypted secret config as plain strings: log their names only.
        self._log("Configure", args=args, variables=sorted(variables), region=self._cloud.region)
        return _known(provider_pb2.ConfigureResponse, acceptSecrets=True, supportsPreview=True,
                      acceptResources=True, acceptOutputs=False, supports_autonaming_configuration=True)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        self._log("Cancel")
        return empty_pb2.Empty()

    def _unmodelled(self, method: str, token: str, context: grpc.ServicerContext) -> NoReturn:
        self._log(method, tok=token)
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"recording provider: {method.lower()} {token} is not modelled")
        raise AssertionError("unreachable: ServicerContext.abort raises")

    def Invoke(self, request: provider_pb2.InvokeRequest, context: grpc.ServicerContext) -> NoReturn:
        self._unmodelled("Invoke", request.tok, context)

    def Call(self, request: provider_pb2.CallRequest, context: grpc.ServicerContext) -> NoReturn:
        self._unmodelled("Call", request.tok, context)

    # --- resources ---------------------------------------------------------------------------------------

    def Check(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> provider_pb2.CheckResponse:
        resource = self._resource(request)
        olds, news = to_dict(request.olds), to_dict(request.news)
        autonaming = None
        if "autonaming" in request.DESCRIPTOR.fields_by_name and request.HasField("autonaming"):
            autonaming = model.Autonaming(_AUTONAMING_MODES.get(request.autonaming.mode, "PROPOSE"),
                                          request.autonaming.proposed_name)
        checked = model.check(resource["type"], resource["urn"], olds, news, self._package, autonaming)
        self._log("Check", **resource, olds=olds, news=news, inputs=checked.inputs,
                  failures=[{"property": p, "reason": why} for p, why in checked.failures])
        failures = [provider_pb2.CheckFailure(property=p, reason=why) for p, why in checked.failures]
        return provider_pb2.CheckResponse(inputs=to_struct(checked.inputs), failures=failures)

    def Diff(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> provider_pb2.DiffResponse:
        resource = self._resource(request)
        olds, news = to_dict(request.olds), to_dict(request.news)
        old_inputs = to_dict(request.old_inputs) if "old_inputs" in request.DESCRIPTOR.fields_by_name else {}
        ignore = [name for name in request.ignoreChanges if name.isidentifier()]
        diffed = model.diff(resource["type"], old_inputs, olds, news, self._package, ignore)
        changes = provider_pb2.DiffResponse.DIFF_SOME if diffed.detailed else provider_pb2.DiffResponse.DIFF_NONE
        self._log("Diff", **resource, id=request.id, olds=olds, oldInputs=old_inputs, news=news,
                  changes=provider_pb2.DiffResponse.DiffChanges.Name(changes), diffs=diffed.diffs,
                  replaces=diffed.replaces, detailedDiff=diffed.detailed,
                  deleteBeforeReplace=diffed.delete_before_replace)
        detailed = {key: provider_pb2.PropertyDiff(kind=_KINDS.Value(kind), inputDiff=True)
                    for key, kind in diffed.detailed.items()}
        return provider_pb2.DiffResponse(changes=changes, diffs=diffed.diffs, replaces=diffed.replaces,
                                         detailedDiff=detailed, hasDetailedDiff=True,
                                         deleteBeforeReplace=diffed.delete_before_replace)

    def Create(self, request: provider_pb2.CreateRequest,
               context: grpc.ServicerContext) -> provider_pb2.CreateResponse:
        resource = self._resource(request)
        inputs = to_dict(request.properties)
        ident, outputs = model.create(resource["type"], inputs, self._cloud, request.preview)
        self._log("Create", **resource, preview=request.preview, inputs=inputs, id=ident, outputs=outputs)
        return provider_pb2.CreateResponse(id=ident, properties=to_struct(outputs))

    def Update(self, request: provider_pb2.UpdateRequest,
               context: grpc.ServicerContext) -> provider_pb2.UpdateResponse:
        resource = self._resource(request)
        olds, news = to_dict(request.olds), to_dict(request.news)
        old_inputs = to_dict(request.old_inputs) if "old_inputs" in request.DESCRIPTOR.fields_by_name else {}
        outputs = model.update(resource["type"], old_inputs, olds, news, self._cloud, request.preview)
        self._log("Update", **resource, id=request.id, preview=request.preview, olds=olds, oldInputs=old_inputs,
                  news=news, outputs=outputs)
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Read(self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext) -> provider_pb2.ReadResponse:
        resource = self._resource(request)
        properties, inputs = to_dict(request.properties), to_dict(request.inputs)
        found = bool(properties)
        self._log("Read", **resource, id=request.id, properties=properties, inputs=inputs, found=found)
        if not found:  # nothing stored: an import of something this "cloud" never created
            return provider_pb2.ReadResponse()
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Delete(self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        resource = self._resource(request)
        self._log("Delete", **resource, id=request.id, properties=to_dict(request.properties))
        return empty_pb2.Empty()
