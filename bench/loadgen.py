"""Load generators: an open-loop delivery flow (orders started on a fixed schedule, each order's five
steps in sequence) and a closed loop (N clients, each sends its next request as soon as the last
answered), in asyncio with httpx, spread over several processes when one would not keep up.

Each process returns plain records; the caller merges them.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import random
import time
import uuid
from collections.abc import Callable

import httpx

REQS_PER_PROCESS = 200  # requests/s one generator process is asked to offer at most (it reaches ~450 on /healthz)


def processes_for(rate_req_s: float) -> int:
    return max(1, math.ceil(rate_req_s / REQS_PER_PROCESS))


def _client(url: str, token: str, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30,
                             limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections,
                                                 keepalive_expiry=2.0))


def order_body(fixture: dict, rng: random.Random) -> dict:
    skus = fixture["skus"]
    return {"merchant_id": fixture["merchant_id"], "household_id": rng.choice(fixture["households"]),
            "channel": "phone",
            "lines": [{"sku": s, "quantity": rng.randint(1, 3)} for s in rng.sample(skus, k=min(3, len(skus)))]}


# --- open loop: the delivery flow -----------------------------------------------------------------
async def _flow(client: httpx.AsyncClient, fixture: dict, rng: random.Random, record: dict) -> None:
    steps = record["steps"]

    async def call(name: str, path: str, body: dict | None, expect: int) -> httpx.Response | None:
        t = time.time()
        try:
            response = await client.post(path, json=body)
        except httpx.HTTPError as error:
            steps.append((name, t, (time.time() - t) * 1000, 0))
            record["error"] = f"{name}: {type(error).__name__} {error}"[:200]
            return None
        steps.append((name, t, (time.time() - t) * 1000, response.status_code))
        if response.status_code != expect:
            record["error"] = f"{name}: {response.status_code} {response.text[:150]}"
            return None
        return response

    placed = await call("POST /orders", "/orders", order_body(fixture, rng), 201)
    if placed is None:
        return
    oid, code = placed.json()["order_id"], placed.json()["handover_code"]
    record["order_id"] = oid
    for step, body in (("accept", None),
                       ("assign", {"team_id": fixture["team_id"], "courier_id": rng.choice(fixture["couriers"])}),
                       ("pick-up", None), ("deliver", {"code": code})):  # the household shows its code at the door
        if await call(f"POST /orders/{{id}}/{step}", f"/orders/{oid}/{step}", body, 200) is None:
            return
    record["done_at"] = time.time()


async def _open_loop(url: str, token: str, fixture: dict, rate: float, seconds: float, start_at: float,
                     phase: float, drain_s: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    records: list[dict] = []
    tasks = []
    async with _client(url, token, 1000) as client:
        count = int(rate * seconds)
        for i in range(count):
            due = start_at + phase + i / rate
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            record = {"scheduled": due, "started": time.time(), "steps": []}
            records.append(record)
            tasks.append(asyncio.create_task(_flow(client, fixture, rng, record)))
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=max(0.1, start_at + seconds + drain_s - time.time()))
            for task in pending:
                task.cancel()
            for record in records:
                if "done_at" not in record and "error" not in record:
                    record["error"] = "unfinished when the step ended"
    return records


def _open_loop_process(args: tuple) -> list[dict]:
    return asyncio.run(_open_loop(*args))


def open_loop(url: str, token: str, fixture: dict, rate: float, seconds: float, *, drain_s: float = 30.0,
              procs: int | None = None) -> tuple[list[dict], float, int]:
    """Offer ``rate`` orders/s for ``seconds``; (one record per order, the wall-clock start, processes)."""
    procs = procs or processes_for(rate * 5)
    start_at = time.time() + 1.0 + 0.3 * procs  # time for the processes to start
    jobs = [(url, token, fixture, rate / procs, seconds, start_at, i / rate, drain_s, random.randrange(1 << 30))
            for i in range(procs)]
    if procs == 1:
        return _open_loop_process(jobs[0]), start_at, 1
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_open_loop_process, jobs)
    return [r for part in parts for r in part], start_at, procs


# --- closed loop ----------------------------------------------------------------------------------
async def _closed_loop(url: str, token: str, method: str, path: str, make_body: Callable | None, concurrency: int,
                       seconds: float, expect: int) -> dict:
    latencies: list[float] = []
    errors = 0
    first_error = None
    rng = random.Random()
    async with _client(url, token, concurrency) as client:
        await client.request(method, path, json=make_body(rng) if make_body else None)  # warm a connection
        stop_at = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal errors, first_error
            while time.monotonic() < stop_at:
                body, headers = (make_body(rng) if make_body else None), {"Idempotency-Key": uuid.uuid4().hex}
                t = time.monotonic()
                try:
                    response = await client.request(method, path, json=body, headers=headers)
                    ok = response.status_code == expect
                    if not ok and first_error is None:
                        first_error = f"{response.status_code} {response.text[:150]}"
                except httpx.HTTPError as error:
                    ok = False
                    first_error = first_error or f"{type(error).__name__} {error}"
                if ok:
                    latencies.append((time.monotonic() - t) * 1000)
                else:
                    errors += 1

        t0 = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - t0
    return {"ok": len(latencies), "errors": errors, "elapsed_s": elapsed, "latencies_ms": latencies,
            "first_error": first_error}


def _closed_loop_process(args: tuple) -> dict:
    return asyncio.run(_closed_loop(*args))


def closed_loop(url: str, token: str, path: str, *, method: str = "POST", make_body: Callable | None = None,
                concurrency: int = 16, seconds: float = 10.0, expect: int = 200, procs: int = 1) -> dict:
    """Requests/s of ``concurrency`` clients (split over ``procs`` processes) for ``seconds``."""
    per = max(1, concurrency // procs)
    jobs = [(url, token, method, path, make_body, per, seconds, expect) for _ in range(procs)]
    if procs == 1:
        parts = [_closed_loop_process(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(procs) as pool:
            parts = pool.map(_closed_loop_process, jobs)
    latencies = sorted(x for p in parts for x in p["latencies_ms"])
    elapsed = max(p["elapsed_s"] for p in parts)
    ok = len(latencies)
    return {"req_s": ok / elapsed if elapsed else 0.0, "ok": ok, "errors": sum(p["errors"] for p in parts),
            "p50_ms": latencies[len(latencies) // 2] if latencies else None,
            "p99_ms": latencies[max(0, math.ceil(0.99 * ok) - 1)] if latencies else None,
            "first_error": next((p["first_error"] for p in parts if p["first_error"]), None),
            "concurrency": per * procs, "procs": procs}
