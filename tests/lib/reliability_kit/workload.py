"""A steady, uniquely keyed workload through the services' HTTP apis, and its record.

One *unit* is a returnee's story, its commands in order:

1. ``POST registry /residents``                 → ``registry.resident.returned``
2. every ``PERMIT_EVERY``-th unit: ``POST permits /applications`` (health certificate), then
   ``POST permits /applications/{id}/reviews/health`` (approve) → ``permits.permit.issued``
3. ``POST registry /residents/{id}/quarantines`` → ``registry.quarantine.started``, which the
   permits worker answers by suspending the holder's certificate (``permits.permit.suspended``)
4. ``POST registry /residents/{id}/quarantines/{qid}/health-checks`` → ``...health_check_recorded``
5. every ``ORDER_EVERY``-th unit: ``POST delivery /orders`` (staff proxy shopping for the
   unit's household, from the workload's merchant) → ``delivery.order.placed``

so every worker has work: the registry and permits relays publish, the permits, delivery and
labor consumers project the registry's and the permits' events. (Only one unit in
``PERMIT_EVERY`` applies for a permit: the permits worker answers each QuarantineStarted with
a query on the holder that FerretDB runs as a scan of all permits, so its cost grows with
their number; see the report's notes.)

Every command carries its own ``Idempotency-Key`` and is retried with the same key on a
transport error, a 502/503/504, or a 409 "still being processed" (the lease of an attempt that
died), until acknowledged or ``give_up_s`` passes. The review has no idempotency key: after an
unanswered attempt, a refusal (409) is resolved by reading the application (issued: the first
attempt was applied). Every attempt's outcome is recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from e2e_support import System
from people import mobile, quarantine_order, returnee
from delivery_support import open_merchant, order_body
from permits_support import health_certificate, reviewer
from registry.domain.identity import check_digit

RETRY_STATUS = {502, 503, 504}
PERMIT_EVERY = 4
ORDER_EVERY = 2
HTTP_TIMEOUT_S = 60.0  # the loaded 2-core machine has answered a registration in 30 s
_serial = itertools.count(1)


def unique_national_id() -> str:
    """A valid ID number that no other call in this process returns (birth date and sequence
    number follow a counter, so no two collide, unlike ``people.national_id``)."""
    n = next(_serial)
    born = date(1960, 1, 1) + timedelta(days=n // 1000)
    first17 = f"411330{born:%Y%m%d}{n % 1000:03d}"
    return first17 + check_digit(first17)


@dataclass
class Attempt:
    status: int | None  # None: no answer (connection refused/reset, timeout)
    detail: str
    at: float


@dataclass
class Command:
    unit: int
    kind: str  # register | apply | approve | quarantine | health_check | order
    key: str
    attempts: list[Attempt] = field(default_factory=list)
    status: int | None = None  # the final answer's status
    answer: dict[str, Any] | None = None
    acked: bool = False
    gave_up: bool = False
    confirmed_by_read: bool = False  # a review whose first answer was lost, seen applied by a read

    @property
    def retried(self) -> bool:
        return len(self.attempts) > 1


@dataclass
class Unit:
    index: int
    resident_id: str | None = None
    household_id: str | None = None
    permit_id: str | None = None
    quarantine_id: str | None = None
    order_id: str | None = None
    commands: list[Command] = field(default_factory=list)

    @property
    def with_permit(self) -> bool:
        return self.index % PERMIT_EVERY == 0

    @property
    def with_order(self) -> bool:
        return self.index % ORDER_EVERY == 1

    @property
    def planned(self) -> int:
        return 3 + 2 * self.with_permit + self.with_order


def units_for(commands: int) -> int:
    """How many units make at least ``commands`` commands."""
    units = 0
    while sum(Unit(i).planned for i in range(units)) < commands:
        units += 1
    return units


class Workload:
    def __init__(self, system: System, tag: str, *, units: int = 250, concurrency: int = 8,
                 give_up_s: float = 240.0, compound_id: str | None = None) -> None:
        self.system = system
        self.tag = tag
        self.units = [Unit(i) for i in range(units)]
        self.concurrency = concurrency
        self.give_up_s = give_up_s
        self.compound_id = compound_id or f"RL-{tag}"
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self._acked = 0
        self._progress = asyncio.Condition()
        self._clients: dict[str, httpx.AsyncClient] = {}
        self.merchant_id: str | None = None
        self.finished = asyncio.Event()

    # --- figures --------------------------------------------------------------------------
    @property
    def commands(self) -> list[Command]:
        return [c for u in self.units for c in u.commands]

    @property
    def planned(self) -> int:
        return sum(u.planned for u in self.units)

    @property
    def acked(self) -> list[Command]:
        return [c for c in self.commands if c.acked]

    @property
    def rate(self) -> float:
        if not self.started_at or not self.finished_at:
            return 0.0
        return len(self.acked) / (self.finished_at - self.started_at)

    def answers(self) -> dict[str, int]:
        """How often each kind of answer came: "201", "503", "no answer: ConnectError", ..."""
        seen: dict[str, int] = {}
        for c in self.commands:
            for a in c.attempts:
                label = str(a.status) if a.status is not None else f"no answer: {a.detail}"
                seen[label] = seen.get(label, 0) + 1
        return dict(sorted(seen.items()))

    def attempts_with(self, status: int) -> list[Attempt]:
        return [a for c in self.commands for a in c.attempts if a.status == status]

    async def wait_acked(self, count: int) -> None:
        async with self._progress:
            await self._progress.wait_for(lambda: self._acked >= count)

    # --- running ------------------------------------------------------------------------------
    async def run(self) -> None:
        admin_headers = {"Authorization": f"Bearer {self.system.token()}"}
        self._clients = {
            "registry": httpx.AsyncClient(base_url=self.system.services["registry"].url, headers=admin_headers, timeout=HTTP_TIMEOUT_S),
            "permits": httpx.AsyncClient(base_url=self.system.services["permits"].url, headers=admin_headers, timeout=HTTP_TIMEOUT_S),
            "delivery": httpx.AsyncClient(base_url=self.system.services["delivery"].url, headers=admin_headers, timeout=HTTP_TIMEOUT_S),
            "reviewer": reviewer(self.system, "health"),
        }
        self._clients["reviewer"].timeout = httpx.Timeout(HTTP_TIMEOUT_S)
        if any(u.with_order for u in self.units):
            self.merchant_id = await open_merchant(self.system, self._clients["delivery"])
        gate = asyncio.Semaphore(self.concurrency)

        async def one(unit: Unit) -> None:
            async with gate:
                await self._unit(unit)

        self.started_at = time.monotonic()
        try:
            await asyncio.gather(*(one(u) for u in self.units))
        finally:
            self.finished_at = time.monotonic()
            self.finished.set()
            for client in self._clients.values():
                await client.aclose()

    async def _unit(self, unit: Unit) -> None:
        registry, permits = self._clients["registry"], self._clients["permits"]
        body = returnee(compound_id=self.compound_id, national_id=unique_national_id(), mobile=mobile())
        done = await self._send(unit, "register", registry, "/residents", body)
        if not done:
            return
        unit.resident_id = done.answer.get("aggregate_id") or done.answer["resident"]["resident_id"]
        unit.household_id = (done.answer.get("resident") or {}).get("household_id") or await self._household(unit.resident_id)

        if unit.with_permit:
            done = await self._send(unit, "apply", permits, "/applications", health_certificate(unit.resident_id))
            if not done:
                return
            unit.permit_id = done.answer.get("aggregate_id") or done.answer["permit_id"]

            path = f"/applications/{unit.permit_id}/reviews/health"
            done = await self._send(unit, "approve", self._clients["reviewer"], path, {"decision": "approve"},
                                    idempotent=False, confirm=lambda: self._issued(unit.permit_id))
            if not done:
                return

        quarantine = quarantine_order(kind="home", planned_end="2030-06-01")
        done = await self._send(unit, "quarantine", registry, f"/residents/{unit.resident_id}/quarantines", quarantine)
        if not done:
            return
        unit.quarantine_id = done.answer.get("quarantine_id") or await self._open_quarantine(unit.resident_id)

        path = f"/residents/{unit.resident_id}/quarantines/{unit.quarantine_id}/health-checks"
        done = await self._send(unit, "health_check", registry, path, {"temperature_c": 36.6})
        if not done or not unit.with_order:
            return

        body = order_body(self.merchant_id, unit.household_id, compound_id=self.compound_id)
        done = await self._send(unit, "order", self._clients["delivery"], "/orders", body)
        if done:
            unit.order_id = done.answer.get("aggregate_id") or done.answer.get("order_id")

    async def _send(self, unit: Unit, kind: str, client: httpx.AsyncClient, path: str, body: dict[str, Any], *,
                    idempotent: bool = True, confirm=None) -> Command | None:  # noqa: ANN001
        command = Command(unit.index, kind, f"{self.tag}-{unit.index}-{kind}-{uuid.uuid4().hex[:8]}")
        unit.commands.append(command)
        headers = {"Idempotency-Key": command.key} if idempotent else {}
        deadline = time.monotonic() + self.give_up_s
        backoff = 0.2
        while True:
            try:
                response = await client.post(path, json=body, headers=headers)
            except httpx.TransportError as error:
                command.attempts.append(Attempt(None, type(error).__name__, time.monotonic()))
            else:
                command.attempts.append(Attempt(response.status_code, response.text[:500], time.monotonic()))
                retry = response.status_code in RETRY_STATUS or response.status_code >= 500 or (
                    response.status_code == 409 and idempotent and "still being processed" in response.text)
                if response.status_code == 409 and not idempotent and command.retried and confirm is not None:
                    # An earlier attempt got no answer: was it applied? The read decides.
                    if await confirm():
                        command.confirmed_by_read = True
                        return await self._ack(command, 200, {})
                if not retry:
                    if response.status_code >= 400:
                        command.status = response.status_code
                        command.answer = {"error": response.text[:500]}
                        return None
                    return await self._ack(command, response.status_code, response.json())
            if time.monotonic() > deadline:
                command.gave_up = True
                return None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def _ack(self, command: Command, status: int, answer: dict[str, Any]) -> Command:
        command.status, command.answer, command.acked = status, answer, True
        async with self._progress:
            self._acked += 1
            self._progress.notify_all()
        return command

    async def _issued(self, permit_id: str | None) -> bool:
        found = await self._get("permits", f"/applications/{permit_id}")
        return found is not None and found.get("status") == "issued"

    async def _household(self, resident_id: str) -> str | None:
        found = await self._get("registry", f"/residents/{resident_id}")
        return (found or {}).get("household_id")

    async def _open_quarantine(self, resident_id: str) -> str | None:
        found = await self._get("registry", f"/residents/{resident_id}")
        opened = [q for q in (found or {}).get("quarantines", []) if q.get("ended_at") is None]
        return opened[-1]["quarantine_id"] if opened else None

    async def _get(self, service: str, path: str) -> dict[str, Any] | None:
        for _ in range(100):
            try:
                response = await self._clients[service].get(path)
            except httpx.TransportError:
                await asyncio.sleep(0.5)
                continue
            if response.status_code == 200:
                return response.json()
            if response.status_code not in RETRY_STATUS:
                return None
            await asyncio.sleep(0.5)
        return None
