"""ManagedProcess: a child process in its own process group, output to a log file, stopped with
SIGTERM then SIGKILL, optionally killed by the kernel when its parent dies (Linux
PR_SET_PDEATHSIG), optionally recorded in a pid file."""

from __future__ import annotations

import ctypes
import os
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

from . import pidfile
from .errors import StackError

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
    _prctl = _libc.prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def _child_setup(sig: int, parent_pid: int) -> Callable[[], None]:
    def setup() -> None:  # runs in the child between fork and exec: keep it tiny
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
            if os.getppid() != parent_pid:  # the parent died before prctl took effect
                os.kill(os.getpid(), sig)
    return setup


def tail(path: Path, lines: int = 30, since: int = 0) -> str:
    """The last ``lines`` lines of a log file, only from byte offset ``since`` on."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(since, fh.tell() - 64 * 1024))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no log file yet)"
    return "\n".join(data.splitlines()[-lines:])


class ManagedProcess:
    """One supervised child process.

    ``env`` is added on top of ``os.environ`` (``None``: inherit as is). ``ready_check`` is a
    callable returning True once the process serves (exceptions count as "not yet").
    ``die_with_parent`` (default True) asks Linux to send ``stop_signal`` to the child when the
    thread that started it exits: start foreground children from the main thread (it is only
    applied there); use False for daemons that must outlive the starter (``towngrid-stack start``).
    """

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None,
                 log_path: Path | str | None = None, ready_check: Callable[[], bool] | None = None,
                 *, cwd: Path | str | None = None, pid_file: Path | str | None = None,
                 die_with_parent: bool = True, stop_signal: int = signal.SIGTERM,
                 extra_logs: Sequence[Path] = ()) -> None:
        self.name = name
        self.argv = [str(a) for a in argv]
        self.env = dict(env) if env is not None else None
        self.log_path = Path(log_path) if log_path else Path(f"{name}.log")
        self.ready_check = ready_check
        self.cwd = Path(cwd) if cwd else None
        self.pid_file = Path(pid_file) if pid_file else None
        self.die_with_parent = die_with_parent
        self.stop_signal = stop_signal
        self.extra_logs = list(extra_logs)  # other logs worth showing on failure (e.g. log4j file)
        self._popen: subprocess.Popen | None = None
        self._log_offsets: dict[Path, int] = {}  # sizes at start(): show only this run's lines

    # --- state ------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen else None

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> "ManagedProcess":
        if self.is_running():
            return self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offsets = {p: p.stat().st_size if p.exists() else 0
                             for p in [*self.extra_logs, self.log_path]}
        env = {**os.environ, **self.env} if self.env is not None else None
        preexec = None
        if self.die_with_parent and threading.current_thread() is threading.main_thread():
            preexec = _child_setup(self.stop_signal, os.getpid())
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}: "
                      f"{shlex.join(self.argv)}\n".encode())
            log.flush()
            try:
                self._popen = subprocess.Popen(
                    self.argv, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=preexec)
            except OSError as exc:
                raise StackError(f"[{self.name}] could not start `{shlex.join(self.argv)}`: {exc}")
        if self.pid_file:
            pidfile.write_pid_file(self.pid_file, self._popen.pid, self.name, self.argv)
        return self

    def wait_ready(self, timeout: float = 60.0, interval: float = 0.25) -> None:
        """Poll ``ready_check`` until it returns True; raise StackError (with the log's last
        lines) if the process exits first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        last_exc: Exception | None = None
        while True:
            if not self.is_running():
                raise StackError(f"[{self.name}] exited with code {self.returncode} before it was "
                                 f"ready.\n{self.describe_logs()}")
            if self.ready_check is None:
                return
            try:
                if self.ready_check():
                    return
            except Exception as exc:  # noqa: BLE001 - not ready yet
                last_exc = exc
            if time.monotonic() >= deadline:
                why = f" (last check: {last_exc})" if last_exc else ""
                raise StackError(f"[{self.name}] not ready after {timeout:.0f} s{why}.\n"
                                 f"{self.describe_logs()}")
            time.sleep(interval)

    def describe_logs(self, lines: int = 25) -> str:
        parts = []
        for path in [*self.extra_logs, self.log_path]:
            if path.exists():
                text = tail(path, lines, self._log_offsets.get(path, 0)) or "(nothing new)"
                parts.append(f"Log: {path}\nLast lines:\n{text}")
        return "\n".join(parts) or f"Log: {self.log_path} (empty)"

    def send_signal(self, sig: int) -> None:
        """Signal the whole process group (the child and anything it started)."""
        if self._popen is None:
            return
        try:
            os.killpg(self._popen.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def terminate(self) -> None:
        if self.is_running():
            self.send_signal(self.stop_signal)

    def kill(self) -> None:
        """SIGKILL the process group at once (for fault tests); reaps the child."""
        self.send_signal(signal.SIGKILL)
        if self._popen is not None:
            self._popen.wait()
        self._cleanup_pid_file()

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` s, then SIGKILL; returns the exit code."""
        if self._popen is None:
            return None
        self.terminate()
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            self._popen.wait()
        self.send_signal(signal.SIGKILL)  # any straggler left in the group
        self._cleanup_pid_file()
        return self._popen.returncode

    def _cleanup_pid_file(self) -> None:
        if self.pid_file and self._popen is not None:
            data = pidfile.read_pid_file(self.pid_file)
            if data and data.get("pid") == self._popen.pid:
                self.pid_file.unlink(missing_ok=True)

    def __repr__(self) -> str:
        state = "running" if self.is_running() else f"exited({self.returncode})"
        return f"<ManagedProcess {self.name} pid={self.pid} {state}>"
