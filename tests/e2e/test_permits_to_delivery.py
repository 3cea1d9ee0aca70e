"""Permits → delivery through the public HTTP apis only: a business-reopening permit issued by the
joint review lets the merchant sell; revoking it closes the merchant again."""

from __future__ import annotations

import uuid

from e2e_support import System, eventually
from permits_support import business_reopening, issue


async def allowed_to_sell(system: System, merchant_id: str) -> bool:
    async with system.client("delivery") as delivery:
        found = await delivery.get(f"/merchants/{merchant_id}")
        assert found.status_code == 200, found.text
        return found.json()["allowed_to_sell"]


async def test_issued_business_reopening_opens_the_merchant_and_revocation_closes_it(system: System) -> None:
    merchant_id = f"mer_{uuid.uuid4().hex[:16]}"
    async with system.client("delivery") as delivery:
        created = await delivery.post("/merchants", json={"merchant_id": merchant_id, "name": "城关超市",
                                                          "kind": "supermarket", "community_id": "C03"})
        assert created.status_code == 201, created.text
    assert await allowed_to_sell(system, merchant_id) is False

    permit = await issue(system, business_reopening(merchant_id))

    async def is_open() -> bool:
        return await allowed_to_sell(system, merchant_id)

    await eventually(is_open)

    async with system.client("permits") as permits:
        revoked = await permits.post(f"/permits/{permit['permit_id']}/revoke",
                                     json={"reason": "opening_standard_breached"})
        assert revoked.status_code == 200, revoked.text

    async def is_closed() -> bool:
        return not await allowed_to_sell(system, merchant_id)

    await eventually(is_closed)
