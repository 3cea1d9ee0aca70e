"""Personal data sealed at rest: AES-256-GCM under a key ring from settings.

A sealed value is a small document ``{"kid", "alg", "iv", "ct"}``: the id of the key that
sealed it, the algorithm, a random 96-bit nonce and the ciphertext with its tag (base64). The
associated data binds it to its record (``<kind>:<record id>``, e.g. ``resident:res_…``), so a
ciphertext copied onto another record, or onto another kind of record, does not open.

The ring is ``REGISTRY_DATA_KEYS`` = ``id:base64key,id:base64key,…``: the first key seals new
writes, every key of the ring opens. Rotation: put a new key first, restart, run
``registry-rotate-keys`` (re-seals every record under the first key), then drop the old key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHM = "A256GCM"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class SealError(Exception):
    """A sealed value could not be opened: unknown key id, wrong record, or tampered with."""


def parse_ring(text: str) -> list[tuple[str, bytes]]:
    """``id:base64key,…`` as (id, 32-byte key) pairs, first = current; ValueError naming what is wrong."""
    keys: list[tuple[str, bytes]] = []
    for number, part in enumerate((p.strip() for p in text.split(",")), start=1):
        if not part:
            continue
        key_id, sep, encoded = part.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ValueError(f"key {number} must be <id>:<base64 of 32 bytes>, the id 1-32 of A-Z a-z 0-9 _ . -")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"key {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise ValueError(f"key {key_id!r} is {len(key)} bytes; AES-256 needs 32 (`openssl rand -base64 32`)")
        if any(key_id == known for known, _ in keys):
            raise ValueError(f"key id {key_id!r} appears twice")
        keys.append((key_id, key))
    if not keys:
        raise ValueError("at least one key is needed")
    return keys


def new_key() -> str:
    """A fresh key, base64 (what ``openssl rand -base64 32`` prints)."""
    return base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, text: str) -> "KeyRing":
        return cls(tuple(parse_ring(text)))

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def _key(self, key_id: str) -> bytes:
        for known, key in self.keys:
            if known == key_id:
                return key
        raise SealError(f"sealed with key {key_id!r}, which is not in the key ring (REGISTRY_DATA_KEYS)")

    def seal(self, value: Any, *, kind: str, record_id: str) -> dict[str, str]:
        """``value`` (anything JSON can hold) sealed under the current key for this record."""
        key_id, key = self.keys[0]
        nonce = os.urandom(12)
        plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        ciphertext = AESGCM(key).encrypt(nonce, plaintext, _associated(kind, record_id))
        return {"kid": key_id, "alg": ALGORITHM, "iv": _b64(nonce), "ct": _b64(ciphertext)}

    def open(self, sealed: dict[str, str], *, kind: str, record_id: str) -> Any:
        """The value sealed for this record; SealError if it cannot be opened."""
        if sealed.get("alg") != ALGORITHM:
            raise SealError(f"unknown algorithm {sealed.get('alg')!r}")
        key = self._key(str(sealed.get("kid")))
        try:
            plaintext = AESGCM(key).decrypt(base64.b64decode(sealed["iv"]), base64.b64decode(sealed["ct"]),
                                            _associated(kind, record_id))
        except (InvalidTag, KeyError, ValueError, binascii.Error):
            raise SealError(f"the sealed data of {kind} {record_id} does not open (wrong record or altered)") from None
        return json.loads(plaintext)

    def is_current(self, sealed: dict[str, str] | None) -> bool:
        """Whether ``sealed`` (None: nothing sealed) needs no re-sealing under the current key."""
        return sealed is None or sealed.get("kid") == self.current_id


def _associated(kind: str, record_id: str) -> bytes:
    return f"towngrid.registry:{kind}:{record_id}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal_items(ring: KeyRing, doc: dict[str, Any], items: tuple[str, ...], *, kind: str, record_id: str) -> dict[str, Any]:
    """``doc`` with ``items`` taken out and sealed together under ``"sealed"``."""
    rest = {k: v for k, v in doc.items() if k not in items}
    return {**rest, "sealed": ring.seal({k: doc.get(k) for k in items}, kind=kind, record_id=record_id)}


def open_items(ring: KeyRing, doc: dict[str, Any], *, kind: str, record_id: str) -> dict[str, Any]:
    """``doc`` with its sealed items back in place (a document written before sealing is returned as is)."""
    if "sealed" not in doc:
        return doc
    rest = {k: v for k, v in doc.items() if k != "sealed"}
    return {**rest, **ring.open(doc["sealed"], kind=kind, record_id=record_id)}


def needs_resealing(ring: KeyRing, doc: dict[str, Any] | None) -> bool:
    """Whether a stored ``doc`` (None: nothing to seal) is plaintext or sealed under an older key."""
    if doc is None:
        return False
    return not ("sealed" in doc and ring.is_current(doc["sealed"]))


@dataclass(frozen=True)
class SealedAnswers:
    """The answers the registry stores for Idempotency-Key replays, sealed at rest (a registration's
    answer holds the holder key of the resident's slip; ``towngrid_kit.idempotency.AnswerSealing``).
    An answer sealed under a key since dropped from the ring no longer opens: its replay is refused."""

    ring: KeyRing

    def seal(self, answer: Any, record_id: str) -> dict[str, str]:
        return self.ring.seal(answer, kind="answer", record_id=record_id)

    def open(self, sealed: dict[str, str], record_id: str) -> Any:
        return self.ring.open(sealed, kind="answer", record_id=record_id)
