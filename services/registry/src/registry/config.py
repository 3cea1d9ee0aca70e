"""The registry's settings: the one place its configuration is read (prefix ``REGISTRY_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    mongo_db: str = "registry"
    http_port: int = Field(default=8001, ge=1, le=65535)
    id_hash_key: SecretStr = Field(
        description="Key of the keyed hash that finds a resident by national ID number (at least 32 characters).",
        min_length=32,
    )
    town_id: str = Field(default="TOWN-CG", min_length=1, max_length=40,
                         description="Opaque id of the town whose grid this registry keeps.")
    checklist_scan_interval_s: float = Field(default=2.0, gt=0,
                                             description="How often the worker looks for overdue checklist items.")
    risk_areas: list[str] = Field(
        default_factory=list,
        description='Listed risk areas as JSON, e.g. ["湖北省", "广东省/深圳市"].',
    )
