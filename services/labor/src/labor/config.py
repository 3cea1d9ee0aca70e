"""The labor service's settings (prefix ``LABOR_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class LaborSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LABOR_", extra="ignore", frozen=True)

    mongo_db: str = "labor"
    http_port: int = Field(default=8004, ge=1, le=65535)
    overdue_sweep_interval_s: float = Field(
        default=5.0, gt=0, description="How often the worker flags resumption problems past their deadline.")
