"""Run one fault scenario: the workload, the fault injected while it runs, the drain, the
invariant, and a row of the report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from e2e_support import System
from reliability_kit import report
from reliability_kit import kafka_ops
from reliability_kit.invariants import Verdict, outbox_markers, wait_until_holds
from reliability_kit.workload import Workload, units_for

COMMANDS = 1000  # per scenario, at least
CONCURRENCY = 8
# The services' settings on the reliability stack (besides the stack's own). A retry after an
# api died waits for the dead attempt's lease: 5 s here. The workers' periodic sweeps (the
# permits clock, the registry's checklist scan, labor's overdue sweep) query on fields other than
# _id, which FerretDB runs as whole-collection scans: at their defaults (1 s, 2 s, 5 s) they keep
# FerretDB busy as the data piles up over the scenarios and starve the apis (measured: the
# registry's POSTs went from ~1 s to 7-8 s). Every 10-30 s here; see the report's notes.
STACK_ENV = {"IDEMPOTENCY_LEASE_S": "5", "CLOCK_INTERVAL_S": "10", "CHECKLIST_SCAN_INTERVAL_S": "30",
             "OVERDUE_SWEEP_INTERVAL_S": "30"}


@dataclass
class Fault:
    """What a scenario's fault function reports: when the fault began and ended
    (time.monotonic(); ``begin()`` marks the start) and anything worth a note in the report."""

    started_at: float | None = None
    ended_at: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def begin(self) -> None:
        self.started_at = time.monotonic()


class BacklogSampler:
    """The system's backlog (consumer lag plus commits waiting in outboxes) sampled every
    ``interval`` s while a scenario runs. The *recovery time* of a fault is from its end until
    the backlog is first back at its level before the fault (the highest sample between the
    workload's start and the fault's), i.e. until the system has caught up with what the fault
    held back, while the workload goes on; a fault without a "before" (the replay) counts from
    its end until the backlog is zero."""

    def __init__(self, system: System, interval: float = 2.0) -> None:
        self._system = system
        self._interval = interval
        self.samples: list[tuple[float, int | None]] = []  # (time.monotonic(), backlog or None: unreadable)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            at = time.monotonic()
            try:
                backlog = await asyncio.wait_for(self._backlog(), timeout=15)
            except Exception:  # noqa: BLE001 - the broker or the database is what the fault stopped
                backlog = None
            self.samples.append((at, backlog))
            try:
                await asyncio.wait_for(stop.wait(), self._interval)
            except TimeoutError:
                pass

    async def _backlog(self) -> int:
        return sum((await kafka_ops.lag(self._system)).values()) + sum((await outbox_markers(self._system)).values())

    def recovered_at(self, fault: Fault) -> float | None:
        """When the backlog was first back at its level before the fault (None: not yet)."""
        if fault.ended_at is None:
            return None
        before = [b for t, b in self.samples if b is not None and fault.started_at is not None and t < fault.started_at]
        level = max(before, default=0)
        return next((t for t, b in self.samples if t >= fault.ended_at and b is not None and b <= level), None)


FaultFn = Callable[[Workload, Fault], Awaitable[None]]


async def run(system: System, name: str, fault: FaultFn, *, commands: int = COMMANDS, drain_timeout: float = 600.0,
              after_drain: Callable[[Workload, Verdict], Awaitable[None]] | None = None) -> tuple[Workload, Verdict, Fault]:
    """Drive the workload, run ``fault`` alongside it, wait until the invariant holds, record a
    row and fail with the verdict's summary if it does not hold."""
    started = time.monotonic()
    tag = "".join(c if c.isalnum() else "-" for c in name)
    workload = Workload(system, tag=tag, units=units_for(commands), concurrency=CONCURRENCY)
    injected = Fault()
    sampler, sampling = BacklogSampler(system), asyncio.Event()
    sampling_task = asyncio.create_task(sampler.run(sampling))
    driving = asyncio.create_task(workload.run())
    try:
        await fault(workload, injected)
        await driving
        if injected.ended_at is None:
            injected.ended_at = time.monotonic()
        verdict = await wait_until_holds(system, workload, timeout=drain_timeout)
    finally:
        driving.cancel()
        sampling.set()
        await sampling_task
    held_at = time.monotonic() if verdict.holds else None
    caught_up = sampler.recovered_at(injected) or held_at
    row = report.Row(
        scenario=name, acknowledged=len(workload.acked), commands=len(workload.commands),
        effects_expected=verdict.expected, effects_found=verdict.found, lost=len(verdict.lost),
        doubled=len(verdict.doubled), wrong=len(verdict.wrong),
        recovery_s=None if caught_up is None else max(0.0, caught_up - injected.ended_at),
        drain_s=None if held_at is None else held_at - workload.finished_at,
        rate_per_s=workload.rate, duration_s=time.monotonic() - started, passed=verdict.holds,
        notes={**injected.notes, "answers": workload.answers(), "copies on topics": verdict.copies},
    )
    if not verdict.holds:
        row.notes["problems"] = verdict.summary()
    report.ROWS.append(row)
    report.write_json(report.ROWS, report.PROGRESS)  # readable while the suite still runs
    assert verdict.holds, f"{name}: {verdict.summary()}"
    if after_drain is not None:
        try:
            await after_drain(workload, verdict)
        except BaseException:
            row.passed = False
            raise
    assert verdict.holds, f"{name}: {verdict.summary()}"
    assert len(workload.commands) == workload.planned >= commands and len(workload.acked) == workload.planned
    return workload, verdict, injected


async def at_fraction(workload: Workload, fraction: float) -> None:
    """Wait until ``fraction`` of the workload's commands are acknowledged."""
    await workload.wait_acked(int(workload.planned * fraction))
