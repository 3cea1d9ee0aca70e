"""`make token ROLE=… SCOPE=… DEPARTMENT=… ORG=…`: any role's token for the local stack, which
the services' own check accepts with its claims as asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from towngrid_devstack.cli import main
from towngrid_kit.auth import Role, TokenVerifier


def token_of(capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> str:
    assert main(["token", "--profile", "token-test", "--data-dir", str(tmp_path), *options]) == 0
    return capsys.readouterr().out.strip()


def test_a_token_of_any_role_scope_department_and_organisation(capsys: pytest.CaptureFixture[str],
                                                                 tmp_path: Path) -> None:
    admin = token_of(capsys, tmp_path)
    secret = json.loads((tmp_path / "run" / "local-secrets.json").read_text())["auth_jwt_secret"]
    reviewer = token_of(capsys, tmp_path, "--role", "permit_reviewer", "--scope", "community:C03",
                        "--department", "health", "--subject", "stf_9")
    liaison = token_of(capsys, tmp_path, "--role", "employer_liaison", "--org", "ent_1")
    verifier = TokenVerifier(issuer="towngrid-local", audience="towngrid", secret=secret)
    decoded = [verifier.verify(t) for t in (admin, reviewer, liaison)]
    assert [(p.role, p.scope) for p in decoded] == [(Role.TOWN_ADMIN, "town"), (Role.PERMIT_REVIEWER, "community:C03"),
                                                    (Role.EMPLOYER_LIAISON, "town")]
    assert (decoded[1].department, decoded[1].subject, decoded[2].organisation) == ("health", "stf_9", "ent_1")


def test_an_unknown_role_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["token", "--profile", "token-test", "--data-dir", str(tmp_path), "--role", "mayor"])
    assert "invalid choice" in capsys.readouterr().err
