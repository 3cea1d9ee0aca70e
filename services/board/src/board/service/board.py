"""What the api serves: the latest figures of every scope, refreshed when the projections change
(at most once per refresh interval), and a signal streams wait on.

The api keeps every state in memory: it loads them all once, then reads only the states the
worker noted as changed since (``domain.feed``), each by its ``_id``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timezone
from typing import Any

from board.adapters.projections import Projections
from board.domain.feed import Feed
from board.domain.figures import Snapshot, compute
from board.domain.scope import Scope

log = logging.getLogger(__name__)

GIVE_UP_ON_A_NOTE_AFTER_S = 60.0  # a handler that numbered an event and died never notes it
RECOUNT_AT_LEAST_EVERY_S = 60.0  # "today" moves on at midnight with no event


class Board:
    def __init__(self, projections: Projections, lag: Callable[[], Awaitable[int]], tz: timezone) -> None:
        self._projections = projections
        self._lag = lag
        self._tz = tz
        self.snapshot = Snapshot(tallies={}, grid={})
        self.seq: int | None = None
        self.last_event_at: datetime | None = None
        self.events_behind = 0
        self.as_of = datetime.now(UTC)
        self.version = 0  # bumped whenever what is served changes
        self._changed = asyncio.Event()
        self._states: dict[str, tuple[str, dict[str, Any]]] = {}
        self._feed: Feed | None = None  # None until every state was loaded once
        self._computed_at = float("-inf")

    async def refresh(self) -> bool:
        """Look again; True (and streams are woken) if the figures or the lag changed."""
        seq, last = await self._projections.changes()
        try:
            behind = await self._lag()
        except Exception as error:  # noqa: BLE001 - Kafka away: keep the last known lag
            log.warning("consumer lag unknown (%s)", error)
            behind = self.events_behind
        read = False
        if seq != self.seq or (self._feed is not None and self._feed.next <= seq):  # new, or a note still missing
            read = await self._catch_up(seq)
        changed = read or seq != self.seq or behind != self.events_behind
        self.seq, self.last_event_at = seq, last
        if read or time.monotonic() - self._computed_at > RECOUNT_AT_LEAST_EVERY_S:  # (not for the lag alone)
            self.snapshot = compute(self._states.values(), datetime.now(UTC), self._tz)
            self._computed_at = time.monotonic()
        self.events_behind = behind
        if changed:
            self.as_of = datetime.now(UTC)
            self.version += 1
            self._changed.set()
            self._changed = asyncio.Event()
        return changed

    async def _catch_up(self, seq: int) -> bool:
        """Every state changed up to ``seq`` in memory: all of them the first time (or when too far
        behind), then those the worker noted since (a late note's too). True if any was read."""
        notes = None if self._feed is None else await self._projections.notes(self._feed.next, seq)
        if self._feed is None or notes is None:
            self._states = await self._projections.all_states()  # everything numbered up to seq is stored
            self._feed = Feed()
            self._feed.restart(seq)
            return True
        keys = self._feed.take(notes, seq, time.monotonic(), GIVE_UP_ON_A_NOTE_AFTER_S)
        self._states.update(await self._projections.states_of(keys))
        return bool(keys)

    async def run(self, interval_s: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception:  # noqa: BLE001 - the database away: try again next round
                log.exception("board refresh failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
            except TimeoutError:
                pass

    async def wait_change(self, version: int, timeout_s: float) -> bool:
        """Wait until the served version is past ``version`` (True) or ``timeout_s`` passed (False)."""
        if self.version != version:
            return True
        try:
            await asyncio.wait_for(self._changed.wait(), timeout=timeout_s)
        except TimeoutError:
            return False
        return True

    def payload(self, scope: Scope) -> dict[str, Any]:
        tally = self.snapshot.tally(scope.key)
        grid = [{"community": community, "compounds": [{"id": c, "status": s} for c, s in compounds.items()
                                                       if scope.compound is None or c == scope.compound]}
                for community, compounds in self.snapshot.grid.items()
                if scope.community is None or community == scope.community]
        return {"as_of": self.as_of.isoformat(), "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
                "lag": {"events_behind": self.events_behind},
                "scope": {"community": scope.community, "compound": scope.compound},
                **tally.view(), "grid": grid}
