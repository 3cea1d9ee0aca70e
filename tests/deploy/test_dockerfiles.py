"""Each service's Dockerfile, parsed (dockerfile-parse): a small image, a non-root user, and
only that service's dependencies."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["registry", "permits", "delivery", "labor"]


def instructions(service: str) -> list[dict]:
    parser = DockerfileParser(path=str(ROOT / "services" / service / "Dockerfile"))
    return parser.structure


@pytest.mark.parametrize("service", SERVICES)
def test_slim_multi_stage_non_root_image(service: str) -> None:
    steps = instructions(service)
    stages = [s for s in steps if s["instruction"] == "FROM"]
    assert len(stages) == 2 and all("python:3.11-slim" in s["value"] for s in stages)
    final = steps[steps.index(stages[-1]):]
    users = [s["value"] for s in final if s["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0")
    copies = [s["value"] for s in final if s["instruction"] == "COPY"]
    assert copies == ["--from=build --chown=towngrid:towngrid /src/.venv /app/.venv"], "only the venv is shipped"


@pytest.mark.parametrize("service", SERVICES)
def test_installs_only_this_service(service: str) -> None:
    runs = [s["value"] for s in instructions(service) if s["instruction"] == "RUN" and "uv sync" in s["value"]]
    assert len(runs) == 1
    assert f"--package towngrid-{service}" in runs[0] and "--no-dev" in runs[0] and "--frozen" in runs[0]
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == {"towngrid-contracts", "towngrid-kit"} or all(
        not d.startswith(("towngrid-registry", "towngrid-permits", "towngrid-delivery", "towngrid-labor"))
        for d in project["dependencies"]
    ), "a service never depends on another service"


@pytest.mark.parametrize("service", SERVICES)
def test_default_command_is_a_real_entry_point(service: str) -> None:
    steps = instructions(service)
    cmd = [s["value"] for s in steps if s["instruction"] == "CMD"][-1]
    scripts = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]["scripts"]
    assert f'"{service}-api"' in cmd and f"{service}-api" in scripts and f"{service}-worker" in scripts
