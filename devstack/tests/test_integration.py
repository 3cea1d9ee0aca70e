"""Integration: the real Kafka and FerretDB on non-default ports, in a temporary data dir.

Needs Java 17+ (and Maven and Go on the first run, to fill ~/.cache/towngrid)."""

import asyncio
import os
import shutil
import subprocess
import sys
import time

import pytest

from towngrid_devstack import LocalStack, StackConfig, access, database, pidfile, readiness
from towngrid_devstack.services import LocalSecrets

_SHIFT = int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0"))
KAFKA_PORT, MONGO_PORT = 29092 + _SHIFT, 27019 + _SHIFT

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="needs Java 17+")


def _alive(pid: int) -> bool:
    return pidfile.process_start_time(pid) is not None


def _admin_url(cfg: StackConfig) -> str:
    return database.url(cfg, "admin", LocalSecrets.for_profile(cfg).mongo_passwords["admin"])


def _admin(cfg: StackConfig) -> dict:
    return {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "admin",
            "sasl_plain_password": LocalSecrets.for_profile(cfg).kafka_passwords["admin"]}


def _metadata(cfg: StackConfig) -> dict:
    with access.client_connection("127.0.0.1", KAFKA_PORT, "admin",
                                  LocalSecrets.for_profile(cfg).kafka_passwords["admin"]) as wire:
        return wire.metadata()


def _kafka_roundtrip(bootstrap: str, login: dict) -> bytes:
    aiokafka = pytest.importorskip("aiokafka")

    async def run() -> bytes:
        producer = aiokafka.AIOKafkaProducer(bootstrap_servers=bootstrap, **login)
        await producer.start()
        try:
            await producer.send_and_wait("devstack-smoke", b"hello", key=b"k")
        finally:
            await producer.stop()
        consumer = aiokafka.AIOKafkaConsumer("devstack-smoke", bootstrap_servers=bootstrap, **login,
                                             auto_offset_reset="earliest", group_id="smoke")
        await consumer.start()
        try:
            msg = await asyncio.wait_for(consumer.getone(), 30)
        finally:
            await consumer.stop()
        return msg.value

    return asyncio.run(run())


def test_stack_keeps_data_across_restarts_and_leaves_no_process(tmp_path):
    pymongo = pytest.importorskip("pymongo")
    cfg = StackConfig(profile="devstack-test", kafka_port=KAFKA_PORT, mongo_port=MONGO_PORT,
                      data_dir=tmp_path / "data")
    stack = LocalStack(cfg)
    stack.setup()
    pids = []
    with stack:
        pids += [p.pid for p in stack.processes]
        with pytest.raises(ConnectionError):  # SASL only: no metadata without logging in
            readiness.kafka_metadata("127.0.0.1", KAFKA_PORT)
        meta = _metadata(cfg)
        assert meta["brokers"] == [(1, "127.0.0.1", KAFKA_PORT)] and meta["controller_id"] == 1
        assert readiness.mongo_ready("127.0.0.1", MONGO_PORT)
        assert _kafka_roundtrip(cfg.kafka_bootstrap, _admin(cfg)) == b"hello"
        with pymongo.MongoClient(_admin_url(cfg), serverSelectionTimeoutMS=5000) as client:
            client.devstack.things.insert_one({"_id": "t1", "name": "kept"})
        assert (cfg.kafka_log_dirs / "meta.properties").exists()
        cluster_id = meta["cluster_id"]
    assert all(not _alive(pid) for pid in pids)
    assert not cfg.pid_file("kafka").exists() and not cfg.pid_file("ferretdb").exists()

    with LocalStack(cfg) as again:  # no re-format, same data
        pids += [p.pid for p in again.processes]
        assert _metadata(cfg)["cluster_id"] == cluster_id
        with pymongo.MongoClient(_admin_url(cfg), serverSelectionTimeoutMS=5000) as client:
            assert client.devstack.things.find_one({"_id": "t1"})["name"] == "kept"
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if _alive(pid)] == []


def test_cli_background_start_status_stop(tmp_path):
    env = {**os.environ, "TOWNGRID_KAFKA_PORT": str(KAFKA_PORT),
           "TOWNGRID_MONGO_PORT": str(MONGO_PORT), "TOWNGRID_PROFILE": "devstack-test",
           "TOWNGRID_DATA_DIR": str(tmp_path / "data")}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "towngrid_devstack.cli", *args], env=env,
                              capture_output=True, text=True, timeout=240)

    started = cli("start")
    assert started.returncode == 0, started.stderr
    assert f"127.0.0.1:{KAFKA_PORT}" in started.stdout
    cfg = StackConfig.from_env(data_dir=tmp_path / "data", profile="devstack-test",
                               kafka_port=KAFKA_PORT, mongo_port=MONGO_PORT)
    pids = LocalStack(cfg).running_pids()
    try:
        assert all(pids.values()), pids  # survived the exit of the `start` process
        assert cli("status").returncode == 0
        again = cli("start")
        assert again.returncode == 2 and "already running" in again.stderr
    finally:
        stopped = cli("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert all(not _alive(pid) for pid in pids.values() if pid)
    assert cli("status").returncode == 1
    assert cli("reset").returncode == 0 and not (tmp_path / "data").exists()
