"""Settings shared by every service; each service subclasses with its own env prefix.

Nothing else reads the environment. A missing or invalid setting stops the process at
start with a message naming the environment variable.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from towngrid_kit.auth import CLOCK_SKEW_S, MAX_TOKEN_LIFETIME_S
from towngrid_kit.kafka_security import KafkaClientSettings


class ServiceSettings(KafkaClientSettings, BaseSettings):
    """Kafka login fields (KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, ...) come from KafkaClientSettings."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_bootstrap: str = Field(min_length=1, description="Kafka bootstrap servers, host:port[,host:port].")
    mongo_url: str = Field(min_length=1, description="MongoDB URL (FerretDB on the local stack).")
    mongo_db: str = Field(min_length=1, description="This service's own database name.")
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)

    auth_issuer: str = "towngrid-local"
    auth_audience: str = "towngrid"
    auth_jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 key for the local stack (at least 32 characters)."
    )
    auth_jwks_url: str | None = Field(
        default=None, description="JWKS URL of a real identity provider; the token's kid picks the key."
    )
    auth_public_key: str | None = Field(
        default=None, description="PEM public key (RS256/ES256/EdDSA) of a real identity provider."
    )
    auth_max_token_lifetime_s: int = Field(default=MAX_TOKEN_LIFETIME_S, ge=60, le=24 * 3600, description="The "
                                           "longest lifetime (exp - iat) of a token accepted; tokens without iat are refused.")
    auth_clock_skew_s: int = Field(default=CLOCK_SKEW_S, ge=0, le=300, description="How far in the future a "
                                   "token's iat may be (the issuer's clock ahead of the api's).")

    kafka_partitions: int = Field(default=6, ge=1, description="Partitions of the topics this service creates.")
    consumer_max_retries: int = Field(default=3, ge=0, le=100)
    consumer_retry_backoff_s: float = Field(default=0.2, ge=0)
    relay_poll_interval_s: float = Field(default=0.1, gt=0, description="How soon the relay looks again after "
                                         "publishing; while it finds nothing, the wait doubles up to relay_idle_poll_max_s.")
    relay_idle_poll_max_s: float = Field(default=0.5, gt=0, description="The longest wait of an idle relay (each look "
                                         "is one query per aggregate store).")
    relay_batch_size: int = Field(default=200, ge=1)
    idempotency_lease_s: float = Field(default=30.0, gt=0, description="How long a request with an "
                                       "Idempotency-Key holds its key before a retry may take over.")
    idempotency_retention_h: float = Field(default=24.0, gt=0, description="How long an Idempotency-Key is "
                                           "remembered with its answer: a retry within it is replayed; after it the "
                                           "worker forgets the key, and a request with it is a new request.")
    metrics_port: int = Field(default=0, ge=0, le=65535,
                              description="Worker: serve Prometheus metrics on this port (0: off; apis serve /metrics).")
    log_format: str = Field(default="json", pattern="^(json|text)$", description="json lines, or text for a terminal.")
    heartbeat_file: str = Field(default="", description="The worker touches this file on every relay cycle.")
    fault_point: str = Field(default="", description="Test only: crash (SIGKILL) at this named point.")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body any route accepts "
                                "(413 above it; public routes have smaller caps of their own).")
    trusted_proxies: list[str] = Field(default_factory=list, description="JSON list of proxy addresses or CIDRs "
                                       "whose X-Forwarded-For names the client (for per-client limits).")
    public_rate_window_s: float = Field(default=60.0, ge=0.1, le=86400, description="The window of the "
                                        "per-client limits of public routes.")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr.strip(), strict=False)  # ValueError names the bad entry
        return value

    @model_validator(mode="after")
    def _keys_outlive_their_lease(self) -> "ServiceSettings":
        if self.idempotency_retention_h * 3600 <= self.idempotency_lease_s:
            raise ValueError("IDEMPOTENCY_RETENTION_H must be longer than IDEMPOTENCY_LEASE_S")
        return self

    @model_validator(mode="after")
    def _one_signing_key(self) -> "ServiceSettings":
        if self.auth_jwt_secret is None and not self.auth_public_key and not self.auth_jwks_url:
            raise ValueError("set AUTH_JWT_SECRET (local stack), or AUTH_JWKS_URL or AUTH_PUBLIC_KEY (identity provider)")
        secret = self.auth_jwt_secret.get_secret_value() if self.auth_jwt_secret else None
        if secret is not None and len(secret) < 32:
            raise ValueError("AUTH_JWT_SECRET must be at least 32 characters")
        return self


def reason_codes_setting(defaults: Sequence[str], decisions: str) -> Any:
    """A setting that lists the reason codes for ``decisions``: ``defaults`` unless set (as JSON),
    never empty. The domain's ``ReasonCodes`` checks a decision's code against it."""
    return Field(default_factory=lambda: list(defaults), min_length=1,
                 description=f"Reason codes for {decisions}, as JSON.")


S = TypeVar("S", bound=BaseSettings)


def describe_errors(cls: type[BaseSettings], error: ValidationError) -> list[str]:
    prefix = (cls.model_config.get("env_prefix") or "").upper()
    lines = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"])
        name = f"{prefix}{field.upper()}" if field else f"{prefix}*"
        problem = "is missing" if item["type"] == "missing" else f"is invalid: {item['msg']}"
        if not field:
            problem = item["msg"].removeprefix("Value error, ")
            name = f"{prefix}settings"
        lines.append(f"{name} {problem}")
    return lines


def load_settings(cls: type[S]) -> S:
    """Build the settings once, or exit with status 2 naming every bad setting."""
    try:
        return cls()
    except ValidationError as error:
        print(f"{cls.__name__}: cannot start, bad configuration:", file=sys.stderr)
        for line in describe_errors(cls, error):
            print(f"  - {line}", file=sys.stderr)
        raise SystemExit(2) from None
