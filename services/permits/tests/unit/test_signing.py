import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from permits.adapters.signing import BadCode, CodeSigner, PermitClaims, key_derived_from, key_from_setting

CLAIMS = PermitClaims("pmt_1", "vehicle_pass", datetime(2020, 2, 18, tzinfo=UTC), datetime(2020, 3, 1, tzinfo=UTC))


def signer() -> CodeSigner:
    return CodeSigner(key_derived_from("x" * 40))


def test_round_trip_and_offline_verification_with_the_public_key() -> None:
    s = signer()
    code = s.permit_code(CLAIMS)
    assert s.open_permit_code(code) == CLAIMS
    prefix, payload, sig = code.split(".")
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(s.public_raw_b64 + "=="))
    public.verify(base64.urlsafe_b64decode(sig + "=="), f"{prefix}.{payload}".encode())  # raises if bad
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert set(body) == {"p", "t", "f", "u"}  # minimal: no personal data


def test_altered_forged_and_malformed_codes_are_refused() -> None:
    s = signer()
    prefix, payload, sig = s.permit_code(CLAIMS).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=="))
    body["u"] += 86400 * 365
    altered = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    with pytest.raises(BadCode, match="signature"):
        s.open_permit_code(f"{prefix}.{altered}.{sig}")
    forged = CodeSigner(Ed25519PrivateKey.generate()).permit_code(CLAIMS)
    with pytest.raises(BadCode, match="signature"):
        s.open_permit_code(forged)
    for bad in ("", "TGP1.abc", "XXX1.a.b", "TGP1.!!.??"):
        with pytest.raises(BadCode):
            s.open_permit_code(bad)
    with pytest.raises(BadCode):  # a checkpoint code is not a permit code
        s.open_permit_code(s.checkpoint_code("CP-C03-017"))


def test_checkpoint_codes() -> None:
    s = signer()
    assert s.open_checkpoint_code(s.checkpoint_code("CP-C03-017")) == "CP-C03-017"
    with pytest.raises(BadCode):
        s.open_checkpoint_code(CodeSigner(Ed25519PrivateKey.generate()).checkpoint_code("CP-C03-017"))


def test_key_settings() -> None:
    seed = base64.b64encode(bytes(range(32))).decode()
    assert key_from_setting(seed).private_bytes_raw() == bytes(range(32))
    assert signer().key_id == signer().key_id  # derived deterministically
    with pytest.raises(ValueError):
        key_from_setting(base64.b64encode(b"short").decode())
