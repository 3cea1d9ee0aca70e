"""Load test of the delivery flow against a running system; prints and saves the figures.

    make loadtest RATE=5 SECONDS=60
    # = uv run --with 'locust>=2.40' --with matplotlib python loadtest/run.py --rate 5 --seconds 60

It finds the system as ``towngrid-stack run`` does (env TOWNGRID_PROFILE, TOWNGRID_KAFKA_PORT,
TOWNGRID_DELIVERY_PORT, ...), sets up once (a merchant with a price list, its business-reopening
permit and households in quarantine put on their topics as the permits service and the registry
would publish them, a team), runs Locust headless as its own process at ``--rate`` orders per
second for ``--seconds``, then reads ``delivery.order.v1`` and reports: orders/s achieved, HTTP
p50/p95/p99, end-to-end latency OrderPlaced → OrderDelivered from the events' ``occurred_at``,
and errors. Results go to ``loadtest/results/<time>-r<rate>/results.json`` and ``latency.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import math
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from towngrid_contracts.envelope import envelope_for
from towngrid_contracts.permits import PermitIssued
from towngrid_contracts.registry import QuarantineStarted
from towngrid_devstack.config import StackConfig
from towngrid_devstack.run import service_ports
from towngrid_devstack.services import KAFKA_MECHANISM, LocalSecrets, staff_token
from towngrid_kit.kafka_security import kafka_options

HERE = Path(__file__).resolve().parent
ORDER_TOPIC = "delivery.order.v1"
SKUS = [f"SKU-{n:03d}" for n in range(1, 21)]


def pct(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def uid(prefix: str) -> str:
    return f"{prefix}_lt{uuid.uuid4().hex[:14]}"


# The Kafka login of this script: the local stack's admin (it plays the registry and permits
# producers to set up quarantined households, so it needs more than one service's ACLs).
KAFKA_LOGIN: dict = {}


async def produce(bootstrap: str, topic: str, envelopes: list) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **KAFKA_LOGIN, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for env in envelopes:
            await producer.send(topic, env.model_dump_json().encode(), key=env.key)
        await producer.flush()
    finally:
        await producer.stop()


async def wait_consumed(bootstrap: str, group: str, topics: list[str], timeout: float = 120) -> None:
    """Wait until ``group`` has committed up to the current end of ``topics``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **KAFKA_LOGIN, group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or
                                                                 await _partitions(consumer, t))]
        ends = await consumer.end_offsets(parts)
    finally:
        await consumer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **KAFKA_LOGIN)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            committed = await admin.list_consumer_group_offsets(group)
            behind = {tp: end for tp, end in ends.items() if end > 0 and (committed.get(tp) is None or committed[tp].offset < end)}
            if not behind:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"the {group} worker did not consume the set-up events within {timeout} s: {behind}")
            await asyncio.sleep(0.5)
    finally:
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        await consumer._client.force_metadata_update()  # noqa: SLF001
        found = consumer.partitions_for_topic(topic)
        if found:
            return found
        await asyncio.sleep(0.2)
    raise SystemExit(f"topic {topic} does not exist: is the system running?")


