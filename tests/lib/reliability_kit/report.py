"""The report of the fault scenarios: one row per scenario, printed as a table at the end of
the pytest run (tests/reliability/conftest.py) and kept as JSON next to the stack's data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COLUMNS = ("scenario", "commands acknowledged", "effects found", "lost", "doubled", "recovery time")


@dataclass
class Row:
    scenario: str
    acknowledged: int
    commands: int
    effects_expected: int
    effects_found: int
    lost: int
    doubled: int
    wrong: int
    recovery_s: float | None  # fault end → backlog back at its level before the fault (scenario.BacklogSampler; None: never)
    drain_s: float | None  # workload end → invariant holds
    rate_per_s: float  # acknowledged commands per second while the workload ran
    duration_s: float  # the whole scenario
    passed: bool
    notes: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> tuple[str, ...]:
        recovery = "never" if self.recovery_s is None else f"{self.recovery_s:.1f} s"
        acked = str(self.acknowledged) + ("" if self.acknowledged == self.commands else f" of {self.commands}")
        return (self.scenario, acked, f"{self.effects_found}/{self.effects_expected}", str(self.lost),
                str(self.doubled), recovery)


ROWS: list[Row] = []
PROGRESS = Path(__file__).resolve().parents[3] / ".towngrid" / "reliability-progress.json"


def table(rows: list[Row]) -> str:
    lines = [COLUMNS, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    out = []
    for n, line in enumerate(lines):
        out.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def details(rows: list[Row]) -> str:
    return "\n".join(
        f"{r.scenario}: {'passed' if r.passed else 'FAILED'}, {r.rate_per_s:.1f} acknowledged commands/s, "
        f"scenario {r.duration_s:.0f} s, drain after the workload "
        f"{'never' if r.drain_s is None else f'{r.drain_s:.1f} s'}; {json.dumps(r.notes, default=str)}"
        for r in rows)


def write_json(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in rows], indent=2, default=str))
