"""The compatibility rules, on hand-made schemas and on pydantic-generated ones."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, Field

from towngrid_contracts.compat import breaking_changes

OLD: dict[str, Any] = {
    "title": "PermitIssued",
    "type": "object",
    "properties": {
        "permit_id": {"type": "string", "minLength": 1, "title": "Permit Id"},
        "valid_until": {"type": "string", "format": "date-time"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
    },
    "required": ["permit_id", "valid_until", "lines"],
    "$defs": {
        "Line": {
            "type": "object",
            "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer"}},
            "required": ["sku", "quantity"],
        }
    },
    "x-towngrid": {"event_type": "permits.permit.issued", "event_version": 1,
                   "topic": "permits.permit.v1", "producer": "permits"},
}


def changed(edit) -> list[str]:
    new = copy.deepcopy(OLD)
    edit(new)
    return breaking_changes(OLD, new)


def test_identical_schemas_are_compatible() -> None:
    assert breaking_changes(OLD, copy.deepcopy(OLD)) == []


def test_field_removed() -> None:
    def edit(s):
        del s["properties"]["valid_until"]
        s["required"].remove("valid_until")

    assert changed(edit) == ["valid_until: field removed"]


def test_optional_field_removed_is_breaking_too() -> None:
    assert changed(lambda s: s["properties"].pop("note")) == ["note: field removed"]


def test_type_changed() -> None:
    problems = changed(lambda s: s["properties"].update(valid_until={"type": "integer"}))
    assert len(problems) == 1 and problems[0].startswith("valid_until: type changed")


def test_format_or_constraint_changed() -> None:
    assert changed(lambda s: s["properties"]["valid_until"].update(format="date"))
    assert changed(lambda s: s["properties"]["permit_id"].update(minLength=3))


def test_optional_became_required() -> None:
    problems = changed(lambda s: s["required"].append("note"))
    assert problems == ["note: optional field became required"]


def test_required_became_optional() -> None:
    problems = changed(lambda s: s["required"].remove("valid_until"))
    assert problems == ["valid_until: required field became optional"]


def test_new_required_field() -> None:
    def edit(s):
        s["properties"]["issued_by"] = {"type": "string"}
        s["required"].append("issued_by")

    assert changed(edit) == ["issued_by: new required field"]


def test_nested_field_changes_are_found_through_refs() -> None:
    def edit(s):
        s["$defs"]["Line"]["properties"]["quantity"] = {"type": "number"}

    problems = changed(edit)
    assert len(problems) == 1 and problems[0].startswith("lines[].quantity: type changed")


def test_new_optional_field_is_allowed() -> None:
    assert changed(lambda s: s["properties"].update(
        department={"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    )) == []


def test_annotation_changes_are_allowed() -> None:
    def edit(s):
        s["title"] = "Renamed"
        s["description"] = "Now documented."
        s["properties"]["permit_id"]["description"] = "Opaque permit id."
        s["properties"]["permit_id"]["title"] = "Permit"
        s["properties"]["note"]["default"] = "n/a"

    assert changed(edit) == []


def test_metadata_changes() -> None:
    assert changed(lambda s: s["x-towngrid"].update(topic="permits.permit.v2")) == [
        "x-towngrid.topic changed from 'permits.permit.v1' to 'permits.permit.v2'"
    ]
    assert changed(lambda s: s["x-towngrid"].update(event_version=2)) == []
    lowered = copy.deepcopy(OLD)
    lowered["x-towngrid"]["event_version"] = 2
    assert breaking_changes(lowered, OLD) == ["x-towngrid.event_version lowered from 2 to 1"]


# The same rules on what pydantic actually emits (anyOf for optionals, $defs, enums).

class Line(BaseModel):
    sku: str
    quantity: int


class V1(BaseModel):
    order_id: str = Field(min_length=1)
    kind: Literal["door", "checkpoint"]
    lines: list[Line]


class V2Compatible(BaseModel):
    """Adds an optional field and a description."""

    order_id: str = Field(min_length=1, description="The aggregate id.")
    kind: Literal["door", "checkpoint"]
    lines: list[Line]
    note: str | None = None


class V2Breaking(BaseModel):
    order_id: int
    kind: Literal["door", "checkpoint", "drone"]
    lines: list[Line]
    team_id: str


def schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(mode="validation")


def test_pydantic_schemas_compatible_change() -> None:
    assert breaking_changes(schema(V1), schema(V2Compatible)) == []


def test_pydantic_schemas_breaking_change() -> None:
    problems = breaking_changes(schema(V1), schema(V2Breaking))
    assert [p.split(":")[0] for p in problems] == ["order_id", "kind", "team_id"]
