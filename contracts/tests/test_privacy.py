"""Events carry opaque ids only: no national ID, phone, name or address, in fields or values."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from towngrid_contracts import ALL_EVENTS, EVENT_TYPES, load_example
from towngrid_contracts.snapshot import schema_of

FORBIDDEN_WORDS = {"name", "phone", "mobile", "tel", "address", "street", "plate", "email", "wechat"}
FORBIDDEN_PARTS = ("national_id", "id_number", "id_card", "idcard", "birth", "surname")

# GB 11643 citizen ID number: region, birth date YYYYMMDD, sequence, check digit (0-9 or X).
GB11643_RE = re.compile(
    r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)"
)
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def field_names(schema: Any) -> set[str]:
    """Every property name in a JSON Schema, nested objects ($defs) included."""
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= field_names(value)
    elif isinstance(schema, list):
        for item in schema:
            names |= field_names(item)
    return names


def suspicious(name: str) -> bool:
    lowered = name.lower()
    return bool(set(lowered.split("_")) & FORBIDDEN_WORDS) or any(
        part in lowered for part in FORBIDDEN_PARTS
    )


def test_the_field_name_rule_catches_what_it_should() -> None:
    for bad in ("name", "first_name", "phone", "mobile_number", "home_address", "street",
                "national_id", "id_number", "holder_id_card", "plate_number", "date_of_birth"):
        assert suspicious(bad), bad
    for fine in ("resident_id", "sku", "compound_id", "merchant_id", "vehicle_pass_id"):
        assert not suspicious(fine), fine


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_no_personal_field_names(model) -> None:
    offending = sorted(n for n in field_names(schema_of(model)) if suspicious(n))
    assert not offending, f"{model.event_type} has personal-data fields: {offending}"


def test_the_value_patterns_catch_what_they_should() -> None:
    # The sample number printed in GB 11643 and an illustrative mobile number.
    assert GB11643_RE.search('"holder": "11010519491231002X"')
    assert MOBILE_RE.search('"contact": "13800138000"')
    assert not MOBILE_RE.search('"count": 138001380001')
    assert not GB11643_RE.search('"at": "2020-02-14T02:10:00Z"')


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_no_personal_values_in_examples(event_type: str) -> None:
    text = json.dumps(load_example(event_type), ensure_ascii=False)
    assert not GB11643_RE.search(text), "example contains a national ID number"
    assert not MOBILE_RE.search(text), "example contains a mobile number"
