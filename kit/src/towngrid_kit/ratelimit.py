"""Per-client rate limits shared by every replica of an api: a fixed-window counter in MongoDB.

FerretDB 1.x loses concurrent updates of one document (``$inc`` included), so the counter is
insert-only: the n-th request of a client in a window takes the slot
``_id = "<key>|<window>|<n>"`` (n = 0 .. limit-1); a duplicate key means the slot is taken and
the next one is tried. Slots are only ever taken in order (slot n only when slot n-1 is taken),
so a galloping then binary search over reads by ``_id`` finds the first free slot when another
replica has moved on. Cost: one insert per allowed request when this process served the client's
previous request of the window; when another replica served d requests since, one failed insert
and about ``2 log2(d)`` reads more (3 calls in all for d = 1); a client already refused in this
window is refused from memory, with no database call at all.

Old windows are deleted by the process now and then (one ``delete_many``; FerretDB has no TTL
indexes).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

log = logging.getLogger(__name__)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(cidrs: Iterable[str]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _is_trusted(address: str, trusted: Sequence[IpNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[IpNetwork]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy.

    Behind trusted proxies, ``X-Forwarded-For`` is read from the right: the first address that
    is not itself a trusted proxy is the client (anything further left was written by the client
    and proves nothing). A header from an untrusted peer is ignored.
    """
    peer = peer or "unknown"
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage where a proxy should have written an address: trust nobody further
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class FixedWindowLimiter:
    """At most ``limit`` requests per key in each fixed window of ``window_s`` seconds."""

    def __init__(self, collection: AsyncCollection, *, clock: Callable[[], float] = time.time,
                 memo_size: int = 20_000) -> None:
        self._slots = collection
        self._clock = clock
        self._memo: dict[tuple[str, float], tuple[int, int]] = {}  # (key, window_s) -> (window, next slot)
        self._memo_size = memo_size
        self._next_cleanup = 0.0
        self._cleanup: asyncio.Task | None = None
        self.database_calls = 0  # for measurements

    async def take(self, key: str, limit: int, window_s: float) -> float:
        """0.0 if the request may go ahead (and it is counted); else the seconds until the next window."""
        now = self._clock()
        window = int(now // window_s)
        wait = max((window + 1) * window_s - now, 0.001)
        memo_window, slot = self._memo.get((key, window_s), (window, 0))
        if memo_window != window:
            slot = 0
        while slot < limit:
            try:
                self.database_calls += 1
                await self._slots.insert_one({"_id": self._id(key, window, slot),
                                              "expires_at": datetime.fromtimestamp((window + 1) * window_s, UTC)})
            except DuplicateKeyError:
                slot = await self._first_free(key, window, slot + 1, limit)
                continue
            self._remember(key, window_s, window, slot + 1)
            self._maybe_clean(now)
            return 0.0
        self._remember(key, window_s, window, limit)
        return wait

    async def _first_free(self, key: str, window: int, low: int, limit: int) -> int:
        """The first free slot from ``low`` on (``limit``: all taken). Slots below ``low`` are taken and
        slots fill in order, so: gallop (low, low+1, low+3, low+7…) to a free one, then bisect."""
        step, high = 1, limit
        while low < limit:
            probe = min(low + step - 1, limit - 1)
            if not await self._taken(key, window, probe):
                high = probe
                break
            low, step = probe + 1, step * 2
        while low < high:
            middle = (low + high) // 2
            if await self._taken(key, window, middle):
                low = middle + 1
            else:
                high = middle
        return low

    async def _taken(self, key: str, window: int, slot: int) -> bool:
        self.database_calls += 1
        return await self._slots.find_one({"_id": self._id(key, window, slot)}, {"_id": 1}) is not None

    @staticmethod
    def _id(key: str, window: int, slot: int) -> str:
        return f"{key}|{window}|{slot}"

    def _remember(self, key: str, window_s: float, window: int, next_slot: int) -> None:
        if len(self._memo) >= self._memo_size:
            now = self._clock()
            self._memo = {k: v for k, v in self._memo.items() if v[0] == int(now // k[1])}
            if len(self._memo) >= self._memo_size:
                self._memo.clear()
        self._memo[(key, window_s)] = (window, next_slot)

    def _maybe_clean(self, now: float) -> None:
        if now < self._next_cleanup or (self._cleanup is not None and not self._cleanup.done()):
            return
        self._next_cleanup = now + 60
        self._cleanup = asyncio.create_task(self._delete_expired(now))

    async def _delete_expired(self, now: float) -> None:
        try:
            cutoff = datetime.fromtimestamp(now, UTC) - timedelta(seconds=1)
            await self._slots.delete_many({"expires_at": {"$lt": cutoff}})
        except Exception as error:  # noqa: BLE001 - housekeeping; the next cycle tries again
            log.info("rate limits: old windows not deleted (%s)", error)


def retry_after_header(wait: float) -> dict[str, Any]:
    return {"Retry-After": str(max(1, int(wait + 0.999)))}
