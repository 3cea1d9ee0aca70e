"""Two permits api processes changing one permit at once: the optimistic ``_id`` collision of
``AggregateStore.commit`` fires for real, and the outcome is still consistent.

Within one api process ``KeyedLocks`` queue the changes of one permit, so they never collide
(``test_permits_concurrency`` runs on one process). A second api process on the same database has
locks of its own: its load-change-commit races the first one's, one commit of a version loses
on the unique ``_id`` and its use case is retried (``retry_on_conflict``).

What shows the collision: nothing is logged or counted by name, but each api counts the database
commands it sends (``towngrid_database_commands_total``), failed ones included. A checklist update
sends two inserts per attempt (the relay marker, then the commit) and nothing else, so the inserts
of both apis minus two per update are the two inserts of each attempt that lost.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient

from e2e_support import System, eventually, events_with, read_all
from permits_support import PERMIT_TOPIC, apply, business_reopening
from towngrid_kit.commits import AggregateStore

SECOND_API_OFFSET = 90  # added to the permits api's port
UPDATES_PER_API = 15
MAX_ROUNDS = 6
INSERTS_PER_ATTEMPT = 2  # the relay marker and the commit


@pytest.fixture(scope="module")
def second_permits_api(system: System) -> Iterator[str]:
    with system.another_api("permits", SECOND_API_OFFSET, timeout=90) as url:
        yield url


def inserts_sent(url: str) -> float:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:  # noqa: S310 - loopback
        text = response.read().decode()
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "towngrid_database_commands_total" and sample.labels.get("command") == "insert")


async def test_one_permit_changed_through_two_api_processes_at_once_keeps_every_change_once(
        system: System, second_permits_api: str) -> None:
    first_url = system.services["permits"].url
    async with system.client("permits") as first, system.client("permits") as second:
        second.base_url = httpx.URL(second_permits_api)
        permit = await apply(first, business_reopening(complete=False))
        pid, base = permit["permit_id"], permit["version"]

        async def tick(api: httpx.AsyncClient, n: int) -> httpx.Response:
            return await api.post(f"/applications/{pid}/checklist", json={"disinfection": n % 2 == 0})

        # calibration (and warming up): one update after the other, through each api, collide with nothing
        for n, (api, url) in enumerate([(first, first_url), (second, second_permits_api)]):
            before = inserts_sent(url)
            assert (await tick(api, n)).status_code == 200
            assert inserts_sent(url) - before == INSERTS_PER_ATTEMPT, "the inserts of an uncontested update"
        base += 2

        # rounds of updates through both apis at once, until a commit lost a collision (a loaded
        # machine may let a round go by without one; each round must keep everything anyway)
        answers: list[httpx.Response] = []
        lost_attempts = 0.0
        for _round in range(MAX_ROUNDS):
            before = inserts_sent(first_url) + inserts_sent(second_permits_api)
            this_round = await asyncio.gather(*(tick(api, n) for n in range(UPDATES_PER_API) for api in (first, second)))
            inserts = inserts_sent(first_url) + inserts_sent(second_permits_api) - before
            assert [a.status_code for a in this_round] == [200] * len(this_round), \
                [a.text for a in this_round if a.status_code != 200]
            answers += this_round
            lost_attempts += (inserts - len(this_round) * INSERTS_PER_ATTEMPT) / INSERTS_PER_ATTEMPT
            if lost_attempts:
                break
        updates = len(answers)
        print(f"{updates} concurrent updates through two apis: {lost_attempts:.0f} commits lost a collision "
              "and were retried")

        assert sorted(a.json()["version"] for a in answers) == list(range(base + 1, base + updates + 1)), \
            "each update got a version of its own"
        final = (await first.get(f"/applications/{pid}")).json()
        assert final["version"] == base + updates

    client = AsyncMongoClient(system.mongo_url, tz_aware=True)
    try:
        history = await AggregateStore(client["permits"], "permits").history(pid)
    finally:
        await client.close()
    assert [c["version"] for c in history] == list(range(1, base + updates + 1)), "contiguous, one change each"

    async def all_published() -> list[dict] | None:
        mine = events_with(await read_all(system.kafka, PERMIT_TOPIC), aggregate_id=pid)
        return mine if len(mine) >= base + updates else None

    await eventually(all_published, timeout=60)
    await asyncio.sleep(1)  # a repeat would follow soon after
    on_topic = await all_published()
    assert [e["aggregate_version"] for e in on_topic] == list(range(1, base + updates + 1)), "each once, in order"
    assert len({e["event_id"] for e in on_topic}) == len(on_topic)
    assert [e["event_type"] for e in on_topic].count("permits.permit.opening_checklist_updated") == updates + 2
    assert lost_attempts > 0, f"{MAX_ROUNDS} rounds and the two processes never collided: nothing here tested a collision"
