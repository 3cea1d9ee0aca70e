"""The grid (communities, compounds and their checkpoints, neighbour groups) and each
checkpoint's duty roster: a day and a night shift of 12 hours, so it is staffed 24 hours a day."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, timedelta

from towngrid_scenario.client import Refused
from towngrid_scenario.context import Ctx
from towngrid_scenario.town import COMMUNITIES

SHIFTS = ((8, "day"), (20, "night"))  # local start hour; 12 hours each


def grid_csv(ctx: Ctx) -> str:
    lines = ["community_id,community_name,compound_id,compound_name,group_id,group_name"]
    for community_id, (community_name, compounds) in COMMUNITIES.items():
        played = set(ctx.plan.compounds[community_id])
        for compound_id, compound_name, groups in compounds:
            if compound_id in played:
                lines += [f"{community_id},{community_name},{compound_id},{compound_name},"
                          f"{compound_id}-G{g:02d},{g}号楼联结小组" for g in range(1, groups + 1)]
    return "\n".join(lines) + "\n"


async def import_grid(ctx: Ctx) -> None:
    await ctx.api.post("registry", "/grid/import", grid_csv(ctx), step="grid/import")
    ctx.progress.tick()
    # the permits service hears of the checkpoints from the registry's events: wait for the last
    last = ctx.plan.all_compounds[-1]
    deadline = time.monotonic() + 120
    while True:
        try:
            await ctx.api.get("permits", f"/checkpoints/CP-{last}/qr-code")
            return
        except Refused:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def duty_rosters(ctx: Ctx) -> None:
    n = ctx.plan.n

    async def checkpoint(compound_id: str) -> None:
        for k in range(n["duty_people_per_checkpoint"]):
            start_hour, shift = SHIFTS[k % len(SHIFTS)]
            person = await ctx.api.post("registry", "/duty/people", {
                "name": f"{compound_id}{shift}值守{k + 1}", "kind": ("party_member", "county_staff")[k % 2],
                "unit_level": "compound", "unit_id": compound_id}, step=f"duty/{compound_id}/{k}")
            # from the night before (covering tonight's early hours) to the last day checked ahead
            for day in range(-1, n["duty_days"]):
                starts = ctx.local_midnight(day) + timedelta(hours=start_hour)
                await ctx.api.post("registry", f"/duty/people/{person['person_id']}/shifts", {
                    "checkpoint_id": f"CP-{compound_id}", "starts_at": starts.astimezone(UTC).isoformat(),
                    "ends_at": (starts + timedelta(hours=12)).astimezone(UTC).isoformat()},
                    step=f"duty/{compound_id}/{k}/shift/{day}")
        ctx.progress.tick()

    await ctx.api.each(ctx.plan.all_compounds, checkpoint)
