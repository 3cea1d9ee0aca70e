"""A resident's holder key: the proof that an online application comes from the holder (or their guardian).

The registry gives a fresh key with each registration, printed on the registration slip handed to the
resident; it publishes only the key's SHA-256 (``ResidentReturned.holder_key_sha256``), and a new
registration's key replaces the earlier. The permits service checks an online application's key
against the hash it projected from that event. 20 characters of Crockford base32 (100 random bits),
shown in groups of four; typed with or without the dashes and spaces, in either case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_LENGTH = 20


def new_holder_key() -> str:
    key = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return "-".join(key[i:i + 4] for i in range(0, _LENGTH, 4))


def holder_key_hash(key: str) -> str:
    """The SHA-256 (hex) of the key's one spelling: upper case, without dashes or spaces."""
    canonical = key.upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(canonical.encode()).hexdigest()


def holder_key_matches(key: str, expected_hash: str | None) -> bool:
    return expected_hash is not None and hmac.compare_digest(holder_key_hash(key), expected_hash)
