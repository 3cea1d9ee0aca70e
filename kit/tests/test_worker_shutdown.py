"""The worker's shutdown order: the database stays open until the consumers have stopped (a
handler still running at SIGTERM must not fail on a closed client and be dead-lettered)."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from pydantic_settings import SettingsConfigDict

from towngrid_kit import worker
from towngrid_kit.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", frozen=True)

    mongo_db: str = "demo"
    http_port: int = 8009


async def test_the_database_is_closed_only_after_the_broker_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []

    class Client:
        async def close(self) -> None:
            order.append("database closed")

    monkeypatch.setattr(worker, "connect", lambda url, name: (Client(), MagicMock()))
    settings = DemoSettings(kafka_bootstrap="127.0.0.1:1", mongo_url="mongodb://127.0.0.1:1", auth_jwt_secret="s" * 40)
    app = worker.create_worker(service="demo", settings=settings, aggregate_stores=[])
    broker = app.brokers[0]

    async def stop_broker(*_args: object, **_kwargs: object) -> None:
        order.append("broker stopped")

    monkeypatch.setattr(broker, "stop", stop_broker)
    await app.stop()
    assert order == ["broker stopped", "database closed"]
