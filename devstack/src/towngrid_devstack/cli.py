"""`towngrid-stack`: set up, run and inspect the local Kafka + FerretDB.

Adding a subcommand: write ``def cmd_x(args) -> int`` and decorate it with
``@command("x", help="...", arguments=add_my_options)``; stack options (profile, ports, data
dir) are added to every subcommand, and ``config_from_args(args)`` turns them into a StackConfig.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import Callable

from . import pidfile, readiness, run
from .config import (ENV_DATA_DIR, ENV_KAFKA_PORT, ENV_MONGO_PORT, ENV_PROFILE, FERRETDB_VERSION,
                     KAFKA_VERSION, StackConfig)
from .errors import StackError
from .access import ADMIN_USER
from .services import KAFKA_MECHANISM, KAFKA_USERS, MONGO_USERS, SERVICES, LocalSecrets, staff_token
from .stack import COMPONENTS, LocalStack

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Command, str, Callable[[argparse.ArgumentParser], None] | None]] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] | None = None
            ) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = (func, help, arguments)
        return func
    return register


def add_stack_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("stack")
    group.add_argument("--profile", help=f"name of the data set (env {ENV_PROFILE}, default dev)")
    group.add_argument("--kafka-port", type=int,
                       help=f"Kafka port; the controller uses it + 1 (env {ENV_KAFKA_PORT}, 9092)")
    group.add_argument("--mongo-port", type=int,
                       help=f"FerretDB (MongoDB wire) port (env {ENV_MONGO_PORT}, 27017)")
    group.add_argument("--data-dir", help=f"data directory (env {ENV_DATA_DIR}, default "
                                          "<repo>/.towngrid/<profile>)")
    group.add_argument("--num-partitions", type=int, help="partitions of auto-created topics (3)")


def _reset_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset", action="store_true", help="delete the profile's data first")


def config_from_args(args: argparse.Namespace, **overrides) -> StackConfig:
    return StackConfig.from_env(profile=args.profile, kafka_port=args.kafka_port,
                                mongo_port=args.mongo_port, data_dir=args.data_dir,
                                num_partitions=args.num_partitions,
                                reset=getattr(args, "reset", False) or None, **overrides)


def print_addresses(cfg: StackConfig) -> None:
    print(f"Kafka {KAFKA_VERSION}:     {cfg.kafka_bootstrap}   (export "
          f"TOWNGRID_KAFKA_BOOTSTRAP={cfg.kafka_bootstrap})")
    print(f"  Kafka login: SASL_PLAINTEXT, {KAFKA_MECHANISM}; users {', '.join(KAFKA_USERS)} (admin: the "
          f"super user), passwords in {cfg.run_dir / 'local-secrets.json'} (kafka_passwords)")
    print(f"FerretDB {FERRETDB_VERSION}: {cfg.mongo_url}")
    print(f"  database login: SCRAM-SHA-256; users {', '.join(MONGO_USERS)} (admin: every database; a "
          f"service: only its own), passwords in {cfg.run_dir / 'local-secrets.json'} (mongo_passwords)")
    print(f"data:  {cfg.data_dir}   logs: {cfg.log_dir}", flush=True)


@command("setup", help="resolve Kafka, build FerretDB and fetch ECharts (the board's charts) into the cache (once)")
def cmd_setup(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    LocalStack(cfg).setup()
    print(f"set up in {cfg.cache_dir}")
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@command("up", help="run Kafka and FerretDB in the foreground (Ctrl-C stops both)",
         arguments=_reset_option)
def cmd_up(args: argparse.Namespace) -> int:
    stack = LocalStack(config_from_args(args))
    signal.signal(signal.SIGTERM, _interrupt)  # `kill <pid>` stops cleanly, like Ctrl-C
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
    try:
        stack.start()
        print_addresses(stack.config)
        print("Ctrl-C stops both.", flush=True)
        while all(p.is_running() for p in stack.processes):
            time.sleep(0.5)
        dead = [p for p in stack.processes if not p.is_running()]
        for proc in dead:
            print(f"[{proc.name}] exited unexpectedly (code {proc.returncode}).\n"
                  f"{proc.describe_logs()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr, flush=True)
        return 0
    finally:
        stack.stop()


@command("start", help="start Kafka and FerretDB in the background (pid files)",
         arguments=_reset_option)
def cmd_start(args: argparse.Namespace) -> int:
    stack = LocalStack(config_from_args(args), die_with_parent=False)
    stack.start()
    print_addresses(stack.config)
    print(f"running in the background; stop with `towngrid-stack stop"
          f"{' --profile ' + stack.config.profile if stack.config.profile != 'dev' else ''}`")
    return 0


def _run_options(parser: argparse.ArgumentParser) -> None:
    _reset_option(parser)
    group = parser.add_argument_group("services")
    for svc, port in SERVICES.items():
        group.add_argument(f"--{svc}-port", type=int, metavar="PORT",
                           help=f"{svc} api port (env TOWNGRID_{svc.upper()}_PORT, {port})")


@command("run", help="run Kafka, FerretDB, the four services and the board in the foreground, supervised "
         "(Ctrl-C stops all)", arguments=_run_options)
def cmd_run(args: argparse.Namespace) -> int:
    ports = run.service_ports({svc: getattr(args, f"{svc}_port") for svc in SERVICES})
    return run.run(config_from_args(args), ports)


def _token_options(parser: argparse.ArgumentParser) -> None:
    from towngrid_kit.auth import Role

    parser.add_argument("--role", default="town_admin", choices=[r.value for r in Role], help="town_admin (default)")
    parser.add_argument("--scope", default="town", help='"town" (default), "community:<id>" or "compound:<id>"')
    parser.add_argument("--subject", default="local-admin", help="the staff member's opaque id")
    parser.add_argument("--department", default=None, help="a permit reviewer's department")
    parser.add_argument("--org", default=None, help="the merchant id of a merchant, the enterprise id of a liaison")


@command("token", help="print a staff token for the profile's services (admin by default)",
         arguments=_token_options)
def cmd_token(args: argparse.Namespace) -> int:
    print(staff_token(LocalSecrets.for_profile(config_from_args(args)), role=args.role, scope=args.scope,
                      subject=args.subject, department=args.department, organisation=args.org))
    return 0


@command("stop", help="stop the background Kafka and FerretDB of a profile (and its `run`)")
def cmd_stop(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    run_pid = pidfile.live_pid(cfg.pid_file("run"))
    if run_pid:  # a `towngrid-stack run`: it stops its services, then Kafka and FerretDB
        os.kill(run_pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while pidfile.live_pid(cfg.pid_file("run")) and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"run: stopped (pid {run_pid})")
    pidfile.remove_stale(cfg.pid_file("run"))
    stopped = LocalStack(cfg).stop_background()
    for name, pid in stopped.items():
        print(f"{name}: " + (f"stopped (pid {pid})" if pid else "was not running"))
    return 0


@command("status", help="show whether Kafka and FerretDB of a profile run and answer")
def cmd_status(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    secrets_file = cfg.run_dir / "local-secrets.json"
    admin = (LocalSecrets.for_profile(cfg).kafka_passwords[ADMIN_USER] if secrets_file.exists() else "")
    probes = {"kafka": lambda: readiness.kafka_ready(cfg.host, cfg.kafka_port,
                                                     auth=(KAFKA_MECHANISM, ADMIN_USER, admin)),
              "ferretdb": lambda: readiness.mongo_ready(cfg.host, cfg.mongo_port)}
    addresses = {"kafka": cfg.kafka_bootstrap, "ferretdb": cfg.mongo_url}
    healthy = True
    print(f"profile {cfg.profile}, data {cfg.data_dir}")
    for name in COMPONENTS:
        pid = pidfile.live_pid(cfg.pid_file(name))
        try:
            answers = probes[name]()
        except Exception:  # noqa: BLE001 - refused, closed, wrong login: all mean "no"
            answers = False
        healthy &= answers
        print(f"{name:9} {'answers' if answers else 'DOWN':8} {addresses[name]:55} "
              + (f"pid {pid}" if pid else "(no pid file)" if answers else "not running"))
    return 0 if healthy else 1


@command("reset", help="delete the data of a profile (refused while it runs)")
def cmd_reset(args: argparse.Namespace) -> int:
    LocalStack(config_from_args(args)).reset()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="towngrid-stack", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_stack_options(p)
        if arguments:
            arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StackError as exc:
        print(f"towngrid-stack: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
