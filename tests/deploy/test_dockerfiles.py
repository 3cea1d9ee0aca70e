"""The one Dockerfile of every image (deploy/Dockerfile), parsed (dockerfile-parse): a small
image, a non-root user, only the chosen package's dependencies, and an entry point that runs
the service it was built for."""

from __future__ import annotations

import glob
import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "service-entrypoint.sh"
SERVICES = ["registry", "permits", "delivery", "labor", "board"]


def stages() -> dict[str, list[dict]]:
    """The instructions of each stage, by its name (``FROM ... AS name``)."""
    found: dict[str, list[dict]] = {}
    name = ""
    for step in DockerfileParser(path=str(DOCKERFILE)).structure:
        if step["instruction"] == "FROM":
            name = step["value"].split()[-1]
            found[name] = []
        if name:
            found[name].append(step)
    return found


def values(steps: list[dict], instruction: str) -> list[str]:
    return [s["value"] for s in steps if s["instruction"] == instruction]


def test_one_dockerfile_for_every_service() -> None:
    assert not list(ROOT.glob("services/*/Dockerfile")), "the services share deploy/Dockerfile"


def test_slim_multi_stage_non_root_image() -> None:
    found = stages()
    assert list(found) == ["echarts", "build", "runtime", "kafka-admin", "service"], "service is the default target"
    assert values(found["build"], "FROM") == ["python:3.11-slim AS build"]
    assert values(found["runtime"], "FROM") == ["python:3.11-slim AS runtime"]
    assert values(found["kafka-admin"], "FROM") == ["runtime AS kafka-admin"]
    assert values(found["service"], "FROM") == ["runtime AS service"]
    users = values(found["runtime"], "USER") + values(found["service"], "USER") + values(found["kafka-admin"], "USER")
    assert users and users[-1] not in ("root", "0")
    assert values(found["runtime"], "COPY") == ["--from=build --chown=towngrid:towngrid /src/.venv /app/.venv"], (
        "only the venv is shipped"
    )
    assert values(found["service"], "COPY") == [
        "--chmod=0755 deploy/service-entrypoint.sh /usr/local/bin/towngrid-service",
        "--from=echarts /echarts/node_modules/echarts/dist/echarts.min.js /app/vendor/echarts.min.js"]
    assert not values(found["kafka-admin"], "COPY")


def test_the_board_gets_the_echarts_of_the_local_set_up() -> None:
    """The image fetches the ECharts version the local set-up fetches, and tells the board where
    it is (the board serves it at /static/vendor/echarts.min.js)."""
    from towngrid_devstack.config import ECHARTS_VERSION

    found = stages()
    assert values(found["echarts"], "ARG") == [f"ECHARTS_VERSION={ECHARTS_VERSION}"]
    assert any('"echarts@$ECHARTS_VERSION"' in run for run in values(found["echarts"], "RUN"))
    assert "BOARD_ECHARTS_JS=/app/vendor/echarts.min.js" in values(found["service"], "ENV")


def test_installs_only_the_chosen_package() -> None:
    build = stages()["build"]
    runs = [v for v in values(build, "RUN") if "uv sync" in v]
    assert len(runs) == 1
    assert '--package "towngrid-$SERVICE"' in runs[0] and "--no-dev" in runs[0] and "--frozen" in runs[0]
    assert "SERVICE" in values(build, "ARG")


def test_the_build_stage_has_every_workspace_member() -> None:
    """uv sync --frozen reads every member's pyproject.toml, whichever package it installs."""
    sources = [v.split()[0] for v in values(stages()["build"], "COPY") if not v.startswith("--")]
    members = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
    for member in (m for pattern in members for m in glob.glob(pattern, root_dir=ROOT)):
        path = f"{member}/pyproject.toml"
        assert any(path == src or path.startswith(f"{src}/") for src in sources), f"{path} is not copied"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_depends_on_another(service: str) -> None:
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == {"towngrid-contracts", "towngrid-kit"} or all(
        not d.startswith(("towngrid-registry", "towngrid-permits", "towngrid-delivery", "towngrid-labor", "towngrid-board",
                          "towngrid-kafka-admin", "towngrid-devstack"))
        for d in project["dependencies"]
    ), "a service never depends on another service, nor on the tooling"


def test_the_service_target_knows_its_service() -> None:
    service = stages()["service"]
    assert "SERVICE" in values(service, "ARG")
    assert "TOWNGRID_SERVICE=$SERVICE" in values(service, "ENV")
    assert values(service, "ENTRYPOINT") == ['["towngrid-service"]']
    assert not values(service, "CMD"), "the entry point runs the api when no command is given"
    assert "TOWNGRID_SERVICE" in values(service, "HEALTHCHECK")[0]


def test_the_kafka_admin_target_runs_a_real_entry_point() -> None:
    cmd = values(stages()["kafka-admin"], "CMD")[-1]
    scripts = tomllib.loads((ROOT / "tools" / "kafka-admin" / "pyproject.toml").read_text())["project"]["scripts"]
    assert cmd == '["towngrid-kafka-access"]' and {"towngrid-kafka-access", "towngrid-topics"} <= set(scripts)


def run_entrypoint(tmp_path: Path, service: str, *args: str, **env: str) -> str:
    """The entry point script, run by /bin/sh with stand-ins for the service's commands that
    print what they got."""
    scripts = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]["scripts"]
    for name in scripts:
        stand_in = tmp_path / name
        stand_in.write_text(f'#!/bin/sh\necho "{name} $* host=${service.upper()}_HTTP_HOST"\n')
        stand_in.chmod(0o755)
    path = f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin"
    result = subprocess.run(["/bin/sh", str(ENTRYPOINT), *args], capture_output=True, text=True, timeout=10,
                            env={"PATH": path, "TOWNGRID_SERVICE": service, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("service", SERVICES)
def test_the_entry_point_runs_the_api_by_default_on_every_interface(tmp_path: Path, service: str) -> None:
    assert run_entrypoint(tmp_path, service) == f"{service}-api  host=0.0.0.0"
    assert run_entrypoint(tmp_path, service, f"{service}-worker") == f"{service}-worker  host=0.0.0.0"
    told = run_entrypoint(tmp_path, service, f"{service}-api", "--x", **{f"{service.upper()}_HTTP_HOST": "10.0.0.5"})
    assert told == f"{service}-api --x host=10.0.0.5"


def locked_closure(package: str) -> set[str]:
    """The package and everything it needs at run time, from uv.lock."""
    locked = {p["name"]: p for p in tomllib.loads((ROOT / "uv.lock").read_text())["package"]}
    found, todo = set(), [package]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += [d["name"] for d in locked[name].get("dependencies", [])]
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_image_carries_no_tooling(service: str) -> None:
    """The Kafka admin client (users, ACLs) and the local stack stay out of a service's image."""
    closure = locked_closure(f"towngrid-{service}")
    assert {"towngrid-contracts", "towngrid-kit"} <= closure
    assert not closure & {"towngrid-kafka-admin", "towngrid-devstack"}
    assert not (ROOT / "kit" / "src" / "towngrid_kit" / "kafka_access.json").exists()
