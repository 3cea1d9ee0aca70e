import time

import jwt
import pytest

from towngrid_kit.auth import Role, TokenVerifier, mint_token

SECRET = "k" * 40


def verifier() -> TokenVerifier:
    return TokenVerifier(issuer="towngrid-local", audience="towngrid", secret=SECRET)


def test_minted_token_verifies_with_role_and_scope() -> None:
    token = mint_token(SECRET, subject="u1", role=Role.COMMUNITY_OFFICER, scope="community:C03",
                       issuer="towngrid-local", audience="towngrid")
    principal = verifier().verify(token)
    assert (principal.subject, principal.role, principal.scope) == ("u1", Role.COMMUNITY_OFFICER, "community:C03")


@pytest.mark.parametrize("claims", [
    {"iss": "someone-else"},
    {"aud": "another-system"},
    {"exp": int(time.time()) - 10},
    {"role": "mayor"},
])
def test_bad_claims_are_refused(claims: dict) -> None:
    base = {"sub": "u1", "role": "town_admin", "scope": "town", "iss": "towngrid-local", "aud": "towngrid",
            "iat": int(time.time()), "exp": int(time.time()) + 60}
    verifier().verify(jwt.encode(base, SECRET, algorithm="HS256"))  # each case below differs only in its claim
    with pytest.raises(jwt.InvalidTokenError):
        verifier().verify(jwt.encode(base | claims, SECRET, algorithm="HS256"))


def test_other_key_is_refused() -> None:
    token = mint_token("x" * 40, subject="u1", role="town_admin", scope="town", issuer="towngrid-local",
                       audience="towngrid")
    with pytest.raises(jwt.InvalidSignatureError):
        verifier().verify(token)


