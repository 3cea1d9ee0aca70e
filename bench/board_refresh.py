"""The board api's refresh at a town's volume: loading and counting every state (what every
refresh did before the api kept the states in memory) against reading only the states noted as
changed, each by ``_id`` (``board.domain.feed``), in the same run on the same data.

Against a running local stack with data in it (``make run``, then ``make scenario``: 10,707
states at scale 1). It reads the board's own database and writes nothing::

    scripts/uv run --frozen python bench/board_refresh.py [--profile dev] [--changed 10,100,1000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import timedelta, timezone

from pymongo import AsyncMongoClient

from board.adapters.projections import Projections
from board.service.board import Board
from towngrid_devstack.config import StackConfig
from towngrid_devstack.services import LocalSecrets

RUNS = 3


async def no_lag() -> int:
    return 0


async def timed(board: Board) -> float:
    started = time.perf_counter()
    await board.refresh()
    return time.perf_counter() - started


async def measure(url: str, changed: list[int]) -> None:
    client = AsyncMongoClient(url)
    tz = timezone(timedelta(hours=8))
    projections = Projections(client["board"], tz)
    full: list[float] = []
    for _ in range(RUNS):
        board = Board(projections, no_lag, tz)
        full.append(await timed(board))  # a new api: loads every state, then counts
    seq, states = board.seq or 0, len(board._states)  # noqa: SLF001 - a measurement of its inside
    print(f"the board's database: {states:,} states, {seq:,} events handled")
    print(f"load every state and count (each refresh before):  median {statistics.median(full):.3f} s "
          f"({', '.join(f'{x:.3f}' for x in full)})")
    for n in changed:
        runs = []
        for _ in range(RUNS):
            board._feed.restart(max(seq - n, 0))  # noqa: SLF001 - as if the last n events were new
            board.seq = None
            runs.append(await timed(board))
        print(f"read the {n:>5,} states noted as changed and count:   median {statistics.median(runs):.3f} s "
              f"({', '.join(f'{x:.3f}' for x in runs)}), ratio to the full load {statistics.median(runs) / statistics.median(full):.3f}")
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--changed", default="10,100,1000", help="how many changed states to read (10,100,1000)")
    args = parser.parse_args()
    config = StackConfig.from_env(profile=args.profile)
    password = LocalSecrets.for_profile(config).mongo_passwords["admin"]
    url = f"mongodb://admin:{password}@{config.host}:{config.mongo_port}/?directConnection=true&authSource=admin"
    asyncio.run(measure(url, [int(n) for n in args.changed.split(",")]))


if __name__ == "__main__":
    main()
