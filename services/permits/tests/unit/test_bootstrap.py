import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

from permits.bootstrap import build_signer
from permits.config import PermitsSettings

BASE = {"kafka_bootstrap": "k:9092", "mongo_url": "mongodb://m", "auth_jwt_secret": "s" * 40}


def test_signing_key_from_settings_wins_over_the_derived_one() -> None:
    key = Ed25519PrivateKey.generate()
    seed = base64.b64encode(key.private_bytes_raw()).decode()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    derived = build_signer(PermitsSettings(**BASE))
    from_seed = build_signer(PermitsSettings(**BASE, signing_key=seed))
    from_pem = build_signer(PermitsSettings(**BASE, signing_key=pem))
    assert from_seed.key_id == from_pem.key_id != derived.key_id
    assert derived.key_id == build_signer(PermitsSettings(**BASE)).key_id


def test_a_bad_or_missing_signing_key_stops_the_start_naming_the_setting(capsys) -> None:
    import pytest

    from towngrid_kit.settings import load_settings

    for env in ({**BASE, "signing_key": "not-a-key"},
                {k: v for k, v in BASE.items() if k != "auth_jwt_secret"} | {"auth_public_key": "PEM"}):
        import os

        saved = dict(os.environ)
        os.environ.update({f"PERMITS_{k.upper()}": v for k, v in env.items()})
        try:
            with pytest.raises(SystemExit) as stopped:
                load_settings(PermitsSettings)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        assert stopped.value.code == 2
        assert "PERMITS_SIGNING_KEY" in capsys.readouterr().err
