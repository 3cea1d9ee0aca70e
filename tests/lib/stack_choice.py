"""Which stack the tests run on: Kafka and MongoDB containers (testcontainers) where a Docker
engine answers, the local stack (Kafka and FerretDB as processes) otherwise.

``TOWNGRID_TEST_STACK`` chooses: ``auto`` (the default), ``local`` or ``containers``. Either
way the four services run as local processes against the chosen Kafka and database, and the
stack object has the same face as ``LocalStack``: ``config`` (addresses), ``setup``,
``start``, ``stop``.
"""

from __future__ import annotations

import os

from towngrid_devstack import LocalStack, StackConfig, database
from towngrid_devstack.access import ADMIN_USER
from towngrid_devstack.services import LocalSecrets
from towngrid_kafka_admin.access import committed, provision
from towngrid_kafka_admin.wire import KafkaWire

CHOICES = ("auto", "local", "containers")
KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:8.0"


def docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:  # noqa: BLE001 - no client, no socket, no engine: all mean "no"
        return False
    return True


def chosen_backend(setting: str | None = None, engine_answers=docker_engine_answers) -> str:  # noqa: ANN001
    choice = (setting if setting is not None else os.environ.get("TOWNGRID_TEST_STACK", "auto")).strip() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"TOWNGRID_TEST_STACK={choice!r}: choose one of {', '.join(CHOICES)}")
    if choice == "auto":
        return "containers" if engine_answers() else "local"
    return choice


class ContainerStack:
    """Kafka (official image, KRaft) and MongoDB (official image) in containers, published on
    the configured host ports so that the same ``StackConfig`` addresses reach them."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self._containers: list = []

    def setup(self) -> None:
        """Images are pulled by ``start``."""

    def start(self) -> "ContainerStack":
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        port, cport = self.config.kafka_port, self.config.kafka_controller_port
        local = LocalSecrets.for_profile(self.config)
        admin = local.kafka_passwords[ADMIN_USER]
        kafka = (
            DockerContainer(KAFKA_IMAGE)
            .with_bind_ports(9092, port)
            .with_bind_ports(9093, cport)
            .with_env("KAFKA_NODE_ID", "1")
            .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
            .with_env("KAFKA_LISTENERS", "CLIENT://:9092,CONTROLLER://:9093")
            .with_env("KAFKA_ADVERTISED_LISTENERS", f"CLIENT://127.0.0.1:{port}")
            .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .with_env("KAFKA_INTER_BROKER_LISTENER_NAME", "CLIENT")
            .with_env("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT")
            .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
            .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .with_env("KAFKA_NUM_PARTITIONS", str(self.config.num_partitions))
        )
        for key, value in sasl_environment(admin).items():  # as the compose deployment (unverified here)
            kafka = kafka.with_env(key, value)
        # with a root user, mongod runs with --auth (as in deploy/docker-compose.yml); the services'
        # users are made below, each with readWrite on its own database only
        mongo = (DockerContainer(MONGO_IMAGE).with_bind_ports(27017, self.config.mongo_port)
                 .with_env("MONGO_INITDB_ROOT_USERNAME", database.ADMIN_USER)
                 .with_env("MONGO_INITDB_ROOT_PASSWORD", local.mongo_passwords[database.ADMIN_USER]))
        for container, ready in ((kafka, "Kafka Server started"), (mongo, "Waiting for connections")):
            container.start()
            self._containers.append(container)
            wait_for_logs(container, ready, timeout=120)
        # the image's first start runs a mongod of its own (local only) to make the root user, then
        # restarts: the login waits for the real one (up to 60 s)
        database.provision(self.config, local.mongo_passwords, timeout=60, mongodb=True)
        # the users and ACLs, as the local stack and the deployment's kafka-access job set them
        with KafkaWire("127.0.0.1", cport, timeout=10) as wire:
            wire.authenticate("PLAIN", ADMIN_USER, admin)
            provision(wire, local.kafka_passwords, committed())
        return self

    def stop(self) -> None:
        while self._containers:
            self._containers.pop().stop()


def sasl_environment(admin_password: str) -> dict[str, str]:
    """The official image's variables for SASL (SCRAM for clients, PLAIN for the controller)
    and ACLs, as in deploy/docker-compose.yml."""
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    return {
        "KAFKA_SASL_ENABLED_MECHANISMS": "SCRAM-SHA-512",
        "KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS": "SCRAM-SHA-512",
        "KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS": "PLAIN",
        "KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL": "SCRAM-SHA-512",
        "KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL": "PLAIN",
        "KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG":
            f'{scram} required username="{ADMIN_USER}" password="{admin_password}";',
        "KAFKA_LISTENER_NAME_CONTROLLER_PLAIN_SASL_JAAS_CONFIG":
            f'{plain} required username="{ADMIN_USER}" password="{admin_password}" user_{ADMIN_USER}="{admin_password}";',
        "KAFKA_AUTHORIZER_CLASS_NAME": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "KAFKA_SUPER_USERS": f"User:{ADMIN_USER}",
        "KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND": "false",
    }


def make_stack(config: StackConfig, backend: str) -> LocalStack | ContainerStack:
    return ContainerStack(config) if backend == "containers" else LocalStack(config)
