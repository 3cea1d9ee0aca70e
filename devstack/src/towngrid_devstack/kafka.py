"""Apache Kafka (KRaft, single node) from Maven Central: resolve, configure, format, run."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import uuid
from importlib import resources
from pathlib import Path

from . import access, cache, readiness, tools
from .access import ADMIN_USER
from .config import KAFKA_VERSION, SCALA_VERSION, StackConfig
from .errors import StackError
from .process import ManagedProcess
from .tools import Echo

MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
MAVEN_HINT = ("check network access to https://repo.maven.apache.org (behind a proxy: configure "
              "it in ~/.m2/settings.xml), then retry `towngrid-stack setup`")


def pom_text() -> str:
    return resources.files("towngrid_devstack").joinpath("kafka/pom.xml").read_text("utf-8")


def _stamp() -> str:
    return f"kafka_{SCALA_VERSION}-{KAFKA_VERSION} pom-sha256:" + hashlib.sha256(
        pom_text().encode()).hexdigest()[:16]


def is_set_up(cfg: StackConfig) -> bool:
    return cache.is_complete(cfg.kafka_home, _stamp())


def setup(cfg: StackConfig, echo: Echo) -> Path:
    """Resolve Kafka's runtime classpath into ``<cache>/kafka-<version>/libs`` (once)."""
    if is_set_up(cfg):
        return cfg.kafka_libs
    mvn = tools.find_maven()

    def build(tmp: Path) -> None:
        (tmp / "pom.xml").write_text(pom_text(), encoding="utf-8")
        echo(f"[kafka] resolving kafka_{SCALA_VERSION} {KAFKA_VERSION} from Maven Central "
             f"(first run, about a minute)…")
        tools.run_streaming(
            [mvn, "-B", "-Dstyle.color=never", "-f", tmp / "pom.xml",
             "dependency:copy-dependencies", f"-DoutputDirectory={tmp / 'libs'}",
             "-DincludeScope=runtime"],
            step=f"[kafka] resolving kafka_{SCALA_VERSION} {KAFKA_VERSION} with Maven",
            echo=echo, cwd=tmp, hint=MAVEN_HINT)
        jars = list((tmp / "libs").glob(f"kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar"))
        if not jars:
            raise StackError(f"[kafka] Maven finished but kafka_{SCALA_VERSION}-{KAFKA_VERSION}.jar"
                             f" is not in {tmp / 'libs'}; {MAVEN_HINT}")
        shutil.rmtree(tmp / "target", ignore_errors=True)

    cache.install_dir(cfg.kafka_home, _stamp(), build)
    echo(f"[kafka] classpath ready in {cfg.kafka_libs}")
    return cfg.kafka_libs


