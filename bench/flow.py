"""One step of the delivery flow at an offered rate: the load, then the order events read back from
Kafka, and the step's figures (achieved rate, HTTP p50/p99, e2e p99, relay lag p99, delivered/placed,
whether it was sustained)."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

import loadgen
from stack import loadtest_module

ORDER_TOPIC = "delivery.order.v1"


def pct(values: list[float], p: float) -> float | None:
    return loadtest_module().pct(values, p)


async def end_offsets(bootstrap: str, login: dict, topic: str = ORDER_TOPIC) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **login, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in await loadtest_module()._partitions(consumer, topic)]  # noqa: SLF001
        return {tp.partition: off for tp, off in (await consumer.end_offsets(parts)).items()}
    finally:
        await consumer.stop()


async def read_since(bootstrap: str, login: dict, since: dict[int, int], topic: str = ORDER_TOPIC) -> list[tuple[dict, int]]:
    """Every event on ``topic`` from the offsets ``since`` to the current end, with its Kafka timestamp (ms)."""
    return await loadtest_module().read_orders(bootstrap, since, login, topic)


async def settled_events(bootstrap: str, login: dict, since: dict[int, int], order_ids: set[str],
                         timeout: float = 45.0) -> list[tuple[dict, int]]:
    """The step's order events once every order's OrderDelivered is on Kafka, or the topic stopped
    growing for 5 s, or ``timeout`` passed."""
    deadline, last, same_since = time.monotonic() + timeout, -1, time.monotonic()
    while True:
        events = [(e, ts) for e, ts in await read_since(bootstrap, login, since) if e.get("aggregate_id") in order_ids]
        delivered = {e["aggregate_id"] for e, _ in events if e["event_type"] == "delivery.order.delivered"}
        if delivered >= order_ids or time.monotonic() > deadline:
            return events
        if len(events) != last:
            last, same_since = len(events), time.monotonic()
        elif time.monotonic() - same_since >= 5:
            return events
        await asyncio.sleep(1)


def run_step(bench, fixture: dict, rate: float, seconds: float, *, drain_s: float = 30.0, on_load=None) -> dict:
    """Offer ``rate`` orders/s for ``seconds`` and measure; ``on_load()`` is called once meanwhile
    (e.g. to sample RSS) from a thread."""
    login = bench.admin_login()
    since = asyncio.run(end_offsets(bench.kafka, login))
    sampler = None
    if on_load is not None:
        import threading
        sampler = threading.Thread(target=on_load, daemon=True)
        sampler.start()
    before = database_commands(bench)
    t0 = time.time()
    records, start_at, procs = loadgen.open_loop(bench.url("delivery"), bench.token(), fixture, rate, seconds,
                                                 drain_s=drain_s)
    if sampler is not None:
        sampler.join(timeout=5)
    order_ids = {r["order_id"] for r in records if "order_id" in r}
    events = asyncio.run(settled_events(bench.kafka, login, since, order_ids))
    figures = step_figures(records, events, fixture["merchant_id"], rate, seconds, start_at)
    figures["generator_processes"] = procs
    after = database_commands(bench)
    figures["database_commands_per_order"] = {
        process: round((after[process] - before[process]) / max(figures["completed"], 1), 1) for process in after}
    figures["sample_order_id"] = next((r["order_id"] for r in records if "done_at" in r), None)
    figures["wall_s"] = round(time.time() - t0, 1)
    return figures


def step_figures(records: list[dict], events: list[tuple[dict, int]], merchant_id: str, rate: float, seconds: float,
                 start_at: float) -> dict:
    done = [r for r in records if "done_at" in r]
    errors = [r["error"] for r in records if "error" in r]
    span = max([seconds] + [r["done_at"] - start_at for r in done])
    achieved = len(done) / span
    latencies = [ms for r in records for (_, _, ms, status) in r["steps"] if status]
    # e2e: OrderPlaced -> OrderDelivered occurred_at, computed as loadtest/run.py does
    e2e = loadtest_module().e2e_figures(events, merchant_id)
    lag = [ts / 1000 - datetime.fromisoformat(e["occurred_at"]).timestamp() for e, ts in events]
    lag_by_placed = sorted(((datetime.fromisoformat(e["occurred_at"]).timestamp(), ts / 1000 -
                             datetime.fromisoformat(e["occurred_at"]).timestamp()) for e, ts in events))
    # growing lag: the last third of the step against the first third
    flows = sorted((r["scheduled"], r["done_at"] - r["scheduled"]) for r in done)
    def thirds(pairs: list[tuple[float, float]]) -> tuple[float | None, float | None]:
        if len(pairs) < 6:
            return None, None
        k = len(pairs) // 3
        return statistics.median(v for _, v in pairs[:k]), statistics.median(v for _, v in pairs[-k:])
    flow_first, flow_last = thirds(flows)
    lag_first, lag_last = thirds(lag_by_placed)
    growing = bool((flow_first is not None and flow_last > 2 * flow_first + 0.5) or
                   (lag_first is not None and lag_last > 2 * lag_first + 0.5))
    placed, delivered = e2e["placed"], e2e["delivered"]
    sustained = achieved >= 0.95 * rate and placed == len(records) and delivered == placed and not errors and not growing
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "offered": rate, "seconds": seconds, "orders": len(records), "completed": len(done),
        "achieved": round(achieved, 2), "http_requests": len(latencies),
        "http_p50_ms": round(pct(latencies, 50), 1) if latencies else None,
        "http_p99_ms": round(pct(latencies, 99), 1) if latencies else None,
        "e2e_p50_ms": ms(e2e["latency_s"]["p50"]), "e2e_p99_ms": ms(e2e["latency_s"]["p99"]),
        "relay_lag_p50_ms": ms(pct(lag, 50)), "relay_lag_p99_ms": ms(pct(lag, 99)),
        "placed": placed, "delivered": delivered, "http_errors": len(errors), "first_errors": errors[:3],
        "flow_s_first_third": flow_first, "flow_s_last_third": flow_last,
        "relay_lag_s_first_third": lag_first, "relay_lag_s_last_third": lag_last,
        "growing_lag": growing, "sustained": bool(sustained),
    }


def database_commands(bench) -> dict[str, float]:
    """Database commands sent so far by the delivery api and the delivery worker (the kit's
    ``towngrid_database_commands_total``, from their Prometheus endpoints)."""
    import httpx
    from towngrid_devstack.services import METRICS_PORT_OFFSET

    api = bench.system.services["delivery"]
    urls = {"api": f"{api.url}/metrics", "worker": f"http://127.0.0.1:{api.port + METRICS_PORT_OFFSET}/metrics"}
    counts = {}
    for process, url in urls.items():
        text = httpx.get(url, timeout=10).text
        counts[process] = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                              if line.startswith("towngrid_database_commands_total{"))
    return counts
