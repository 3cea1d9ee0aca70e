"""StrictJsonBodies' check: storable JSON passes; what BSON cannot hold, or what is ambiguous, is
refused naming where."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from towngrid_kit.json_input import INT64_MAX, INT64_MIN, MAX_DEPTH, BadJson, check_json_body

text = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20)
storable = st.recursive(
    st.none() | st.booleans() | st.integers(INT64_MIN, INT64_MAX) | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100)
@given(document=storable)
def test_storable_json_passes(document: object) -> None:
    check_json_body(json.dumps(document).encode())


def put_somewhere(document: object, bad: object, choice: int) -> object:
    """``document`` with ``bad`` nested at one of a few places (the field name says where)."""
    return [{"ok": document, "bad": bad}, {"a": [document, bad]}, bad, {"x": {"y": bad}}][choice % 4]


bad_values = st.one_of(
    st.integers(INT64_MAX + 1, 2**200), st.integers(-(2**200), INT64_MIN - 1),
    text.map(lambda t: t + "\x00" + t),
)


@settings(max_examples=100)
@given(document=storable, bad=bad_values, choice=st.integers(0, 3))
def test_unstorable_values_are_refused_with_their_place(document: object, bad: object, choice: int) -> None:
    with pytest.raises(BadJson) as refused:
        check_json_body(json.dumps(put_somewhere(document, bad, choice)).encode())
    assert refused.value.status == 422
    assert refused.value.field == ["body.bad", "body.a.1", "body", "body.x.y"][choice]


@pytest.mark.parametrize("body, status, says", [
    (b'{"n": NaN}', 422, "NaN"),
    (b'{"n": -Infinity}', 422, "Infinity"),
    (b'{"n": 1e400}', 422, "too large"),
    (b'{"a": 1, "a": 2}', 422, "twice"),
    (b'{"a\\u0000b": 1}', 422, "NUL"),
    (b'{"a": "\xff\xfe"}', 400, "UTF-8"),
    (b"[" * 10_000 + b"]" * 10_000, 422, "nested"),
    (b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2), 422, "nested"),
])
def test_each_kind_of_bad_json_is_named(body: bytes, status: int, says: str) -> None:
    with pytest.raises(BadJson) as refused:
        check_json_body(body)
    assert refused.value.status == status and says in refused.value.message


@pytest.mark.parametrize("body", [b"\xef\xbb\xbf{\"a\": 1}", b"not json: left to FastAPI", b"", b"[" * MAX_DEPTH + b"]" * MAX_DEPTH])
def test_a_bom_plain_garbage_and_moderate_depth_pass(body: bytes) -> None:
    check_json_body(body)