def test_tokens_from_an_identity_provider_are_checked_with_its_jwks() -> None:
    """A stand-in identity provider on loopback publishes its key set; the token's kid picks it."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    provider_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(provider_key.public_key())) | {"kid": "k1", "use": "sig", "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class KeySet(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), KeySet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        checker = TokenVerifier(issuer="https://idp.county.example", audience="towngrid", jwks_url=url)
        claims = {"sub": "officer-7", "role": "community_officer", "scope": "community:C03",
                  "iss": "https://idp.county.example", "aud": "towngrid", "iat": int(time.time()),
                  "exp": int(time.time()) + 60}
        good = jwt.encode(claims, provider_key, algorithm="RS256", headers={"kid": "k1"})
        assert checker.verify(good).subject == "officer-7"
        forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"})
        with pytest.raises(jwt.InvalidSignatureError):
            checker.verify(forged)
        with pytest.raises(jwt.PyJWTError):
            checker.verify(jwt.encode(claims, provider_key, algorithm="RS256", headers={"kid": "unknown"}))
        with pytest.raises(jwt.PyJWTError):
            checker.verify(jwt.encode(claims, "s" * 40, algorithm="HS256", headers={"kid": "k1"}))
    finally:
        server.shutdown()


def test_grid_scope_covers_only_its_own_part_of_the_town() -> None:
    from towngrid_kit.auth import GridScope

    town, community, compound = GridScope.parse("town"), GridScope.parse("community:C03"), GridScope.parse("compound:K7")
    assert town.covers(community="C01", compound="K1") and town.covers()
    assert community.covers(community="C03", compound="K9") and not community.covers(community="C04", compound="K9")
    assert not community.covers(compound="K9")  # a thing that does not name its community is not covered
    assert compound.covers(community="C03", compound="K7") and not compound.covers(community="C03", compound="K8")
    assert not compound.covers(community="C03")  # a community-wide thing is outside a compound volunteer's scope
    assert [str(s) for s in (town, community, compound)] == ["town", "community:C03", "compound:K7"]


def test_a_token_with_a_malformed_scope_is_refused() -> None:
    for bad in ("", "county", "community:", "street:5"):
        token = mint_token(SECRET, subject="u1", role=Role.COMMUNITY_OFFICER, scope=bad, issuer="towngrid-local",
                           audience="towngrid")
        with pytest.raises(jwt.InvalidTokenError):
            verifier().verify(token)


def test_an_organisation_claim_names_the_merchant_or_enterprise_a_token_acts_for() -> None:
    from fastapi import HTTPException

    from towngrid_kit.auth import ensure_own_organisation

    token = mint_token(SECRET, subject="u1", role=Role.MERCHANT, scope="town", issuer="towngrid-local",
                       audience="towngrid", organisation="mer_1")
    shop = verifier().verify(token)
    assert shop.organisation == "mer_1"
    ensure_own_organisation(shop, "mer_1")
    with pytest.raises(HTTPException) as refused:
        ensure_own_organisation(shop, "mer_2")
    assert refused.value.status_code == 403
    plain = verifier().verify(mint_token(SECRET, subject="u2", role=Role.MERCHANT, scope="town",
                                         issuer="towngrid-local", audience="towngrid"))
    assert plain.organisation is None
    with pytest.raises(HTTPException):
        ensure_own_organisation(plain, "mer_1")
    base = {"sub": "u1", "role": "merchant", "scope": "town", "iss": "towngrid-local", "aud": "towngrid",
            "iat": int(time.time()), "exp": int(time.time()) + 60}
    assert verifier().verify(jwt.encode(base | {"org": "mer_1"}, SECRET, algorithm="HS256")).organisation == "mer_1"
    for bad in ("", 7):
        with pytest.raises(jwt.InvalidTokenError):
            verifier().verify(jwt.encode(base | {"org": bad}, SECRET, algorithm="HS256"))


def claims(**over: object) -> dict:
    now = int(time.time())
    return {"sub": "u1", "role": "permit_reviewer", "scope": "town", "iss": "towngrid-local", "aud": "towngrid",
            "iat": now, "exp": now + 3600, "department": "health"} | over


def signed(body: dict) -> str:
    return jwt.encode({k: v for k, v in body.items() if v is not ...}, SECRET, algorithm="HS256")


def test_a_token_lives_at_most_the_cap_and_says_when_it_was_issued() -> None:
    now = int(time.time())
    assert verifier().verify(signed(claims(exp=now + 12 * 3600))).subject == "u1"  # the default cap, exactly
    refused = {
        "ten years": claims(exp=now + 10 * 365 * 86400),
        "a second over the cap": claims(exp=now + 12 * 3600 + 1),
        "no iat": claims(iat=...),
        "iat in the future": claims(iat=now + 600, exp=now + 900),
        "iat not a number": claims(iat=str(now)),
        "iat NaN": claims(iat=float("nan")),  # NaN > anything is False: it would pass both checks
        "iat -Infinity": claims(iat=float("-inf")),
    }
    for case, body in refused.items():
        with pytest.raises(jwt.InvalidTokenError):
            verifier().verify(signed(body))
            pytest.fail(f"{case}: accepted")
    assert verifier().verify(signed(claims(iat=now + 10))).subject == "u1", "a small clock skew is allowed"
    short = TokenVerifier(issuer="towngrid-local", audience="towngrid", secret=SECRET, max_lifetime_s=600)
    with pytest.raises(jwt.InvalidTokenError, match="at most 600 s"):
        short.verify(signed(claims()))


def test_every_claim_is_of_its_type() -> None:
    assert verifier().verify(signed(claims())).department == "health"
    for name, bad in [("department", {"$ne": None}), ("department", ["health", "police"]), ("department", 1),
                      ("department", ""), ("sub", 7), ("sub", {"$gt": ""}), ("role", ["town_admin"]),
                      ("scope", {"community": "C01"}), ("org", {"$ne": None}), ("exp", True)]:
        with pytest.raises(jwt.InvalidTokenError):
            verifier().verify(signed(claims(**{name: bad})))
            pytest.fail(f"{name}={bad!r}: accepted")


def test_minted_tokens_are_within_the_cap() -> None:
    from towngrid_kit.auth import MAX_TOKEN_LIFETIME_S

    with pytest.raises(ValueError):
        mint_token(SECRET, subject="u1", role="town_admin", scope="town", issuer="towngrid-local",
                   audience="towngrid", ttl_s=MAX_TOKEN_LIFETIME_S + 1)
    longest = mint_token(SECRET, subject="u1", role="town_admin", scope="town", issuer="towngrid-local",
                         audience="towngrid", ttl_s=MAX_TOKEN_LIFETIME_S)
    assert verifier().verify(longest).subject == "u1"


async def test_the_caller_is_the_clients_address_until_a_token_names_its_holder() -> None:
    """What an Idempotency-Key's stored answer is kept for (``current_caller``), seen by a route."""
    import httpx
    from fastapi import Depends, FastAPI

    from towngrid_kit.auth import Principal, caller_at, caller_with_token, current_caller, require_roles
    from towngrid_kit.request_limits import BodySizeLimit

    app = FastAPI()
    app.state.token_verifier = verifier()
    app.add_middleware(BodySizeLimit, max_body_bytes=2000, trusted_proxies=["10.0.0.0/8"])

    @app.get("/anyone")
    async def anyone() -> dict:
        return {"caller": current_caller.get()}

    @app.get("/staff")
    async def staff(principal: Principal = Depends(require_roles())) -> dict:  # noqa: B008
        return {"caller": current_caller.get()}

    def bearer(**over: object) -> dict:
        body = {"subject": "u1", "role": Role.TOWN_ADMIN, "scope": "town", "issuer": "towngrid-local",
                "audience": "towngrid"} | over
        return {"Authorization": "Bearer " + mint_token(SECRET, **body)}  # type: ignore[arg-type]

    def at(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)), base_url="http://t")

    async with at("192.0.2.1") as direct, at("10.1.1.1") as proxied:
        assert (await direct.get("/anyone")).json()["caller"] == caller_at("192.0.2.1")
        spoofed = await direct.get("/anyone", headers={"X-Forwarded-For": "198.51.100.7"})
        assert spoofed.json()["caller"] == caller_at("192.0.2.1"), "not from a trusted proxy: ignored"
        forwarded = await proxied.get("/anyone", headers={"X-Forwarded-For": "198.51.100.7"})
        assert forwarded.json()["caller"] == caller_at("198.51.100.7")
        admin = (await direct.get("/staff", headers=bearer())).json()["caller"]
        officer = (await direct.get("/staff", headers=bearer(role=Role.COMMUNITY_OFFICER))).json()["caller"]
        other = (await direct.get("/staff", headers=bearer(subject="u2"))).json()["caller"]
    principal = verifier().verify(bearer()["Authorization"].removeprefix("Bearer "))
    assert admin == caller_with_token(principal)
    assert len({admin, officer, other, caller_at("192.0.2.1")}) == 4, "other rights or another holder: another caller"
    assert current_caller.get() is None, "nothing is left behind after a request"


