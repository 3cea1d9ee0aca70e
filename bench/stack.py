"""The bench's own local stack: Kafka + FerretDB on profile ``bench`` (Kafka 39092, FerretDB 27039)
and the eight service processes at port offset 30000 (registry 38001 ... labor 38004).

Started the way the test suite's ``system`` fixture does (tests/conftest.py), with the same
functions (``LocalStack``, ``service_processes``, ``System``), always on fresh data.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "lib"))

from e2e_support import System  # noqa: E402  (tests/lib: the suite's helpers)

from towngrid_devstack import LocalStack, StackConfig  # noqa: E402
from towngrid_devstack.services import SERVICES, LocalSecrets, service_processes  # noqa: E402
from towngrid_devstack.tools import port_is_free  # noqa: E402

PROFILE = "bench"
KAFKA_PORT = 39092
MONGO_PORT = 27039
SERVICE_PORT_OFFSET = 30000


def loadtest_module():
    """loadtest/run.py as a module (its set-up, topic readers and e2e figures are reused)."""
    if "loadtest_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("loadtest_run", REPO / "loadtest" / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["loadtest_run"] = module
        spec.loader.exec_module(module)
    return sys.modules["loadtest_run"]


class BenchStack:
    """Kafka, FerretDB and the four services (api + worker each), fresh data; ``stop()`` ends all."""

    def __init__(self, profile: str = PROFILE, kafka_port: int = KAFKA_PORT, mongo_port: int = MONGO_PORT,
                 port_offset: int = SERVICE_PORT_OFFSET) -> None:
        self.config = StackConfig(profile=profile, kafka_port=kafka_port, mongo_port=mongo_port, reset=True)
        self.port_offset = port_offset
        self.stack = LocalStack(self.config, echo=lambda line: print(f"  {line}", flush=True))
        self.system: System | None = None

    def start_infra(self) -> None:
        t0 = time.monotonic()
        self.stack.setup()
        self.stack.start()
        secrets = LocalSecrets.for_profile(self.config)
        self.system = System(config=self.config, secrets=secrets)
        print(f"  [bench] Kafka + FerretDB up in {time.monotonic() - t0:.1f} s", flush=True)

    def start_services(self) -> None:
        t0 = time.monotonic()
        # The previous stack's processes may still be letting go of these ports (seen once right
        # after stack 1 stopped): wait a little before the devstack's check calls them taken.
        ports = [port + self.port_offset for port in SERVICES.values()]
        while not all(port_is_free("127.0.0.1", port) for port in ports) and time.monotonic() - t0 < 30:
            time.sleep(0.5)
        for name, port in SERVICES.items():
            self.system.services[name] = service_processes(name, self.config, self.system.secrets,
                                                           port=port + self.port_offset)
        for process in self.processes:
            process.start()
        for process in self.processes:
            process.wait_ready(timeout=120)
        print(f"  [bench] 8 service processes ready in {time.monotonic() - t0:.1f} s", flush=True)

    def start(self) -> "BenchStack":
        try:
            self.start_infra()
            self.start_services()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def processes(self) -> list:
        return [p for s in (self.system.services.values() if self.system else []) for p in (s.api, s.worker)]

    def stop(self) -> None:
        for process in self.processes:
            try:
                process.stop()
            except Exception as error:  # noqa: BLE001
                print(f"  [bench] stopping {process.name}: {error}", flush=True)
        self.stack.stop()

    # --- conveniences ---------------------------------------------------------------------------
    def url(self, service: str) -> str:
        return self.system.services[service].url

    @property
    def kafka(self) -> str:
        return self.config.kafka_bootstrap

    @property
    def mongo_url(self) -> str:
        """The database logged in as its admin (the seeding writes several services' databases)."""
        return self.system.mongo_url

    def admin_login(self) -> dict:
        return self.system.kafka_login_as("admin")

    def token(self) -> str:
        return self.system.token(subject="bench")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(c) for c in text)
    except OSError:
        pass
    return found


def rss_mib(pid: int) -> float:
    """VmRSS of a process, in MiB (0 if gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def service_rss(bench: BenchStack) -> dict[str, float]:
    """RSS (MiB) of each api and worker process, its children included (e.g. uvicorn workers)."""
    out = {}
    for process in bench.processes:
        if process.pid is None:
            continue
        todo, total = [process.pid], 0.0
        while todo:
            pid = todo.pop()
            total += rss_mib(pid)
            todo.extend(_children(pid))
        out[process.name] = round(total, 1)
    return out
