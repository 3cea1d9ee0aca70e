"""The raw baselines: what the same logical work costs without the services' code.

- ``BENCH_RAW_MONGO_URL=URL python bench/raw.py api --port P``: a bare FastAPI + PyMongo (AsyncMongoClient) app
  whose ``POST /orders`` inserts the idempotency record, inserts the order's commit (its state and its
  OrderPlaced event in it), and upserts the current document: no auth, no domain, no lookups.
- ``raw_worker(...)``: an aiokafka + PyMongo loop that consumes given messages with its own group and,
  per QuarantineStarted, upserts the resident's projection document by ``_id`` with a version check
  and the household's summary (as delivery's ``Households.apply`` does), committing offsets after the
  effect.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

RAW_DB = "bench_raw"


def make_app(mongo_url: str):
    from pymongo import AsyncMongoClient
    from pymongo.errors import DuplicateKeyError

    client = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[RAW_DB]
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.post("/orders", status_code=201)
    async def place(request: Request, idempotency_key: str | None = Header(default=None, alias="Idempotency-Key")):
        body = await request.json()
        now = datetime.now(UTC)
        order_id = f"ord_{uuid.uuid4().hex}"
        if idempotency_key:
            try:
                await db["idempotency_keys"].insert_one({"_id": f"orders:{idempotency_key}", "state": "pending",
                                                         "lease_until": now})
            except DuplicateKeyError:
                return JSONResponse({"detail": "replay"}, status_code=409)
        state = {"order_id": order_id, "status": "placed", "destination": "door", **body}
        envelope = {"event_id": str(uuid.uuid4()), "event_type": "delivery.order.placed", "aggregate_id": order_id,
                    "aggregate_version": 1, "occurred_at": now.isoformat(), "data": state}
        await db["orders_commits"].insert_one({
            "_id": f"{order_id}@{1:012d}", "request_key": f"orders:{idempotency_key}#{order_id}", "aggregate_id": order_id,
            "version": 1, "state": state, "outbox": [{"topic": "delivery.order.v1", "key": order_id, "envelope": envelope}],
            "current_fields": {"status": "placed"}, "committed_at": now})
        await db["orders"].update_one({"_id": order_id}, {"$set": {"state": state, "version": 1, "status": "placed"}},
                                      upsert=True)
        return {"order_id": order_id, "status": "placed", "destination": "door"}

    return app


async def raw_worker(bootstrap: str, login: dict, mongo_url: str, topic: str, since: dict[int, int],
                     until: dict[int, int], group: str) -> dict:
    """Consume ``topic`` from ``since`` to ``until`` (per partition) and apply each event; the time
    from the first fetch to the last commit."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(mongo_url, tz_aware=True)
    residents, households = client[RAW_DB]["household_residents"], client[RAW_DB]["households"]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **login, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    applied = 0
    try:
        parts = [TopicPartition(topic, p) for p in until]
        consumer.assign(parts)
        for tp in parts:
            consumer.seek(tp, since.get(tp.partition, 0))
        todo = {tp for tp in parts if until[tp.partition] > since.get(tp.partition, 0)}
        t0 = time.monotonic()
        while todo:
            batch = await consumer.getmany(timeout_ms=500, max_records=500)
            for tp, msgs in batch.items():
                for m in msgs:
                    if m.offset >= until[tp.partition]:
                        continue
                    env = json.loads(m.value)
                    if env.get("event_type") != "registry.quarantine.started":
                        continue
                    data, version, rid = env["data"], env["aggregate_version"], env["aggregate_id"]
                    found = await residents.find_one({"_id": rid}, {"version": 1})
                    if found is None or found.get("version", 0) < version:
                        await residents.update_one({"_id": rid}, {"$set": {
                            "household_id": data["household_id"], "compound_id": data["compound_id"],
                            "in_quarantine": True, "version": version},
                            "$push": {"applied_events": {"$each": [env["event_id"]], "$slice": -100}}}, upsert=True)
                        await households.update_one({"_id": data["household_id"]}, {"$set": {
                            "compound_id": data["compound_id"], f"quarantine.{rid}": True}}, upsert=True)
                        applied += 1
                if msgs:
                    await consumer.commit({tp: OffsetAndMetadata(msgs[-1].offset + 1, "")})
                    if msgs[-1].offset + 1 >= until[tp.partition]:
                        todo.discard(tp)
        elapsed = time.monotonic() - t0
    finally:
        await consumer.stop()
        await client.close()
    return {"applied": applied, "elapsed_s": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["api"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    mongo_url = os.environ["BENCH_RAW_MONGO_URL"]  # it holds the admin password: never on the command line
    import uvicorn

    uvicorn.run(make_app(mongo_url), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