async def read_orders(bootstrap: str, since: dict[int, int] | None = None, login: dict | None = None,
                      topic: str = ORDER_TOPIC) -> list[tuple[dict, int]]:
    """Every event on the order topic now (from the offsets ``since``, per partition, if given),
    with its Kafka timestamp (ms)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **(KAFKA_LOGIN if login is None else login),
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        if since is None:
            await consumer.seek_to_beginning(*parts)
        else:
            for tp in parts:
                consumer.seek(tp, since.get(tp.partition, 0))
        out: list[tuple[dict, int]] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for msgs in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                out.extend((json.loads(m.value), m.timestamp) for m in msgs)
        return out
    finally:
        await consumer.stop()


def setup(url: str, token: str, bootstrap: str, households: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        ready = client.get("/readyz")
        if ready.status_code != 200:
            raise SystemExit(f"delivery at {url} is not ready: {ready.text}")
        merchant_id = uid("mer")
        client.post("/merchants", json={"merchant_id": merchant_id, "name": "压测超市", "kind": "supermarket"}).raise_for_status()
        client.post(f"/merchants/{merchant_id}/price-lists", json={"items": [
            {"sku": s, "name": s, "unit": "piece", "price_cents": 100 + 37 * i} for i, s in enumerate(SKUS)]}).raise_for_status()
        couriers = [uid("stf") for _ in range(10)]
        team = client.post("/teams", json={"community_id": "LOADTEST", "capacity": 500, "members": couriers})
        team.raise_for_status()
    now = datetime.now(UTC)
    permit_id = uid("pmt")
    permit = envelope_for(PermitIssued(permit_id=permit_id, permit_type="business_reopening", merchant_id=merchant_id,
                                       valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30),
                                       issued_at=now), aggregate_id=permit_id, aggregate_version=2)
    homes, starts = [], []
    for _ in range(households):
        resident_id, household_id = uid("res"), uid("hh")
        homes.append(household_id)
        starts.append(envelope_for(QuarantineStarted(
            resident_id=resident_id, quarantine_id=uid("qua"), household_id=household_id, compound_id="C99-001",
            kind="home", started_at=now, planned_end=(now + timedelta(days=14)).date()),
            aggregate_id=resident_id, aggregate_version=2))
    asyncio.run(produce(bootstrap, "permits.permit.v1", [permit]))
    asyncio.run(produce(bootstrap, "registry.resident.v1", starts))
    asyncio.run(wait_consumed(bootstrap, "delivery", ["permits.permit.v1", "registry.resident.v1"]))
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        if not client.get(f"/merchants/{merchant_id}").json()["allowed_to_sell"]:
            raise SystemExit("the merchant's permit did not reach delivery")
    return {"merchant_id": merchant_id, "team_id": team.json()["team_id"], "couriers": couriers, "households": homes}


def run_locust(url: str, token: str, fixture: dict, rate: float, seconds: int, out: Path, pacing: float) -> None:
    users = max(1, math.ceil(rate * pacing))
    env = {**os.environ, "LOADTEST_TOKEN": token, "LOADTEST_MERCHANT_ID": fixture["merchant_id"],
           "LOADTEST_TEAM_ID": fixture["team_id"], "LOADTEST_COURIERS": json.dumps(fixture["couriers"]),
           "LOADTEST_HOUSEHOLDS": json.dumps(fixture["households"]), "LOADTEST_SKUS": json.dumps(SKUS),
           "LOADTEST_PACING_S": str(pacing)}
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--host", url,
               "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "30",
               "--csv", str(out / "locust"), "--csv-full-history", "--only-summary", "--loglevel", "WARNING"]
    print(f"locust: {users} users, one order every {pacing} s each (target {rate} orders/s) for {seconds} s", flush=True)
    subprocess.run(command, env=env, check=False, stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT)


def http_figures(out: Path) -> dict:
    rows = list(csv.DictReader(open(out / "locust_stats.csv")))
    def figures(row: dict) -> dict:
        return {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
                "max_ms": float(row["Max Response Time"])}
    failures = [{"name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
                for r in csv.DictReader(open(out / "locust_failures.csv"))]
    return {"all": figures(next(r for r in rows if r["Name"] == "Aggregated")),
            "by_endpoint": {r["Name"]: figures(r) for r in rows if r["Name"] != "Aggregated"},
            "failures": failures}


def e2e_figures(events: list[tuple[dict, int]], merchant_id: str) -> dict:
    placed = {e["aggregate_id"]: e for e, _ in events
              if e["event_type"] == "delivery.order.placed" and e["data"]["merchant_id"] == merchant_id}
    delivered = {e["aggregate_id"]: (e, ts) for e, ts in events
                 if e["event_type"] == "delivery.order.delivered" and e["aggregate_id"] in placed}
    samples = []
    for oid, (event, kafka_ms) in delivered.items():
        t0 = datetime.fromisoformat(placed[oid]["occurred_at"])
        t1 = datetime.fromisoformat(event["occurred_at"])
        samples.append({"placed_at": t0.timestamp(), "latency_s": (t1 - t0).total_seconds(),
                        "published_lag_s": kafka_ms / 1000 - t1.timestamp()})
    samples.sort(key=lambda s: s["placed_at"])
    lat = [s["latency_s"] for s in samples]
    lag = [s["published_lag_s"] for s in samples]
    return {"placed": len(placed), "delivered": len(delivered), "not_delivered": len(placed) - len(delivered),
            "latency_s": {f"p{p}": pct(lat, p) for p in (50, 95, 99)} | {"max": max(lat, default=None)},
            "relay_lag_s": {f"p{p}": pct(lag, p) for p in (50, 95, 99)},
            "samples": samples}


def chart(out: Path, e2e: dict, rate: float) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = e2e["samples"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    if samples:
        t0 = samples[0]["placed_at"]
        xs = [s["placed_at"] - t0 for s in samples]
        ys = [s["latency_s"] * 1000 for s in samples]
        top.scatter(xs, ys, s=6, alpha=0.5, label="order: OrderPlaced → OrderDelivered")
        window = 5.0
        buckets: dict[int, list[float]] = {}
        for x, y in zip(xs, ys, strict=True):
            buckets.setdefault(int(x // window), []).append(y)
        keys = sorted(buckets)
        for p, style in ((50, "-"), (95, "--"), (99, ":")):
            top.plot([k * window + window / 2 for k in keys], [pct(buckets[k], p) for k in keys], style,
                     label=f"p{p} per {window:.0f} s")
        top.set_ylabel("end-to-end latency (ms)")
        top.legend(loc="upper left", fontsize=8)
    history = [r for r in csv.DictReader(open(out / "locust_stats_history.csv")) if r["Name"] == "Aggregated"]
    if history:
        start = int(history[0]["Timestamp"])
        hx = [int(r["Timestamp"]) - start for r in history]
        for p in ("50%", "95%", "99%"):
            bottom.plot(hx, [float(r[p]) if r[p] not in ("N/A", "") else float("nan") for r in history],
                        label=f"HTTP {p}")
        bottom.set_ylabel("HTTP latency (ms, recent window)")
        bottom.legend(loc="upper left", fontsize=8)
    bottom.set_xlabel("seconds since start")
    fig.suptitle(f"towngrid delivery flow at {rate} orders/s")
    fig.tight_layout()
    path = out / "latency.png"
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, required=True, help="orders per second to offer")
    parser.add_argument("--seconds", type=int, required=True, help="how long to offer them")
    parser.add_argument("--households", type=int, default=200, help="quarantined households to order for")
    parser.add_argument("--pacing", type=float, default=10.0,
                        help="seconds between one user's orders (users = rate x pacing; keep it above the flow time)")
    parser.add_argument("--out", type=Path, default=None, help="results directory")
    args = parser.parse_args()

    config = StackConfig.from_env()
    url = f"http://127.0.0.1:{service_ports()['delivery']}"
    secrets_file = Path(config.data_dir) / "run" / "local-secrets.json"
    if not secrets_file.exists():
        raise SystemExit(f"no local secrets for profile {config.profile} ({secrets_file}): start the system first, "
                         f"e.g. TOWNGRID_PROFILE={config.profile} uv run towngrid-stack run")
    local = LocalSecrets.for_profile(config)
    token = staff_token(local, subject="loadtest", ttl_s=6 * 3600)
    KAFKA_LOGIN.update(kafka_options("SASL_PLAINTEXT", KAFKA_MECHANISM, "admin", local.kafka_passwords["admin"]))
    out = args.out or HERE / "results" / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-r{args.rate:g}"
    out.mkdir(parents=True, exist_ok=True)

    print(f"delivery {url}, Kafka {config.kafka_bootstrap} (profile {config.profile}); results in {out}", flush=True)
    fixture = setup(url, token, config.kafka_bootstrap, args.households)
    started = time.time()
    run_locust(url, token, fixture, args.rate, args.seconds, out, args.pacing)
    elapsed = time.time() - started
    http = http_figures(out)

    async def settled() -> list[tuple[dict, int]]:
        last, same_since = -1, time.monotonic()
        for _ in range(120):  # until the relay has published everything (the count stops growing for 10 s)
            events = await read_orders(config.kafka_bootstrap)
            if len(events) != last:
                last, same_since = len(events), time.monotonic()
            elif time.monotonic() - same_since >= 10:
                return events
            await asyncio.sleep(2)
        return events

    e2e = e2e_figures(asyncio.run(settled()), fixture["merchant_id"])
    flows = http["by_endpoint"].get("POST /orders/{id}/deliver", {}).get("requests", 0) - \
        http["by_endpoint"].get("POST /orders/{id}/deliver", {}).get("failures", 0)
    results = {
        "rate_offered": args.rate, "seconds": args.seconds, "elapsed_s": round(elapsed, 1),
        "orders_per_s": {"placed": round(e2e["placed"] / args.seconds, 2),
                         "delivered": round(e2e["delivered"] / args.seconds, 2),
                         "completed_flows_http": round(flows / args.seconds, 2)},
        "http": http, "end_to_end": {k: v for k, v in e2e.items() if k != "samples"},
        "errors": {"http_failures": http["all"]["failures"], "orders_not_delivered": e2e["not_delivered"],
                   "by_kind": http["failures"]},
        "setup": {"merchant_id": fixture["merchant_id"], "team_id": fixture["team_id"],
                  "households": len(fixture["households"])},
    }
    (out / "results.json").write_text(json.dumps(results | {"samples": e2e["samples"]}, indent=2))
    png = chart(out, e2e, args.rate)

    h, lat = http["all"], e2e["latency_s"]
    ms = lambda v: "n/a" if v is None else f"{v * 1000:.0f} ms"  # noqa: E731
    print(f"\n== delivery flow at {args.rate:g} orders/s offered for {args.seconds} s ==")
    print(f"orders/s achieved   placed {results['orders_per_s']['placed']}, delivered {results['orders_per_s']['delivered']}")
    print(f"HTTP                {h['requests']} requests, p50 {h['p50_ms']:.0f} ms, p95 {h['p95_ms']:.0f} ms, "
          f"p99 {h['p99_ms']:.0f} ms, max {h['max_ms']:.0f} ms")
    for name, f in http["by_endpoint"].items():
        print(f"  {name:32} p50 {f['p50_ms']:>5.0f}  p95 {f['p95_ms']:>5.0f}  p99 {f['p99_ms']:>5.0f} ms  ({f['requests']})")
    print(f"end to end          OrderPlaced → OrderDelivered p50 {ms(lat['p50'])}, p95 {ms(lat['p95'])}, "
          f"p99 {ms(lat['p99'])} ({e2e['delivered']} orders)")
    print(f"relay lag           occurred_at → on Kafka p50 {ms(e2e['relay_lag_s']['p50'])}, "
          f"p95 {ms(e2e['relay_lag_s']['p95'])}")
    print(f"errors              {h['failures']} HTTP failures, {e2e['not_delivered']} orders placed but not delivered")
    for failure in http["failures"]:
        print(f"  {failure['occurrences']} × {failure['name']}: {failure['error'][:150]}")
    print(f"written             {out / 'results.json'}, {png}")


if __name__ == "__main__":
    main()
