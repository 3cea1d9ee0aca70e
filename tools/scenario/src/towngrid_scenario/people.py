"""The registry's people: returnees and their follow-up checklists, home and centralized
quarantines with the day's health checks, the isolation point, tips, and the vulnerable residents
(elderly paired with helpers, homeless people taken in).

Who is who, by index among the returnees: ``Plan.roles``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from towngrid_scenario.cast import Person
from towngrid_scenario.context import Ctx, officer, volunteer
from towngrid_scenario.town import RELIEF_EVERY_DAYS

CHECKLIST = ("registration_verified", "health_code_checked", "temperature_taken", "notice_delivered",
             "contact_card_left", "household_informed", "daily_report_arranged", "psychological_support")
SUPPLIES = ["mask", "thermometer", "rice", "flour", "oil"]


async def register(ctx: Ctx, person: Person, step: str) -> dict[str, Any]:
    done = await ctx.api.post("registry", "/residents", person.registration(), step=step, who=officer(person.community_id))
    ctx.progress.tick()
    # the holder key is on the resident's registration slip: only they (and the scenario) have it
    return done["resident"] | {"holder_key": done["holder_key"]}


async def returnees(ctx: Ctx) -> None:
    found = await ctx.api.each(ctx.returnees, lambda p: register(ctx, p, f"returnee/{p.index}"))
    ctx.ids["residents"] = found


async def checklists(ctx: Ctx) -> None:
    async def tick_all(i: int) -> None:
        resident, person = ctx.ids["residents"][i], ctx.returnees[i]
        for code in CHECKLIST:
            await ctx.api.post("registry", f"/residents/{resident['resident_id']}/checklist/items/{code}/verify", {},
                               step=f"checklist/{i}/{code}", who=volunteer(person.compound_id), done_on=(409,))
        ctx.progress.tick()

    await ctx.api.each(list(ctx.plan.roles()["checklists"]), tick_all)


async def _quarantine(ctx: Ctx, i: int, kind: str) -> str:
    resident, person = ctx.ids["residents"][i], ctx.returnees[i]
    started = await ctx.api.post("registry", f"/residents/{resident['resident_id']}/quarantines", {
        "kind": kind, "planned_end": (ctx.today + timedelta(days=14)).isoformat(), "reason_code": "returned_from_risk_area"},
        step=f"quarantine/{i}", who=officer(person.community_id))
    quarantine = started.get("quarantine") or started
    if "quarantine_id" not in quarantine:
        quarantine = next(q for q in started["quarantines"] if q["ended_at"] is None)
    return quarantine["quarantine_id"]


async def _check(ctx: Ctx, i: int, quarantine_id: str, fever: bool) -> None:
    resident, person = ctx.ids["residents"][i], ctx.returnees[i]
    await ctx.api.post("registry", f"/residents/{resident['resident_id']}/quarantines/{quarantine_id}/health-checks",
                       {"temperature_c": 38.1 if fever else 36.4 + (i % 5) / 10, "symptoms": ["fever"] if fever else []},
                       step=f"health-check/{i}", who=volunteer(person.compound_id))


async def _end(ctx: Ctx, i: int, quarantine_id: str) -> None:
    resident, person = ctx.ids["residents"][i], ctx.returnees[i]
    await ctx.api.post("registry", f"/residents/{resident['resident_id']}/quarantines/{quarantine_id}/end",
                       {"outcome": "released", "reason_code": "period_completed"}, step=f"quarantine-end/{i}",
                       who=officer(person.community_id), done_on=(409,))


async def home_quarantines(ctx: Ctx) -> None:
    n = ctx.plan.n

    async def one(i: int) -> None:
        quarantine_id = await _quarantine(ctx, i, "home")
        if i < n["home_quarantines_ended"]:
            await _end(ctx, i, quarantine_id)
        else:
            await _check(ctx, i, quarantine_id, fever=i - n["home_quarantines_ended"] < n["fever_alerts"])
        ctx.progress.tick()

    await ctx.api.each(list(ctx.plan.roles()["home"]), one)


async def isolation_point(ctx: Ctx) -> None:
    """One room per centralized quarantine (zones A-C); the first ones discharged and released,
    their rooms cleaned. A site of its own per seed and scale: another run on the same stack
    finds its rooms empty."""
    n, indices = ctx.plan.n, list(ctx.plan.roles()["centralized"])
    site = f"iso-chengguan-{ctx.plan.seed}-{round(ctx.plan.scale * 1000)}"
    rooms = [f"{'ABC'[k % 3]}{101 + k // 3}" for k in range(len(indices))]
    for k, room in enumerate(rooms):  # in order: the site is one aggregate
        await ctx.api.post("registry", f"/isolation-sites/{site}/rooms", {"zone_id": f"zone-{room[0]}", "room_id": room,
                           "capacity": 1}, step=f"isolation/room/{room}", done_on=(409,))

    async def one(k: int) -> None:
        i = indices[k]
        quarantine_id = await _quarantine(ctx, i, "centralized")
        admission = await ctx.api.post("registry", f"/isolation-sites/{site}/admissions", {
            "resident_id": ctx.ids["residents"][i]["resident_id"], "room_id": rooms[k]}, step=f"isolation/admit/{i}")
        if k < n["centralized_discharged"]:
            await ctx.api.post("registry", f"/isolation-sites/{site}/admissions/{admission['admission_id']}/discharge",
                               {}, step=f"isolation/discharge/{i}", done_on=(409,))
            await ctx.api.post("registry", f"/isolation-sites/{site}/rooms/{rooms[k]}/cleanings", {},
                               step=f"isolation/cleaning/{rooms[k]}", done_on=(409,))
            await _end(ctx, i, quarantine_id)
        else:
            await _check(ctx, i, quarantine_id, fever=False)
        ctx.progress.tick()

    await ctx.api.each(list(range(len(indices))), one)


async def tips(ctx: Ctx) -> None:
    n, compounds = ctx.plan.n, ctx.plan.all_compounds
    kinds = ("unregistered_returnee", "quarantine_breach", "gathering")

    async def one(t: int) -> None:
        compound = compounds[t % len(compounds)]
        who = officer(compound.split("-")[0])
        tip = await ctx.api.post("registry", "/tips", {
            "kind": kinds[t % 3], "compound_id": compound, "channel": ("hotline", "wechat", "in_person")[t % 3],
            "description": f"居民反映{compound}有情况需核查（第{t + 1}条）"}, step=f"tip/{t}", who=who)
        if t < n["tips_screened"]:
            await ctx.api.post("registry", f"/tips/{tip['tip_id']}/screening", {
                "outcome": ("no_issue_found", "breach_confirmed")[t % 2]}, step=f"tip/{t}/screening", who=who,
                done_on=(409,))
        ctx.progress.tick()

    await ctx.api.each(list(range(n["tips"])), one)


async def vulnerable(ctx: Ctx) -> None:
    pairs = ctx.plan.n["care_pairs"]

    async def one(person: Person) -> dict[str, Any]:
        resident = await register(ctx, person, f"vulnerable/{person.index}")
        who, paired = officer(person.community_id), person.index < pairs
        await ctx.api.post("registry", f"/residents/{resident['resident_id']}/care", {
            "category": "elderly_living_alone" if paired else "homeless", "visit_every_days": 7 if paired else 1,
            **({"helper_id": f"hlp-{person.community_id}-{person.index:03d}",
                "relief_every_days": RELIEF_EVERY_DAYS} if paired else {})},
            step=f"care/{person.index}", who=who, done_on=(409,))
        await ctx.api.post("registry", f"/residents/{resident['resident_id']}/care/visits", {
            "kind": "home_visit", "supplies": SUPPLIES}, step=f"care/{person.index}/visit", who=who)
        return resident

    ctx.ids["vulnerable"] = await ctx.api.each(ctx.vulnerable, one)
