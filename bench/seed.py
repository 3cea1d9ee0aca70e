"""Seeding a town's volume: copies of real documents, written in bulk.

The templates are documents the services themselves stored during the run on empty databases: one
delivered order (``orders``, ``orders_fields``, its ``orders_commits``), its household's projection
documents (``household_residents``, ``households``) and one resident created through the registry api
(``residents``, ``residents_fields``, ``residents_commits``). Each copy is the template's BSON with
every id replaced by a new id of the same length (so the bytes stay valid BSON), inserted with
``insert_many`` (one thread per database).
"""

from __future__ import annotations

import threading
import time

import bson
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient

ORDER_COLLECTIONS = ("orders", "orders_fields", "orders_commits")
HOUSEHOLD_COLLECTIONS = ("household_residents", "households")
RESIDENT_COLLECTIONS = ("residents", "residents_fields", "residents_commits")
BATCH = 2000


def capture(mongo_url: str, order_id: str, registry_resident_id: str) -> dict:
    """The template documents (as BSON bytes) and the ids to replace in them."""
    client = MongoClient(mongo_url)
    try:
        d, r = client["delivery"], client["registry"]
        order = d["orders"].find_one({"_id": order_id})
        household_id = order["state"]["household_id"]
        resident = d["household_residents"].find_one({"household_id": household_id})
        docs = {
            "orders": [order], "orders_fields": [d["orders_fields"].find_one({"_id": order_id})],
            "orders_commits": list(d["orders_commits"].find({"aggregate_id": order_id})),
            "household_residents": [resident], "households": [d["households"].find_one({"_id": household_id})],
            "residents": [r["residents"].find_one({"_id": registry_resident_id})],
            "residents_fields": [r["residents_fields"].find_one({"_id": registry_resident_id})],
            "residents_commits": list(r["residents_commits"].find({"aggregate_id": registry_resident_id})),
        }
    finally:
        client.close()
    missing = [name for name, found in docs.items() if not found or None in found]
    if missing:
        raise RuntimeError(f"no template document in {missing}")
    ids = [order_id, household_id, resident["_id"], registry_resident_id]
    return {"ids": ids, "bson": {name: [bson.encode(doc) for doc in found] for name, found in docs.items()}}


def docs_per_unit(templates: dict) -> int:
    return sum(len(v) for v in templates["bson"].values())


def _new_id(old: str, n: int) -> bytes:
    tail = f"z{n:09d}"
    return (old[:-len(tail)] + tail).encode()


def _copies(templates: dict, names: tuple[str, ...], first: int, count: int) -> dict[str, list[RawBSONDocument]]:
    olds = [i.encode() for i in templates["ids"]]
    out: dict[str, list[RawBSONDocument]] = {name: [] for name in names}
    for n in range(first, first + count):
        news = [_new_id(i, n) for i in templates["ids"]]
        for name in names:
            for raw in templates["bson"][name]:
                for old, new in zip(olds, news, strict=True):
                    raw = raw.replace(old, new)
                out[name].append(RawBSONDocument(raw))
    return out


def _write(mongo_url: str, database: str, names: tuple[str, ...], templates: dict, first: int, count: int) -> None:
    client = MongoClient(mongo_url)
    try:
        db = client[database]
        for start in range(first, first + count, 500):
            chunk = min(500, first + count - start)
            for name, docs in _copies(templates, names, start, chunk).items():
                for i in range(0, len(docs), BATCH):
                    db[name].insert_many(docs[i:i + BATCH], ordered=False)
    finally:
        client.close()


def seed_units(mongo_url: str, templates: dict, first: int, count: int) -> float:
    """Insert ``count`` copies (units ``first`` ...); the seconds it took."""
    t0 = time.monotonic()
    jobs = [("delivery", ORDER_COLLECTIONS + HOUSEHOLD_COLLECTIONS), ("registry", RESIDENT_COLLECTIONS)]
    errors: list[BaseException] = []

    def write(*args) -> None:
        try:
            _write(*args)
        except BaseException as error:  # noqa: BLE001 - raised below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(mongo_url, db, names, templates, first, count))
               for db, names in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.monotonic() - t0


def stored_documents(mongo_url: str) -> dict[str, int]:
    """Estimated document count of every collection of the four services."""
    client = MongoClient(mongo_url)
    try:
        out = {}
        for database in ("registry", "permits", "delivery", "labor"):
            for name in client[database].list_collection_names():
                out[f"{database}.{name}"] = client[database][name].estimated_document_count()
        return out
    finally:
        client.close()
