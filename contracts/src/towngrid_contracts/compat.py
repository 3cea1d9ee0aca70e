"""Compatibility rules between two JSON Schemas of one event's data (pure functions).

Within a major version, a change must let old consumers read new events and new consumers
read old (stored, replayed) events. So the only allowed change to the data shape is a new
*optional* field. Breaking:

- a field removed;
- a field's accepted values changed: its type, format, enum values, or constraints
  (length, range, pattern), narrowed or widened;
- a new required field, an optional field made required, or a required field made optional;
- the event's ``x-towngrid`` metadata changed (event type, topic, producer), or its
  ``event_version`` lowered.

Titles, descriptions, examples and defaults are annotations: changing them is not breaking.
Nested objects (``$ref`` to ``$defs``) are compared field by field, and array items likewise.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_ANNOTATIONS = frozenset({"title", "description", "examples", "default"})
_FIXED_METADATA = ("event_type", "topic", "producer")


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Every breaking difference from ``old_schema`` to ``new_schema``, as readable messages."""
    problems = _metadata_changes(old_schema.get("x-towngrid", {}), new_schema.get("x-towngrid", {}))
    _compare(old_schema, new_schema, "", old_schema, new_schema, problems)
    return problems


def _metadata_changes(old: Schema, new: Schema) -> list[str]:
    problems = [
        f"x-towngrid.{key} changed from {old.get(key)!r} to {new.get(key)!r}"
        for key in _FIXED_METADATA
        if old.get(key) != new.get(key)
    ]
    old_version, new_version = old.get("event_version", 1), new.get("event_version", 1)
    if new_version < old_version:
        problems.append(f"x-towngrid.event_version lowered from {old_version} to {new_version}")
    return problems


def _compare(old: Schema, new: Schema, path: str, old_root: Schema, new_root: Schema,
             problems: list[str]) -> None:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    if "properties" in old and "properties" in new:
        _compare_objects(old, new, path, old_root, new_root, problems)
    elif old.get("type") == "array" and new.get("type") == "array":
        _compare(old.get("items", {}), new.get("items", {}), f"{path}[]", old_root, new_root,
                 problems)
        old_rest, new_rest = _without(old, "items"), _without(new, "items")
        if _canonical(old_rest, old_root) != _canonical(new_rest, new_root):
            problems.append(f"{path or '<root>'}: array constraints changed")
    elif _canonical(old, old_root) != _canonical(new, new_root):
        problems.append(
            f"{path or '<root>'}: type changed from {_show(old, old_root)} to {_show(new, new_root)}"
        )


def _compare_objects(old: Schema, new: Schema, path: str, old_root: Schema, new_root: Schema,
                     problems: list[str]) -> None:
    old_props, new_props = old["properties"], new["properties"]
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    prefix = f"{path}." if path else ""
    for name in old_props:
        field = prefix + name
        if name not in new_props:
            problems.append(f"{field}: field removed")
            continue
        if name in new_required and name not in old_required:
            problems.append(f"{field}: optional field became required")
        if name in old_required and name not in new_required:
            problems.append(f"{field}: required field became optional")
        _compare(old_props[name], new_props[name], field, old_root, new_root, problems)
    for name in new_props:
        if name not in old_props and name in new_required:
            problems.append(f"{prefix}{name}: new required field")


def _resolve(schema: Schema, root: Schema) -> Schema:
    """Follow ``$ref: #/$defs/X`` (pydantic's only kind of reference) to its definition."""
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref!r}")
        schema = root.get("$defs", {})[ref.removeprefix("#/$defs/")]
    return schema


def _without(schema: Schema, key: str) -> Schema:
    return {k: v for k, v in schema.items() if k != key}


def _canonical(node: Any, root: Schema) -> Any:
    """The schema with references inlined and annotations dropped: what values it accepts."""
    if isinstance(node, dict):
        node = _resolve(node, root)
        return {
            key: _canonical(value, root)
            for key, value in node.items()
            if key not in _ANNOTATIONS and not key.startswith("x-") and key != "$defs"
        }
    if isinstance(node, list):
        return [_canonical(item, root) for item in node]
    return node


def _show(schema: Schema, root: Schema) -> str:
    canonical = _canonical(schema, root)
    return str(canonical) if canonical else "any"
