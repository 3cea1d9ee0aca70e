"""The permits service's settings (prefix ``PERMITS_``): the one place its configuration is read."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings, reason_codes_setting
from permits.domain.decisions import DEFAULT_APPEAL_REASONS, DEFAULT_DECISION_REASONS


class PermitsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PERMITS_", extra="ignore", frozen=True)

    mongo_db: str = "permits"
    http_port: int = Field(default=8002, ge=1, le=65535)
    signing_key: SecretStr | None = Field(
        default=None,
        description="Ed25519 key that signs verification codes and checkpoint QR codes: PEM, or base64 of a "
                    "32-byte seed. Absent on the local stack only: then derived from AUTH_JWT_SECRET.",
    )
    windows: list[str] = Field(default_factory=lambda: ["W1", "W2", "W3"],
                               description="The town hall's application windows, as JSON.")
    public_applications_per_window: int = Field(
        default=30, ge=1, le=100_000, description="Online applications accepted per client per PUBLIC_RATE_WINDOW_S "
                                                  "(60 s), across all api replicas.")
    public_reads_per_window: int = Field(
        default=300, ge=1, le=100_000, description="Per client and window, for each of: the applicant's status, "
                                                   "/verify, /verification-key.")
    public_appeals_per_window: int = Field(
        default=10, ge=1, le=100_000, description="Holders' own appeals (POST /holder-appeals) accepted per client "
                                                  "per PUBLIC_RATE_WINDOW_S, across all api replicas.")
    decision_reasons: list[str] = reason_codes_setting(
        DEFAULT_DECISION_REASONS, "suspending, lifting a suspension and revoking a permit")
    appeal_reasons: list[str] = reason_codes_setting(
        DEFAULT_APPEAL_REASONS, "deciding an appeal against a suspension or revocation")
    clock_interval_s: float = Field(default=1.0, gt=0, description="How often the worker looks for "
                                    "overdue review steps and expired permits.")

    @model_validator(mode="after")
    def _a_signing_key(self) -> "PermitsSettings":
        if self.signing_key is None and self.auth_jwt_secret is None:
            raise ValueError("set PERMITS_SIGNING_KEY (Ed25519 PEM or base64 seed): with no AUTH_JWT_SECRET there "
                             "is nothing to derive a local key from")
        if self.signing_key is not None:
            from permits.adapters.signing import key_from_setting

            try:
                key_from_setting(self.signing_key.get_secret_value())
            except ValueError as error:
                raise ValueError(f"PERMITS_SIGNING_KEY is not usable: {error}") from None
        return self
