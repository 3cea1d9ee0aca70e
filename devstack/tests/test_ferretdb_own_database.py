"""The local FerretDB requires a login, and a service's user may use only its own database (our
patch patches/ferretdb-1.24.2-own-database-only.patch; FerretDB 1.24.2 lets any logged-in user
run any command on any database).

Without the patch, the permits user reads and writes the registry's database and lists every
database. Needs Go on the first run (to build FerretDB into the cache)."""

import os

import pytest

from towngrid_devstack import StackConfig, database, ferretdb

pymongo = pytest.importorskip("pymongo")
from pymongo.errors import OperationFailure  # noqa: E402

MONGO_PORT = 27030 + int(os.environ.get("TOWNGRID_TEST_PORT_SHIFT", "0"))
PASSWORDS = {"admin": "own-db-admin", "registry": "own-db-registry", "permits": "own-db-permits"}
UNAUTHORIZED = 13


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    cfg = StackConfig(profile="ferretdb-own-db-test", mongo_port=MONGO_PORT,
                      data_dir=tmp_path_factory.mktemp("ferretdb"))
    ferretdb.setup(cfg, lambda _line: None)
    process = ferretdb.process(cfg, PASSWORDS["admin"]).start()
    process.wait_ready()
    try:
        assert database.provision(cfg, PASSWORDS) == ["permits", "registry"]
        with client(cfg, "admin") as admin:
            admin.registry.residents.insert_one({"_id": "r1", "name": "kept"})
            admin.permits.permits.insert_one({"_id": "p1"})
        yield cfg
    finally:
        process.stop()


def client(cfg: StackConfig, user: str | None):
    url = cfg.mongo_url if user is None else database.url(cfg, user, PASSWORDS[user])
    return pymongo.MongoClient(url, serverSelectionTimeoutMS=10_000)


def refused(call) -> None:
    with pytest.raises(OperationFailure) as caught:
        call()
    assert caught.value.code == UNAUTHORIZED, caught.value.details


def test_without_a_login_only_the_handshake_answers(cfg):
    with client(cfg, None) as anonymous:
        assert anonymous.admin.command("ping")["ok"] == 1
        refused(lambda: anonymous.registry.residents.find_one({"_id": "r1"}))
        refused(lambda: anonymous.registry.residents.insert_one({"_id": "r2"}))
        refused(lambda: anonymous.list_database_names())


def test_a_service_user_uses_its_own_database(cfg):
    with client(cfg, "permits") as permits:
        db = permits.permits
        db.permits.insert_one({"_id": "p2"})
        assert db.permits.find_one({"_id": "p1"}) == {"_id": "p1"}
        assert db.permits.update_one({"_id": "p2"}, {"$set": {"v": 1}}).modified_count == 1
        assert sorted(db.list_collection_names()) == ["permits"]


@pytest.mark.parametrize("user, other", [("permits", "registry"), ("registry", "permits")])
def test_a_service_user_cannot_touch_another_database(cfg, user, other):
    with client(cfg, user) as login:
        db = login[other]
        refused(lambda: db.residents.find_one({"_id": "r1"}))
        refused(lambda: db.residents.insert_one({"_id": "stolen"}))
        refused(lambda: db.residents.delete_many({}))
        refused(lambda: db.list_collection_names())
        refused(lambda: login.drop_database(other))
    with client(cfg, "admin") as admin:
        assert admin.registry.residents.find_one({"_id": "r1"}) == {"_id": "r1", "name": "kept"}
        assert admin.registry.residents.find_one({"_id": "stolen"}) is None


def test_a_service_user_cannot_reach_past_its_database(cfg):
    """Commands whose target is not their $db, users, and server-wide state: admin only."""
    with client(cfg, "permits") as permits:
        own = permits.permits
        refused(lambda: permits.list_database_names())
        refused(lambda: own.command("renameCollection", "registry.residents", to="registry.moved"))
        refused(lambda: own.command("createUser", "intruder", pwd="x", roles=[]))
        refused(lambda: own.command("usersInfo", {"forAllDBs": True}, showCredentials=True))
        refused(lambda: permits.admin.command("getCmdLineOpts"))
    with client(cfg, "admin") as admin:
        assert "registry" in admin.list_database_names()
        assert admin.registry.residents.find_one({"_id": "r1"}) is not None


def test_a_wrong_password_is_refused(cfg):
    url = database.url(cfg, "permits", "not-the-password")
    with pymongo.MongoClient(url, serverSelectionTimeoutMS=10_000) as wrong:
        with pytest.raises(OperationFailure):
            wrong.permits.permits.find_one({})


def test_every_start_sets_the_users_passwords_again(cfg):
    """A start after the first finds the users there and sets their passwords (updateUser)."""
    changed = {**PASSWORDS, "registry": "own-db-registry-2"}
    assert database.provision(cfg, changed) == ["permits", "registry"]
    with pymongo.MongoClient(database.url(cfg, "registry", changed["registry"]), serverSelectionTimeoutMS=10_000) as login:
        assert login.registry.residents.find_one({"_id": "r1"}) == {"_id": "r1", "name": "kept"}
    with client(cfg, "registry") as old:
        with pytest.raises(OperationFailure):
            old.registry.residents.find_one({})
