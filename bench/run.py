"""towngrid bench: every performance figure of issue 14 on a local stack of its own.

    make bench                 # ~15 min;  make bench QUICK=1  # ~3 min smoke check
    # = uv run --with matplotlib python bench/run.py [--quick] [--step-seconds 25] [--rates 5,10,20,...]

Starts Kafka + FerretDB (profile ``bench``, Kafka 39092, FerretDB 27039) and the eight service
processes (ports 38001-38004), on fresh data; measures; stops them; then does it again on a fresh
stack seeded to a town's volume. See bench/README.md for what each figure is and how it is measured.
Writes bench/results/latest.json (+ a timestamped copy) and bench/results/latest.png.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import flow  # noqa: E402
import loadgen  # noqa: E402
import raw  # noqa: E402
import report  # noqa: E402
import seed  # noqa: E402
from stack import BenchStack, loadtest_module, service_rss  # noqa: E402

RAW_API_PORT = 38099


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def set_up_flow(bench: BenchStack, households: int) -> dict:
    lt = loadtest_module()
    lt.KAFKA_LOGIN.clear()
    lt.KAFKA_LOGIN.update(bench.admin_login())
    fixture = lt.setup(bench.url("delivery"), bench.token(), bench.kafka, households)
    return fixture | {"skus": lt.SKUS}


class RssSampler:
    """The largest RSS of each service process while a step runs (sampled every second)."""

    def __init__(self, bench: BenchStack, seconds: float) -> None:
        self.bench, self.seconds, self.max = bench, seconds, {}

    def __call__(self) -> None:
        stop = time.monotonic() + self.seconds
        while time.monotonic() < stop:
            for name, mib in service_rss(self.bench).items():
                self.max[name] = max(mib, self.max.get(name, 0))
            time.sleep(1)


def ladder(bench: BenchStack, fixture: dict, rates: list[float], seconds: float, rss: RssSampler) -> tuple[list, dict | None]:
    steps, at_20 = [], None
    for rate in rates:
        log(f"step: {rate:g} orders/s offered for {seconds:g} s")
        step = flow.run_step(bench, fixture, rate, seconds, on_load=rss if rate == 20 else None)
        steps.append(step)
        report.print_steps("", [step])
        if rate == 20:
            at_20 = step
        if not step["sustained"]:
            break
    if at_20 is None:
        log(f"step at 20 orders/s (for the figures at 20/s; the stepping stopped below it) for {seconds:g} s")
        at_20 = flow.run_step(bench, fixture, 20, seconds, on_load=rss)
        report.print_steps("", [at_20])
    return steps, at_20


def generator_ceiling(bench: BenchStack, seconds: float) -> dict:
    """Requests/s one generator process reaches on the delivery api's /healthz (same client set-up)."""
    return loadgen.closed_loop(bench.url("delivery"), bench.token(), "/healthz", method="GET", concurrency=32,
                               seconds=seconds, expect=200)


