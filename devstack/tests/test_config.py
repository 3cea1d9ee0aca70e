"""Unit tests: configuration, generated Kafka/FerretDB settings, BSON codec, cache install."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from towngrid_devstack import StackConfig, StackError, cache, database, ferretdb, kafka, readiness
from towngrid_devstack.config import repo_root


def test_defaults_and_addresses(monkeypatch):
    for var in ("TOWNGRID_PROFILE", "TOWNGRID_KAFKA_PORT", "TOWNGRID_MONGO_PORT",
                "TOWNGRID_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    cfg = StackConfig.from_env()
    assert (cfg.profile, cfg.kafka_port, cfg.kafka_controller_port, cfg.mongo_port) == (
        "dev", 9092, 9093, 27017)
    assert cfg.data_dir == repo_root() / ".towngrid" / "dev"
    assert (repo_root() / "pyproject.toml").exists()
    cfg = StackConfig(profile="test", kafka_port=19092, mongo_port=27018)
    assert cfg.kafka_bootstrap == "127.0.0.1:19092"
    assert cfg.kafka_controller_port == 19093
    assert cfg.mongo_url == "mongodb://127.0.0.1:27018/?directConnection=true"
    assert cfg.data_dir.name == "test" and cfg.data_dir.parent.name == ".towngrid"


def test_env_overrides_and_explicit_args(monkeypatch, tmp_path):
    monkeypatch.setenv("TOWNGRID_PROFILE", "p1")
    monkeypatch.setenv("TOWNGRID_KAFKA_PORT", "19192")
    monkeypatch.setenv("TOWNGRID_MONGO_PORT", "27118")
    monkeypatch.setenv("TOWNGRID_CACHE", str(tmp_path / "c"))
    cfg = StackConfig.from_env(mongo_port=27200, data_dir=tmp_path / "d")
    assert (cfg.profile, cfg.kafka_port, cfg.mongo_port) == ("p1", 19192, 27200)
    assert cfg.data_dir == tmp_path / "d"
    assert cfg.kafka_libs == tmp_path / "c" / "kafka-4.1.1" / "libs"
    # one folder per set of patches: a set-up with other patches builds beside it, never over it
    assert ferretdb.binary(cfg) == tmp_path / "c" / f"ferretdb-1.24.2-{ferretdb.PATCHES_DIGEST}" / "bin" / "ferretdb"
    monkeypatch.setenv("TOWNGRID_KAFKA_PORT", "nine")
    with pytest.raises(StackError, match="TOWNGRID_KAFKA_PORT"):
        StackConfig.from_env()


@pytest.mark.parametrize("kwargs, text", [
    ({"kafka_port": 70000}, "not a valid TCP port"),
    ({"kafka_port": 27016, "mongo_port": 27017}, "ports must all differ"),
    ({"num_partitions": 0}, "num_partitions"),
])
def test_invalid_config(kwargs, text, tmp_path):
    with pytest.raises(StackError, match=text):
        StackConfig(data_dir=tmp_path, **kwargs)


def _props(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")


def test_kafka_server_properties(tmp_path):
    cfg = StackConfig(kafka_port=19092, mongo_port=27018, data_dir=tmp_path, num_partitions=5)
    props = _props(kafka.server_properties(cfg, "s3cret-admin"))
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert props["listeners"] == "CLIENT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["controller.listener.names"] == "CONTROLLER"
    # every listener wants a login: SCRAM for clients, PLAIN (the admin only) for the controller
    assert props["listener.security.protocol.map"] == "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT"
    assert props["listener.name.client.sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert props["listener.name.controller.sasl.enabled.mechanisms"] == "PLAIN"
    assert props["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert 'username="admin" password="s3cret-admin"' in props["listener.name.client.scram-sha-512.sasl.jaas.config"]
    assert 'user_admin="s3cret-admin"' in props["listener.name.controller.plain.sasl.jaas.config"]
    # and ACLs decide: nothing without one, admin the only super user
    assert props["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert props["allow.everyone.if.no.acl.found"] == "false" and props["super.users"] == "User:admin"
    assert props["log.dirs"] == str(tmp_path / "kafka" / "data")
    assert props["num.partitions"] == "5"
    assert props["auto.create.topics.enable"] == "true"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                "share.coordinator.state.topic.min.isr", "default.replication.factor"):
        assert props[key] == "1", key


def test_log4j2_config_logs_to_the_data_dir(tmp_path):
    cfg = StackConfig(data_dir=tmp_path)
    root = ET.fromstring(kafka.log4j2_xml(cfg))
    rolling = root.find("Appenders/RollingFile")
    assert rolling is not None and rolling.get("fileName") == str(tmp_path / "logs" / "kafka.log")
    assert root.find("Appenders/Console/ThresholdFilter").get("level") == "WARN"


def test_pom_is_shipped_and_matches_versions():
    pom = kafka.pom_text()
    assert "<artifactId>kafka_2.13</artifactId>" in pom
    assert "<kafka.version>4.1.1</kafka.version>" in pom
    assert "log4j-slf4j-impl" in pom


def test_cluster_id_looks_like_a_kafka_uuid():
    ids = {kafka.new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and not i.startswith("-") and "=" not in i for i in ids)


def test_ferretdb_argv(tmp_path):
    cfg = StackConfig(mongo_port=27018, data_dir=tmp_path)
    argv = ferretdb.argv(cfg)
    assert "--handler=sqlite" in argv
    assert f"--sqlite-url=file:{tmp_path / 'ferretdb' / 'sqlite'}/?_pragma=synchronous(normal)" in argv
    assert "--listen-addr=127.0.0.1:27018" in argv
    assert "--telemetry=disable" in argv and "--debug-addr=-" in argv
    assert "--test-enable-new-auth" in argv  # logins required (SCRAM-SHA-256)
    env = ferretdb.env("s3cret-admin")
    assert (env["FERRETDB_SETUP_DATABASE"], env["FERRETDB_SETUP_USERNAME"]) == ("admin", "admin")
    assert env["FERRETDB_SETUP_PASSWORD"] == "s3cret-admin" and not any("s3cret" in arg for arg in argv)


def test_database_urls_log_in_to_the_users_own_database(tmp_path):
    cfg = StackConfig(mongo_port=27018, data_dir=tmp_path)
    assert database.url(cfg, "permits", "p/w+") == ("mongodb://permits:p%2Fw%2B@127.0.0.1:27018/permits?authSource=permits"
                                                    "&authMechanism=SCRAM-SHA-256&directConnection=true")
    assert "/admin?authSource=admin&" in database.url(cfg, "admin", "x")


def test_bson_roundtrip():
    doc = {"ping": 1, "$db": "admin", "big": 2**40, "f": 1.5, "t": True, "sub": {"a": "b"}}
    assert readiness.bson_decode(readiness.bson_encode(doc)) == doc


def test_cache_install_is_atomic(tmp_path):
    target = tmp_path / "thing-1.0"
    calls = []

    def failing(tmp: Path) -> None:
        (tmp / "half").write_text("x")
        raise StackError("network down")

    with pytest.raises(StackError):
        cache.install_dir(target, "v1", failing)
    assert not target.exists() and list(tmp_path.iterdir()) == [tmp_path / ".thing-1.0.lock"]

    def ok(tmp: Path) -> None:
        calls.append(tmp)
        (tmp / "bin").mkdir()

    cache.install_dir(target, "v1", ok)
    cache.install_dir(target, "v1", ok)  # complete: not rebuilt
    assert len(calls) == 1 and (target / "bin").is_dir() and cache.is_complete(target, "v1")
    cache.install_dir(target, "v2", ok)  # stamp changed (e.g. pom edited): rebuilt
    assert len(calls) == 2 and cache.is_complete(target, "v2")
