"""The packaged catalog's fast path: the frozen form (chalk_policy/catalog/packaged.py) is current, the YAML passes the
full validation, and the catalog the command line loads is exactly the validated one, field by field."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from chalk_policy.catalog import Catalog, load_catalog, loader, packaged
from chalk_policy.catalog.freeze import PACKAGED, source
from chalk_policy.catalog.loader import DEFAULT_CATALOG, default_catalog_text, validate_catalog
from chalk_policy.catalog.models import PortRule, Protocol, Record, Region, to_data
from chalk_policy.catalog.yamlfile import read_yaml_text

STALE = ("chalk_policy/catalog/packaged.py does not match data/chalk-catalog.yaml: "
         "run `.venv/bin/python -m chalk_policy.catalog.freeze` and commit the result")


@pytest.fixture(scope="module")
def validated() -> Catalog:
    """The packaged YAML through the full validation: the strict YAML reader, pydantic and the checks across it."""
    return validate_catalog(read_yaml_text(default_catalog_text(), DEFAULT_CATALOG), DEFAULT_CATALOG)


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    loader._packaged_catalog.cache_clear()
    yield
    loader._packaged_catalog.cache_clear()


def differences(fast: Any, checked: Any, path: str = "catalog") -> Iterator[str]:
    """Every place where two values differ in type or value (``==`` alone would let ``"udp"`` equal
    ``Protocol.UDP``, a list equal... nothing, and ``True`` equal ``1``)."""
    if type(fast) is not type(checked):
        yield f"{path}: {type(fast).__name__} != {type(checked).__name__}"
    elif isinstance(fast, Record):
        for name in fast.fields:
            yield from differences(getattr(fast, name), getattr(checked, name), f"{path}.{name}")
    elif isinstance(fast, tuple):
        if len(fast) != len(checked):
            yield f"{path}: {len(fast)} items != {len(checked)}"
        for index, (a, b) in enumerate(zip(fast, checked, strict=False)):
            yield from differences(a, b, f"{path}[{index}]")
    elif isinstance(fast, dict):
        if list(fast) != list(checked):
            yield f"{path}: keys {list(fast)} != {list(checked)}"
        for key in fast.keys() & checked.keys():
            yield from differences(fast[key], checked[key], f"{path}[{key!r}]")
    elif not isinstance(fast, (str, int, type(None), Enum)):
        yield f"{path}: unexpected {type(fast).__name__}"
    elif fast != checked:
        yield f"{path}: {fast!r} != {checked!r}"


def test_the_frozen_catalog_is_generated_from_the_current_yaml() -> None:
    assert Path(packaged.__file__) == PACKAGED
    assert PACKAGED.read_text(encoding="utf-8") == source(default_catalog_text()), STALE


def test_the_packaged_yaml_passes_the_full_validation(validated: Catalog) -> None:
    assert validated.version == "2026120101"
    assert len(validated.regions) == 9


def test_load_catalog_uses_the_frozen_catalog(fresh_cache: None) -> None:
    assert load_catalog() is packaged.CATALOG


def test_the_frozen_catalog_is_exactly_the_validated_catalog(validated: Catalog) -> None:
    assert list(differences(packaged.CATALOG, validated)) == []
    assert validated == packaged.CATALOG
    assert to_data(packaged.CATALOG) == to_data(validated)


def test_differences_sees_what_equality_does_not() -> None:
    typed = PortRule(protocol=Protocol.UDP, from_port=1, to_port=443)
    loose = PortRule(protocol="udp", from_port=True, to_port=443)  # what building without the field types would give

    assert loose == typed  # a StrEnum member equals its value, True equals 1
    assert list(differences(loose, typed)) == ["catalog.protocol: str != Protocol", "catalog.from_port: bool != int"]


def test_a_stale_frozen_catalog_is_not_used(fresh_cache: None, validated: Catalog,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaged, "SOURCE_CRC32", packaged.SOURCE_CRC32 ^ 1)  # as after an edit of the YAML

    catalog = load_catalog()

    assert catalog is not packaged.CATALOG
    assert list(differences(catalog, validated)) == []


# --- records: the frozen dataclasses' semantics ------------------------------------------------------


def test_records_are_frozen_keyword_only_values() -> None:
    rule = PortRule(protocol=Protocol.UDP, from_port=443, to_port=443)

    assert rule == PortRule(protocol=Protocol.UDP, from_port=443, to_port=443, twilio_documented=True)
    assert hash(rule) == hash(PortRule(protocol=Protocol.UDP, from_port=443, to_port=443))
    assert rule != PortRule(protocol=Protocol.TCP, from_port=443, to_port=443)
    assert repr(rule) == "PortRule(protocol=<Protocol.UDP: 'udp'>, from_port=443, to_port=443, twilio_documented=True)"
    with pytest.raises(AttributeError, match="frozen"):
        rule.from_port = 80
    with pytest.raises(AttributeError, match="frozen"):
        del rule.to_port
    with pytest.raises(TypeError, match="missing keyword argument 'to_port'"):
        PortRule(protocol=Protocol.UDP, from_port=443)
    with pytest.raises(TypeError, match="unexpected keyword arguments 'port'"):
        PortRule(protocol=Protocol.UDP, from_port=443, to_port=443, port=1)
    with pytest.raises(TypeError):
        PortRule(Protocol.UDP, 443, 443)


def test_a_record_checks_across_its_fields_when_built() -> None:
    with pytest.raises(ValueError, match="from_port 60000 is greater than to_port 10000"):
        PortRule(protocol=Protocol.UDP, from_port=60000, to_port=10000)


def test_record_fields_are_in_declaration_order_base_class_first() -> None:
    assert Region.fields == ("id", "name", "country", "media_host", "annotation_proxy", "cidrs", "gaps")
    assert packaged.CATALOG.regions[0].cidrs[0].fields == ("source", "evidence", "cidr")
    assert Catalog.fields[0] == "schema_version"
    assert to_data(packaged.CATALOG)["schema"] == 1
