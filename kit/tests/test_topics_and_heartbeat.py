import os
import subprocess
import sys
import time
from pathlib import Path

from towngrid_contracts.catalogue import TOPICS
from towngrid_kit.topics_cli import all_topics


def test_topic_job_covers_every_topic_and_its_dlq() -> None:
    names = set(all_topics())
    assert set(TOPICS) <= names
    assert {f"{t}.dlq" for t in TOPICS} <= names
    assert len(names) == 2 * len(set(TOPICS))


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