async def test_a_token_in_the_named_cookie_counts_only_where_a_route_allows_it() -> None:
    """The board's EventSource sends no header: its route takes the token from an HttpOnly cookie."""
    import httpx
    from fastapi import Depends, FastAPI

    from towngrid_kit.auth import Principal, require_roles

    app = FastAPI()
    app.state.token_verifier = verifier()

    @app.get("/with-cookie")
    async def with_cookie(principal: Principal = Depends(require_roles(Role.BOARD_VIEWER, cookie="s"))) -> dict:  # noqa: B008
        return {"scope": principal.scope}

    @app.get("/header-only")
    async def header_only(principal: Principal = Depends(require_roles(Role.BOARD_VIEWER))) -> dict:  # noqa: B008
        return {"scope": principal.scope}

    viewer = mint_token(SECRET, subject="u1", role=Role.BOARD_VIEWER, scope="community:C03", issuer="towngrid-local",
                        audience="towngrid")
    merchant = mint_token(SECRET, subject="u2", role=Role.MERCHANT, scope="town", issuer="towngrid-local",
                          audience="towngrid")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/with-cookie", cookies={"s": viewer})).json() == {"scope": "community:C03"}
        assert (await client.get("/header-only", cookies={"s": viewer})).status_code == 401
        assert (await client.get("/with-cookie", cookies={"s": merchant})).status_code == 403
        assert (await client.get("/with-cookie", cookies={"s": viewer + "x"})).status_code == 401
        assert (await client.get("/with-cookie", cookies={"other": viewer})).status_code == 401
