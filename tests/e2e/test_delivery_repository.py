"""Delivery's repositories against the real database of the local stack: a read of the
current-state document alone (one lookup by ``_id``) is followed by a read of the commits once
a change based on it collided, so a lost refresh of that document cannot block changes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from delivery.adapters.repository import MerchantRepository
from delivery.domain.merchant import Merchant, Product
from e2e_support import System
from towngrid_kit.ids import new_id, utcnow
from towngrid_kit.unit_of_work import UnitOfWork


@pytest.fixture
async def db(system: System) -> AsyncIterator[AsyncDatabase]:
    async with system.database("delivery_repository_test") as found:
        yield found


def publish(merchant: Merchant) -> None:
    now = utcnow()
    merchant.publish_price_list([Product("RICE-5KG", "Rice", "bag", 3290)], now, now)


async def test_a_change_read_from_a_lagging_current_document_is_stored_on_the_latest_version(db) -> None:
    repo = MerchantRepository(db)
    merchants = UnitOfWork(repo, "merchant")
    merchant_id = new_id("mer")
    await merchants.add(Merchant.register(merchant_id, "Shop", "shop", None, utcnow()))
    lagging = await repo.store.current.find_one({"_id": merchant_id})
    await merchants.change(merchant_id, publish)
    await repo.store.current.replace_one({"_id": merchant_id}, lagging)  # that commit's refresh was lost
    assert (await repo.get(merchant_id)).version == 1  # the fast read: the current document alone

    changed = await merchants.change(merchant_id, publish)  # collides on v2 once, then reads the commits

    assert changed.version == 3 and [p.version for p in changed.price_lists] == [1, 2]
    latest = await repo.get(merchant_id, authoritative=True)
    assert latest.version == 3 and len(latest.price_lists) == 2
    assert (await repo.get(merchant_id)).version == 3  # the current document caught up with the commit
