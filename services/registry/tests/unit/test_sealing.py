"""Personal data sealed at rest (AES-256-GCM under a key ring): round trips, binding to the
record, tampering, rotation, and the settings that carry the ring."""

from __future__ import annotations

import base64
import json

import pytest
from pydantic import ValidationError

from registry.adapters.sealing import KeyRing, SealError, needs_resealing, new_key, open_items, parse_ring, seal_items
from registry.config import RegistrySettings
from towngrid_kit.settings import describe_errors

A, B = new_key(), new_key()
PERSON = {"national_id": "11010519491231002X", "mobile": "13800138000", "address": "北门街 3 号"}


def test_sealed_value_opens_and_holds_no_plaintext() -> None:
    ring = KeyRing.parse(f"a:{A}")
    sealed = ring.seal(PERSON, kind="resident", record_id="res_1")
    assert sealed["kid"] == "a" and sealed["alg"] == "A256GCM"
    stored = json.dumps(sealed, ensure_ascii=False)
    for value in PERSON.values():
        assert value not in stored
    assert ring.open(sealed, kind="resident", record_id="res_1") == PERSON


def test_each_seal_uses_a_fresh_nonce() -> None:
    ring = KeyRing.parse(f"a:{A}")
    one, two = (ring.seal(PERSON, kind="resident", record_id="res_1") for _ in range(2))
    assert one["iv"] != two["iv"] and one["ct"] != two["ct"]


@pytest.mark.parametrize(("kind", "record_id"), [("resident", "res_2"), ("tip", "res_1")])
def test_a_ciphertext_moved_to_another_record_does_not_open(kind: str, record_id: str) -> None:
    ring = KeyRing.parse(f"a:{A}")
    sealed = ring.seal(PERSON, kind="resident", record_id="res_1")
    with pytest.raises(SealError):
        ring.open(sealed, kind=kind, record_id=record_id)


def test_a_tampered_ciphertext_does_not_open() -> None:
    ring = KeyRing.parse(f"a:{A}")
    sealed = ring.seal(PERSON, kind="resident", record_id="res_1")
    raw = bytearray(base64.b64decode(sealed["ct"]))
    raw[0] ^= 1
    with pytest.raises(SealError):
        ring.open({**sealed, "ct": base64.b64encode(bytes(raw)).decode()}, kind="resident", record_id="res_1")


def test_rotation_new_key_seals_old_key_still_opens_then_can_be_dropped() -> None:
    old_ring = KeyRing.parse(f"a:{A}")
    old = old_ring.seal(PERSON, kind="resident", record_id="res_1")
    rotated = KeyRing.parse(f"b:{B},a:{A}")
    assert rotated.open(old, kind="resident", record_id="res_1") == PERSON
    assert not rotated.is_current(old)
    new = rotated.seal(PERSON, kind="resident", record_id="res_1")
    assert new["kid"] == "b" and rotated.is_current(new)
    only_b = KeyRing.parse(f"b:{B}")
    assert only_b.open(new, kind="resident", record_id="res_1") == PERSON
    with pytest.raises(SealError, match="not in the key ring"):
        only_b.open(old, kind="resident", record_id="res_1")


def test_the_same_id_with_another_key_does_not_open() -> None:
    sealed = KeyRing.parse(f"a:{A}").seal(PERSON, kind="resident", record_id="res_1")
    with pytest.raises(SealError):
        KeyRing.parse(f"a:{B}").open(sealed, kind="resident", record_id="res_1")


def test_items_are_taken_out_sealed_and_put_back() -> None:
    ring = KeyRing.parse(f"b:{B},a:{A}")
    doc = {"name": "张三", **PERSON}
    sealed = seal_items(ring, doc, ("national_id", "mobile", "address"), kind="resident", record_id="res_1")
    assert set(sealed) == {"name", "sealed"}
    assert open_items(ring, sealed, kind="resident", record_id="res_1") == doc
    assert not needs_resealing(ring, sealed)
    assert needs_resealing(ring, doc), "a record written before sealing is plaintext: it needs sealing"
    assert open_items(ring, doc, kind="resident", record_id="res_1") == doc
    older = seal_items(KeyRing.parse(f"a:{A}"), doc, ("mobile",), kind="resident", record_id="res_1")
    assert needs_resealing(ring, older)
    assert not needs_resealing(ring, None)


@pytest.mark.parametrize(("text", "problem"), [
    ("", "at least one key"),
    (f"{A}", "must be <id>:"),
    ("a:not base64!", "not valid base64"),
    (f"a:{base64.b64encode(b'short').decode()}", "AES-256 needs 32"),
    (f"a:{A},a:{B}", "appears twice"),
    (f"bad id:{A}", "must be <id>:"),
])
def test_a_bad_ring_is_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_ring(text)


def test_ring_order_is_kept_first_is_current() -> None:
    ring = KeyRing.parse(f" b:{B} , a:{A} ")
    assert ring.current_id == "b" and [k for k, _ in ring.keys] == ["b", "a"]


BASE_ENV = {
    "REGISTRY_KAFKA_BOOTSTRAP": "127.0.0.1:9092", "REGISTRY_MONGO_URL": "mongodb://127.0.0.1:27017",
    "REGISTRY_AUTH_JWT_SECRET": "s" * 40, "REGISTRY_ID_HASH_KEY": "h" * 40,
}


def test_settings_require_the_ring_and_name_a_bad_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in BASE_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REGISTRY_DATA_KEYS", raising=False)
    with pytest.raises(ValidationError, match="data_keys"):
        RegistrySettings()
    monkeypatch.setenv("REGISTRY_DATA_KEYS", "k1:short")
    with pytest.raises(ValidationError) as error:
        RegistrySettings()
    lines = describe_errors(RegistrySettings, error.value)  # what a service prints when it refuses to start
    assert lines == ["REGISTRY_DATA_KEYS is invalid: Value error, key 'k1' is not valid base64"]
    monkeypatch.setenv("REGISTRY_DATA_KEYS", f"k2:{B},k1:{A}")
    assert RegistrySettings().key_ring().current_id == "k2"


def test_settings_refuse_a_purpose_that_is_not_a_code(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**BASE_ENV, "REGISTRY_DATA_KEYS": f"k1:{A}"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REGISTRY_PERSONAL_DATA_PURPOSES", '["contact_tracing", "call 13800138000"]')
    with pytest.raises(ValidationError, match="purposes are codes"):
        RegistrySettings()
