"""Configuration of the local stack: versions, ports, data and cache directories."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

KAFKA_VERSION = "4.1.1"
SCALA_VERSION = "2.13"
LOG4J_VERSION = "2.25.3"
FERRETDB_VERSION = "1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
ECHARTS_VERSION = "6.1.0"  # Apache ECharts from the npm registry, for the board's page

DEFAULT_PROFILE = "dev"
DEFAULT_KAFKA_PORT = 9092
DEFAULT_MONGO_PORT = 27017
HOST = "127.0.0.1"

ENV_PROFILE = "TOWNGRID_PROFILE"
ENV_KAFKA_PORT = "TOWNGRID_KAFKA_PORT"
ENV_MONGO_PORT = "TOWNGRID_MONGO_PORT"
ENV_DATA_DIR = "TOWNGRID_DATA_DIR"
ENV_CACHE = "TOWNGRID_CACHE"


def cache_root() -> Path:
    """Where downloads and builds are cached, outside the clone: $TOWNGRID_CACHE or
    $XDG_CACHE_HOME/towngrid or ~/.cache/towngrid."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser().resolve() / "towngrid"


def _is_workspace_root(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    try:
        return "[tool.uv.workspace]" in pyproject.read_text(encoding="utf-8")
    except OSError:
        return False


def repo_root() -> Path:
    """The towngrid clone: the workspace this package was installed from (editable install),
    else the first parent of the working directory that is the workspace root, else the cwd."""
    here = Path(__file__).resolve()
    if len(here.parents) > 3 and _is_workspace_root(here.parents[3]):
        return here.parents[3]
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_workspace_root(candidate):
            return candidate
    return cwd


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        from .errors import StackError

        raise StackError(f"{name}={raw!r} is not a port number") from None


@dataclass
class StackConfig:
    """Where and how the local stack runs.

    ``data_dir=None`` means ``<repo>/.towngrid/<profile>/``; ``kafka_controller_port=None``
    means ``kafka_port + 1``. ``reset=True`` deletes the profile's data on the next start.
    """

    profile: str = DEFAULT_PROFILE
    kafka_port: int = DEFAULT_KAFKA_PORT
    mongo_port: int = DEFAULT_MONGO_PORT
    data_dir: Path | str | None = None
    reset: bool = False
    kafka_controller_port: int | None = None
    num_partitions: int = 3
    cache_dir: Path | str | None = None
    kafka_jvm_opts: tuple[str, ...] = ("-Xmx512m", "-Xms256m")
    ready_timeout: float = 120.0
    host: str = field(default=HOST)

    def __post_init__(self) -> None:
        from .errors import StackError

        if self.data_dir is None:
            self.data_dir = repo_root() / ".towngrid" / self.profile
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        self.cache_dir = Path(self.cache_dir).expanduser().resolve() if self.cache_dir else cache_root()
        if self.kafka_controller_port is None:
            self.kafka_controller_port = self.kafka_port + 1
        ports = {"Kafka": self.kafka_port, "Kafka controller": self.kafka_controller_port,
                 "FerretDB": self.mongo_port}
        for what, port in ports.items():
            if not 0 < int(port) < 65536:
                raise StackError(f"{what} port {port} is not a valid TCP port (1-65535)")
        if len(set(ports.values())) != len(ports):
            raise StackError(f"ports must all differ, got {ports} "
                             "(the Kafka controller uses the Kafka port + 1 by default)")
        if self.num_partitions < 1:
            raise StackError(f"num_partitions must be >= 1, got {self.num_partitions}")

    @classmethod
    def from_env(cls, **overrides) -> "StackConfig":
        """Defaults, then TOWNGRID_PROFILE / TOWNGRID_KAFKA_PORT / TOWNGRID_MONGO_PORT /
        TOWNGRID_DATA_DIR, then the explicit keyword arguments that are not None."""
        values: dict = {
            "profile": os.environ.get(ENV_PROFILE) or DEFAULT_PROFILE,
            "kafka_port": _env_int(ENV_KAFKA_PORT, DEFAULT_KAFKA_PORT),
            "mongo_port": _env_int(ENV_MONGO_PORT, DEFAULT_MONGO_PORT),
            "data_dir": os.environ.get(ENV_DATA_DIR) or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    # --- addresses --------------------------------------------------------------------------
    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        """FerretDB's address, without a login: enough for hello and ping only. A client logs in
        as a user of ``database.url``."""
        return f"mongodb://{self.host}:{self.mongo_port}/?directConnection=true"

    # --- layout of the data dir ---------------------------------------------------------------
    @property
    def kafka_dir(self) -> Path:
        return self.data_dir / "kafka"

    @property
    def kafka_log_dirs(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def ferretdb_dir(self) -> Path:
        return self.data_dir / "ferretdb"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    def pid_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    # --- cache layout -------------------------------------------------------------------------
    @property
    def kafka_home(self) -> Path:
        return self.cache_dir / f"kafka-{KAFKA_VERSION}"

    @property
    def kafka_libs(self) -> Path:
        return self.kafka_home / "libs"

    # FerretDB's binary: ferretdb.home(cfg) and ferretdb.binary(cfg) (its folder names its patches).

    @property
    def echarts_home(self) -> Path:
        return self.cache_dir / f"echarts-{ECHARTS_VERSION}"

    @property
    def echarts_js(self) -> Path:
        """The minified library the board serves (``/static/vendor/echarts.min.js``)."""
        return self.echarts_home / "node_modules" / "echarts" / "dist" / "echarts.min.js"
