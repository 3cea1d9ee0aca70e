"""The invariant: every acknowledged command's effects are present exactly once in every
service that should see them, nothing half-written, every consumer caught up, outboxes empty.

What "an effect" is, for each acknowledged command of the workload (``workload.py``):

- register:   the registry file exists once in the scenario's compound with one return;
              ``registry.resident.returned`` is on the topic (one event id; copies of it are
              allowed: at-least-once); delivery's ``household_residents`` and labor's
              ``resident_status`` list that event id once in ``applied_events``.
- apply:      ``permits.permit.applied`` on the topic, once.
- approve:    ``permits.permit.issued`` on the topic, once; labor's ``resident_permits``
              applied it once.
- quarantine: the registry file has that one quarantine; ``registry.quarantine.started`` on
              the topic, once; applied once by permits' ``quarantine_roster`` (in quarantine,
              that quarantine id), delivery and labor; if the unit holds a certificate, the
              permits worker suspended it once (``permits.permit.suspended`` once, the
              application's status ``suspended``, applied once by labor).
- health check: the quarantine in the registry file has one check;
              ``registry.quarantine.health_check_recorded`` on the topic, once.
- order:      delivery holds one order for the unit's household (that order), placed, not
              rejected; ``delivery.order.placed`` on the topic, once.

"Lost" is an effect found zero times, "doubled" one found twice or more (two event ids for
one change, an event applied twice, a second file or return or quarantine). The databases
are read directly (a checker may; services never read each other's), the registry through
its api (its personal data is its own business).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from e2e_support import System, read_all
from reliability_kit import kafka_ops
from reliability_kit.workload import Workload

RESIDENT_TOPIC, PERMIT_TOPIC, ORDER_TOPIC = "registry.resident.v1", "permits.permit.v1", "delivery.order.v1"
DATABASES = ("registry", "permits", "delivery", "labor")


@dataclass
class Verdict:
    expected: int = 0
    found: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # present once but in the wrong state
    unacknowledged: list[str] = field(default_factory=list)
    lag: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)
    copies: int = 0  # extra copies of one event id on a topic (allowed)

    @property
    def holds(self) -> bool:
        return not (self.lost or self.doubled or self.wrong or self.unacknowledged or self.lag or self.outbox)

    def count(self, name: str, times: int, *, ok: bool = True, why: str = "") -> None:
        self.expected += 1
        if times == 0:
            self.lost.append(name)
        elif times > 1:
            self.doubled.append(f"{name} x{times}")
        elif not ok:
            self.wrong.append(f"{name}: {why}")
        else:
            self.found += 1

    def summary(self, limit: int = 8) -> str:
        parts = [f"{self.found}/{self.expected} effects found once"]
        for label, items in (("lost", self.lost), ("doubled", self.doubled), ("wrong", self.wrong),
                             ("unacknowledged", self.unacknowledged)):
            if items:
                parts.append(f"{label} {len(items)}: {items[:limit]}")
        if self.lag:
            parts.append(f"consumer lag: {dict(list(self.lag.items())[:limit])}")
        if self.outbox:
            parts.append(f"outbox backlog: {self.outbox}")
        return "; ".join(parts)


def _events_by_key(records: list[Any]) -> dict[str, dict[str, list[str]]]:
    """key → event_type → event ids, one entry per copy on the topic."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        try:
            body = record.json
        except ValueError:
            continue  # a poison message a scenario put there
        if isinstance(body, dict) and record.key and "event_type" in body:
            found[record.key.decode()][body["event_type"]].append(str(body.get("event_id")))
    return found


