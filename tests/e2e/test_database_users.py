"""The stack's database takes no connection without a login, and each service's login reaches only
its own database (issue 16, point 6): FerretDB with authentication and our own-database patch on
the local stack, MongoDB users with readWrite on one database in containers and compose.

Before, any local process reached every service's data with no credentials at all, and a
service's connection could read and rewrite another service's database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from e2e_support import System
from towngrid_devstack.services import SERVICES

UNAUTHORIZED = 13


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[AsyncMongoClient]:
    client: AsyncMongoClient = AsyncMongoClient(url, serverSelectionTimeoutMS=10_000)
    try:
        yield client
    finally:
        await client.close()


async def refused(call: Callable[[], Awaitable[object]]) -> None:
    with pytest.raises(OperationFailure) as caught:
        await call()
    assert caught.value.code == UNAUTHORIZED, caught.value.details


async def test_a_connection_without_a_login_gets_nothing_beyond_the_handshake(system: System) -> None:
    async with connected(system.config.mongo_url) as anonymous:
        assert (await anonymous.admin.command("ping"))["ok"] == 1  # what drivers need to connect
        await refused(lambda: anonymous.registry.list_collection_names())
        await refused(lambda: anonymous.registry.residents.find_one({}))
        await refused(lambda: anonymous.permits.intruder.insert_one({"_id": "x"}))
        await refused(lambda: anonymous.list_database_names())
    async with system.database("permits") as permits:
        assert await permits.intruder.find_one({"_id": "x"}) is None


@pytest.mark.parametrize("user, other", [("permits", "registry"), ("registry", "permits"), ("delivery", "labor")])
async def test_a_service_login_cannot_read_or_write_another_services_database(system: System, user: str,
                                                                              other: str) -> None:
    async with system.database(other) as as_admin:
        collections = await as_admin.list_collection_names()
        assert collections, f"{other} keeps its data in its database"
        before = await as_admin[collections[0]].count_documents({})
    async with connected(system.mongo_url_as(user)) as login:
        theirs = login[other]
        await refused(lambda: theirs.list_collection_names())
        await refused(lambda: theirs[collections[0]].find_one({}))
        await refused(lambda: theirs[collections[0]].insert_one({"_id": f"from-{user}"}))
        await refused(lambda: theirs[collections[0]].delete_many({}))
        await refused(lambda: login.list_database_names())
        own = await system_collections(system, user)
        assert own and set(own) <= set(await login[user].list_collection_names())  # its own database: all of it
    async with system.database(other) as as_admin:
        assert await as_admin[collections[0]].count_documents({}) == before


async def system_collections(system: System, name: str) -> list[str]:
    async with system.database(name) as as_admin:
        return await as_admin.list_collection_names()


def test_each_service_process_logs_in_as_its_own_user(system: System) -> None:
    for service in SERVICES:
        processes = system.services[service]
        for process in (processes.api, processes.worker):
            url = process.env[f"{service.upper()}_MONGO_URL"]
            assert url.startswith(f"mongodb://{service}:"), process.name
            assert f"/{service}?authSource={service}&" in url, process.name
