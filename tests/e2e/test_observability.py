"""What operators see on the real stack: Prometheus metrics from apis and workers, and JSON
log lines that carry the correlation id the request (and the events it caused) had."""

from __future__ import annotations

import json
import urllib.request
import uuid

from prometheus_client.parser import text_string_to_metric_families

from e2e_support import System, eventually, read_topic
from people import returnee
from towngrid_devstack.services import METRICS_PORT_OFFSET


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and all((k, w) in ls for k, w in labels.items()))


async def test_metrics_and_correlated_json_logs(system: System) -> None:
    correlation = str(uuid.uuid4())
    registry = system.services["registry"]
    async with system.client("registry") as api:
        created = await api.post("/residents", json=returnee(), headers={"X-Correlation-Id": correlation})
        assert created.headers["x-correlation-id"] == correlation
        rid = created.json()["resident"]["resident_id"]
        started = await api.post(f"/residents/{rid}/quarantines", json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        quarantine_correlation = started.headers["x-correlation-id"]

    records = await read_topic(system.kafka, "registry.resident.v1",
                               until=lambda rs: len([r for r in rs if r.key == rid.encode()]) >= 2)
    mine = [r.json for r in records if r.key == rid.encode()]
    assert mine[0]["correlation_id"] == correlation, "the event carries the request's correlation id"
    assert mine[1]["correlation_id"] == quarantine_correlation

    api_metrics = scrape(f"{registry.url}/metrics")
    assert value(api_metrics, "towngrid_http_requests_total", service="registry", route="/residents",
                 method="POST", status="201") >= 1
    assert value(api_metrics, "towngrid_http_request_duration_seconds_count", route="/residents/{resident_id}/quarantines") >= 1

    permits = system.services["permits"]

    async def consumed() -> dict | None:
        samples = scrape(f"http://127.0.0.1:{permits.port + METRICS_PORT_OFFSET}/metrics")
        return samples if value(samples, "towngrid_events_consumed_total", service="permits",
                                topic="registry.resident.v1", outcome="applied") >= 1 else None

    permits_worker = await eventually(consumed)
    assert any(n == "towngrid_consumer_lag_messages" for n, _ in permits_worker)

    async def relayed() -> dict | None:
        samples = scrape(f"http://127.0.0.1:{registry.port + METRICS_PORT_OFFSET}/metrics")
        return samples if value(samples, "towngrid_events_published_total", service="registry",
                                topic="registry.resident.v1") >= 2 else None

    registry_worker = await eventually(relayed)
    assert any(n == "towngrid_outbox_backlog_commits" for n, _ in registry_worker)

    def json_lines(path) -> list[dict]:  # noqa: ANN001
        return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]

    api_lines = json_lines(registry.api.log_path)
    assert api_lines and all({"ts", "level", "service", "message"} <= set(line) for line in api_lines)
    assert any(line.get("correlation_id") == correlation and "POST /residents 201" in line["message"]
               for line in api_lines)

    async def logged_by_the_consumer() -> bool:
        return any(line.get("correlation_id") == quarantine_correlation and "registry.quarantine.started" in line["message"]
                   for line in json_lines(permits.worker.log_path))

    await eventually(logged_by_the_consumer)
