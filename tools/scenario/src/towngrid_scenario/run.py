"""Playing the scenario: the acts in their order (what needs what), the figures before and after."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from towngrid_scenario import grid, people, permits, supply, work
from towngrid_scenario.cast import cast
from towngrid_scenario.client import Api, Mint
from towngrid_scenario.context import Ctx, Memo
from towngrid_scenario.figures import Figures, add, before, differences, settle, table
from towngrid_scenario.plan import Plan
from towngrid_scenario.progress import Progress


@dataclass
class Outcome:
    plan: Plan
    planned: Figures  # what this scenario adds
    baseline: Figures  # the figures before its first run
    expected: Figures
    found: Figures
    seconds: float
    requests: int

    @property
    def mismatches(self) -> list[str]:
        return differences(self.expected, self.found)


def units(plan: Plan) -> int:
    n = plan.n
    return (1 + n["compounds"] + n["returnees"] + n["vulnerable"] + n["checklists_completed"] + n["home_quarantines"]
            + n["centralized_quarantines"] + n["tips"] + n["counter_health_certificates"]
            + n["counter_vehicle_passes"] + n["batches"] + n["rejected_applications"]
            + n["online_health_certificates"] + n["online_vehicle_passes"] + 2 * n["job_seekers"] + n["merchants"]
            + n["proxy_orders"] + n["online_orders"] + len(work.DESTINATIONS) * n["batch_employers_per_destination"]
            + n["local_employers"] + n["batches"] + n["resumption_cases"] + 1 + n["relief_parcels"])


KEYS_REMEMBERED = timedelta(hours=23)  # the services forget a key after 24 h (<SVC>_IDEMPOTENCY_RETENTION_H)


class TooLateToResume(Exception):
    """The run began longer ago than the services remember its Idempotency-Keys: resumed, it would
    make again what they have forgotten (orders, parcels...)."""

    def __init__(self, state: Path, anchor: datetime) -> None:
        super().__init__(f"this run began at {anchor:%Y-%m-%d %H:%M} UTC, and the services remember an "
                         f"Idempotency-Key for 24 h: resumed now, it would place its orders again. Start afresh "
                         f"with `make reset` (or delete {state}).")


async def play(urls: dict[str, str], mint: Mint, *, seed: int, scale: float, state: Path,
               concurrency: int = 16, stream=sys.stderr) -> Outcome:
    plan = Plan.at(seed, scale)
    memo = Memo(state / f"chengguan-seed{seed}-scale{scale}.jsonl")
    progress = Progress(units(plan), stream=stream)
    api = Api(urls, mint, namespace=f"chengguan|{seed}|{scale}", concurrency=concurrency, on_request=progress.request)
    try:
        planned = plan.expected()
        if memo.get("baseline") is None:  # the first run: the figures before it
            memo.put("baseline", await before(api, planned, plan.all_compounds))
        baseline = memo.get("baseline")
        anchor = datetime.fromisoformat(memo.once("anchor", lambda: datetime.now(UTC).isoformat()))
        if datetime.now(UTC) - anchor > KEYS_REMEMBERED:
            raise TooLateToResume(memo.path, anchor)
        ctx = Ctx(api=api, plan=plan, memo=memo, progress=progress, anchor=anchor)
        ctx.returnees, ctx.vulnerable = cast(plan, ctx.today)
        progress.start()
        try:
            await _acts(ctx)
        finally:
            progress.stop()
        expected = add(baseline, planned)
        found = await settle(api, expected)
        return Outcome(plan, planned, baseline, expected, found, progress.elapsed, api.requests)
    finally:
        await api.close()


async def _acts(ctx: Ctx) -> None:
    """Every act as early as what it needs is there; the first failure cancels the rest."""
    show = ctx.progress.phase
    await show("grid", grid.import_grid(ctx))
    async with asyncio.TaskGroup() as group:
        task = group.create_task
        counters = task(show("counters", permits.counters(ctx)))
        task(show("duty rosters", grid.duty_rosters(ctx)))
        employers = task(show("employers", work.employers(ctx)))
        shops = task(show("merchants", _shops(ctx)))
        await show("returnees", people.returnees(ctx))
        task(show("QR channel", permits.online(ctx)))
        home = task(show("home quarantine", people.home_quarantines(ctx)))
        for name, act in (("checklists", people.checklists), ("isolation point", people.isolation_point),
                          ("tips", people.tips)):
            task(show(name, act(ctx)))
        care = task(show("care", people.vulnerable(ctx)))
        stock = task(show("relief stock", supply.relief_stock(ctx)))
        await employers
        seekers = task(show("job seekers", work.job_seekers(ctx)))
        task(show("resumption", work.resumption(ctx)))
        await asyncio.gather(home, shops)
        task(show("orders", supply.orders(ctx)))
        await asyncio.gather(care, stock)
        task(show("relief parcels", supply.relief_parcels(ctx)))
        await asyncio.gather(seekers, counters)
        await show("batches", work.matches_and_batches(ctx))
    # a coverage check now, so the figures show the rosters as they are
    await ctx.api.post("registry", "/duty/coverage-checks", {"checkpoint_ids": [f"CP-{c}" for c in ctx.plan.all_compounds]},
                       step=f"duty/coverage-check/{datetime.now(UTC).isoformat()}")


async def _shops(ctx: Ctx) -> None:
    await supply.teams(ctx)
    await supply.merchants(ctx)


def report(outcome: Outcome) -> str:
    minutes, seconds = divmod(round(outcome.seconds), 60)
    head = (f"Chengguan scenario, seed {outcome.plan.seed}, scale {outcome.plan.scale}: {outcome.requests:,} requests "
            f"in {minutes} min {seconds:02d} s ({outcome.requests / max(outcome.seconds, 1):.0f}/s)")
    tail = "all figures as planned" if not outcome.mismatches else f"MISMATCHES: {', '.join(outcome.mismatches)}"
    return "\n".join([head, "", table(outcome.expected, outcome.found, outcome.baseline), "", tail])
