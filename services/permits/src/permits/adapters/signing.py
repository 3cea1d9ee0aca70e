"""Ed25519-signed codes: a permit's verification code and a checkpoint's QR code.

A verification code is ``TGP1.<payload>.<signature>`` (base64url, no padding). The payload is
minimal JSON, ``{"p": permit_id, "t": permit_type, "f": valid_from, "u": valid_until}``
(Unix seconds): no personal data. The signature covers ``TGP1.<payload>``, so a checkpoint
can verify it offline with the public key (``GET /verification-key``); the online endpoint
also says whether the permit is still valid, suspended, revoked or expired.

A checkpoint QR code is ``TGQ1.<payload>.<signature>`` with ``{"c": checkpoint_id}``: an
online application names the checkpoint only through a code the town signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes

PERMIT_PREFIX = "TGP1"
CHECKPOINT_PREFIX = "TGQ1"


class BadCode(ValueError):
    """The code is malformed, or its signature does not verify (forged or altered)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise BadCode("not base64url") from error


def key_from_setting(value: str) -> Ed25519PrivateKey:
    """A PEM private key, or the base64 of a 32-byte seed."""
    if "BEGIN" in value:
        key = serialization.load_pem_private_key(value.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 key")
        return key
    seed = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")
    if len(seed) != 32:
        raise ValueError("the signing key seed must be 32 bytes (base64)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def key_derived_from(secret: str) -> Ed25519PrivateKey:
    """Local stack only: a key derived deterministically (HKDF-SHA256) from a local secret."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"towngrid-permits",
                info=b"verification-code-signing-key/v1").derive(secret.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


@dataclass(frozen=True)
class PermitClaims:
    permit_id: str
    permit_type: str
    valid_from: datetime
    valid_until: datetime


class CodeSigner:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = key.public_key()
        raw = self._public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.public_raw_b64 = _b64(raw)
        self.public_pem = self._public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    # --- generic ------------------------------------------------------------------
    def _sign(self, prefix: str, payload: dict[str, Any]) -> str:
        body = f"{prefix}.{_b64(json.dumps(payload, separators=(',', ':'), sort_keys=True).encode())}"
        return f"{body}.{_b64(self._key.sign(body.encode()))}"

    def _open(self, prefix: str, code: str) -> dict[str, Any]:
        parts = code.strip().split(".")
        if len(parts) != 3 or parts[0] != prefix:
            raise BadCode(f"not a {prefix} code")
        try:
            self._public.verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode())
        except InvalidSignature as error:
            raise BadCode("the signature does not verify: forged or altered") from error
        try:
            payload = json.loads(_unb64(parts[1]))
        except ValueError as error:
            raise BadCode("the payload is not JSON") from error
        if not isinstance(payload, dict):
            raise BadCode("the payload is not an object")
        return payload

    # --- permits ------------------------------------------------------------------
    def permit_code(self, claims: PermitClaims) -> str:
        return self._sign(PERMIT_PREFIX, {
            "p": claims.permit_id, "t": claims.permit_type,
            "f": int(claims.valid_from.timestamp()), "u": int(claims.valid_until.timestamp()),
        })

    def open_permit_code(self, code: str) -> PermitClaims:
        payload = self._open(PERMIT_PREFIX, code)
        try:
            return PermitClaims(str(payload["p"]), str(payload["t"]),
                                datetime.fromtimestamp(int(payload["f"]), UTC),
                                datetime.fromtimestamp(int(payload["u"]), UTC))
        except (KeyError, ValueError, TypeError) as error:
            raise BadCode("the payload lacks permit id, type or validity") from error

    # --- checkpoints --------------------------------------------------------------
    def checkpoint_code(self, checkpoint_id: str) -> str:
        return self._sign(CHECKPOINT_PREFIX, {"c": checkpoint_id})

    def open_checkpoint_code(self, code: str) -> str:
        payload = self._open(CHECKPOINT_PREFIX, code)
        if not isinstance(payload.get("c"), str):
            raise BadCode("the payload names no checkpoint")
        return payload["c"]
