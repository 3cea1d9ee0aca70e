"""Made-up but valid personal data for tests (GB 11643 checksums, mainland mobiles)."""

from __future__ import annotations

import itertools
import random
from typing import TYPE_CHECKING

from registry.domain.identity import check_digit

if TYPE_CHECKING:
    from e2e_support import System

_counter = itertools.count(1)


def national_id(seed: int | None = None) -> str:
    n = next(_counter) if seed is None else seed
    rng = random.Random(n)
    first17 = f"411330{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def mobile(seed: int | None = None) -> str:
    rng = random.Random(seed if seed is not None else next(_counter))
    return f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def returnee(compound_id: str = "C03-017", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "national_id": national_id(),
        "name": "测试居民",
        "mobile": mobile(),
        "address": "城关镇 3 号院 2 单元 401",
        "compound_id": compound_id,
        "origin_province": "湖北省",
        "origin_city": "武汉市",
        "travel_mode": "train",
        "arrived_on": "2020-01-25",
    }
    body.update(overrides)
    return body


def quarantine_order(kind: str = "home", planned_end: str = "2030-06-01", **overrides: object) -> dict[str, object]:
    """A valid body for ``POST /residents/{id}/quarantines`` (its required fields in one place)."""
    return {"kind": kind, "planned_end": planned_end, "reason_code": "returned_from_risk_area", **overrides}


async def new_resident(system: System) -> str:
    """A returnee (``returnee()``) registered in the running registry: their resident id."""
    async with system.client("registry") as registry:
        created = await registry.post("/residents", json=returnee())
        assert created.status_code == 201, created.text
        return created.json()["resident"]["resident_id"]


async def release(system: System, resident_id: str, quarantine_id: str) -> None:
    """End the quarantine in the running registry: released, its period completed."""
    async with system.client("registry") as registry:
        ended = await registry.post(f"/residents/{resident_id}/quarantines/{quarantine_id}/end",
                                    json={"outcome": "released", "reason_code": "period_completed"})
        assert ended.status_code == 200, ended.text
