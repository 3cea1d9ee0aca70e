"""Pid files, so that a stack started in the background (or by a parent that died) can be
found and stopped by another process. A pid file records the pid and the process start time, so a
recycled pid is never mistaken for our process."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path


def process_start_time(pid: int) -> int | None:
    """Start time of a live process in clock ticks since boot (/proc/<pid>/stat field 22);
    None if it does not exist or is a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def write_pid_file(path: Path, pid: int, name: str, argv: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"pid": pid, "pgid": os.getpgid(pid), "start_time": process_start_time(pid),
            "name": name, "argv": argv}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def read_pid_file(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def live_pid(path: Path) -> int | None:
    """The pid recorded in ``path`` if that very process is still running, else None."""
    data = read_pid_file(path)
    if not data:
        return None
    start = process_start_time(int(data["pid"]))
    if start is None or (data.get("start_time") is not None and start != data["start_time"]):
        return None
    return int(data["pid"])


def remove_stale(path: Path) -> bool:
    """Delete the pid file if its process is gone; True if it was stale."""
    if path.exists() and live_pid(path) is None:
        path.unlink(missing_ok=True)
        return True
    return False


def stop_from_pid_file(path: Path, timeout: float = 20.0) -> int | None:
    """SIGTERM the process group recorded in ``path``, SIGKILL it after ``timeout`` seconds;
    remove the pid file. Returns the pid that was stopped, or None if nothing was running."""
    data = read_pid_file(path)
    pid = live_pid(path)
    if pid is None:
        path.unlink(missing_ok=True)
        return None
    pgid = int(data.get("pgid") or pid)
    _signal_group(pgid, pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and live_pid(path) is not None:
        time.sleep(0.1)
    if live_pid(path) is not None:
        _signal_group(pgid, pid, signal.SIGKILL)
        while live_pid(path) is not None and time.monotonic() < deadline + 10:
            time.sleep(0.1)
    path.unlink(missing_ok=True)
    return pid


def _signal_group(pgid: int, pid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
