"""Unit tests of ManagedProcess and pid files with plain commands (no Kafka)."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from towngrid_devstack import ManagedProcess, StackError, pidfile


def _alive(pid: int) -> bool:
    return pidfile.process_start_time(pid) is not None


def _wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_start_ready_stop(tmp_path):
    marker = tmp_path / "ready"
    proc = ManagedProcess("sleeper", ["sh", "-c", f"sleep 0.3; touch {marker}; exec sleep 60"],
                          None, tmp_path / "sleeper.log", ready_check=marker.exists,
                          pid_file=tmp_path / "sleeper.pid")
    proc.start()
    assert proc.is_running() and proc.pid and os.getpgid(proc.pid) == proc.pid
    assert pidfile.live_pid(tmp_path / "sleeper.pid") == proc.pid
    proc.wait_ready(10)
    assert proc.stop(5) == -15
    assert not proc.is_running() and not (tmp_path / "sleeper.pid").exists()
    assert "starting sleeper" in (tmp_path / "sleeper.log").read_text()


def test_stop_kills_the_whole_group_and_escalates(tmp_path):
    script = tmp_path / "stubborn.sh"
    script.write_text("trap '' TERM\nsleep 60 &\necho child $!\nwait\n")
    proc = ManagedProcess("stubborn", ["sh", str(script)], None, tmp_path / "s.log").start()
    deadline = time.monotonic() + 5
    while "child" not in (tmp_path / "s.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int((tmp_path / "s.log").read_text().split("child ")[1].split()[0])
    t0 = time.monotonic()
    proc.stop(timeout=1)  # the shell ignores SIGTERM: SIGKILL after 1 s
    assert 0.9 < time.monotonic() - t0 < 5
    assert _wait_gone(proc.pid) and _wait_gone(child)


def test_kill_and_early_exit(tmp_path):
    proc = ManagedProcess("victim", ["sleep", "60"], None, tmp_path / "v.log").start()
    proc.kill()
    assert proc.returncode == -9
    bad = ManagedProcess("bad", ["sh", "-c", "echo 'cannot bind' >&2; exit 4"], {"X": "1"},
                         tmp_path / "bad.log", ready_check=lambda: False).start()
    with pytest.raises(StackError, match=r"(?s)\[bad\] exited with code 4.*cannot bind"):
        bad.wait_ready(5)


def test_ready_timeout_points_at_the_log(tmp_path):
    proc = ManagedProcess("slow", ["sh", "-c", "echo still booting; exec sleep 60"], None,
                          tmp_path / "slow.log", ready_check=lambda: 1 / 0).start()
    try:
        with pytest.raises(StackError) as err:
            proc.wait_ready(0.5)
        message = str(err.value)
        assert "not ready after" in message and str(tmp_path / "slow.log") in message
        assert "still booting" in message and "division by zero" in message
    finally:
        proc.stop(2)


def test_env_is_added_to_the_environment(tmp_path):
    proc = ManagedProcess("env", ["sh", "-c", 'echo "X=$X HOME=$HOME"'], {"X": "42"},
                          tmp_path / "env.log").start()
    proc._popen.wait(5)
    assert f"X=42 HOME={os.environ['HOME']}" in (tmp_path / "env.log").read_text()


def test_children_die_with_their_parent(tmp_path):
    """PR_SET_PDEATHSIG: a parent killed with SIGKILL leaves no child behind."""
    code = textwrap.dedent(f"""
        import os, sys
        from towngrid_devstack import ManagedProcess
        p = ManagedProcess("orphan", ["sleep", "60"], None, {str(tmp_path / 'o.log')!r}).start()
        print(p.pid, flush=True)
        os.kill(os.getpid(), 9)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    pid = int(out.stdout.split()[0])
    assert _wait_gone(pid), f"child {pid} outlived its parent"


def test_stale_pid_file_is_detected(tmp_path):
    done = subprocess.Popen(["true"])
    done.wait()
    path = tmp_path / "x.pid"
    path.write_text(f'{{"pid": {done.pid}, "pgid": {done.pid}, "start_time": 1}}')
    assert pidfile.live_pid(path) is None
    assert pidfile.remove_stale(path) and not path.exists()
    assert pidfile.stop_from_pid_file(path) is None
