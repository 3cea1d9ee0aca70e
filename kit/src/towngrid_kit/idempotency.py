"""``Idempotency-Key`` for POSTs that create things.

The first request with a key runs and its response (status and body) is stored; a retry
with the same key and the same request gets the stored response back (with the header
``Idempotent-Replayed: true``) and changes nothing. The same key with a different request
is refused (422); a retry while the first is still running gets 409.

A key is its caller's own (``auth.current_caller``: the token's holder, or an anonymous client's
address): another caller sending the same key makes a request of its own and never gets the
first caller's stored answer. Namespacing, rather than refusing the key as "in use", is what a
client expects of a key it made up itself, tells nobody which keys others use, and lets no one
block another caller's request by sending its key first. (Anonymous clients behind one address
share a namespace; their keys are random, and a key is only worth something with its body.)

A service whose answers carry secrets (the registry's registration answer holds the holder key
of the resident's slip) gives the store an :class:`AnswerSealing`: the stored answers of
successful requests are then sealed at rest and opened only to be replayed to their caller.

If the first attempt stored its change but died or failed before answering (its lease then
runs out, or a failure ends it at once), the retry does not apply it again: the commit of that change carries the request's key under a
unique index (``commits.current_request``), so the retry answers 200 ``already_applied``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pymongo.asynchronous.collection import AsyncCollection
from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from towngrid_kit.auth import current_caller
from towngrid_kit.commits import COMMITS_SUFFIX, AlreadyApplied, current_request
from towngrid_kit.errors import Conflict, DomainError, InvalidInput
from towngrid_kit.faults import FaultPoints
from towngrid_kit.ids import minted_for
from towngrid_kit.mongo import update_if

log = logging.getLogger(__name__)

Action = Callable[[], Awaitable[tuple[int, Any]]]
T = TypeVar("T")
# The header parameter of every creating POST: ``idempotency_key: IdempotencyKey = None``.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Makes a retry safe.")]
MAX_KEY_LENGTH = 200
KEYS_COLLECTION = "idempotency_keys"  # in each service's own database


class Once:
    """A creating POST's command, run once per caller and ``Idempotency-Key`` (a FastAPI
    dependency: ``once: OncePerKey`` among the route's parameters). Without a key it simply runs.

    Most routes create one thing and answer 201 with a view of it::

        return await once.created(body, service.enrol(resident_id, ...), CareView.of)

    A route that answers otherwise runs its own ``action`` (answering ``(status, content)``)::

        return await once(body, action)
    """

    def __init__(self, request: Request, idempotency_key: IdempotencyKey = None) -> None:
        self._store: IdempotencyStore = request.app.state.idempotency
        self._key = idempotency_key
        self._scope = f"{request.method} {request.url.path}"

    async def __call__(self, body: BaseModel | Any, action: Action) -> JSONResponse:  # noqa: ANN401
        """Run ``action`` (answering ``(status, content)``) for this request whose body is ``body``."""
        content = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        return await self._store.run(self._key, self._scope, content, action)

    async def created(self, body: BaseModel | Any, work: Coroutine[Any, Any, T],  # noqa: ANN401
                      view: Callable[[T], Any]) -> JSONResponse:
        """Run ``work`` (a use case's call, not yet awaited) at most once for this request and answer
        201 with ``view`` of what it made (a model, or JSON content). A replayed or refused
        request never starts ``work``: it is closed unrun."""

        async def action() -> tuple[int, Any]:
            shown = view(await work)
            return 201, shown.model_dump(mode="json") if isinstance(shown, BaseModel) else shown

        try:
            return await self(body, action)
        finally:
            work.close()  # a no-op once it ran; otherwise it never starts


OncePerKey = Annotated[Once, Depends(Once)]


class AnswerSealing(Protocol):
    """How a service seals the answers it stores (bound to their record, so a sealed answer copied
    onto another key does not open)."""

    def seal(self, answer: Any, record_id: str) -> dict[str, Any]: ...  # noqa: ANN401 - JSON

    def open(self, sealed: dict[str, Any], record_id: str) -> Any: ...  # noqa: ANN401 - raises if it cannot


def fingerprint(scope: str, body: Any) -> str:
    return hashlib.sha256(f"{scope}\n{json.dumps(body, sort_keys=True, default=str)}".encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, collection: AsyncCollection, *, lease_s: float = 30.0, faults: FaultPoints | None = None) -> None:
        self._collection = collection
        self._lease = timedelta(seconds=lease_s)
        self._faults = faults or FaultPoints()
        self.sealing: AnswerSealing | None = None  # set by a service whose answers carry secrets

    async def run(self, key: str | None, scope: str, body: Any, action: Action) -> JSONResponse:
        if key is None:
            status, content = await action()
            return JSONResponse(content, status_code=status)
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters", field="Idempotency-Key")
        caller = current_caller.get()
        if caller is None:  # every api of create_app has it set: a request without one is a wiring bug
            raise RuntimeError("an Idempotency-Key outside a request of create_app's app: no caller to keep it for")
        record_id = f"{caller}|{scope}:{key}"
        print_ = fingerprint(scope, body)
        replay, taken_over, started_at = await self._claim(record_id, print_)
        if replay is not None:
            return replay
        token = current_request.set(record_id)
        try:
            with minted_for(record_id, started_at):  # a retry makes the same new ids
                status, content = await action()
            self._faults.crash_at("api.before_response")
        except AlreadyApplied as done:
            # The first attempt stored its change and died before answering: nothing is applied
            # again; the answer says where the result is.
            status, content = 200, _already_applied(done.aggregate_id, done.version)
        except DomainError as error:
            # A retry that took over a dead attempt may be refused by the very state that attempt
            # stored ("already in quarantine"): then the answer is that stored change, not a 409.
            earlier = await self._applied_before(record_id) if taken_over else None
            if earlier is None:
                await self._finish(record_id, error.status, {"detail": error.detail, "field": error.field})
                raise
            status, content = 200, _already_applied(*earlier)
        except BaseException:
            # Failed without an answer of its own (the database gone or busy, a bug): its change
            # may or may not be stored. The record stays, its lease ended now, so a retry takes
            # it over and, refused by the state this attempt stored, answers already_applied.
            await self._release(record_id)
            raise
        finally:
            current_request.reset(token)
        try:
            await self._finish(record_id, status, content)
        except PyMongoError as error:
            # The change is stored: answer it. A retry finds the record pending, takes it over
            # when its lease ends and answers already_applied.
            log.warning("idempotency record %s not finished (%s); a retry will find the change", record_id, error)
        return JSONResponse(content, status_code=status)

    async def forget_older_than(self, cutoff: datetime) -> int:
        """Forget the keys whose first attempt began before ``cutoff`` (their stored answers go with
        them), unless an attempt still holds one; how many were forgotten. A request with a forgotten
        key is a new request. (No index on ``started_at``: every request would pay for it, and this
        runs every ten minutes over at most a day of keys.)"""
        now = datetime.now(UTC)
        old = {"$or": [{"started_at": {"$lt": cutoff}}, {"started_at": {"$exists": False}}]}
        done = await self._collection.delete_many({"$and": [old, {"$or": [
            {"state": "done"}, {"lease_until": {"$lt": now}}]}]})
        return done.deleted_count

    async def _release(self, record_id: str) -> None:
        # The database keeps a time to the millisecond: a lease ended "now" would still hold
        # against a retry within the same millisecond ("still being processed"), so it ends one before.
        ended = datetime.now(UTC) - timedelta(milliseconds=1)
        try:
            await update_if(self._collection, record_id, {"state": "pending"}, {"$set": {"lease_until": ended}})
        except PyMongoError as error:
            log.warning("idempotency record %s keeps its lease (%s)", record_id, error)

    async def _claim(self, record_id: str, print_: str) -> tuple[JSONResponse | None, bool, datetime]:
        """(a stored answer to replay, or None to run the request; whether an earlier attempt
        with this key died holding it, so its change may be stored already; when the first
        attempt began)."""
        now = datetime.now(UTC)
        try:
            await self._collection.insert_one({"_id": record_id, "fingerprint": print_, "state": "pending",
                                               "lease_until": now + self._lease, "started_at": now})
            return None, False, now
        except DuplicateKeyError:
            pass
        found = await self._collection.find_one({"_id": record_id})
        if found is None:
            return await self._claim(record_id, print_)
        if found["fingerprint"] != print_:
            raise InvalidInput("this Idempotency-Key was used with a different request", field="Idempotency-Key")
        if found["state"] == "done":
            return self._replay(found, self._opened(found)), False, now
        taken = await update_if(
            self._collection, record_id, {"state": "pending", "lease_until": {"$lt": now}},
            {"$set": {"lease_until": now + self._lease}},
        )
        if not taken:
            raise Conflict("a request with this Idempotency-Key is still being processed; retry shortly")
        return None, True, found.get("started_at", now)

    async def _applied_before(self, record_id: str) -> tuple[str, int] | None:
        """The (aggregate id, version) of a commit this request made, if any. Commits carry
        ``<record_id>#<store>:<aggregate_id>`` as their request key (see commits.py); only a
        retry after a dead attempt asks, so the range query (a scan on FerretDB) is rare."""
        db = self._collection.database
        for name in await db.list_collection_names():
            if name.endswith(COMMITS_SUFFIX):
                found = await db[name].find_one({"request_key": {"$gte": f"{record_id}#", "$lt": f"{record_id}$"}},
                                                {"aggregate_id": 1, "version": 1})
                if found is not None:
                    return found["aggregate_id"], found["version"]
        return None

    async def _finish(self, record_id: str, status: int, content: Any) -> None:
        stored = {"body": content}
        if self.sealing is not None and status < 400:  # (a refusal's detail and field are no secret)
            stored = {"sealed_body": self.sealing.seal(content, record_id)}
        await self._collection.update_one(
            {"_id": record_id}, {"$set": {"state": "done", "status": status, **stored, "done_at": datetime.now(UTC)}}
        )

    def _opened(self, found: dict[str, Any]) -> Any:  # noqa: ANN401 - JSON
        """The stored answer's body (opened, if it was sealed)."""
        if "sealed_body" not in found:
            return found["body"]
        if self.sealing is None:
            raise RuntimeError("a sealed answer is stored but this service has no AnswerSealing")
        try:
            return self.sealing.open(found["sealed_body"], found["_id"])
        except Exception as error:  # noqa: BLE001 - e.g. sealed under a key no longer in the ring
            log.warning("the stored answer of %s does not open (%s)", found["_id"], type(error).__name__)
            raise Conflict("this request was applied before, and its stored answer can no longer be read; "
                           "read the resource for its state") from None

    @staticmethod
    def _replay(found: dict[str, Any], body: Any) -> JSONResponse:  # noqa: ANN401 - JSON
        status = found["status"]
        if status >= 400:
            raise _stored_error(status, body.get("detail", ""), body.get("field"))
        return JSONResponse(body, status_code=status, headers={"Idempotent-Replayed": "true"})


def _already_applied(aggregate_id: str, version: int) -> dict[str, Any]:
    return {
        "status": "already_applied",
        "detail": "this request was applied before; its first answer was lost. Read the resource for its state.",
        "aggregate_id": aggregate_id,
        "version": version,
    }


def _stored_error(status: int, detail: str, field: str | None) -> DomainError:
    error = DomainError(detail, field=field)
    error.status = status
    return error
