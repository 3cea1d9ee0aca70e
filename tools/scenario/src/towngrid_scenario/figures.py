"""What the services show: registry, permits and labor ``/figures``; delivery has none, so its
merchants, orders and relief ledger are counted from its lists, and its relief stock read from
``/relief-stock``. Compared with what the plan expects."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from towngrid_scenario.client import Api

Figures = dict[str, dict[str, int]]


def pick(found: dict[str, Any], dotted: str) -> int:
    value: Any = found
    for part in dotted.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    return int(value or 0)


async def seen(api: Api, wanted: Figures) -> Figures:
    out: Figures = {}
    for service in ("registry", "permits", "labor"):
        found = await api.get(service, "/figures")
        out[service] = {k: pick(found, k) for k in wanted[service]}
    orders: dict[str, int] = {}
    for order in await api.pages("delivery", "/orders"):
        orders[order["status"]] = orders.get(order["status"], 0) + 1
    delivery = {"merchants": len(await api.pages("delivery", "/merchants"))} | {f"orders.{k}": v for k, v in orders.items()}
    delivery["relief_parcels_issued"] = len(await api.pages("delivery", "/relief-ledger"))
    stock = (await api.get("delivery", "/relief-stock"))["balance"]
    delivery |= {f"relief_stock.{item}": q for item, q in stock.items()}
    out["delivery"] = {k: delivery.get(k, 0) for k in wanted["delivery"]}
    return out


async def before(api: Api, wanted: Figures, compounds: list[str]) -> Figures:
    """The figures before a first run. Importing the grid again adds only compounds it lacks, so
    the checkpoints before are those of compounds this run does not play."""
    found = await seen(api, wanted)
    ours = set(compounds)
    others = [c for c in await api.pages("registry", "/grid/compounds") if c["compound_id"] not in ours]
    found["registry"]["checkpoints"] = len(others)
    return found


def add(baseline: Figures, planned: Figures) -> Figures:
    return {s: {k: baseline.get(s, {}).get(k, 0) + v for k, v in figures.items()} for s, figures in planned.items()}


def differences(expected: Figures, found: Figures) -> list[str]:
    return [f"{s}.{k}" for s, figures in expected.items() for k, v in figures.items() if found[s][k] != v]


async def settle(api: Api, expected: Figures, timeout_s: float = 120.0) -> Figures:
    """The figures once they equal ``expected`` (events still on their way are waited for), or
    as they are after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await seen(api, expected)
        if not differences(expected, found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(2)


def table(expected: Figures, found: Figures, baseline: Figures) -> str:
    rows = [("figure", "expected", "seen", "")]
    for service, figures in expected.items():
        for k, v in figures.items():
            base = baseline.get(service, {}).get(k, 0)
            note = "ok" if found[service][k] == v else "MISMATCH"
            rows.append((f"{service} {k}", f"{v:,}" + (f" (+{v - base:,})" if base else ""), f"{found[service][k]:,}", note))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = ["  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
