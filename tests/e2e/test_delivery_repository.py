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


async def test_the_old_stock_log_is_carried_into_the_depots_first_commit_once(system: System) -> None:
    """A town running before the stock was an aggregate: its log of movements becomes the depot's
    first commit, numbers and balances as they were, their events for the relay to publish; a
    second process starting at once, or a later start, carries nothing again."""
    import asyncio
    import uuid

    from delivery.adapters.relief import OLD_LOG, StockRepository
    from delivery.domain.relief import ReliefStock

    async with system.database(f"delivery_stock_{uuid.uuid4().hex[:8]}") as db:
        at = utcnow()
        await db[OLD_LOG].insert_many([
            {"_id": "town@000000000001", "depot": "town", "seq": 1, "kind": "receipt", "delta": {"rice": 5, "oil": 2},
             "balance": {"rice": 5, "oil": 2}, "parcel_id": None, "by": "stf_1", "at": at},
            {"_id": "town@000000000002", "depot": "town", "seq": 2, "kind": "issue", "delta": {"rice": -1},
             "balance": {"rice": 4, "oil": 2}, "parcel_id": "rp_1", "by": "stf_2", "at": at},
        ])
        await asyncio.gather(StockRepository(db).prepare(), StockRepository(db).prepare())
        repo = StockRepository(db)
        await repo.prepare()
        stock = await repo.get("town")
        assert (stock.balance, stock.version) == ({"rice": 4, "oil": 2}, 2)
        (commit,) = await repo.store.history("town")
        assert [(e["envelope"]["aggregate_version"], e["envelope"]["data"]["seq"], e["envelope"]["data"]["movement"],
                 e["envelope"]["data"]["items"], e["envelope"]["data"]["balance"], e["envelope"]["data"]["moved_by"])
                for e in commit["outbox"]] == [
            (1, 1, "receipt", {"rice": 5, "oil": 2}, {"rice": 5, "oil": 2}, "stf_1"),
            (2, 2, "issue", {"rice": 1}, {"rice": 4, "oil": 2}, "stf_2")]
        assert await repo.store.pending.find_one({"_id": commit["_id"]}) is not None  # for the relay to publish

        moved = await UnitOfWork(repo, "relief stock").change("town", lambda s: s.receive({"oil": 1}, "stf_1", utcnow()))
        assert (moved.balance, moved.version, isinstance(moved, ReliefStock)) == ({"rice": 4, "oil": 3}, 3, True)
