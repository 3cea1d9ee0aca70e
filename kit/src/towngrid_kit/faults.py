"""Named crash points for fault tests: the process SIGKILLs itself where a test asks."""

from __future__ import annotations

import os
import signal
import sys


class FaultPoints:
    def __init__(self, armed: str = "") -> None:
        self._armed = {p.strip() for p in armed.split(",") if p.strip()}

    def crash_at(self, point: str) -> None:
        if point in self._armed:
            print(f"fault injection: SIGKILL at {point}", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