CLIENT_MECHANISM = "SCRAM-SHA-512"  # clients' SASL mechanism (and the broker's own, inter-broker)
CONTROLLER_MECHANISM = "PLAIN"  # KRaft controllers cannot use SCRAM (its users live in their log)
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def server_properties(cfg: StackConfig, admin_password: str) -> str:
    """The broker+controller configuration of a single KRaft node: SASL on both listeners
    (SCRAM-SHA-512 for clients, PLAIN for the controller), ACLs enforced, ``admin`` the only
    super user (the broker itself logs in as admin)."""
    host, port, cport = cfg.host, cfg.kafka_port, cfg.kafka_controller_port
    admin, secret = ADMIN_USER, admin_password
    props = {
        "process.roles": "broker,controller",
        "node.id": 1,
        "controller.quorum.bootstrap.servers": f"{host}:{cport}",
        "listeners": f"CLIENT://{host}:{port},CONTROLLER://{host}:{cport}",
        "advertised.listeners": f"CLIENT://{host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "CLIENT",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": CLIENT_MECHANISM,
        "listener.name.client.sasl.enabled.mechanisms": CLIENT_MECHANISM,
        "listener.name.controller.sasl.enabled.mechanisms": CONTROLLER_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": CLIENT_MECHANISM,
        "sasl.mechanism.controller.protocol": CONTROLLER_MECHANISM,
        "listener.name.client.scram-sha-512.sasl.jaas.config":
            f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{admin}" '
            f'password="{secret}";',
        "listener.name.controller.plain.sasl.jaas.config":
            f'org.apache.kafka.common.security.plain.PlainLoginModule required username="{admin}" '
            f'password="{secret}" user_{admin}="{secret}";',
        "authorizer.class.name": AUTHORIZER,
        "super.users": f"User:{admin}",
        "allow.everyone.if.no.acl.found": "false",
        "log.dirs": cfg.kafka_log_dirs,
        "num.partitions": cfg.num_partitions,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        "offsets.topic.replication.factor": 1,
        "offsets.topic.num.partitions": 10,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "group.initial.rebalance.delay.ms": 0,
        "auto.create.topics.enable": "true",
        "num.network.threads": 2,
        "num.io.threads": 4,
        "log.retention.hours": 168,
    }
    lines = ["# generated by towngrid-devstack at every start; edit towngrid_devstack/kafka.py"]
    lines += [f"{key}={value}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def log4j2_xml(cfg: StackConfig) -> str:
    """Everything at INFO to <data>/logs/kafka.log (rolled at 20 MB), WARN+ to the console."""
    log = cfg.log_dir / "kafka.log"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN" shutdownHook="disable">
  <Appenders>
    <Console name="console" target="SYSTEM_OUT">
      <ThresholdFilter level="WARN"/>
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
    <RollingFile name="file" fileName="{log}" filePattern="{log}.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="console"/><AppenderRef ref="file"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
  </Loggers>
</Configuration>
"""


def write_config(cfg: StackConfig, admin_password: str) -> tuple[Path, Path]:
    cfg.kafka_dir.mkdir(parents=True, exist_ok=True)
    cfg.log_dir.mkdir(parents=True, exist_ok=True)
    props, log4j = cfg.kafka_dir / "server.properties", cfg.kafka_dir / "log4j2.xml"
    props.touch(mode=0o600)
    props.chmod(0o600)  # it holds the admin password
    props.write_text(server_properties(cfg, admin_password), encoding="utf-8")
    log4j.write_text(log4j2_xml(cfg), encoding="utf-8")
    return props, log4j


def java_argv(cfg: StackConfig, java: str, log4j: Path, *args: str) -> list[str]:
    return [java, *cfg.kafka_jvm_opts, "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{cfg.kafka_libs}/*", *args]


def new_cluster_id() -> str:
    """Like Kafka's Uuid.randomUuid().toString(): url-safe base64, no padding, not '-'-led."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def is_formatted(cfg: StackConfig) -> bool:
    return (cfg.kafka_log_dirs / "meta.properties").exists()


def format_storage(cfg: StackConfig, java: str, props: Path, log4j: Path, echo: Echo,
                   admin_password: str) -> None:
    """`kafka-storage format --standalone` on the first start of a data dir only, with the admin's
    SCRAM credential (the other users, and the admin of a data dir formatted before SASL, are
    created at every start through the controller: see access.py)."""
    if is_formatted(cfg):
        return
    cluster_id = new_cluster_id()
    echo(f"[kafka] formatting a new KRaft log dir {cfg.kafka_log_dirs} (cluster id {cluster_id})")
    argv = java_argv(cfg, java, log4j, STORAGE_TOOL, "format", "-t", cluster_id, "-c", str(props),
                     "--standalone", "--add-scram",
                     f"{CLIENT_MECHANISM}=[name={ADMIN_USER},password={admin_password}]")
    out = subprocess.run(argv, capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        raise StackError(f"[kafka] formatting the storage failed (exit code {out.returncode}).\n"
                         f"Command: {' '.join(argv).replace(admin_password, '***')}\nOutput:\n{(out.stdout + out.stderr)[-3000:]}"
                         f"\nWhat to do: `towngrid-stack reset` the profile and retry.")


def process(cfg: StackConfig, *, java: str, echo: Echo, users: dict[str, str],
            die_with_parent: bool = True) -> ManagedProcess:
    """Write the config, format if needed, and return the (not yet started) broker process.

    ``users`` are the SCRAM users (name -> password, ``admin`` among them); the broker counts
    as ready once they exist (created through the controller on the first probe) and the admin
    can log in on the client listener."""
    admin_password = users[ADMIN_USER]
    props, log4j = write_config(cfg, admin_password)
    format_storage(cfg, java, props, log4j, echo, admin_password)
    provisioned: list[bool] = []

    def ready() -> bool:
        if not provisioned:
            with access.controller_connection(cfg.host, cfg.kafka_controller_port, admin_password) as wire:
                wire.upsert_scram_users(users, CLIENT_MECHANISM)
            provisioned.append(True)
        return readiness.kafka_ready(cfg.host, cfg.kafka_port, auth=(CLIENT_MECHANISM, ADMIN_USER, admin_password))

    return ManagedProcess(
        "kafka", java_argv(cfg, java, log4j, MAIN_CLASS, str(props)),
        log_path=cfg.log_dir / "kafka.out",
        ready_check=ready,
        cwd=cfg.kafka_dir, pid_file=cfg.pid_file("kafka"), die_with_parent=die_with_parent,
        extra_logs=[cfg.log_dir / "kafka.log"])
