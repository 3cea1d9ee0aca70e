"""The services as processes on the local stack: an api and a worker each (the four services and the board).

Used by ``towngrid-stack run`` (the README's ``make run``) and by the test suite, so both
start the services the same way. Each process gets its service's own settings through
environment variables with the service's prefix; local secrets are made once per profile.
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import sys
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import database
from .config import StackConfig
from .errors import StackError
from .process import ManagedProcess

SERVICES: dict[str, int] = {"registry": 8001, "permits": 8002, "delivery": 8003, "labor": 8004, "board": 8000}
METRICS_PORT_OFFSET = 1000  # a worker's Prometheus port: its api port + 1000 (9001-9004)


KAFKA_MECHANISM = "SCRAM-SHA-512"
KAFKA_USERS = ("admin", *SERVICES, "county")  # SCRAM users: the super user, each service, the county subscriber


MONGO_USERS = (database.ADMIN_USER, *SERVICES)  # database users: the admin (devstack, tests), each service in its own database


def _kafka_passwords() -> dict[str, str]:
    return {user: secrets.token_urlsafe(24) for user in KAFKA_USERS}


def _mongo_passwords() -> dict[str, str]:
    return {user: secrets.token_urlsafe(24) for user in MONGO_USERS}


@dataclass(frozen=True)
class LocalSecrets:
    auth_jwt_secret: str
    id_hash_key: str
    permits_signing_key: str = field(default_factory=lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    # The registry's key ring for personal data at rest (REGISTRY_DATA_KEYS): "<id>:<base64 of 32 bytes>".
    registry_data_keys: str = field(
        default_factory=lambda: "local1:" + base64.b64encode(secrets.token_bytes(32)).decode())
    kafka_passwords: dict[str, str] = field(default_factory=_kafka_passwords)  # Kafka SCRAM user -> password
    mongo_passwords: dict[str, str] = field(default_factory=_mongo_passwords)  # database user -> password

    @classmethod
    def for_profile(cls, config: StackConfig) -> "LocalSecrets":
        """Read the profile's secrets, making the missing ones on first use (kept with its data)."""
        path = Path(config.data_dir) / "run" / "local-secrets.json"
        known = json.loads(path.read_text()) if path.exists() else {}
        passwords = _kafka_passwords() | known.get("kafka_passwords", {})  # a user added later gets one too
        mongo_passwords = _mongo_passwords() | known.get("mongo_passwords", {})
        made = cls(**{"auth_jwt_secret": secrets.token_urlsafe(48), "id_hash_key": secrets.token_urlsafe(48),
                      **known, "kafka_passwords": passwords, "mongo_passwords": mongo_passwords})
        if made.__dict__ != known:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(made.__dict__))
            path.chmod(0o600)
        return made


def staff_token(local: LocalSecrets, *, role: str = "town_admin", scope: str = "town",
                subject: str = "local-admin", ttl_s: int = 8 * 3600, department: str | None = None,
                organisation: str | None = None) -> str:
    """A staff token for the local services (what `towngrid-token` mints with this secret): a town
    admin's by default; ``department`` for permit reviewers, ``organisation`` for merchants and
    employer liaisons."""
    try:
        from towngrid_kit.auth import mint_token
    except ImportError:
        raise StackError("towngrid_kit is not installed here: run `uv sync --all-packages` in the "
                         "repository (or `make setup`)") from None
    return mint_token(local.auth_jwt_secret, subject=subject, role=role, scope=scope,
                      issuer="towngrid-local", audience="towngrid", ttl_s=ttl_s, department=department,
                      organisation=organisation)


def service_environment(
    service: str, config: StackConfig, local: LocalSecrets, port: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The service's settings as environment variables; ``extra`` names settings without
    the prefix (``{"FAULT_POINT": "relay.before_publish"}`` gives ``REGISTRY_FAULT_POINT``)."""
    prefix = service.upper() + "_"
    env = {
        "KAFKA_BOOTSTRAP": config.kafka_bootstrap,
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": KAFKA_MECHANISM,
        "KAFKA_USERNAME": service,
        "KAFKA_PASSWORD": local.kafka_passwords[service],
        "MONGO_URL": database.url(config, service, local.mongo_passwords[service]),
        "HTTP_PORT": str(port),
        "METRICS_PORT": str(port + METRICS_PORT_OFFSET),  # the worker's; the api serves /metrics itself
        "AUTH_JWT_SECRET": local.auth_jwt_secret,
    }
    if service == "registry":
        env["ID_HASH_KEY"] = local.id_hash_key
        env["DATA_KEYS"] = local.registry_data_keys
    if service == "permits":
        env["SIGNING_KEY"] = local.permits_signing_key
    if service == "board":
        env["ECHARTS_JS"] = str(config.echarts_js)  # fetched by the set-up; the page shows numbers without it
    env.update(extra or {})
    return {prefix + k: v for k, v in env.items()} | {"PYTHONUNBUFFERED": "1"}


def check_port_free(port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StackError(
                f"[{what}] port {port} on 127.0.0.1 is already in use: stop whatever listens there "
                f"(`ss -ltnp 'sport = :{port}'` shows it) or choose another port"
            ) from None


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _http_ready(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
        return response.status == 200


@dataclass
class ServiceProcesses:
    service: str
    port: int
    api: ManagedProcess
    worker: ManagedProcess

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def service_processes(
    service: str, config: StackConfig, local: LocalSecrets, *, port: int | None = None,
    extra_env: Mapping[str, str] | None = None, worker_name: str = "worker",
) -> ServiceProcesses:
    port = port or SERVICES[service]
    check_port_free(port, f"{service}-api")
    env = service_environment(service, config, local, port, extra_env)
    logs = Path(config.data_dir) / "logs"
    url = f"http://127.0.0.1:{port}"
    api = ManagedProcess(f"{service}-api", [_script(f"{service}-api")], env, logs / f"{service}-api.log",
                         ready_check=lambda: _http_ready(f"{url}/readyz"))
    worker = ManagedProcess(f"{service}-{worker_name}", [_script(f"{service}-worker")], env,
                            logs / f"{service}-{worker_name}.log",
                            ready_check=lambda: _log_says(logs / f"{service}-{worker_name}.log", "worker ready"))
    return ServiceProcesses(service, port, api, worker)


def _log_says(path: Path, text: str) -> bool:
    try:
        return text in path.read_text(errors="replace").rsplit("=== ", 1)[-1]
    except OSError:
        return False
