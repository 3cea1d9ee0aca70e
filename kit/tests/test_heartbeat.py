"""``towngrid-heartbeat-check``: the worker containers' healthcheck."""

import os
import subprocess
import sys
import time
from pathlib import Path


def run_check(path: Path, limit: str) -> int:
    script = Path(sys.executable).parent / "towngrid-heartbeat-check"
    return subprocess.run([str(script), str(path), limit], capture_output=True).returncode


def test_heartbeat_check(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    assert run_check(beat, "60") == 1
    beat.touch()
    assert run_check(beat, "60") == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert run_check(beat, "60") == 1
