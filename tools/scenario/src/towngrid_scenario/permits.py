"""One-stop permits: applications at the 3 town hall windows, the 8 community service points and
by the checkpoints' QR codes, reviewed jointly, ending in the report's 6,032 health certificates
and 1,337 vehicle passes (and a business-reopening permit for every reopened merchant)."""

from __future__ import annotations

from typing import Any

from towngrid_scenario.client import PUBLIC, Who
from towngrid_scenario.context import Ctx, officer, reviewer
from towngrid_scenario.town import WINDOWS

REVIEWERS = {"health_certificate": ("health",), "vehicle_pass": ("traffic", "epidemic_control"),
             "business_reopening": ("market_supervision", "health", "epidemic_control")}
VEHICLES = ("car", "van", "truck", "bus")


def holder(ctx: Ctx, i: int) -> str:
    """A local resident (not a returnee, so not in the registry): an opaque id of the run."""
    return f"res_scn{ctx.plan.seed}s{round(ctx.plan.scale * 1000)}n{i}"


def health_certificate(holder_id: str, purpose: str = "work") -> dict[str, Any]:
    return {"permit_type": "health_certificate", "holder_resident_id": holder_id, "purpose": purpose}


def vehicle_pass(ctx: Ctx, holder_id: str, i: int) -> dict[str, Any]:
    return {"permit_type": "vehicle_pass", "holder_resident_id": holder_id, "plate_number": f"豫R{i:05d}",
            "vehicle_type": VEHICLES[i % len(VEHICLES)], "purpose": "复工复产运输", "route": "桐柏县城区及省内",
            "valid_until": ctx.at(days=56)}


async def decide(ctx: Ctx, application: dict[str, Any], step: str, approve: bool = True) -> None:
    for department in REVIEWERS[application["permit_type"]]:
        body = {"decision": "approve"} if approve else {"decision": "reject", "reason_code": "missing_documents",
                                                        "reason": "材料不全"}
        await ctx.api.post("permits", f"/applications/{application['permit_id']}/reviews/{department}", body,
                           step=f"{step}/review/{department}", who=reviewer(department), done_on=(409,))
        if not approve:
            return


async def at_counter(ctx: Ctx, body: dict[str, Any], step: str, k: int, community_id: str,
                     compound_id: str | None = None, approve: bool = True) -> dict[str, Any]:
    """Apply at a window (even ``k``) or at ``community_id``'s service point (odd ``k``), then review."""
    if k % 2 == 0:
        where, who = {"channel": "town_hall_window", "service_point_id": WINDOWS[(k // 2) % len(WINDOWS)]}, Who()
    else:
        where, who = {"channel": "community_service_point", "service_point_id": f"SP-{community_id}"}, officer(community_id)
    if compound_id:
        where["compound_id"] = compound_id
    application = await ctx.api.post("permits", "/applications", body | where, step=step, who=who)
    await decide(ctx, application, step, approve)
    ctx.progress.tick()
    return application


async def at_service_point(ctx: Ctx, body: dict[str, Any], step: str, community_id: str,
                           compound_id: str | None = None, wait_s: float = 0) -> dict[str, Any]:
    where = {"channel": "community_service_point", "service_point_id": f"SP-{community_id}"}
    if compound_id:
        where["compound_id"] = compound_id
    application = await ctx.api.post("permits", "/applications", body | where, step=step, who=officer(community_id),
                                      wait_s=wait_s)
    await decide(ctx, application, step)
    ctx.progress.tick()
    return application


def counter_plan(ctx: Ctx) -> list[tuple[str, dict[str, Any], bool]]:
    """Every counter application of local residents and drivers: (step, body, approve), in the
    order their window / service point alternates (``Plan.channel_counts``)."""
    n, out = ctx.plan.n, []
    for i in range(n["counter_health_certificates"]):
        out.append((f"hc/{i}", health_certificate(holder(ctx, i)), True))
    for i in range(n["counter_vehicle_passes"]):
        out.append((f"vp/{i}", vehicle_pass(ctx, holder(ctx, 100_000 + i), i), True))
    for i in range(n["batches"]):
        out.append((f"vp-batch/{i}", vehicle_pass(ctx, holder(ctx, 200_000 + i), 50_000 + i), True))
    for i in range(n["rejected_applications"]):
        out.append((f"hc-rejected/{i}", health_certificate(holder(ctx, 300_000 + i)), False))
    return out


async def counters(ctx: Ctx) -> None:
    compounds = ctx.plan.all_compounds
    batch_passes: dict[int, str] = {}

    async def one(k: int) -> None:
        step, body, approve = plan[k]
        compound = compounds[k % len(compounds)]
        found = await at_counter(ctx, body, step, k, compound.split("-")[0], compound, approve)
        if step.startswith("vp-batch/"):
            batch_passes[int(step.split("/")[1])] = found["permit_id"]

    plan = counter_plan(ctx)
    await ctx.api.each(list(range(len(plan))), one)
    ctx.ids["batch_passes"] = [batch_passes[i] for i in range(len(batch_passes))]


async def online(ctx: Ctx) -> None:
    """The QR channel: a returnee scans the poster at their checkpoint (30 a minute per client)
    with the holder key of their registration slip (after the returnees act)."""
    n = ctx.plan.n
    codes = {c["checkpoint_id"]: c["qr_code"] for c in await ctx.api.each(
        ctx.plan.all_compounds, lambda c: ctx.api.get("permits", f"/checkpoints/CP-{c}/qr-code"))}
    applicants = list(ctx.plan.roles()["online"])
    kinds = ["hc"] * n["online_health_certificates"] + ["vp"] * n["online_vehicle_passes"]

    async def one(k: int) -> None:
        i, kind = applicants[k], kinds[k]
        resident = ctx.ids["residents"][i]
        body = (health_certificate(resident["resident_id"]) if kind == "hc"
                else vehicle_pass(ctx, resident["resident_id"], 60_000 + k))
        step = f"online-{kind}/{k}"
        qr = codes[f"CP-{ctx.returnees[i].compound_id}"]
        # 422 (holder_key) until permits has heard of the registration
        application = await ctx.api.post("permits", "/online-applications",
                                         body | {"qr_code": qr, "holder_key": resident["holder_key"]},
                                         step=step, who=PUBLIC, wait_s=120, wait_on=(422,))
        await decide(ctx, application, step)
        ctx.progress.tick()

    await ctx.api.each(list(range(len(applicants))), one)
