"""The figures the town reports: matched, dispatched per province, placed locally, resumed, problems."""

from __future__ import annotations

from collections import Counter
from typing import Any

from towngrid_kit.repository import Repository
from towngrid_kit.ids import utcnow


class Figures:
    def __init__(self, seekers: Repository, batches: Repository, cases: Repository, demands: Repository) -> None:
        self.seekers, self.batches, self.cases, self.demands = seekers, batches, cases, demands

    async def now(self) -> dict[str, Any]:
        now = utcnow()
        dispatched: Counter[str] = Counter()
        batches = await self.batches.fields({"status": {"$in": ["departed", "arrived"]}},
                                            {"destination_province": 1, "dispatched_count": 1})
        for doc in batches:
            dispatched[doc["destination_province"]] += doc.get("dispatched_count", 0)
        open_problems = overdue = 0
        for doc in await self.cases.fields({"open_problems": {"$gt": 0}}, {"open_problems": 1, "open_deadlines": 1}):
            open_problems += doc["open_problems"]
            overdue += sum(1 for d in doc.get("open_deadlines", []) if d < now)
        return {
            "as_of": now,
            "workers_matched": await self.seekers.count({"matched": True}),
            "matched_for_batches": await self.seekers.count({"matched": True, "placement": "batch"}),
            "matched_locally": await self.seekers.count({"matched": True, "placement": "local"}),
            "placed_locally": await self.seekers.count({"placed_locally": True}),
            "batches_departed": len(batches),
            "dispatched_by_province": dict(sorted(dispatched.items())),
            "dispatched_total": sum(dispatched.values()),
            "demands_open": await self.demands.count({"status": "open"}),
            "enterprises_resumed": await self.cases.count({"status": "resumed"}),
            "resumption_cases_open": await self.cases.count({"status": "open"}),
            "problems_open": open_problems,
            "problems_overdue": overdue,
        }
