import pytest
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings, load_settings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", frozen=True)

    mongo_db: str = "demo"
    http_port: int = 8009


def test_missing_setting_is_named_and_stops(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DEMO_MONGO_URL", "mongodb://x")
    monkeypatch.setenv("DEMO_AUTH_JWT_SECRET", "s" * 40)
    monkeypatch.delenv("DEMO_KAFKA_BOOTSTRAP", raising=False)
    with pytest.raises(SystemExit) as stopped:
        load_settings(DemoSettings)
    assert stopped.value.code == 2
    assert "DEMO_KAFKA_BOOTSTRAP is missing" in capsys.readouterr().err


def test_invalid_setting_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP", "k:9092")
    monkeypatch.setenv("DEMO_MONGO_URL", "mongodb://x")
    monkeypatch.setenv("DEMO_AUTH_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("DEMO_HTTP_PORT", "eighty")
    with pytest.raises(SystemExit):
        load_settings(DemoSettings)
    assert "DEMO_HTTP_PORT is invalid" in capsys.readouterr().err


def test_a_signing_key_is_required(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP", "k:9092")
    monkeypatch.setenv("DEMO_MONGO_URL", "mongodb://x")
    monkeypatch.delenv("DEMO_AUTH_JWT_SECRET", raising=False)
    with pytest.raises(SystemExit):
        load_settings(DemoSettings)
    assert "AUTH_JWT_SECRET" in capsys.readouterr().err


def test_good_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP", "k:9092")
    monkeypatch.setenv("DEMO_MONGO_URL", "mongodb://x")
    monkeypatch.setenv("DEMO_AUTH_JWT_SECRET", "s" * 40)
    settings = load_settings(DemoSettings)
    assert settings.http_port == 8009 and settings.consumer_max_retries == 3
