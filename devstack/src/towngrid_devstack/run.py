"""`towngrid-stack run`: Kafka, FerretDB, the four services and the board (api + worker each) in the
foreground, supervised: a service process that dies is restarted (a few times); Ctrl-C or
SIGTERM stops the services, then the stack."""

from __future__ import annotations

import os
import signal
import sys
import time

from . import pidfile
from .config import StackConfig, _env_int
from .errors import StackError
from .process import ManagedProcess
from .services import (SERVICES, LocalSecrets, ServiceProcesses, staff_token, check_port_free,
                       service_processes)
from .stack import LocalStack

READY_TIMEOUT = 90.0  # s for the service processes, after Kafka and FerretDB answer
MAX_RESTARTS = 3      # per process; forgotten once it has stayed up for STABLE_AFTER s
STABLE_AFTER = 600.0
STOP_TIMEOUT = 20.0   # s between SIGTERM and SIGKILL


def echo(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def service_ports(overrides: dict[str, int | None] | None = None) -> dict[str, int]:
    """Each service's api port: the override, else env TOWNGRID_<SVC>_PORT, else 8001..8004."""
    overrides = overrides or {}
    ports = {svc: overrides.get(svc) or _env_int(f"TOWNGRID_{svc.upper()}_PORT", default)
             for svc, default in SERVICES.items()}
    if len(set(ports.values())) != len(ports):
        raise StackError(f"the service ports must all differ, got {ports}")
    return ports


class Runner:
    """The stack plus the service processes of one profile."""

    def __init__(self, config: StackConfig, ports: dict[str, int]) -> None:
        self.stack = LocalStack(config, echo=echo)
        self.ports = ports
        self.services: list[ServiceProcesses] = []
        self.secrets: LocalSecrets | None = None
        self.restarts: dict[str, int] = {}
        self.started: dict[str, float] = {}
        self.awaiting: dict[str, float] = {}  # restarted, not ready yet: name -> deadline
        self.given_up: set[str] = set()

    @property
    def processes(self) -> list[ManagedProcess]:
        return [p for s in self.services for p in (s.api, s.worker)]

    def start(self) -> None:
        cfg = self.stack.config
        stack_ports = {cfg.kafka_port, cfg.kafka_controller_port, cfg.mongo_port}
        if taken := stack_ports & set(self.ports.values()):
            raise StackError(f"service ports {self.ports} overlap the stack's {sorted(taken)}")
        for svc, port in self.ports.items():  # fail before starting anything
            check_port_free(port, f"{svc}-api")
        self.stack.start()  # (after a --reset: the pid file must survive it)
        pidfile.write_pid_file(cfg.pid_file("run"), os.getpid(), "run", sys.argv)
        self.secrets = LocalSecrets.for_profile(cfg)
        self.services = [service_processes(svc, cfg, self.secrets, port=port)
                         for svc, port in self.ports.items()]
        echo(f"[run] starting {len(self.processes)} service processes (logs in {cfg.log_dir})…")
        for proc in self.processes:
            proc.start()
            self.started[proc.name] = time.monotonic()
        wait_all_ready(self.processes, READY_TIMEOUT)

    def supervise(self) -> int:
        """Until interrupted: restart service processes that die; 1 if Kafka or FerretDB dies."""
        while True:
            for proc in self.stack.processes:
                if not proc.is_running():
                    echo(f"[{proc.name}] exited unexpectedly (code {proc.returncode}); the "
                         f"services need it, so everything stops.\n{proc.describe_logs()}")
                    return 1
            for proc in self.processes:
                if proc.is_running():
                    self._check_back(proc)
                elif proc.name not in self.given_up:
                    self._restart(proc)
            time.sleep(0.5)

    def _restart(self, proc: ManagedProcess) -> None:
        now = time.monotonic()
        self.awaiting.pop(proc.name, None)
        if now - self.started[proc.name] > STABLE_AFTER:
            self.restarts[proc.name] = 0
        done = self.restarts.get(proc.name, 0)
        echo(f"[{proc.name}] exited unexpectedly (code {proc.returncode}).\n{proc.describe_logs()}")
        if done >= MAX_RESTARTS:
            self.given_up.add(proc.name)
            echo(f"[{proc.name}] restarted {done} times already: left stopped (the rest keeps "
                 "running; Ctrl-C stops everything)")
            return
        self.restarts[proc.name] = done + 1
        echo(f"[{proc.name}] restarting ({done + 1}/{MAX_RESTARTS})…")
        time.sleep(done + 1.0)  # a little back-off
        proc.start()
        self.started[proc.name] = time.monotonic()
        self.awaiting[proc.name] = self.started[proc.name] + READY_TIMEOUT

    def _check_back(self, proc: ManagedProcess) -> None:
        deadline = self.awaiting.get(proc.name)
        if deadline is None:
            return
        if _is_ready(proc):
            del self.awaiting[proc.name]
            echo(f"[{proc.name}] ready again (pid {proc.pid})")
        elif time.monotonic() > deadline:
            del self.awaiting[proc.name]
            echo(f"[{proc.name}] still not ready {READY_TIMEOUT:.0f} s after its restart.\n"
                 f"{proc.describe_logs()}")

    def stop(self) -> None:
        """SIGTERM every service process at once, wait (SIGKILL after STOP_TIMEOUT), then the
        stack; nothing is left behind."""
        for proc in self.processes:
            proc.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in self.processes:
            proc.stop(max(0.5, deadline - time.monotonic()))
        self.stack.stop()


def _is_ready(proc: ManagedProcess) -> bool:
    try:
        return proc.ready_check is None or bool(proc.ready_check())
    except Exception:  # noqa: BLE001 - not ready yet
        return False


def wait_all_ready(processes: list[ManagedProcess], timeout: float) -> None:
    """Poll all at once; StackError naming the process (with its log) that exits first, or all
    those not ready after ``timeout`` s."""
    t0 = time.monotonic()
    pending = list(processes)
    while pending:
        for proc in list(pending):
            if not proc.is_running():
                raise StackError(f"[{proc.name}] exited with code {proc.returncode} before it was "
                                 f"ready.\n{proc.describe_logs()}")
            if _is_ready(proc):
                pending.remove(proc)
                echo(f"[{proc.name}] ready in {time.monotonic() - t0:.1f} s (pid {proc.pid})")
        if pending and time.monotonic() - t0 > timeout:
            names = ", ".join(p.name for p in pending)
            logs = "\n".join(f"--- [{p.name}]\n{p.describe_logs(15)}" for p in pending)
            raise StackError(f"[{names}] not ready after {timeout:.0f} s.\n{logs}")
        if pending:
            time.sleep(0.2)


def print_summary(cfg: StackConfig, services: list[ServiceProcesses], local: LocalSecrets,
                  total_s: float, stack_s: float | None) -> None:
    stack = f" (Kafka + FerretDB {stack_s:.1f} s)" if stack_s is not None else ""
    lines = [f"\ntowngrid is running (profile {cfg.profile}): all ready in {total_s:.1f} s{stack}",
             f"  {'service':9} {'API':24} docs"]
    lines += [f"  {s.service:9} {s.url:24} {s.url}/docs" for s in services]
    lines += [f"  Kafka bootstrap   {cfg.kafka_bootstrap}  (SASL_PLAINTEXT, SCRAM-SHA-512: users "
              f"{', '.join(local.kafka_passwords)}; passwords under kafka_passwords in "
              f"{cfg.run_dir / 'local-secrets.json'})", f"  MongoDB           {cfg.mongo_url}",
              f"  logs              {cfg.log_dir}/  (<service>-api.log, <service>-worker.log, "
              "kafka.log, ferretdb.log)",
              f"  data              {cfg.data_dir}  (kept until `towngrid-stack reset`)",
              "\nAdmin token (role town_admin, scope town, valid 8 h):",
              f"  {staff_token(local)}",
              "Mint another, e.g.:",
              f"  TOWNGRID_AUTH_JWT_SECRET={local.auth_jwt_secret} uv run towngrid-token "
              "--role community_officer --scope community:C03",
              "\nSupervising: a service process that dies is restarted. Ctrl-C stops everything."]
    print("\n".join(lines), flush=True)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


_stopping_since = [0.0]


def _still_stopping(_signum: int, _frame: object) -> None:
    if time.monotonic() - _stopping_since[0] > 1.0:  # not the same Ctrl-C relayed by `uv run`
        echo("[run] still stopping, please wait…")


def run(config: StackConfig, ports: dict[str, int]) -> int:
    """The `towngrid-stack run` command: start all, print the summary, supervise, stop all."""
    t0 = time.monotonic()
    signal.signal(signal.SIGTERM, _raise_interrupt)  # `kill <pid>` stops cleanly, like Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    run_pid = config.pid_file("run")
    if other := pidfile.live_pid(run_pid):
        raise StackError(f"`towngrid-stack run` already runs for profile {config.profile!r} (pid "
                         f"{other}): Ctrl-C it, or `towngrid-stack stop --profile {config.profile}`")
    runner = Runner(config, ports)
    try:
        try:
            runner.start()
        except StackError:
            if runner.stack.processes:
                echo("[run] start-up failed: stopping everything…")
            raise
        print_summary(config, runner.services, runner.secrets,
                      total_s=time.monotonic() - t0, stack_s=runner.stack.ready_seconds)
        return runner.supervise()
    except KeyboardInterrupt:
        echo("\n[run] stopping the services, then Kafka and FerretDB…")
        return 0
    finally:
        _stopping_since[0] = time.monotonic()
        signal.signal(signal.SIGINT, _still_stopping)
        signal.signal(signal.SIGTERM, _still_stopping)
        runner.stop()
        if pidfile.live_pid(run_pid) == os.getpid():
            run_pid.unlink(missing_ok=True)
        echo("[run] stopped.")
