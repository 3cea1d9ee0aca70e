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
    town_utc_offset_hours: int = Field(default=8, ge=-12, le=14,
                                       description="The town's local time (days of daily health checks).")
    tips_public_per_minute: int = Field(default=10, ge=1, le=10_000,
                                        description="Public tips accepted per client address per minute.")
    checkpoint_required_staff: int = Field(default=1, ge=1, le=20,
                                           description="People needed on duty at a checkpoint at every moment.")
    coverage_days: int = Field(default=3, ge=1, le=14, description="How many days ahead coverage gaps are raised.")
    coverage_scan_interval_s: float = Field(default=600, gt=0,
                                            description="How often the worker re-assesses every checkpoint's coverage.")
    risk_areas: list[str] = Field(
        default_factory=list,
        description='Listed risk areas as JSON, e.g. ["湖北省", "广东省/深圳市"].',
    )
