"""Staff authentication: bearer JWTs carrying a role and a grid scope.

Every api verifies issuer, audience, expiry and signature. The local stack signs with an
HS256 key from settings; a deployment can give the public key of a real identity provider.
Without a valid token a request gets 401; with the wrong role, 403.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


class Role(StrEnum):
    TOWN_ADMIN = "town_admin"
    COMMUNITY_OFFICER = "community_officer"
    COMPOUND_VOLUNTEER = "compound_volunteer"
    PERMIT_REVIEWER = "permit_reviewer"
    MERCHANT = "merchant"
    EMPLOYER_LIAISON = "employer_liaison"
    COUNTY_SUBSCRIBER = "county_subscriber"


@dataclass(frozen=True)
class GridScope:
    """Where a token's holder may act: the whole town, one community, or one compound.

    Written in a token as ``"town"``, ``"community:<id>"`` or ``"compound:<id>"``.
    """

    community: str | None = None
    compound: str | None = None

    @classmethod
    def parse(cls, text: str) -> GridScope:
        if text == "town":
            return cls()
        level, _, ident = text.partition(":")
        if level == "community" and ident:
            return cls(community=ident)
        if level == "compound" and ident:
            return cls(compound=ident)
        raise ValueError(f'scope {text!r} is not "town", "community:<id>" or "compound:<id>"')

    @property
    def whole_town(self) -> bool:
        return self.community is None and self.compound is None

    def covers(self, *, community: str | None = None, compound: str | None = None) -> bool:
        """Whether a thing in ``community``/``compound`` is inside this scope.

        A community scope covers its compounds only when the thing names its community;
        a compound scope covers only things of that compound.
        """
        if self.whole_town:
            return True
        if self.compound is not None:
            return compound == self.compound
        return community == self.community

    def __str__(self) -> str:
        if self.compound is not None:
            return f"compound:{self.compound}"
        if self.community is not None:
            return f"community:{self.community}"
        return "town"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    scope: str  # "town", "community:<id>" or "compound:<id>"
    department: str | None = None
    organisation: str | None = None  # the ``org`` claim: a merchant's shop, an employer liaison's enterprise

    @property
    def grid(self) -> GridScope:
        return GridScope.parse(self.scope)

    def covers(self, *, community: str | None = None, compound: str | None = None) -> bool:
        return self.grid.covers(community=community, compound=compound)


def ensure_own_organisation(principal: Principal, organisation: str | None, what: str = "this") -> None:
    """403 unless the caller's token is for ``organisation`` (a merchant's shop, an employer's enterprise)."""
    if principal.organisation is None or principal.organisation != organisation:
        mine = principal.organisation or "no organisation"
        raise HTTPException(403, f"outside your organisation ({mine}): {what} belongs to another organisation")


def ensure_in_scope(principal: Principal, *, community: str | None = None, compound: str | None = None) -> None:
    """403 unless the thing in ``community``/``compound`` lies inside the caller's grid scope."""
    if not principal.covers(community=community, compound=compound):
        where = f"compound {compound}" if compound else f"community {community}" if community else "the whole town"
        raise HTTPException(403, f"outside your scope ({principal.scope}): this belongs to {where}")


class TokenVerifier:
    def __init__(
        self, *, issuer: str, audience: str, secret: str | None = None, public_key: str | None = None,
        jwks_url: str | None = None,
    ) -> None:
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5) if jwks_url else None
        self._key: Any = None
        if self._jwks is not None:
            self._algorithms = ["RS256", "ES256", "EdDSA"]
        elif public_key:
            self._key = public_key
            self._algorithms = ["RS256", "ES256", "EdDSA"]
        elif secret:
            self._key = secret
            self._algorithms = ["HS256"]
        else:
            raise ValueError("a signing secret or a public key is needed")
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Principal:
        """The token's principal; raises ``jwt.PyJWTError`` if anything is wrong with it.

        With a JWKS URL (a real identity provider) the key is the one the token's ``kid``
        names, fetched from the provider and cached for five minutes.
        """
        key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks is not None else self._key
        claims = jwt.decode(
            token,
            key,
            algorithms=self._algorithms,
            issuer=self._issuer,
            audience=self._audience,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        try:
            role = Role(claims.get("role", ""))
        except ValueError as error:
            raise jwt.InvalidTokenError(f"unknown role {claims.get('role')!r}") from error
        try:
            scope = str(GridScope.parse(str(claims.get("scope", ""))))
        except ValueError as error:
            raise jwt.InvalidTokenError(str(error)) from error
        organisation = claims.get("org")
        if organisation is not None and (not isinstance(organisation, str) or not organisation):
            raise jwt.InvalidTokenError("the org claim must be a non-empty string")
        return Principal(subject=claims["sub"], role=role, scope=scope, department=claims.get("department"),
                         organisation=organisation)


def mint_token(
    secret: str,
    *,
    subject: str,
    role: Role | str,
    scope: str,
    issuer: str,
    audience: str,
    ttl_s: int = 8 * 3600,
    department: str | None = None,
    organisation: str | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject, "role": str(role), "scope": scope, "iss": issuer, "aud": audience, "iat": now, "exp": now + ttl_s,
    }
    if department:
        claims["department"] = department
    if organisation:
        claims["org"] = organisation
    return jwt.encode(claims, secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="A staff token: `towngrid-token --role town_admin`")


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A FastAPI dependency: the caller's principal, if it holds one of ``roles`` (any if none)."""

    async def principal(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        if credentials is None:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            found = verifier.verify(credentials.credentials)
        except jwt.PyJWTError as error:
            raise HTTPException(401, f"invalid token: {error}", headers={"WWW-Authenticate": "Bearer"}) from None
        if roles and found.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"role {found.role.value} may not do this (needs one of: {allowed})")
        return found

    return principal
