"""The local FerretDB is built with our patch (patches/ferretdb-1.24.2-sqlite-id-index.patch):
lookups by ``_id`` use the ``_id`` index, also when the filter has other keys.

On the published v1.24.2 every plan below is ``SCAN <table>``: each find, update and delete by
``_id`` read the whole table. Needs Go on the first run (to build FerretDB into the cache)."""

import os

import pytest

from towngrid_devstack import StackConfig, database, ferretdb

pymongo = pytest.importorskip("pymongo")

MONGO_PORT = 27029 + int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0"))


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    cfg = StackConfig(profile="ferretdb-patch-test", mongo_port=MONGO_PORT,
                      data_dir=tmp_path_factory.mktemp("ferretdb"))
    ferretdb.setup(cfg, lambda _line: None)
    process = ferretdb.process(cfg, "patch-test-admin").start()
    process.wait_ready()
    try:
        with pymongo.MongoClient(database.url(cfg, "admin", "patch-test-admin"), serverSelectionTimeoutMS=10_000) as client:
            docs = client.patchtest.docs
            docs.insert_many([{"_id": f"doc{n:05d}", "version": n % 7, "pad": "x" * 200} for n in range(2_000)])
            yield docs
    finally:
        process.stop()


def plan(collection, filter_: dict) -> tuple[list[str], bool]:
    explained = collection.database.command("explain", {"find": collection.name, "filter": filter_})
    return explained["queryPlanner"]["Plan"], explained["filterPushdown"]


@pytest.mark.parametrize("filter_", [
    {"_id": "doc01234"},
    {"_id": "doc01234", "version": {"$lt": 5}},  # a conditional update's filter
    {"version": {"$gte": 0}, "_id": "doc01234", "owner": {"$in": ["a", None]}},
])
def test_a_lookup_by_id_searches_the_id_index(collection, filter_):
    steps, pushed_down = plan(collection, filter_)
    assert pushed_down
    assert any("SEARCH" in step and "USING INDEX" in step for step in steps), steps
    assert not any(" SCAN " in f" {step} " for step in steps), steps


def test_the_other_keys_still_filter_the_row(collection):
    """Narrowing by ``_id`` is exact: FerretDB filters the row again with the whole filter."""
    assert collection.find_one({"_id": "doc00012", "version": 5}) == {"_id": "doc00012", "version": 5, "pad": "x" * 200}
    assert collection.find_one({"_id": "doc00012", "version": 4}) is None
    assert collection.update_one({"_id": "doc00013", "version": {"$lt": 7}}, {"$set": {"version": 9}}).modified_count == 1
    assert collection.update_one({"_id": "doc00014", "version": {"$lt": 0}}, {"$set": {"version": 9}}).modified_count == 0
    assert collection.find_one({"_id": "doc00013"})["version"] == 9
    assert collection.find_one({"_id": "doc00014"})["version"] == 0
    assert collection.delete_one({"_id": "doc00015", "version": 1}).deleted_count == 1
    assert collection.count_documents({"_id": "doc00015"}) == 0


def test_a_filter_without_an_id_equality_is_not_narrowed(collection):
    steps, pushed_down = plan(collection, {"_id": {"$gt": "doc01990"}})
    assert not pushed_down
    assert collection.count_documents({"_id": {"$gt": "doc01990"}}) == 9
