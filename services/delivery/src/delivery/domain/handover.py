"""The household's one-time handover code: issued with the order, told to the household by whoever
placed it (the staff member on the phone, the shop's online channel), shown to the courier at the
door or to the volunteer at the checkpoint. Only a salted, slow hash of it is stored; the code
itself is never stored, published or logged. Plain Python (hashlib), no I/O."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone
LENGTH = 8  # 32**8 ≈ 10**12 codes
# ~0.5 ms a check. 10,000 cost ~5 ms of the api's CPU on every order placed and delivered (the
# bench's POST /orders fell from 0.44 to 0.28 of the raw baseline); a one-time code of 10**12
# values that lives for one delivery needs far less to outlast a guesser holding the hash.
# (The stored hash names its iterations, so codes stored with more still verify.)
ITERATIONS = 1_000
SCHEME = "pbkdf2_sha256"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """As typed: any case, with spaces or dashes between groups."""
    return code.upper().replace("-", "").replace(" ", "")


def digest(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    hashed = hashlib.pbkdf2_hmac("sha256", normalise(code).encode(), salt.encode(), ITERATIONS).hex()
    return f"{SCHEME}${ITERATIONS}${salt}${hashed}"


def matches(code: str, stored: str) -> bool:
    scheme, iterations, salt, hashed = stored.split("$")
    if scheme != SCHEME:
        return False
    given = hashlib.pbkdf2_hmac("sha256", normalise(code).encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(given, hashed)
