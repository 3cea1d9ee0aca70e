"""``towngrid-token``: mint a staff token for local use (the local stack's HS256 key)."""

from __future__ import annotations

import argparse

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from towngrid_kit.auth import MAX_TOKEN_LIFETIME_S, Role, mint_token
from towngrid_kit.settings import load_settings


class TokenSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOWNGRID_", extra="ignore")

    auth_jwt_secret: SecretStr
    auth_issuer: str = "towngrid-local"
    auth_audience: str = "towngrid"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mint a staff bearer token for the local stack.")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.TOWN_ADMIN.value)
    parser.add_argument("--scope", default="town", help='"town", "community:<id>" or "compound:<id>"')
    parser.add_argument("--subject", default="local-admin", help="the staff member's opaque id")
    parser.add_argument("--department", default=None, help="for permit reviewers")
    parser.add_argument("--org", default=None,
                        help="for merchants (the merchant id) and employer liaisons (the enterprise id)")
    parser.add_argument("--ttl", type=int, default=8 * 3600,
                        help=f"seconds until it expires (1 to {MAX_TOKEN_LIFETIME_S}: the apis refuse longer-lived tokens)")
    args = parser.parse_args(argv)
    if not 0 < args.ttl <= MAX_TOKEN_LIFETIME_S:
        parser.error(f"--ttl must be 1 to {MAX_TOKEN_LIFETIME_S} seconds: the apis refuse longer-lived tokens")
    settings = load_settings(TokenSettings)
    print(
        mint_token(
            settings.auth_jwt_secret.get_secret_value(),
            subject=args.subject,
            role=args.role,
            scope=args.scope,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            ttl_s=args.ttl,
            department=args.department,
            organisation=args.org,
        )
    )
