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
            "exp": int(time.time()) + 60}
    with pytest.raises(jwt.InvalidTokenError):
        verifier().verify(jwt.encode(base | claims, SECRET, algorithm="HS256"))


def test_other_key_is_refused() -> None:
    token = mint_token("x" * 40, subject="u1", role="town_admin", scope="town", issuer="towngrid-local",
                       audience="towngrid")
    with pytest.raises(jwt.InvalidSignatureError):
        verifier().verify(token)
