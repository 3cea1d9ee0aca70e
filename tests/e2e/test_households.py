"""Issue 16, point 3, on the real stack: a household id belongs to the compound that first
registered it. An officer of another community who registers someone with it is refused (422
naming ``body.household_id``, naming nothing of the other community), so the household stays in
its compound in delivery: its own officer can still order for it, the other cannot. A second
member of the household in the same compound is fine. And delivery, on its own, keeps a household
in its first compound when a later event puts it in another (the second line of defence)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import date

import httpx

from delivery_support import grid_known, merchant_in, order_body, place_until, uid
from e2e_support import System, produce_many
from grid_support import fresh_client, new_communities
from people import returnee
from towngrid_contracts.envelope import envelope_for
from towngrid_contracts.registry import ResidentReturned
from towngrid_kit.auth import Role


async def test_a_household_id_of_another_compound_is_refused_and_the_household_stays(system: System) -> None:
    a, b = await new_communities(system, compounds=1)
    a1, b1 = a.compounds[0], b.compounds[0]
    async with AsyncExitStack() as stack:
        def client(service: str, community_id: str) -> httpx.AsyncClient:
            return fresh_client(system, service, Role.COMMUNITY_OFFICER, f"community:{community_id}", uid("stf"))

        registry_a = await stack.enter_async_context(client("registry", a.community_id))
        registry_b = await stack.enter_async_context(client("registry", b.community_id))
        delivery_a = await stack.enter_async_context(client("delivery", a.community_id))
        delivery_b = await stack.enter_async_context(client("delivery", b.community_id))
        admin = await stack.enter_async_context(fresh_client(system, "delivery", Role.TOWN_ADMIN))
        await grid_known(delivery_a, a1)
        await grid_known(delivery_b, b1)
        shop_a, shop_b = await merchant_in(system, admin, a.community_id), await merchant_in(system, admin, b.community_id)

        first = await registry_b.post("/residents", json=returnee(b1))
        assert first.status_code == 201, first.text
        household = first.json()["resident"]["household_id"]
        resident_b = first.json()["resident"]["resident_id"]
        async with system.client("registry") as town:
            started = await town.post(f"/residents/{resident_b}/quarantines", json={
                "kind": "home", "planned_end": "2030-02-08", "reason_code": "returned_from_risk_area"})
            assert started.status_code == 201, started.text
        await place_until(delivery_b, order_body(shop_b, household, compound_id=None), "door")

        hijack = await registry_a.post("/residents", json=returnee(a1, household_id=household))
        assert hijack.status_code == 422, hijack.text
        assert [e["field"] for e in hijack.json()["errors"]] == ["body.household_id"]
        for outside in (b1, b.community_id):
            assert outside not in hijack.text

        member = await registry_b.post("/residents", json=returnee(b1, household_id=household))
        assert member.status_code == 201, member.text
        assert member.json()["resident"]["household_id"] == household
        chosen = uid("hh")
        own = await registry_a.post("/residents", json=returnee(a1, household_id=chosen))
        assert own.status_code == 201, own.text
        assert (await registry_a.post("/residents", json=returnee(a1, household_id=chosen))).status_code == 201

        # the refused registration raised no event; its household is still B's in delivery
        await place_until(delivery_a, order_body(shop_a, chosen, compound_id=None), "checkpoint")
        assert (await delivery_a.post("/orders", json=order_body(shop_a, household, compound_id=None))).status_code == 403
        placed = await delivery_b.post("/orders", json=order_body(shop_b, household, compound_id=None))
        assert placed.status_code == 201, placed.text
        assert placed.json()["destination"] == "door"


async def test_delivery_keeps_a_household_in_its_first_compound(system: System) -> None:
    a, b = await new_communities(system, compounds=1)
    a1, b1 = a.compounds[0], b.compounds[0]
    async with AsyncExitStack() as stack:
        def client(community_id: str) -> httpx.AsyncClient:
            return fresh_client(system, "delivery", Role.COMMUNITY_OFFICER, f"community:{community_id}", uid("stf"))

        delivery_a, delivery_b = (await stack.enter_async_context(client(a.community_id)),
                                  await stack.enter_async_context(client(b.community_id)))
        admin = await stack.enter_async_context(fresh_client(system, "delivery", Role.TOWN_ADMIN))
        await grid_known(delivery_a, a1)
        await grid_known(delivery_b, b1)
        shop_a, shop_b = await merchant_in(system, admin, a.community_id), await merchant_in(system, admin, b.community_id)

        household, marker, stranger = uid("hh"), uid("hh"), uid("res")
        await returned(system, uid("res"), 1, household, b1)
        await place_until(delivery_b, order_body(shop_b, household, compound_id=None), "checkpoint")
        # a resident event (as a faulty or forged registry would send) that puts the household in a1,
        # then, on the same resident (same partition, so after it), one that names a fresh household in a1
        await returned(system, stranger, 1, household, a1)
        await returned(system, stranger, 2, marker, a1)
        await place_until(delivery_a, order_body(shop_a, marker, compound_id=None), "checkpoint")

        assert (await delivery_a.post("/orders", json=order_body(shop_a, household, compound_id=None))).status_code == 403
        assert (await delivery_b.post("/orders", json=order_body(shop_b, household, compound_id=None))).status_code == 201


async def returned(system: System, resident_id: str, version: int, household_id: str, compound_id: str) -> None:
    data = ResidentReturned(resident_id=resident_id, household_id=household_id, compound_id=compound_id,
                            origin_province="湖北省", origin_city="武汉市", from_risk_area=True, travel_mode="train",
                            arrived_on=date(2020, 1, 25))
    env = envelope_for(data, aggregate_id=resident_id, aggregate_version=version)
    await produce_many(system.kafka, "registry.resident.v1", [(env.key, env.model_dump_json().encode())])
