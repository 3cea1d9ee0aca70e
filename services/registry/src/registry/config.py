"""The registry's settings: the one place its configuration is read (prefix ``REGISTRY_``)."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from registry.adapters.sealing import KeyRing, parse_ring
from towngrid_kit.settings import ServiceSettings, reason_codes_setting
from registry.domain.decisions import DEFAULT_APPEAL_REASONS, DEFAULT_QUARANTINE_REASONS

DEFAULT_PURPOSES = ["contact_tracing", "medical_emergency", "quarantine_support", "identity_check", "legal_request",
                    "data_correction"]


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    mongo_db: str = "registry"
    http_port: int = Field(default=8001, ge=1, le=65535)
    id_hash_key: SecretStr = Field(
        description="Key of the keyed hash that finds a resident by national ID number (at least 32 characters).",
        min_length=32,
    )
    data_keys: SecretStr = Field(
        description="Key ring sealing national ID numbers, mobiles and addresses at rest (AES-256-GCM): "
                    "id:base64key[,id:base64key...] (32-byte keys); the first seals new writes, all open.",
    )
    personal_data_purposes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PURPOSES), min_length=1,
        description="Purposes staff may state to read a national ID number, mobile or address unmasked (JSON list).",
    )
    unmasked_reads_per_hour: int = Field(
        default=60, ge=1, le=10_000,
        description="Unmasked personal-data reads one person may make per clock hour, counted across all api "
                    "replicas; over it: 429 and one audit alert per person per hour (GET /personal-data/alerts).")
    town_id: str = Field(default="TOWN-CG", min_length=1, max_length=40,
                         description="Opaque id of the town whose grid this registry keeps.")
    checklist_scan_interval_s: float = Field(default=2.0, gt=0,
                                             description="How often the worker looks for overdue checklist items.")
    town_utc_offset_hours: int = Field(default=8, ge=-12, le=14,
                                       description="The town's local time (days of daily health checks).")
    tips_public_per_minute: int = Field(default=10, ge=1, le=10_000,
                                        description="Public tips accepted per client (address, or X-Forwarded-For from "
                                        "TRUSTED_PROXIES) per PUBLIC_RATE_WINDOW_S (60 s), across all api replicas.")
    checkpoint_required_staff: int = Field(default=1, ge=1, le=20,
                                           description="People needed on duty at a checkpoint at every moment.")
    coverage_days: int = Field(default=3, ge=1, le=14, description="How many days ahead coverage gaps are raised.")
    coverage_scan_interval_s: float = Field(default=600, gt=0,
                                            description="How often the worker re-assesses every checkpoint's coverage.")
    risk_areas: list[str] = Field(
        default_factory=list,
        description='Listed risk areas as JSON, e.g. ["湖北省", "广东省/深圳市"].',
    )
    quarantine_reasons: list[str] = reason_codes_setting(
        DEFAULT_QUARANTINE_REASONS, "starting, extending, shortening and ending a quarantine")
    appeal_reasons: list[str] = reason_codes_setting(DEFAULT_APPEAL_REASONS, "deciding an appeal against a quarantine")

    @field_validator("data_keys")
    @classmethod
    def _ring(cls, value: SecretStr) -> SecretStr:
        parse_ring(value.get_secret_value())  # names the bad key, never prints the keys
        return value

    @field_validator("personal_data_purposes")
    @classmethod
    def _purposes(cls, value: list[str]) -> list[str]:
        bad = [p for p in value if not re.fullmatch(r"[a-z][a-z_]{0,39}", p)]
        if bad:
            raise ValueError(f"purposes are codes of a-z and _ (published in audit events), not {bad}")
        return value

    def key_ring(self) -> KeyRing:
        return KeyRing.parse(self.data_keys.get_secret_value())
