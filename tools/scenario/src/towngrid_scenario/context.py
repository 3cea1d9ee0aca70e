"""What every act shares: the api, the plan, the run's anchor time, a memo kept on disk, the
progress, and what earlier acts learnt (ids the services gave)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from towngrid_scenario.cast import Person
from towngrid_scenario.client import Api, Who
from towngrid_scenario.plan import Plan
from towngrid_scenario.progress import Progress

TOWN_TZ = timezone(timedelta(hours=8))  # the registry's REGISTRY_TOWN_UTC_OFFSET_HOURS default


class Memo:
    """A small JSON-lines file: what a resumed run must find again (the anchor time, the figures
    before the first run, the one-time handover codes that replays do not repeat)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[str, Any] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    entry = json.loads(line)
                    self.values[entry["k"]] = entry["v"]

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def put(self, key: str, value: Any) -> None:
        if self.values.get(key) == value:
            return
        self.values[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as out:
            out.write(json.dumps({"k": key, "v": value}, ensure_ascii=False) + "\n")

    def once(self, key: str, make: Any) -> Any:
        if key not in self.values:
            self.put(key, make())
        return self.values[key]


@dataclass
class Ctx:
    api: Api
    plan: Plan
    memo: Memo
    progress: Progress
    anchor: datetime  # the first run's start: every time in a body derives from it
    returnees: list[Person] = field(default_factory=list)
    vulnerable: list[Person] = field(default_factory=list)
    ids: dict[str, Any] = field(default_factory=dict)  # what the services answered: resident ids, ...

    @property
    def today(self) -> date:
        return self.anchor.astimezone(TOWN_TZ).date()

    def at(self, **delta: float) -> str:
        return (self.anchor + timedelta(**delta)).astimezone(UTC).isoformat()

    def local_midnight(self, day_offset: int) -> datetime:
        day = self.today + timedelta(days=day_offset)
        return datetime(day.year, day.month, day.day, tzinfo=TOWN_TZ)


def officer(community_id: str) -> Who:
    return Who(role="community_officer", scope=f"community:{community_id}", subject=f"scn-officer-{community_id}")


def volunteer(compound_id: str) -> Who:
    return Who(role="compound_volunteer", scope=f"compound:{compound_id}", subject=f"scn-volunteer-{compound_id}")


def reviewer(department: str) -> Who:
    return Who(role="permit_reviewer", subject=f"scn-reviewer-{department}", department=department)


def merchant(merchant_id: str) -> Who:
    return Who(role="merchant", subject=f"scn-{merchant_id}", org=merchant_id)


def liaison(enterprise_id: str) -> Who:
    return Who(role="employer_liaison", subject=f"scn-liaison-{enterprise_id}", org=enterprise_id)
