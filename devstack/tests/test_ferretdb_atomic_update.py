"""The local FerretDB is built with our patch (patches/ferretdb-1.24.2-atomic-update.patch):
update, findAndModify and delete apply atomically per document, as on MongoDB, so a conditional
update (the condition in the filter, next to ``_id``) under concurrency applies once.

On v1.24.2 (even with the one-writer patch) each of these commands read the matching document,
then wrote it in a separate step: several clients could match the same version and all apply.
Each test has clients of their own (separate connections) racing on one document. Needs Go on
the first run (to build FerretDB into the cache)."""

import os
import threading
from collections.abc import Callable

import pytest

from towngrid_devstack import StackConfig, database, ferretdb

pymongo = pytest.importorskip("pymongo")

MONGO_PORT = 27031 + int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0"))
CLIENTS = 8
ADMIN_PASSWORD = "atomic-test-admin"
# A document of some size (a projection with its list of applied events): FerretDB takes a while
# between its read and its write, so racers overlap there even on a busy machine.
BULK = {"history": [{"n": n, "event": f"e{n:05d}"} for n in range(500)]}


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    cfg = StackConfig(profile="ferretdb-atomic-test", mongo_port=MONGO_PORT,
                      data_dir=tmp_path_factory.mktemp("ferretdb"))
    ferretdb.setup(cfg, lambda _line: None)
    process = ferretdb.process(cfg, ADMIN_PASSWORD).start()
    process.wait_ready()
    opened = [pymongo.MongoClient(database.url(cfg, "admin", ADMIN_PASSWORD), serverSelectionTimeoutMS=10_000) for _ in range(CLIENTS)]
    try:
        yield opened
    finally:
        for client in opened:
            client.close()
        process.stop()


def race(clients, collection: str, work: Callable) -> list:
    """``work(docs, n)`` on every client at once (a thread each, released together); their results."""
    results: list = [None] * len(clients)
    start = threading.Barrier(len(clients))

    def run(n: int) -> None:
        start.wait()
        results[n] = work(clients[n].atomictest[collection], n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_compare_and_set_applies_once_per_version(clients):
    """Each client reads the version and moves it on by one if it still has it; a version is
    won by one client, so the moves reported applied equal the versions made."""
    docs = clients[0].atomictest.cas
    docs.insert_one({"_id": "doc", "version": 0, "moves": 0, **BULK})

    def move_on(coll, n: int) -> list[int]:
        won = []
        for _ in range(25):
            version = coll.find_one({"_id": "doc"}, {"version": 1})["version"]
            if coll.update_one({"_id": "doc", "version": version},
                               {"$set": {"version": version + 1, "by": n}, "$inc": {"moves": 1}}).modified_count:
                won.append(version + 1)
        return won

    won = [v for per_client in race(clients, "cas", move_on) for v in per_client]
    doc = docs.find_one({"_id": "doc"})
    assert sorted(won) == list(range(1, doc["version"] + 1)), f"{len(won)} moves applied, {doc['version']} versions"
    assert doc["moves"] == doc["version"]


def test_find_and_modify_claims_never_exceed_the_stock(clients):
    docs = clients[0].atomictest.stock
    docs.insert_one({"_id": "stock", "left": 100, **BULK})

    def claim(coll, _n: int) -> int:
        return sum(coll.find_one_and_update({"_id": "stock", "left": {"$gt": 0}}, {"$inc": {"left": -1}}) is not None
                   for _ in range(30))

    claimed = sum(race(clients, "stock", claim))
    assert (claimed, docs.find_one({"_id": "stock"})["left"]) == (100, 0)


def test_a_conditional_delete_and_update_of_one_version_do_not_both_apply(clients):
    """Half the clients delete the document at version 0, half move it to version 1: one applies."""
    docs = clients[0].atomictest.gone
    for round_ in range(30):
        key = f"doc{round_}"
        docs.insert_one({"_id": key, "version": 0, **BULK})

        def delete_or_move(coll, n: int) -> int:
            if n % 2:
                return coll.delete_one({"_id": key, "version": 0}).deleted_count
            return coll.update_one({"_id": key, "version": 0}, {"$set": {"version": 1}}).modified_count

        applied = race(clients, "gone", delete_or_move)
        assert sum(applied) == 1, f"round {round_}: {applied} (odd: deletes, even: updates)"
        assert docs.count_documents({"_id": key}) == (0 if applied.index(1) % 2 else 1)
