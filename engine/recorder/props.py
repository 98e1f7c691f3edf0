"""Property values as the provider protocol carries them: ``google.protobuf.Struct`` <-> plain dicts.

Pulumi encodes two special values inside a Struct; both pass through this provider untouched:

* an unknown value (preview, an output not yet known) is the string :data:`UNKNOWN`;
* a secret is ``{SIG_KEY: SECRET_SIG, "value": <plain value>}``.

Numbers arrive as floats (``Struct`` has only doubles); Python compares ``443.0 == 443`` as equal, so no
conversion is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from google.protobuf import json_format, struct_pb2

# Pulumi's markers, taken from the Pulumi SDK that defines them (already loaded with the protos): the engine's
# unknown sentinel, and the key and value that mark a secret inside a Struct.
from pulumi.runtime import rpc

UNKNOWN: Final = rpc.UNKNOWN
SIG_KEY: Final = rpc._special_sig_key
SECRET_SIG: Final = rpc._special_secret_sig

Props = dict[str, Any]

REDACTED = "[secret]"


def to_dict(message: struct_pb2.Struct) -> Props:
    """The Struct as a dict (an unset Struct is ``{}``)."""
    result: Props = json_format.MessageToDict(message)
    return result


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct


def is_unknown(value: object) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def is_secret(value: object) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def contains_unknown(value: object) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(contains_unknown(item) for item in value)
    return False


def reveal(value: object) -> object:
    """``value`` with every secret replaced by its plain value (for comparisons only, never returned)."""
    if is_secret(value):
        assert isinstance(value, dict)
        return reveal(value.get("value"))
    if isinstance(value, dict):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def same(old: object, new: object) -> bool:
    """Deep equality as a diff sees it: an unknown anywhere in ``new`` counts as a change; secrecy does not."""
    if contains_unknown(new):
        return False
    return reveal(old) == reveal(new)


def redact(value: object) -> object:
    """``value`` with the plain value of each secret replaced by :data:`REDACTED` (for the log)."""
    if is_secret(value):
        return {SIG_KEY: SECRET_SIG, "value": REDACTED}
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def present(props: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` holds a value (providers skip nulls: a null input is an absent input)."""
    return props.get(key) is not None
