"""A worker's periodic job: a round every ``interval_s``, resting longer after a long round.

On FerretDB a query on anything but ``_id`` reads every document of its collection, so a
sweep's round grows with the data: at a town's volume one round takes seconds. A round is
therefore followed by a rest of at least ``rest_factor`` times its length, so that a job never
spends more than ``1 / (1 + rest_factor)`` of the time on its rounds, however much is stored.
A failing round is logged and the next one retries; the job stops when ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from faststream import FastStream

from towngrid_kit.mongo import UNAVAILABLE_ERRORS

log = logging.getLogger(__name__)

REST_FACTOR = 9.0


def rest_after(took_s: float, interval_s: float, rest_factor: float = REST_FACTOR) -> float:
    """How long to wait after a round that took ``took_s``."""
    return max(interval_s, rest_factor * took_s)


async def run_periodically(name: str, one_round: Callable[[], Awaitable[None]], interval_s: float,
                           stop: asyncio.Event, *, wait_first: bool = False,
                           rest_factor: float = REST_FACTOR) -> None:
    wait = interval_s if wait_first else 0.0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), wait)
            return
        except TimeoutError:
            pass
        started = time.monotonic()
        try:
            await one_round()
        except UNAVAILABLE_ERRORS as error:
            log.warning("%s: database unavailable (%s); retrying next round", name, error)
        except Exception:  # noqa: BLE001 - the job must keep running; the next round retries
            log.exception("%s: round failed; retrying next round", name)
        wait = rest_after(time.monotonic() - started, interval_s, rest_factor)


def run_beside(app: FastStream, jobs: Callable[[asyncio.Event], dict[str, Coroutine[Any, Any, None]]]) -> None:
    """Run a worker's jobs beside its consumers: after start-up, ``jobs(stop)`` gives each job's
    coroutine by task name; on shutdown ``stop`` is set and each job is awaited to its end."""
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []

    @app.after_startup
    async def start_jobs() -> None:
        tasks.extend(asyncio.create_task(job, name=name) for name, job in jobs(stop).items())

    @app.on_shutdown
    async def stop_jobs() -> None:
        stop.set()
        for task in tasks:
            await task
