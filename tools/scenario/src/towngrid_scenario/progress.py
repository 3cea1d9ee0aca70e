"""A progress line on stderr: a bar over the planned units of work, requests, rate, time, phases."""

from __future__ import annotations

import asyncio
import sys
import time


class Progress:
    def __init__(self, total: int, *, stream=sys.stderr, every_s: float = 0.5) -> None:
        self.total, self.done, self.requests = max(total, 1), 0, 0
        self.phases: set[str] = set()
        self._stream, self._every = stream, every_s
        self._t0 = time.monotonic()
        self._task: asyncio.Task | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    def tick(self, n: int = 1) -> None:
        self.done += n

    def request(self) -> None:
        self.requests += 1

    def line(self) -> str:
        share = min(self.done / self.total, 1.0)
        bar = "#" * int(share * 30)
        minutes, seconds = divmod(int(self.elapsed), 60)
        rate = self.requests / max(self.elapsed, 1e-6)
        return (f"\r[{bar:<30}] {share:4.0%} {self.done:,}/{self.total:,} units  {self.requests:,} requests "
                f"({rate:.0f}/s)  {minutes:02d}:{seconds:02d}  {', '.join(sorted(self.phases))[:60]:<60}")

    async def _draw(self) -> None:
        """Redrawn in place on a terminal; a line every 10 s into a log file."""
        tty = self._stream.isatty()
        while True:
            self._stream.write(self.line() if tty else self.line().lstrip("\r").rstrip() + "\n")
            self._stream.flush()
            await asyncio.sleep(self._every if tty else 10.0)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._draw())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        line = self.line()
        self._stream.write((line if self._stream.isatty() else line.lstrip("\r").rstrip()) + "\n")
        self._stream.flush()

    async def phase(self, name: str, work) -> object:
        """Run the awaitable ``work`` shown as phase ``name``."""
        self.phases.add(name)
        try:
            return await work
        finally:
            self.phases.discard(name)
