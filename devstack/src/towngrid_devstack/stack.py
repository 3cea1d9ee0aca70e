"""LocalStack: Kafka + FerretDB for one profile, as supervised local processes."""

from __future__ import annotations

import shutil
import sys
import time
from typing import Callable

from . import access, database, echarts, ferretdb, kafka, pidfile, tools
from .config import StackConfig, repo_root
from .errors import StackError
from .process import ManagedProcess
from .services import LocalSecrets

COMPONENTS = ("kafka", "ferretdb")
_OWN_ENTRIES = {"kafka", "ferretdb", "logs", "run"}


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class LocalStack:
    """Start/stop the local Kafka and FerretDB of ``config`` (a context manager too).

    ``die_with_parent=True`` (default) makes the kernel stop the children if this Python process
    dies; ``towngrid-stack start`` uses False so they keep running in the background.
    """

    def __init__(self, config: StackConfig | None = None, *,
                 echo: Callable[[str], None] | None = None, die_with_parent: bool = True) -> None:
        self.config = config or StackConfig.from_env()
        self.echo = echo or _stderr
        self.die_with_parent = die_with_parent
        self.kafka: ManagedProcess | None = None
        self.ferretdb: ManagedProcess | None = None
        self.ready_seconds: float | None = None  # start → both ready, of the last start()

    @property
    def processes(self) -> list[ManagedProcess]:
        return [p for p in (self.kafka, self.ferretdb) if p is not None]

    # --- set-up -----------------------------------------------------------------------------
    def setup(self) -> None:
        """Resolve Kafka's jars, build FerretDB and fetch ECharts (the board's charts) into the
        cache (quick no-op once done)."""
        tools.find_java()
        kafka.setup(self.config, self.echo)
        ferretdb.setup(self.config, self.echo)
        echarts.setup(self.config, self.echo)

    def is_set_up(self) -> bool:
        return kafka.is_set_up(self.config) and ferretdb.is_set_up(self.config)

    # --- pid files (processes started by any towngrid-stack) --------------------------------
    def running_pids(self) -> dict[str, int | None]:
        """{"kafka": pid or None, "ferretdb": pid or None}, from this profile's pid files."""
        return {name: pidfile.live_pid(self.config.pid_file(name)) for name in COMPONENTS}

    def _refuse_if_running(self, action: str) -> None:
        cfg = self.config
        default_dir = repo_root() / ".towngrid" / cfg.profile
        for name, pid in self.running_pids().items():
            if pid is not None:
                raise StackError(
                    f"[{name}] is already running for profile {cfg.profile!r} (pid {pid}, data "
                    f"dir {cfg.data_dir}), so cannot {action}. Stop it first: `towngrid-stack stop "
                    f"--profile {cfg.profile}" + ("" if cfg.data_dir == default_dir
                                                  else f" --data-dir {cfg.data_dir}") + "`")
            if pidfile.remove_stale(cfg.pid_file(name)):
                self.echo(f"[{name}] removed a stale pid file (process no longer running)")

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> "LocalStack":
        """Format if needed, start Kafka and FerretDB, wait until both answer."""
        cfg = self.config
        if any(p.is_running() for p in self.processes):
            return self
        self._refuse_if_running("start it again")
        self._check_ports()
        java = tools.find_java()
        if cfg.reset:
            self.reset()
        self.setup()
        local = LocalSecrets.for_profile(cfg)
        t0 = time.monotonic()
        try:
            self.kafka = kafka.process(cfg, java=java, echo=self.echo, users=local.kafka_passwords,
                                       die_with_parent=self.die_with_parent).start()
            self.ferretdb = ferretdb.process(cfg, local.mongo_passwords[database.ADMIN_USER],
                                             die_with_parent=self.die_with_parent).start()
            self.echo(f"[stack] started kafka (pid {self.kafka.pid}) and ferretdb "
                      f"(pid {self.ferretdb.pid}); waiting until they answer…")
            deadline = t0 + cfg.ready_timeout
            for proc in (self.ferretdb, self.kafka):
                proc.wait_ready(max(1.0, deadline - time.monotonic()))
            users = database.provision(cfg, local.mongo_passwords)
            self.echo(f"[ferretdb] database users {', '.join(users)}, each allowed only its own database, "
                      f"and {database.ADMIN_USER}")
            t_acl = time.monotonic()
            count = access.apply_acls(cfg.host, cfg.kafka_controller_port, local.kafka_passwords[access.ADMIN_USER])
            self.echo(f"[kafka] SASL/SCRAM users {', '.join(sorted(local.kafka_passwords))}; {count} ACLs "
                      f"set in {time.monotonic() - t_acl:.2f} s (passwords in {cfg.run_dir / 'local-secrets.json'})")
        except BaseException:
            self.stop()
            raise
        self.ready_seconds = time.monotonic() - t0
        self.echo(f"[stack] ready in {self.ready_seconds:.1f} s: Kafka {cfg.kafka_bootstrap}, "
                  f"FerretDB {cfg.mongo_url} (data: {cfg.data_dir})")
        return self

    def _check_ports(self) -> None:
        cfg = self.config
        tools.check_port(cfg.host, cfg.kafka_port, "kafka",
                         "env TOWNGRID_KAFKA_PORT, `--kafka-port`, or StackConfig(kafka_port=...)")
        tools.check_port(cfg.host, cfg.kafka_controller_port, "kafka",
                         f"the controller listens on the Kafka port + 1 ({cfg.kafka_port}+1); "
                         "move the Kafka port (env TOWNGRID_KAFKA_PORT, `--kafka-port`) or set "
                         "StackConfig(kafka_controller_port=...)")
        tools.check_port(cfg.host, cfg.mongo_port, "ferretdb",
                         "env TOWNGRID_MONGO_PORT, `--mongo-port`, or StackConfig(mongo_port=...)")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM both (in parallel), SIGKILL whatever is still there after ``timeout`` s."""
        procs = [p for p in self.processes if p.is_running()]
        for proc in procs:
            proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            proc.stop(max(0.5, deadline - time.monotonic()))

    # --- one component at a time (fault tests: a broker or database outage) ------------------
    def component(self, name: str) -> ManagedProcess:
        """The running stack's ``"kafka"`` or ``"ferretdb"`` process."""
        if name not in COMPONENTS:
            raise StackError(f"unknown component {name!r}: choose one of {', '.join(COMPONENTS)}")
        proc = getattr(self, name)
        if proc is None:
            raise StackError(f"[{name}] the stack was never started, so it cannot be stopped or restarted")
        return proc

    def stop_component(self, name: str, timeout: float = 30.0) -> None:
        """Stop only Kafka or only FerretDB (SIGTERM, then SIGKILL after ``timeout`` s); its
        data stays, so :meth:`start_component` brings it back as it was."""
        self.component(name).stop(timeout)

    def start_component(self, name: str, timeout: float | None = None) -> None:
        """Start a component stopped by :meth:`stop_component` again and wait until it answers."""
        proc = self.component(name)
        proc.start()
        proc.wait_ready(timeout if timeout is not None else self.config.ready_timeout)

    def stop_background(self, timeout: float = 30.0) -> dict[str, int | None]:
        """Stop this profile's processes found through pid files (e.g. `towngrid-stack start`)."""
        self.stop(timeout)
        return {name: pidfile.stop_from_pid_file(self.config.pid_file(name), timeout)
                for name in COMPONENTS}

    def is_running(self) -> bool:
        return bool(self.processes) and all(p.is_running() for p in self.processes)

    def reset(self) -> None:
        """Delete the profile's data dir (refused while its processes run)."""
        data_dir = self.config.data_dir
        self._refuse_if_running("reset its data")
        if not data_dir.exists():
            return
        foreign = {p.name for p in data_dir.iterdir()} - _OWN_ENTRIES
        if foreign:
            raise StackError(f"refusing to delete {data_dir}: it holds files the stack did not "
                             f"create ({', '.join(sorted(foreign))})")
        self.echo(f"[stack] deleting the data of profile {self.config.profile!r}: {data_dir}")
        shutil.rmtree(data_dir)

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
