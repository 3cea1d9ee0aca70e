"""The delivery service's settings (prefix ``DELIVERY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class DeliverySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DELIVERY_", extra="ignore", frozen=True)

    mongo_db: str = "delivery"
    http_port: int = Field(default=8003, ge=1, le=65535)
