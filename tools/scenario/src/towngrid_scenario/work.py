"""Work: employers' labour demand, returnees who opt in (each with a health certificate), local
placements, health-gated batches to the seven provinces, and "one enterprise, one policy"
resumption cases with their problems solved."""

from __future__ import annotations

from typing import Any

from towngrid_scenario.context import Ctx, liaison, officer
from towngrid_scenario.permits import at_service_point, health_certificate
from towngrid_scenario.town import DESTINATIONS, LOCAL

WAIT_S = 120  # for labor to hear of a resident, a health certificate or a vehicle pass


def employers_plan(ctx: Ctx) -> list[tuple[str, str, int]]:
    """(province, city code, workers wanted) per employer: the batch employers, then the local ones."""
    n = ctx.plan.n
    out = [(p, city, n["workers_per_batch"]) for p, city in DESTINATIONS.items()
           for _ in range(n["batch_employers_per_destination"])]
    return out + [(LOCAL[0], LOCAL[1], n["workers_per_local_employer"])] * n["local_employers"]


def employer_name(ctx: Ctx, e: int, province: str) -> str:
    """The report names two local projects that started work; the others are numbered."""
    named = {0: "蓝奥智能家居项目", 1: "胜出工业项目"}
    local = e - ctx.plan.n["batches"] if province == LOCAL[0] else -1
    return named.get(local, f"用工企业{e + 1:02d}")


async def employers(ctx: Ctx) -> None:
    async def one(e: int) -> dict[str, Any]:
        province, city, headcount = employers_plan(ctx)[e]
        employer = await ctx.api.post("labor", "/employers", {"name": employer_name(ctx, e, province), "province": province,
                                      "city_code": city}, step=f"employer/{e}")
        enterprise_id = employer["enterprise_id"]
        demand = await ctx.api.post("labor", "/demands", {
            "enterprise_id": enterprise_id, "title": "普工" if e % 2 else "装配工", "job_category": "assembly",
            "skills": ["assembly"], "headcount": headcount, "wage_min_cents": 400_000, "wage_max_cents": 650_000,
            "start_date": ctx.today.isoformat(), "health_certificate_required": True},
            step=f"demand/{e}", who=liaison(enterprise_id))
        ctx.progress.tick()
        return {"enterprise_id": enterprise_id, "demand_id": demand["demand_id"], "province": province}

    ctx.ids["employers"] = await ctx.api.each(list(range(len(employers_plan(ctx)))), one)


async def job_seekers(ctx: Ctx) -> None:
    """Each opts in at their community and gets a health certificate at its service point."""
    async def one(i: int) -> None:
        resident, person = ctx.ids["residents"][i], ctx.returnees[i]
        await ctx.api.post("labor", "/job-seekers", {"resident_id": resident["resident_id"], "opt_in": True,
                           "skills": ["assembly"], "preferred_provinces": list(DESTINATIONS)},
                           step=f"job-seeker/{i}", who=officer(person.community_id), wait_s=WAIT_S)
        await at_service_point(ctx, health_certificate(resident["resident_id"], "labour_batch"), f"hc-seeker/{i}",
                               person.community_id, wait_s=WAIT_S)

    await ctx.api.each(list(ctx.plan.roles()["seekers"]), one)


async def matches_and_batches(ctx: Ctx) -> None:
    seekers = list(ctx.plan.roles()["seekers"])
    found = ctx.ids["employers"]

    async def employer(e: int) -> None:
        job = found[e]
        headcount = employers_plan(ctx)[e][2]
        first = sum(employers_plan(ctx)[j][2] for j in range(e))
        mine = [ctx.ids["residents"][i]["resident_id"] for i in seekers[first:first + headcount]]
        local = job["province"] == LOCAL[0]
        for resident_id in mine:
            await ctx.api.post("labor", f"/demands/{job['demand_id']}/matches", {
                "job_seeker_id": f"js_{resident_id}", "placement": "local" if local else "batch"},
                step=f"match/{e}/{resident_id}", wait_s=WAIT_S)
            if local:
                await ctx.api.post("labor", f"/job-seekers/js_{resident_id}/local-placement", {},
                                   step=f"placed/{resident_id}", done_on=(409,))
            ctx.progress.tick()
        if local:
            return
        batch = await ctx.api.post("labor", "/batches", {
            "demand_id": job["demand_id"], "departure_at": ctx.at(hours=6), "seats": headcount,
            "vehicle_pass_id": ctx.ids["batch_passes"][e]}, step=f"batch/{e}", wait_s=WAIT_S)
        for resident_id in mine:
            await ctx.api.post("labor", f"/batches/{batch['batch_id']}/workers", {"job_seeker_id": f"js_{resident_id}"},
                               step=f"batch/{e}/worker/{resident_id}", done_on=(409,))
            await ctx.api.post("labor", f"/batches/{batch['batch_id']}/boarding", {"resident_id": resident_id},
                               step=f"batch/{e}/boarding/{resident_id}", done_on=(409,))
        await ctx.api.post("labor", f"/batches/{batch['batch_id']}/dispatch", {}, step=f"batch/{e}/dispatch",
                           done_on=(409,))
        ctx.progress.tick()

    await ctx.api.each(list(range(len(found))), employer)


async def resumption(ctx: Ctx) -> None:
    n, found = ctx.plan.n, ctx.ids["employers"]
    kinds = ("staffing", "materials", "logistics", "finance", "permits", "epidemic_prevention")

    async def one(c: int) -> None:
        enterprise_id = found[c % len(found)]["enterprise_id"]
        case = await ctx.api.post("labor", "/resumption-cases", {"enterprise_id": enterprise_id,
                                  "officer_id": f"scn-officer-town-{c % 8}"}, step=f"case/{c}")
        case_id = case["case_id"]
        for p in range(n["problems_per_case"]):
            problem = await ctx.api.post("labor", f"/resumption-cases/{case_id}/problems", {
                "kind": kinds[(c + p) % len(kinds)], "description": "复工需协调解决的问题", "deadline": ctx.at(days=7)},
                step=f"case/{c}/problem/{p}")
            issue_id = problem.get("issue_id") or problem["problems"][-1]["issue_id"]
            await ctx.api.post("labor", f"/resumption-cases/{case_id}/problems/{issue_id}/resolve",
                               {"resolution": "专班协调已解决"}, step=f"case/{c}/problem/{p}/resolve", done_on=(409,))
        await ctx.api.post("labor", f"/resumption-cases/{case_id}/resume", {"workers_on_site": 20 + c},
                           step=f"case/{c}/resume", done_on=(409,))
        ctx.progress.tick()

    await ctx.api.each(list(range(n["resumption_cases"])), one)
