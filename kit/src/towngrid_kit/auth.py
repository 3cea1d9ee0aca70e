"""Staff authentication: bearer JWTs carrying a role and a grid scope.

Every api verifies issuer, audience, expiry and signature, that the token says when it was
issued (``iat``, not in the future beyond a small clock skew) and lives no longer than a cap
(``exp - iat``, 12 h unless configured), and the type of every claim it reads. The local stack
signs with an HS256 key from settings; a deployment can give the public key of a real identity
provider. Without a valid token a request gets 401; with the wrong role, 403.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError

# The longest a token may live (``exp - iat``) unless a service's settings say otherwise, and how
# far in the future ``iat`` may be (the issuer's clock a little ahead of the api's).
MAX_TOKEN_LIFETIME_S = 12 * 3600
CLOCK_SKEW_S = 30


class Role(StrEnum):
    TOWN_ADMIN = "town_admin"
    COMMUNITY_OFFICER = "community_officer"
    COMPOUND_VOLUNTEER = "compound_volunteer"
    PERMIT_REVIEWER = "permit_reviewer"
    MERCHANT = "merchant"
    EMPLOYER_LIAISON = "employer_liaison"
    COUNTY_SUBSCRIBER = "county_subscriber"
    BOARD_VIEWER = "board_viewer"  # the situation board: counts only, read-only


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


current_caller: ContextVar[str | None] = ContextVar("towngrid_caller", default=None)
"""Who makes the request being served, for what is kept per caller (an ``Idempotency-Key``'s
stored answer): the client's address (set by ``request_limits.BodySizeLimit`` for every request),
then the token's holder once :func:`require_roles` has verified the token."""


def caller_with_token(principal: Principal) -> str:
    """A caller marker for a token's holder: everything the token grants (subject, role, scope,
    department, organisation), so a token of the same subject with other rights is another caller."""
    granted = [principal.subject, principal.role.value, principal.scope, principal.department, principal.organisation]
    return "token:" + hashlib.sha256(json.dumps(granted).encode()).hexdigest()[:32]


def caller_at(address: str) -> str:
    """A caller marker for an anonymous client at ``address`` (as ``ratelimit.client_address`` finds it)."""
    return "client:" + hashlib.sha256(address.encode()).hexdigest()[:32]


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


NumericDate = StrictInt | StrictFloat


class TokenClaims(BaseModel):
    """The claims a token must carry, each of its type: a claim of another type (an object where
    a string belongs) must never reach a query or a comparison."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)  # an iat of NaN passes every comparison

    sub: StrictStr = Field(min_length=1, max_length=255)  # OpenID Connect: at most 255 characters
    role: StrictStr
    scope: StrictStr
    iat: NumericDate
    exp: NumericDate
    department: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    org: StrictStr | None = Field(default=None, min_length=1, max_length=200)

    @classmethod
    def of(cls, claims: dict[str, Any]) -> TokenClaims:
        try:
            return cls.model_validate(claims)
        except ValidationError as error:
            wrong = "; ".join(f"claim {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
            raise jwt.InvalidTokenError(wrong) from None


class TokenVerifier:
    def __init__(
        self, *, issuer: str, audience: str, secret: str | None = None, public_key: str | None = None,
        jwks_url: str | None = None, max_lifetime_s: int = MAX_TOKEN_LIFETIME_S, clock_skew_s: int = CLOCK_SKEW_S,
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
        self._max_lifetime_s = max_lifetime_s
        self._skew_s = clock_skew_s

    def verify(self, token: str) -> Principal:
        """The token's principal; raises ``jwt.PyJWTError`` if anything is wrong with it.

        With a JWKS URL (a real identity provider) the key is the one the token's ``kid``
        names, fetched from the provider and cached for five minutes.
        """
        key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks is not None else self._key
        claims = TokenClaims.of(jwt.decode(
            token,
            key,
            algorithms=self._algorithms,
            issuer=self._issuer,
            audience=self._audience,
            options={"require": ["exp", "iat", "iss", "aud", "sub"], "verify_iat": False},  # iat: below, with the skew
        ))
        if claims.iat > time.time() + self._skew_s:
            raise jwt.ImmatureSignatureError("the token is not yet valid (iat is in the future)")
        if claims.exp - claims.iat > self._max_lifetime_s:
            raise jwt.InvalidTokenError(f"the token lives {claims.exp - claims.iat:.0f} s (exp - iat); "
                                        f"at most {self._max_lifetime_s} s are accepted")
        try:
            role = Role(claims.role)
        except ValueError as error:
            raise jwt.InvalidTokenError(f"unknown role {claims.role!r}") from error
        try:
            scope = str(GridScope.parse(claims.scope))
        except ValueError as error:
            raise jwt.InvalidTokenError(str(error)) from error
        return Principal(subject=claims.sub, role=role, scope=scope, department=claims.department,
                         organisation=claims.org)


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
    """A local-stack token; ``ttl_s`` at most :data:`MAX_TOKEN_LIFETIME_S`, which the apis accept."""
    if not 0 < ttl_s <= MAX_TOKEN_LIFETIME_S:
        raise ValueError(f"a token lives 1 to {MAX_TOKEN_LIFETIME_S} s (got {ttl_s})")
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


def require_roles(*roles: Role, cookie: str | None = None) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A FastAPI dependency: the caller's principal, if it holds one of ``roles`` (any if none).

    With ``cookie``, a request without a bearer token may carry the token in that cookie (for a
    browser's EventSource, which cannot send headers; the cookie is HttpOnly)."""

    async def principal(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        token = credentials.credentials if credentials is not None else request.cookies.get(cookie) if cookie else None
        if not token:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        verifier: TokenVerifier = request.app.state.token_verifier
        try:
            found = verifier.verify(token)
        except jwt.PyJWTError as error:
            raise HTTPException(401, f"invalid token: {error}", headers={"WWW-Authenticate": "Bearer"}) from None
        current_caller.set(caller_with_token(found))
        if roles and found.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"role {found.role.value} may not do this (needs one of: {allowed})")
        return found

    return principal
