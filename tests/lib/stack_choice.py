"""Which stack the tests run on: Kafka and MongoDB containers (testcontainers) where a Docker
engine answers, the local stack (Kafka and FerretDB as processes) otherwise.

``TOWNGRID_TEST_STACK`` chooses: ``auto`` (the default), ``local`` or ``containers``. Either
way the four services run as local processes against the chosen Kafka and database, and the
stack object has the same face as ``LocalStack``: ``config`` (addresses), ``setup``,
``start``, ``stop``.
"""

from __future__ import annotations

import os

from towngrid_devstack import LocalStack, StackConfig

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

        port = self.config.kafka_port
        kafka = (
            DockerContainer(KAFKA_IMAGE)
            .with_bind_ports(9092, port)
            .with_env("KAFKA_NODE_ID", "1")
            .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
            .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
            .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
            .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .with_env("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")
            .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
            .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .with_env("KAFKA_NUM_PARTITIONS", str(self.config.num_partitions))
        )
        mongo = DockerContainer(MONGO_IMAGE).with_bind_ports(27017, self.config.mongo_port)
        for container, ready in ((kafka, "Kafka Server started"), (mongo, "Waiting for connections")):
            container.start()
            self._containers.append(container)
            wait_for_logs(container, ready, timeout=120)
        return self

    def stop(self) -> None:
        while self._containers:
            self._containers.pop().stop()


def make_stack(config: StackConfig, backend: str) -> LocalStack | ContainerStack:
    return ContainerStack(config) if backend == "containers" else LocalStack(config)
