"""A client nobody here wrote: Kafka's own console consumer (Java, from the Kafka jars) reads
the registry's events as a separate consumer group; each message's key and envelope are
checked against the published JSON Schemas."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from importlib import resources
from pathlib import Path

import jsonschema

from e2e_support import System, committed_offset, read_topic
from people import returnee

TOPIC = "registry.resident.v1"
ENVELOPE_REQUIRED = {"event_id", "event_type", "event_version", "occurred_at", "producer", "aggregate_id",
                     "aggregate_version", "correlation_id", "data"}


def published_schema(event_type: str) -> dict:
    path = resources.files("towngrid_contracts").joinpath("schemas", f"{event_type}.json")
    return json.loads(path.read_text("utf-8"))


def client_properties(system: System, path: Path, user: str = "county") -> Path:
    """A Java client's login, as a county system would configure it (see docs/subscribing.md)."""
    password = system.secrets.kafka_passwords[user]
    path.write_text("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                    f'username="{user}" password="{password}";\n')
    return path


def console_consume(system: System, group: str, properties: Path) -> list[tuple[str, str]]:
    java = shutil.which("java")
    assert java
    command = [
        java, "-cp", f"{system.config.kafka_libs}/*", "org.apache.kafka.tools.consumer.ConsoleConsumer",
        "--bootstrap-server", system.kafka, "--topic", TOPIC, "--group", group, "--from-beginning",
        "--consumer.config", str(properties), "--timeout-ms", "20000",  # a loaded machine joins slowly
        "--property", "print.key=true", "--property", "key.separator=\t",
    ]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=120)
    lines = [line for line in done.stdout.splitlines() if "\t" in line]
    assert lines, done.stderr[-2000:]
    return [tuple(line.split("\t", 1)) for line in lines]  # type: ignore[misc]


async def test_console_consumer_reads_valid_envelopes(system: System, tmp_path: Path) -> None:
    """It logs in as the county subscriber (read only), in a group of its own prefix."""
    async with system.client("registry") as registry:
        rid = (await registry.post("/residents", json=returnee())).json()["resident"]["resident_id"]
        qid = (await registry.post(f"/residents/{rid}/quarantines",
                                   json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})).json()["quarantine_id"]
        await registry.post(f"/residents/{rid}/quarantines/{qid}/health-checks", json={"temperature_c": 38.0})

    await read_topic(system.kafka, TOPIC, until=lambda rs: len([r for r in rs if r.key == rid.encode()]) >= 4)
    group = f"county-external-system-{uuid.uuid4().hex[:8]}"
    messages = [(k, v) for k, v in console_consume(system, group, client_properties(system, tmp_path / "county.properties"))
                if k == rid]
    types = []
    for key, value in messages:
        envelope = json.loads(value)
        assert ENVELOPE_REQUIRED <= set(envelope)
        assert envelope["aggregate_id"] == key == rid, "the key is the aggregate id"
        jsonschema.validate(envelope["data"], published_schema(envelope["event_type"]))
        types.append(envelope["event_type"])
    assert types == ["registry.resident.returned", "registry.quarantine.started",
                     "registry.quarantine.health_check_recorded", "registry.quarantine.fever_alert_raised"]
    partitions = {p for p in range(6) if await committed_offset(system.kafka, group, TOPIC, p) > 0}
    assert partitions, "the console consumer committed its own group's offsets"
