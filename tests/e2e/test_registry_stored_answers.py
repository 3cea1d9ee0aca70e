"""The answers the registry keeps for Idempotency-Key replays are sealed at rest: a registration's
answer holds the holder key of the resident's slip, which proves the holder to permits' online
channel, so it must not lie in the database in plain text (issue 16's leftover)."""

from __future__ import annotations

import json
import uuid

from e2e_support import System
from people import returnee


async def stored_answers(system: System, key: str) -> list[dict]:
    """The registry's idempotency records of ``key`` (whoever's caller they are)."""
    async with system.database("registry") as registry:
        return [doc async for doc in registry["idempotency_keys"].find({}) if doc["_id"].endswith(f":{key}")]


async def test_a_registrations_stored_answer_is_sealed_and_its_replay_gives_the_same_holder_key(system: System) -> None:
    key = str(uuid.uuid4())
    body = returnee()
    async with system.client("registry") as registry:
        first = await registry.post("/residents", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 201, first.text
        holder_key = first.json()["holder_key"]
        again = await registry.post("/residents", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()  # the same answer, the same holder key

    [record] = await stored_answers(system, key)
    stored = json.dumps(record, default=str)
    assert record["state"] == "done" and "body" not in record, stored
    for secret in (holder_key, body["national_id"], body["mobile"], body["name"]):
        assert secret not in stored, f"{secret!r} is stored in plain text: {stored}"
    assert set(record["sealed_body"]) == {"kid", "alg", "iv", "ct"}


async def test_a_sealed_answer_moved_onto_another_key_does_not_open(system: System) -> None:
    keys, bodies = (str(uuid.uuid4()), str(uuid.uuid4())), (returnee(), returnee())
    async with system.client("registry") as registry:
        answers = []
        for key, body in zip(keys, bodies, strict=True):
            done = await registry.post("/residents", json=body, headers={"Idempotency-Key": key})
            assert done.status_code == 201, done.text
            answers.append(done.json())
        [first], [second] = [await stored_answers(system, key) for key in keys]
        async with system.database("registry") as db:  # someone with the database copies one answer onto the other
            await db["idempotency_keys"].update_one({"_id": second["_id"]},
                                                    {"$set": {"sealed_body": first["sealed_body"]}})
        replay = await registry.post("/residents", json=bodies[1], headers={"Idempotency-Key": keys[1]})
    assert replay.status_code == 409, replay.text
    assert answers[0]["holder_key"] not in replay.text and answers[0]["resident"]["resident_id"] not in replay.text
