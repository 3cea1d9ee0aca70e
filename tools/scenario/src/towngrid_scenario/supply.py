"""Supply: merchants reopen once their business-reopening permit is issued (the whole opening
standard met), publish in-store prices, and take proxy-shopping orders for quarantined households
(to the door) and online orders to the compounds' checkpoints, at exactly the in-store price.
Relief: supplies received at the town's depot, and a relief parcel issued from them and delivered
to each elderly resident living alone."""

from __future__ import annotations

import asyncio
import time

from towngrid_scenario.client import Refused
from towngrid_scenario.context import Ctx, merchant, officer, volunteer
from towngrid_scenario.permits import at_service_point
from towngrid_scenario.town import RELIEF_PARCEL

PRICES = [("rice-5kg", "大米", "袋", 3250), ("flour-5kg", "面粉", "袋", 2680), ("oil-5l", "食用油", "桶", 6990),
          ("eggs-30", "鸡蛋", "盒", 2400), ("cabbage", "白菜", "斤", 180), ("pork", "猪肉", "斤", 2800),
          ("masks-10", "口罩", "包", 1500)]
KINDS = ("supermarket", "shop", "market_stall")
PERMIT_KINDS = {"supermarket": "supermarket", "shop": "shop", "market_stall": "market"}
OPENING_STANDARD = {"staff_health_certificates": True, "disinfection": True, "temperature_checks": True,
                    "buyer_ledger": True}


def merchant_ids(ctx: Ctx) -> list[str]:
    per = ctx.plan.n["merchants_per_community"]
    return [f"mer-scn{ctx.plan.seed}s{round(ctx.plan.scale * 1000)}-{c}-{k}" for c in ctx.plan.compounds for k in range(per)]


