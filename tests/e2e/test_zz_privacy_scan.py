"""Runs after the other end-to-end tests of the session (the file name sorts last): every
message on every topic, and every line every service logged, are scanned for national ID
numbers and mobile numbers. The registry receives hundreds of them in this session; none may
leave it."""

from __future__ import annotations

from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from e2e_support import System, kafka_login, read_all
from pii_scan import personal_numbers
from towngrid_contracts.catalogue import TOPICS
from towngrid_contracts.topics import dlq_topic


async def test_no_national_id_or_phone_number_left_the_registry(system: System) -> None:
    async with system.client("registry") as registry:
        # At least this resident's numbers were given to the system in this session.
        from people import returnee

        assert (await registry.post("/residents", json=returnee())).status_code == 201

    leaks: list[str] = []
    scanned_messages = 0
    admin = AIOKafkaAdminClient(bootstrap_servers=system.kafka, **kafka_login(system.kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    topics = [t for t in [*TOPICS, *(dlq_topic(t) for t in TOPICS)] if t in existing]
    assert "registry.resident.v1" in topics
    for topic in topics:
        for record in await read_all(system.kafka, topic, timeout=60):
            scanned_messages += 1
            text = record.value.decode("utf-8", "replace") + " " + " ".join(record.headers.values())
            leaks += [f"{topic}@{record.partition}/{record.offset}: {n}" for n in personal_numbers(text)]
    logs = sorted((Path(system.config.data_dir) / "logs").glob("*-*.log"))
    service_logs = [p for p in logs if p.name.split("-")[0] in system.services]
    scanned_lines = 0
    for path in service_logs:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            scanned_lines += 1
            leaks += [f"{path.name}:{number}: {n}" for n in personal_numbers(line)]
    assert scanned_messages > 0 and scanned_lines > 0 and service_logs
    assert not leaks, f"personal numbers found ({len(leaks)}): {leaks[:10]}"
    print(f"privacy scan: {scanned_messages} messages on {len(topics)} topics and "
          f"{scanned_lines} log lines of {len(service_logs)} service logs, no national ID or phone number")
