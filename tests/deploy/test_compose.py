"""The docker compose deployment, checked without a Docker engine: podman-compose (a real
compose implementation, from PyPI) resolves the file, and its result is checked against the
code (every required setting of every service is set; every api and worker can scale)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic_settings import BaseSettings

from board.config import BoardSettings
from delivery.config import DeliverySettings
from labor.config import LaborSettings
from permits.config import PermitsSettings
from registry.config import RegistrySettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS: dict[str, type[BaseSettings]] = {
    "registry": RegistrySettings, "permits": PermitsSettings, "delivery": DeliverySettings, "labor": LaborSettings,
    "board": BoardSettings,
}


def compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    podman_compose = Path(sys.executable).parent / "podman-compose"
    return subprocess.run(
        [str(podman_compose), "--dry-run", "--env-file", str(env_file), "-f", str(DEPLOY / "docker-compose.yml"),
         "config"],
        capture_output=True, text=True, cwd=DEPLOY, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith(("TOWNGRID_", "REGISTRY_"))},
    )


@pytest.fixture(scope="module")
def resolved() -> dict:
    result = compose_config(DEPLOY / ".env.example")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_kafka_and_mongo_official_images_with_volume_and_healthcheck(resolved: dict) -> None:
    services = resolved["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert services["mongo"]["image"].startswith("mongo:")
    for name, mount in (("kafka", "/var/lib/kafka/data"), ("mongo", "/data/db")):
        volume = next(v for v in services[name]["volumes"] if str(v).endswith(mount) or mount in str(v))
        assert str(volume).split(":")[0] in resolved["volumes"], f"{name} keeps its data in a named volume"
        assert services[name]["healthcheck"]["test"], name
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_topics_job_runs_once_before_the_services(resolved: dict) -> None:
    job = resolved["services"]["topics"]
    assert job["command"] == ["towngrid-topics"] and job["restart"] == "no"
    assert job["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert job["environment"]["TOWNGRID_TOPIC_PARTITIONS"] == "12"


def test_kafka_authenticates_and_authorizes_every_client(resolved: dict) -> None:
    env = resolved["services"]["kafka"]["environment"]
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(protocols.values()) == {"SASL_PLAINTEXT"}, "no listener without a login"
    assert env["KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false" and env["KAFKA_SUPER_USERS"] == "User:admin"
    admin_password = "change-me-kafka-admin-password-48-random-characters"  # .env.example's
    for key in ("KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG",
                "KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG"):
        assert f'username="admin" password="{admin_password}"' in env[key], key
    assert "--bootstrap-controller localhost:9093" in resolved["services"]["kafka"]["healthcheck"]["test"][1]


def test_kafka_access_job_makes_every_principal_before_the_topics(resolved: dict) -> None:
    import json

    from towngrid_kafka_admin.access import committed

    job = resolved["services"]["kafka-access"]
    assert job["command"] == ["towngrid-kafka-access"] and job["restart"] == "no"
    for name in ("kafka-access", "topics"):  # the Kafka admin tools' image, not a service's
        one = resolved["services"][name]
        assert one["image"].startswith("towngrid-kafka-admin:")
        assert (one["build"]["dockerfile"], one["build"]["target"], one["build"]["args"]) == (
            "deploy/Dockerfile", "kafka-admin", ["SERVICE=kafka-admin"])
    assert job["depends_on"]["kafka"]["condition"] == "service_healthy"
    passwords = json.loads(job["environment"]["TOWNGRID_KAFKA_USER_PASSWORDS"])
    assert set(passwords) == {a.principal for a in committed()}
    topics = resolved["services"]["topics"]
    assert topics["depends_on"]["kafka-access"]["condition"] == "service_completed_successfully"
    assert topics["environment"]["TOWNGRID_KAFKA_USERNAME"] == "admin"


@pytest.mark.parametrize("service", SETTINGS)
def test_each_service_logs_in_to_kafka_as_itself(resolved: dict, service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = service.upper()
    access = resolved["services"]["kafka-access"]["environment"]
    for part in (f"{service}-api", f"{service}-worker"):
        env = resolved["services"][part]["environment"]
        assert env[f"{prefix}_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env[f"{prefix}_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
        assert env[f"{prefix}_KAFKA_USERNAME"] == service
        assert f'"{service}": "{env[f"{prefix}_KAFKA_PASSWORD"]}"' in access["TOWNGRID_KAFKA_USER_PASSWORDS"]
        for key, value in env.items():
            monkeypatch.setenv(key, str(value))
        login = SETTINGS[service]().kafka_options()  # type: ignore[attr-defined]
        assert (login["security_protocol"], login["sasl_plain_username"]) == ("SASL_PLAINTEXT", service)


@pytest.mark.parametrize("service", SETTINGS)
def test_each_service_has_a_scalable_api_and_worker(resolved: dict, service: str) -> None:
    services = resolved["services"]
    api, worker = services[f"{service}-api"], services[f"{service}-worker"]
    assert api["command"] == [f"{service}-api"] and worker["command"] == [f"{service}-worker"]
    assert (api["build"]["dockerfile"], api["build"]["target"]) == ("deploy/Dockerfile", "service")
    assert api["build"]["args"] == [f"SERVICE={service}"], "the one Dockerfile, built for this service"
    assert api["image"] == worker["image"], "one image per service, run as api or worker"
    for part in (api, worker):
        assert part["restart"] == "unless-stopped"
        assert "container_name" not in part, "a fixed container name would forbid --scale"
        assert part["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    host_ports = api["ports"][0].split(":")[0]
    low, high = (int(p) for p in host_ports.split("-"))
    assert high > low, "api host ports are a range so that the api can be scaled"
    assert "ports" not in worker
    assert worker["healthcheck"]["test"][1] == "towngrid-heartbeat-check"


@pytest.mark.parametrize("service", SETTINGS)
def test_every_required_setting_is_set(resolved: dict, service: str) -> None:
    settings = SETTINGS[service]
    prefix = settings.model_config["env_prefix"]
    required = [name for name, field in settings.model_fields.items() if field.is_required()]
    for part in (f"{service}-api", f"{service}-worker"):
        environment = resolved["services"][part]["environment"]
        missing = [f"{prefix}{name}".upper() for name in required if f"{prefix}{name}".upper() not in environment]
        assert not missing, f"{part} lacks {missing}"
        assert environment[f"{prefix}MONGO_DB".upper()] == service, "each service owns its own database"
        assert environment[f"{prefix}HTTP_PORT".upper()] == "8000"


@pytest.mark.parametrize("secret", ["TOWNGRID_AUTH_JWT_SECRET", "KAFKA_ADMIN_PASSWORD", "KAFKA_PERMITS_PASSWORD"])
def test_a_missing_secret_is_refused_with_its_name(tmp_path: Path, secret: str) -> None:
    lines = [line for line in (DEPLOY / ".env.example").read_text().splitlines()
             if not line.startswith(f"{secret}=")]
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(lines))
    result = compose_config(env_file)
    assert result.returncode != 0
    assert secret in result.stderr + result.stdout


def test_monitoring_profile_scrapes_every_api_and_worker(tmp_path: Path) -> None:
    podman_compose = Path(sys.executable).parent / "podman-compose"
    result = subprocess.run(
        [str(podman_compose), "--dry-run", "--env-file", str(DEPLOY / ".env.example"), "--profile", "monitoring",
         "-f", str(DEPLOY / "docker-compose.yml"), "config"],
        capture_output=True, text=True, cwd=DEPLOY, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"prometheus", "grafana"} <= set(services)
    scrape = yaml.safe_load((DEPLOY / "monitoring" / "prometheus.yml").read_text())["scrape_configs"]
    targets = {(name, sd["port"]) for job in scrape for sd in job["dns_sd_configs"] for name in sd["names"]}
    for service in SETTINGS:
        prefix = service.upper()
        worker_port = int(services[f"{service}-worker"]["environment"][f"{prefix}_METRICS_PORT"])
        assert (f"{service}-worker", worker_port) in targets
        assert (f"{service}-api", int(services[f"{service}-api"]["environment"][f"{prefix}_HTTP_PORT"])) in targets


def test_dashboard_queries_metrics_that_exist() -> None:
    import json
    import re

    from prometheus_client.metrics import MetricWrapperBase

    from towngrid_kit import observability

    suffixes = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_count", "_sum"]}
    known = {metric._name + suffix for metric in vars(observability).values()  # noqa: SLF001
             if isinstance(metric, MetricWrapperBase) for suffix in suffixes[metric._type]}  # noqa: SLF001
    dashboard = json.loads((DEPLOY / "monitoring" / "grafana" / "dashboards" / "towngrid.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\btowngrid_[a-z_]+", expr)}
    assert used and used <= known, used - known
