"""The permits service's settings (prefix ``PERMITS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class PermitsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PERMITS_", extra="ignore", frozen=True)

    mongo_db: str = "permits"
    http_port: int = Field(default=8002, ge=1, le=65535)
