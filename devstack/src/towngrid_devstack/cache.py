"""Atomic, locked installation of a directory into the cache (~/.cache/towngrid/...)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

MARKER = ".towngrid-complete"


def is_complete(target: Path, stamp: str) -> bool:
    """A completed installation has its marker file holding the same stamp."""
    try:
        return (target / MARKER).read_text(encoding="utf-8").strip() == stamp
    except OSError:
        return False


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # another process setting up the same thing: wait for it
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def install_dir(target: Path, stamp: str, build: Callable[[Path], None]) -> Path:
    """Make ``target`` hold a complete installation: if its marker matches ``stamp`` do nothing;
    otherwise call ``build(tmp)`` on a fresh temporary directory next to it, write the marker and
    rename it into place, so that an interrupted set-up leaves no half-made ``target``."""
    if is_complete(target, stamp):
        return target
    with _locked(target.parent / f".{target.name}.lock"):
        if is_complete(target, stamp):
            return target
        for stale in target.parent.glob(f".{target.name}.tmp-*"):  # left by an interrupted set-up
            _rmtree(stale)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            build(tmp)
            (tmp / MARKER).write_text(stamp + "\n", encoding="utf-8")
            if target.exists():
                _rmtree(target)
            os.rename(tmp, target)
        finally:
            if tmp.exists():
                _rmtree(tmp)
    return target


def _rmtree(path: Path) -> None:
    """rmtree that also removes read-only trees (e.g. copies of the Go module cache)."""
    def onerror(func, p, _exc):  # noqa: ANN001
        os.chmod(os.path.dirname(p), 0o755)
        os.chmod(p, 0o755) if os.path.isdir(p) else os.chmod(p, 0o644)
        func(p)

    shutil.rmtree(path, onerror=onerror)