async def merchants(ctx: Ctx) -> None:
    async def one(merchant_id: str) -> None:
        community_id, k = merchant_id.split("-")[-2], int(merchant_id.split("-")[-1])
        kind = KINDS[k % len(KINDS)]
        await ctx.api.post("delivery", "/merchants", {"merchant_id": merchant_id, "name": f"{community_id}便民{kind}{k + 1}",
                           "kind": kind, "community_id": community_id}, step=f"merchant/{merchant_id}",
                           who=officer(community_id), wait_s=60, done_on=(409,))
        await ctx.api.post("delivery", f"/merchants/{merchant_id}/price-lists", {"items": [
            {"sku": s, "name": name, "unit": unit, "price_cents": cents} for s, name, unit, cents in PRICES]},
            step=f"merchant/{merchant_id}/prices", who=merchant(merchant_id))
        await at_service_point(ctx, {"permit_type": "business_reopening", "merchant_id": merchant_id,
                                     "business_kind": PERMIT_KINDS[kind], "premises": f"{community_id}社区沿街商铺{k + 1}号",
                                     "checklist": OPENING_STANDARD},
                               f"reopening/{merchant_id}", community_id, ctx.plan.compounds[community_id][0])

    await ctx.api.each(merchant_ids(ctx), one)
    # delivery hears of the permits from their events: wait until every merchant may sell
    deadline = time.monotonic() + 120
    for merchant_id in merchant_ids(ctx):
        while not (await ctx.api.get("delivery", f"/merchants/{merchant_id}"))["allowed_to_sell"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{merchant_id} is not allowed to sell 120 s after its permit")
            await asyncio.sleep(0.5)


async def teams(ctx: Ctx) -> None:
    for community_id in ctx.plan.compounds:
        await ctx.api.post("delivery", "/teams", {"team_id": f"team-scn{ctx.plan.seed}-{community_id}",
                           "community_id": community_id, "capacity": 200,
                           "members": [f"courier-{community_id}-{k}" for k in range(4)]},
                           step=f"team/{community_id}", wait_s=60, wait_on=(404, 422), done_on=(409,))


async def orders(ctx: Ctx) -> None:
    n, shops = ctx.plan.n, merchant_ids(ctx)
    home = ctx.plan.roles()["home"]
    quarantined = list(range(n["home_quarantines_ended"], home.stop))  # still at home in quarantine
    others = list(ctx.plan.roles()["checklists"]) or list(range(len(ctx.returnees)))
    jobs = [("proxy", k) for k in range(n["proxy_orders"])] + [("online", k) for k in range(n["online_orders"])]

    async def one(job: tuple[str, int]) -> None:
        kind, k = job
        i = quarantined[k % len(quarantined)] if kind == "proxy" else others[k % len(others)]
        resident, person = ctx.ids["residents"][i], ctx.returnees[i]
        shop = shops[k % len(shops)]
        lines = [{"sku": s, "quantity": 1 + (k + j) % 3, "unit_price_cents": cents}
                 for j, (s, _, _, cents) in enumerate(PRICES) if (k + j) % 3 == 0]
        body = {"merchant_id": shop, "household_id": resident["household_id"], "compound_id": person.compound_id,
                "channel": ("phone", "wechat")[k % 2] if kind == "proxy" else "online", "lines": lines}
        step = f"order/{kind}/{k}"
        if kind == "proxy":
            body["shopping_list"] = "、".join(PRICES[j][1] for j in range(len(PRICES)) if (k + j) % 3 == 0)
            placed = await ctx.api.post("delivery", "/orders", body, step=step, who=officer(person.community_id))
        else:
            placed = await ctx.api.post("delivery", "/orders", body, step=step, who=merchant(shop))
        order_id = placed["order_id"]
        if placed.get("handover_code"):
            ctx.memo.put(f"code/{order_id}", placed["handover_code"])
        staff = officer(person.community_id)
        await _step(ctx, order_id, "accept", {}, f"{step}/accept", merchant(shop))
        await _step(ctx, order_id, "assign", {"team_id": f"team-scn{ctx.plan.seed}-{person.community_id}",
                                              "courier_id": f"courier-{person.community_id}-{k % 4}"}, f"{step}/assign", staff)
        await _step(ctx, order_id, "pick-up", {}, f"{step}/pick-up", staff)
        order = await ctx.api.get("delivery", f"/orders/{order_id}", staff)
        if order["destination"] == "door":
            await _step(ctx, order_id, "deliver", {"photo_ref": f"photo-{order_id}"}, f"{step}/deliver", staff)
        else:
            await _step(ctx, order_id, "hand-to-checkpoint", {}, f"{step}/checkpoint", staff)
            if not (kind == "online" and k < n["online_orders_uncollected"]):
                code = ctx.memo.get(f"code/{order_id}")
                if code is not None:
                    await _step(ctx, order_id, "collect", {"code": code}, f"{step}/collect", volunteer(person.compound_id))
        ctx.progress.tick()

    await ctx.api.each(jobs, one)


async def _step(ctx: Ctx, order_id: str, name: str, body: dict, step: str, who) -> None:
    try:
        await ctx.api.post("delivery", f"/orders/{order_id}/{name}", body, step=step, who=who)
    except Refused as refused:
        if refused.status != 409:  # taken before this resumed run: the order is further on
            raise


async def relief_stock(ctx: Ctx) -> None:
    """The relief supplies received at the town's depot (masks, thermometers, rice, flour, oil)."""
    await ctx.api.post("delivery", "/relief-stock/receipts", {"items": ctx.plan.relief_received()},
                       step="relief/stock")
    ctx.progress.tick()


async def relief_parcels(ctx: Ctx) -> None:
    """A parcel for each vulnerable resident enrolled with a relief schedule (after the stock and
    the care enrolments), handed over by their community's officer."""
    scheduled = list(zip(ctx.vulnerable, ctx.ids["vulnerable"], strict=True))[:ctx.plan.n["relief_parcels"]]

    async def one(job: tuple) -> None:
        person, resident = job
        resident_id, who = resident["resident_id"], officer(person.community_id)
        # delivery hears of the enrolment from the registry's event (404 until then); a resumed
        # run finds the parcel of this period issued (409) and reads it from the entitlement
        await ctx.api.post("delivery", "/relief-parcels", {"resident_id": resident_id, "contents": RELIEF_PARCEL},
                           step=f"relief/{person.index}", who=who, wait_s=60, wait_on=(404,), done_on=(409,))
        parcel_id = (await ctx.api.get("delivery", f"/relief-recipients/{resident_id}", who))["issued_parcel_id"]
        if parcel_id is None:
            raise RuntimeError(f"no relief parcel issued for vulnerable resident {person.index}")
        await ctx.api.post("delivery", f"/relief-parcels/{parcel_id}/deliver", {}, step=f"relief/{person.index}/deliver",
                           who=who, done_on=(409,))
        ctx.progress.tick()

    await ctx.api.each(scheduled, one)

