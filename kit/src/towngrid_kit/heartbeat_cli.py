"""``towngrid-heartbeat-check FILE SECONDS``: exit 0 if FILE was touched in the last SECONDS.

A container healthcheck for worker processes, which serve no HTTP.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main() -> None:
    path, limit = Path(sys.argv[1]), float(sys.argv[2])
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"no heartbeat at {path}", file=sys.stderr)
        raise SystemExit(1) from None
    if age > limit:
        print(f"heartbeat is {age:.0f} s old (limit {limit:.0f} s)", file=sys.stderr)
        raise SystemExit(1)
