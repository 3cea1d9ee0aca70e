"""Town-local days, and the per-day counts a state keeps (plain Python)."""

from __future__ import annotations

from datetime import datetime, timezone

KEEP_DAYS = 14  # per-day counts kept in a resident's state (fever alerts, missed checks)


def day_of(at: datetime, tz: timezone) -> str:
    return at.astimezone(tz).date().isoformat()


def bump_day(counts: dict[str, int], day: str) -> dict[str, int]:
    counts = {**counts, day: counts.get(day, 0) + 1}
    return dict(sorted(counts.items())[-KEEP_DAYS:])