async def _docs(db: Any, collection: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    return {d["_id"]: d async for d in db[collection].find({"_id": {"$in": ids}})}


async def _registry_files(system: System, compound_id: str) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    async with system.client("registry") as api:
        after = None
        while True:
            params = {"compound_id": compound_id, "limit": 200} | ({"after": after} if after else {})
            page = await api.get("/residents", params=params)
            page.raise_for_status()
            body = page.json()
            files += body["items"]
            after = body.get("next_after")
            if not after:
                return files


async def _permit_states(system: System, permit_ids: list[str]) -> dict[str, str | None]:
    gate = asyncio.Semaphore(8)
    async with system.client("permits") as api:
        async def one(pid: str) -> tuple[str, str | None]:
            async with gate:
                answer = await api.get(f"/applications/{pid}")
                return pid, answer.json().get("status") if answer.status_code == 200 else None

        return dict(await asyncio.gather(*(one(p) for p in permit_ids)))


async def _orders_of(system: System, household_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    gate = asyncio.Semaphore(8)
    async with system.client("delivery") as api:
        async def one(household_id: str) -> tuple[str, list[dict[str, Any]]]:
            async with gate:
                page = await api.get("/orders", params={"household_id": household_id, "limit": 50})
                page.raise_for_status()
                return household_id, page.json()["items"]

        return dict(await asyncio.gather(*(one(h) for h in household_ids)))


async def outbox_backlog(system: System) -> dict[str, int]:
    """Stored commits not yet published, per outbox. A marker whose commit does not exist is
    not backlog: the kit writes the marker first, so an api killed between the two writes, or a
    retry that turned out ``already_applied`` (its commit refused by the request-key index),
    leaves a marker the relay skips (kit/README.md)."""
    client = AsyncMongoClient(system.mongo_url, tz_aware=True)
    backlog: dict[str, int] = {}
    try:
        for name in DATABASES:
            db = client[name]
            for collection in await db.list_collection_names():
                if collection.endswith("_outbox"):
                    commits = db[collection.removesuffix("_outbox") + "_commits"]
                    waiting = 0
                    async for marker in db[collection].find({}, {"_id": 1}):
                        waiting += await commits.count_documents({"_id": marker["_id"]}, limit=1)
                    if waiting:
                        backlog[f"{name}.{collection}"] = waiting
    finally:
        await client.close()
    return backlog


async def outbox_markers(system: System) -> dict[str, int]:
    """Markers in each outbox: a cheap upper bound of ``outbox_backlog`` (one count per outbox)."""
    client = AsyncMongoClient(system.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000)
    found: dict[str, int] = {}
    try:
        for name in DATABASES:
            db = client[name]
            for collection in await db.list_collection_names():
                if collection.endswith("_outbox") and (n := await db[collection].count_documents({})):
                    found[f"{name}.{collection}"] = n
    finally:
        await client.close()
    return found


async def check(system: System, workload: Workload) -> Verdict:
    verdict = Verdict()
    verdict.lag = await kafka_ops.lag(system)
    verdict.outbox = await outbox_backlog(system)
    for unit in workload.units:
        for command in unit.commands:
            if not command.acked:
                last = command.attempts[-1] if command.attempts else None
                verdict.unacknowledged.append(
                    f"unit {unit.index} {command.kind}: {len(command.attempts)} attempts "
                    f"({[a.status for a in command.attempts]}), gave up: {command.gave_up}, last answer: "
                    f"{last.detail[:300] if last else None}")

    acked = {(u.index, c.kind): u for u in workload.units for c in u.commands if c.acked}
    registered = [u for (_, kind), u in acked.items() if kind == "register"]
    applied = [u for (_, kind), u in acked.items() if kind == "apply"]
    approved = [u for (_, kind), u in acked.items() if kind == "approve"]
    quarantined = [u for (_, kind), u in acked.items() if kind == "quarantine"]
    checked = [u for (_, kind), u in acked.items() if kind == "health_check"]
    ordered = [u for (_, kind), u in acked.items() if kind == "order"]
    rids = [u.resident_id for u in registered]
    pids = [u.permit_id for u in applied]

    resident_events = _events_by_key(await read_all(system.kafka, RESIDENT_TOPIC, timeout=60))
    permit_events = _events_by_key(await read_all(system.kafka, PERMIT_TOPIC, timeout=60))
    order_events = _events_by_key(await read_all(system.kafka, ORDER_TOPIC, timeout=60)) if ordered else {}
    for events in (*resident_events.values(), *permit_events.values(), *order_events.values()):
        for ids in events.values():
            verdict.copies += len(ids) - len(set(ids))

    files = await _registry_files(system, workload.compound_id)
    by_resident: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in files:
        by_resident[f["resident_id"]].append(f)
    for extra in set(by_resident) - set(rids):
        verdict.doubled.append(f"registry file {extra} that no acknowledged command made (half-written or doubled)")

    client = AsyncMongoClient(system.mongo_url, tz_aware=True)
    try:
        roster = await _docs(client["permits"], "quarantine_roster", rids)
        households = await _docs(client["delivery"], "household_residents", rids)
        labor_residents = await _docs(client["labor"], "resident_status", rids)
        labor_permits = await _docs(client["labor"], "resident_permits", pids)
    finally:
        await client.close()
    statuses = await _permit_states(system, [u.permit_id for u in quarantined if u.permit_id])

    def distinct(events: dict[str, list[str]], event_type: str) -> list[str]:
        return list(dict.fromkeys(events.get(event_type, [])))

    def applied_count(doc: dict[str, Any] | None, event_ids: list[str]) -> int:
        if doc is None or not event_ids:
            return 0
        return sum(doc.get("applied_events", []).count(e) for e in event_ids)

    for u in registered:
        rid, events = u.resident_id, resident_events.get(u.resident_id, {})
        mine = by_resident.get(rid, [])
        verdict.count(f"registry file {rid}", len(mine))
        if mine:
            verdict.count(f"return of {rid}", len(mine[0]["returns"]))
        returned = distinct(events, "registry.resident.returned")
        verdict.count(f"ResidentReturned of {rid}", len(returned))
        verdict.count(f"delivery applied ResidentReturned of {rid}", applied_count(households.get(rid), returned))
        verdict.count(f"labor applied ResidentReturned of {rid}", applied_count(labor_residents.get(rid), returned))

    for u in applied:
        verdict.count(f"PermitApplied of {u.permit_id}", len(distinct(permit_events.get(u.permit_id, {}),
                                                                      "permits.permit.applied")))

    for u in approved:
        issued = distinct(permit_events.get(u.permit_id, {}), "permits.permit.issued")
        verdict.count(f"PermitIssued of {u.permit_id}", len(issued))
        verdict.count(f"labor applied PermitIssued of {u.permit_id}", applied_count(labor_permits.get(u.permit_id), issued))

    for u in quarantined:
        rid, qid, events = u.resident_id, u.quarantine_id, resident_events.get(u.resident_id, {})
        mine = by_resident.get(rid, [])
        if mine:
            same = [q for q in mine[0]["quarantines"] if q["quarantine_id"] == qid]
            verdict.count(f"quarantine {qid} of {rid}", len(mine[0]["quarantines"]), ok=len(same) == 1,
                          why=f"the file's quarantines are {[q['quarantine_id'] for q in mine[0]['quarantines']]}")
        started = distinct(events, "registry.quarantine.started")
        verdict.count(f"QuarantineStarted of {rid}", len(started))
        doc = roster.get(rid)
        verdict.count(f"permits roster applied QuarantineStarted of {rid}", applied_count(doc, started),
                      ok=bool(doc and doc.get("in_quarantine") and doc.get("quarantine_id") == qid),
                      why=f"roster says {doc and {k: doc.get(k) for k in ('in_quarantine', 'quarantine_id')}}")
        verdict.count(f"delivery applied QuarantineStarted of {rid}", applied_count(households.get(rid), started),
                      ok=bool(households.get(rid, {}).get("in_quarantine")), why="household not in quarantine")
        verdict.count(f"labor applied QuarantineStarted of {rid}", applied_count(labor_residents.get(rid), started),
                      ok=bool(labor_residents.get(rid, {}).get("in_quarantine")), why="labor: not in quarantine")
        if u.permit_id and any(c.kind == "approve" and c.acked for c in u.commands):
            suspended = distinct(permit_events.get(u.permit_id, {}), "permits.permit.suspended")
            verdict.count(f"PermitSuspended of {u.permit_id}", len(suspended),
                          ok=statuses.get(u.permit_id) == "suspended", why=f"status {statuses.get(u.permit_id)}")
            verdict.count(f"labor applied PermitSuspended of {u.permit_id}",
                          applied_count(labor_permits.get(u.permit_id), suspended))

    for u in checked:
        rid, qid = u.resident_id, u.quarantine_id
        mine = by_resident.get(rid, [])
        if mine:
            same = [q for q in mine[0]["quarantines"] if q["quarantine_id"] == qid]
            verdict.count(f"health check of {rid}", len(same[0]["checks"]) if same else 0)
        verdict.count(f"HealthCheckRecorded of {rid}", len(distinct(resident_events.get(rid, {}),
                                                                     "registry.quarantine.health_check_recorded")))

    orders = await _orders_of(system, [u.household_id for u in ordered if u.household_id])
    for u in ordered:
        mine = orders.get(u.household_id or "", [])
        verdict.count(f"order of household {u.household_id}", len(mine),
                      ok=bool(mine) and mine[0]["order_id"] == u.order_id and mine[0]["status"] != "rejected",
                      why=f"delivery holds {[(o['order_id'], o['status']) for o in mine]}, the answer named {u.order_id}")
        verdict.count(f"OrderPlaced of {u.order_id}", len(distinct(order_events.get(u.order_id or "", {}),
                                                                    "delivery.order.placed")))

    for key, events in [*((u.resident_id, resident_events.get(u.resident_id, {})) for u in registered),
                        *((u.permit_id, permit_events.get(u.permit_id, {})) for u in applied)]:
        for event_type, ids in events.items():
            if len(set(ids)) > 1 and event_type not in {"registry.resident.returned", "registry.quarantine.started",
                                                        "registry.quarantine.health_check_recorded",
                                                        "permits.permit.applied", "permits.permit.issued",
                                                        "permits.permit.suspended"}:
                verdict.doubled.append(f"{event_type} of {key} x{len(set(ids))}")
    return verdict


async def snapshot(system: System, workload: Workload) -> dict[str, Any]:
    """The consumers' documents of the workload's keys (for "a replay changes nothing")."""
    rids = [u.resident_id for u in workload.units if u.resident_id]
    pids = [u.permit_id for u in workload.units if u.permit_id]
    client = AsyncMongoClient(system.mongo_url, tz_aware=True)
    try:
        return {
            "permits.quarantine_roster": await _docs(client["permits"], "quarantine_roster", rids),
            "delivery.household_residents": await _docs(client["delivery"], "household_residents", rids),
            "labor.resident_status": await _docs(client["labor"], "resident_status", rids),
            "labor.resident_permits": await _docs(client["labor"], "resident_permits", pids),
        }
    finally:
        await client.close()


async def wait_until_holds(system: System, workload: Workload, *, timeout: float, interval: float = 2.0) -> Verdict:
    """Check until the invariant holds (or ``timeout`` s pass); the last verdict either way."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            # the cheap part first: while consumers lag or outboxes hold commits, the full
            # check (topics read from the beginning, every document) cannot hold yet
            pending = await kafka_ops.lag(system) or await outbox_backlog(system)
            if pending and loop.time() < deadline:
                await asyncio.sleep(interval / 2)
                continue
            verdict = await check(system, workload)
        except (httpx.HTTPError, AssertionError) as error:  # an api or topic not answering yet
            verdict = Verdict(wrong=[f"checker could not read: {error!r}"])
        if verdict.holds or loop.time() > deadline or verdict.unacknowledged:
            return verdict  # (a command the workload gave up on never becomes acknowledged)
        await asyncio.sleep(interval)
