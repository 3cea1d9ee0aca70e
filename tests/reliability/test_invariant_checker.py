"""The checker itself can fail: effects removed or doubled behind its back are reported as lost
or doubled (a checker that always says "holds" would make every scenario pass)."""

from __future__ import annotations

import json
import uuid

import pytest
from pymongo import AsyncMongoClient

from e2e_support import System, produce_many, read_all
from reliability_kit.invariants import RESIDENT_TOPIC, check, wait_until_holds
from delivery_support import order_body
from reliability_kit.workload import Workload

pytestmark = [pytest.mark.reliability, pytest.mark.stack]


async def test_the_checker_reports_lost_and_doubled_effects(reliability_system: System) -> None:
    workload = Workload(reliability_system, tag=f"checker-{uuid.uuid4().hex[:6]}", units=8, concurrency=4)
    await workload.run()
    clean = await wait_until_holds(reliability_system, workload, timeout=120)
    assert clean.holds, clean.summary()
    # units 0 and 4 apply for a permit (17 effects), the others not (12); the odd ones order (2 more)
    assert clean.found == clean.expected and clean.expected == 2 * 17 + 6 * 12 + 4 * 2

    lost_one, doubled_one, republished = (u.resident_id for u in workload.units[:3])
    mine = {r.key.decode(): r for r in await read_all(reliability_system.kafka, RESIDENT_TOPIC)
            if r.key and r.key.decode() == republished and r.json["event_type"] == "registry.resident.returned"}
    copy = mine[republished]
    client = AsyncMongoClient(reliability_system.mongo_url, tz_aware=True)
    try:
        await client["labor"]["resident_status"].delete_one({"_id": lost_one})
        doc = await client["delivery"]["household_residents"].find_one({"_id": doubled_one})
        await client["delivery"]["household_residents"].update_one(
            {"_id": doubled_one}, {"$push": {"applied_events": doc["applied_events"][0]}})
    finally:
        await client.close()
    # a second order for a household the workload ordered for once (doubled)
    ordered_twice = workload.units[1]
    async with reliability_system.client("delivery") as delivery:
        again = await delivery.post("/orders", json=order_body(workload.merchant_id, ordered_twice.household_id,
                                                               compound_id=workload.compound_id))
        assert again.status_code == 201, again.text
    # the same event again (a copy: allowed), and the same change under a new event id (doubled)
    twin = json.loads(copy.value) | {"event_id": str(uuid.uuid4())}
    await produce_many(reliability_system.kafka, RESIDENT_TOPIC, [(copy.key, copy.value), (copy.key, json.dumps(twin).encode())])

    verdict = await check(reliability_system, workload)
    assert not verdict.holds
    assert f"labor applied ResidentReturned of {lost_one}" in verdict.lost
    assert f"labor applied QuarantineStarted of {lost_one}" in verdict.lost
    assert f"delivery applied ResidentReturned of {doubled_one} x2" in verdict.doubled
    assert f"ResidentReturned of {republished} x2" in verdict.doubled
    assert f"order of household {ordered_twice.household_id} x2" in verdict.doubled
    assert verdict.copies >= 1