def command_vs_raw(bench: BenchStack, fixture: dict, rounds: int, seconds: float, concurrency: int) -> dict:
    import subprocess

    logs = bench.config.log_dir / "bench-raw-api.log"
    server = subprocess.Popen([sys.executable, str(HERE / "raw.py"), "api", "--port", str(RAW_API_PORT)],
                              env=os.environ | {"BENCH_RAW_MONGO_URL": bench.mongo_url},  # not in `ps`
                              stdout=open(logs, "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{RAW_API_PORT}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = partial(loadgen.order_body, fixture)
        real_rounds, raw_rounds = [], []
        for i in range(rounds):
            r = loadgen.closed_loop(bench.url("delivery"), bench.token(), "/orders", make_body=body,
                                    concurrency=concurrency, seconds=seconds, expect=201)
            w = loadgen.closed_loop(f"http://127.0.0.1:{RAW_API_PORT}", bench.token(), "/orders", make_body=body,
                                    concurrency=concurrency, seconds=seconds, expect=201)
            real_rounds.append(r)
            raw_rounds.append(w)
            log(f"  round {i + 1}: POST /orders real {r['req_s']:.1f} req/s (p99 {report.fmt(r['p99_ms'])} ms, "
                f"{r['errors']} errors), raw {w['req_s']:.1f} req/s (p99 {report.fmt(w['p99_ms'])} ms, {w['errors']} errors)")
    finally:
        server.terminate()
        server.wait(10)
    real = statistics.median(r["req_s"] for r in real_rounds)
    rawv = statistics.median(r["req_s"] for r in raw_rounds)
    return {"real_req_s": round(real, 1), "raw_req_s": round(rawv, 1), "ratio": round(real / rawv, 3) if rawv else None,
            "concurrency": concurrency, "seconds": seconds,
            "rounds": [{"real": {k: v for k, v in r.items()}, "raw": {k: v for k, v in w.items()}}
                       for r, w in zip(real_rounds, raw_rounds, strict=True)]}


def quarantine_envelopes(count: int) -> list:
    from towngrid_contracts.envelope import envelope_for
    from towngrid_contracts.registry import QuarantineStarted

    lt, now = loadtest_module(), datetime.now(UTC)
    return [envelope_for(QuarantineStarted(
        resident_id=(rid := lt.uid("res")), quarantine_id=lt.uid("qua"), household_id=lt.uid("hh"),
        compound_id="C99-002", kind="home", started_at=now, planned_end=(now + timedelta(days=14)).date()),
        aggregate_id=rid, aggregate_version=2) for _ in range(count)]


async def _committed_to(bench: BenchStack, group: str, topic: str, until: dict[int, int], timeout: float) -> float:
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bench.kafka, **bench.admin_login())
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            committed = await admin.list_consumer_group_offsets(group)
            if all((c := committed.get(TopicPartition(topic, p))) is not None and c.offset >= end
                   for p, end in until.items() if end > 0):
                return time.monotonic()
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{group} did not commit to {until} within {timeout} s")
    finally:
        await admin.close()


def worker_vs_raw(bench: BenchStack, rounds: int, events: int) -> dict:
    topic = "registry.resident.v1"
    lt, login = loadtest_module(), bench.admin_login()
    real_rounds, raw_rounds = [], []
    for i in range(rounds):
        since = asyncio.run(flow.end_offsets(bench.kafka, login, topic))
        envelopes = quarantine_envelopes(events)
        t0 = time.monotonic()
        asyncio.run(lt.produce(bench.kafka, topic, envelopes))
        produced = time.monotonic() - t0
        until = asyncio.run(flow.end_offsets(bench.kafka, login, topic))
        done = asyncio.run(_committed_to(bench, "delivery", topic, until, timeout=max(120, events / 5)))
        real = events / (done - t0)
        result = asyncio.run(raw.raw_worker(bench.kafka, login, bench.mongo_url, topic, since, until,
                                            group=f"delivery-bench-raw-{uuid.uuid4().hex[:8]}"))
        rawv = result["applied"] / result["elapsed_s"] if result["elapsed_s"] else None
        real_rounds.append(real)
        raw_rounds.append(rawv)
        log(f"  round {i + 1}: {events} QuarantineStarted: delivery worker {real:.0f} events/s "
            f"(produced in {produced:.1f} s), raw loop {rawv:.0f} events/s ({result['applied']} applied)")
    real, rawv = statistics.median(real_rounds), statistics.median(raw_rounds)
    return {"real_events_s": round(real, 1), "raw_events_s": round(rawv, 1), "ratio": round(real / rawv, 3),
            "events_per_round": events, "rounds": [{"real": r, "raw": w} for r, w in zip(real_rounds, raw_rounds, strict=True)]}


def registry_resident(bench: BenchStack) -> str:
    from people import returnee  # tests/lib

    response = httpx.post(f"{bench.url('registry')}/residents", json=returnee("C99-003"),
                          headers={"Authorization": f"Bearer {bench.token()}"}, timeout=30)
    response.raise_for_status()
    return response.json()["resident"]["resident_id"]


def phase_empty(args, results: dict) -> tuple[dict, float]:
    log("== stack 1: empty databases ==")
    bench = BenchStack().start()
    try:
        fixture = set_up_flow(bench, args.households)
        time.sleep(2)
        results["rss_mib_at_rest"] = service_rss(bench)
        log(f"RSS at rest (MiB): {results['rss_mib_at_rest']}")
        ceiling = generator_ceiling(bench, args.ceiling_seconds)
        results["generator"] = {"healthz_req_s_one_process": round(ceiling["req_s"], 1),
                                "max_req_s_asked_per_process": loadgen.REQS_PER_PROCESS,
                                "healthz_p99_ms": ceiling["p99_ms"]}
        log(f"generator ceiling: {ceiling['req_s']:.0f} req/s on /healthz from one process "
            f"(p99 {report.fmt(ceiling['p99_ms'])} ms); each process is asked for ≤ {loadgen.REQS_PER_PROCESS} req/s "
            f"(5 requests per order)")
        rss = RssSampler(bench, args.step_seconds)
        steps, at_20 = ladder(bench, fixture, args.rates, args.step_seconds, rss)
        results["steps"], results["at_20"] = steps, at_20
        results["rss_mib_at_20"] = rss.max
        log(f"RSS at 20 orders/s (max per process, MiB): {rss.max}")
        sustained = [s["offered"] for s in steps if s["sustained"]]
        results["orders_per_s_max"] = max(sustained) if sustained else 0
        log("command vs raw: POST /orders, closed loop")
        results["command"] = command_vs_raw(bench, fixture, args.rounds, args.closed_seconds, args.concurrency)
        log("worker vs raw: QuarantineStarted on registry.resident.v1")
        results["worker"] = worker_vs_raw(bench, args.rounds, args.worker_events)
        order_id = next(s["sample_order_id"] for s in steps + [at_20] if s.get("sample_order_id"))
        templates = seed.capture(bench.mongo_url, order_id, registry_resident(bench))
    finally:
        bench.stop()
    volume_rate = results["orders_per_s_max"] or args.rates[0]
    return templates, volume_rate


def phase_volume(args, results: dict, templates: dict, rate: float) -> None:
    log(f"== stack 2: fresh, seeded to {args.volume:,} documents; {rate:g} orders/s at each volume ==")
    bench = BenchStack().start()
    try:
        fixture = set_up_flow(bench, args.households)
        per_unit = seed.docs_per_unit(templates)
        units_total = -(-args.volume // per_unit)
        points = [0] + [round(units_total * k / args.volume_points) for k in range(1, args.volume_points + 1)]
        volume_steps, seeded = [], 0
        # Counted once before seeding (a count on FerretDB reads the whole collection: minutes at
        # 1,000,000 documents), then known from what was inserted.
        before = seed.stored_documents(bench.mongo_url)
        for units in points:
            if units > seeded:
                took = seed.seed_units(bench.mongo_url, templates, seeded, units - seeded)
                log(f"seeded {(units - seeded) * per_unit:,} documents in {took:.0f} s "
                    f"({(units - seeded) * per_unit / took:,.0f} docs/s)")
                seeded = units
                time.sleep(5)  # let the database finish the bulk write before the step
            total = sum(before.values()) + seeded * per_unit
            log(f"step: {rate:g} orders/s with {total:,} stored documents")
            step = flow.run_step(bench, fixture, rate, args.step_seconds) | {"stored_documents": total}
            report.print_steps("", [step])
            volume_steps.append(step)
        results["volume_steps"] = volume_steps
        results["stored_documents"] = {"before_seeding": before, "seeded": seeded * per_unit,
                                       "seeded_per_collection": {name: len(docs) * seeded for name, docs
                                                                 in templates["bson"].items()}}
        base, last = volume_steps[0]["achieved"], volume_steps[-1]["achieved"]
        results["throughput_ratio_at_volume"] = round(last / base, 3) if base else None
    finally:
        bench.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~3 minute smoke check (short steps, small volume)")
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=None,
                        help="offered orders/s to step through, stopping at the first not sustained")
    parser.add_argument("--step-seconds", type=float, default=None, help="seconds of load per step (25; quick 10)")
    parser.add_argument("--volume", type=int, default=None, help="documents to seed (1,000,000; quick 30,000)")
    parser.add_argument("--volume-points", type=int, default=None, help="volumes measured on the way (3; quick 1)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of each raw comparison")
    parser.add_argument("--closed-seconds", type=float, default=None, help="seconds of each closed-loop round (8; quick 4)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients of the closed loop")
    parser.add_argument("--worker-events", type=int, default=None, help="events per worker round (1000; quick 300)")
    parser.add_argument("--households", type=int, default=200)
    parser.add_argument("--ceiling-seconds", type=float, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    quick = args.quick
    args.rates = args.rates or ([5, 10, 20] if quick else [5, 10, 20, 30, 40, 50, 60, 80, 100])
    args.step_seconds = args.step_seconds or (10 if quick else 25)
    args.volume = args.volume if args.volume is not None else (30_000 if quick else 1_000_000)
    args.volume_points = args.volume_points or (1 if quick else 3)
    args.closed_seconds = args.closed_seconds or (4 if quick else 8)
    args.worker_events = args.worker_events or (300 if quick else 1000)

    started = time.time()
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    results: dict = {"started_at": stamp, "quick": quick, "parameters": {k: str(v) for k, v in vars(args).items()}}
    templates, rate = phase_empty(args, results)
    phase_volume(args, results, templates, rate)

    at_20 = results["at_20"]
    rss_all = list(results["rss_mib_at_rest"].values()) + list(results["rss_mib_at_20"].values())
    figures = {
        "orders_per_s_max": results["orders_per_s_max"],
        "http_p99_ms_at_20": at_20["http_p99_ms"], "e2e_p99_ms_at_20": at_20["e2e_p99_ms"],
        "relay_lag_p99_ms_at_20": at_20["relay_lag_p99_ms"],
        "throughput_ratio_at_volume": results["throughput_ratio_at_volume"],
        "command_vs_raw": results["command"]["ratio"], "worker_vs_raw": results["worker"]["ratio"],
        "rss_mib_max": round(max(rss_all), 1) if rss_all else None,
        "rss_mib_max_at_rest": round(max(results["rss_mib_at_rest"].values()), 1),
        "rss_mib_max_at_20": round(max(results["rss_mib_at_20"].values(), default=0), 1),
    }
    results = figures | {"targets_met": report.verdicts(figures), "elapsed_s": round(time.time() - started)} | results

    report.print_steps("== steps on empty databases ==", results["steps"] +
                       ([] if at_20 in results["steps"] else [at_20]))
    report.print_steps(f"== steps against stored volume ({rate:g} orders/s offered) ==", results["volume_steps"])
    print(f"\ngenerator: {results['generator']['healthz_req_s_one_process']} req/s on /healthz from one process; "
          f"the steps asked ≤ {loadgen.REQS_PER_PROCESS} req/s of each process")
    c, w = results["command"], results["worker"]
    print(f"command vs raw: POST /orders {c['real_req_s']} req/s vs raw {c['raw_req_s']} req/s "
          f"({c['concurrency']} clients, median of {args.rounds} interleaved rounds)")
    print(f"worker vs raw:  {w['real_events_s']} events/s vs raw {w['raw_events_s']} events/s "
          f"(median of {args.rounds} interleaved rounds of {args.worker_events} events)")
    print(f"RSS (MiB) at rest {results['rss_mib_at_rest']}\n          at 20/s  {results['rss_mib_at_20']}")
    report.print_table(figures)
    latest, copy = report.write(args.out, results, stamp)
    png = report.chart(args.out / "latest.png", results["steps"], results["volume_steps"])
    print(f"\nwritten {latest}, {copy}" + (f", {png}" if png else "") + f"; took {results['elapsed_s']} s")


if __name__ == "__main__":
    main()
