"""The town's figures on the real stack: each figure moves with the facts behind it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from e2e_support import System
from people import returnee
from towngrid_kit.auth import Role


async def test_figures_follow_the_facts(system: System) -> None:
    async with system.client("registry") as registry:
        before = (await registry.get("/figures")).json()
        compound = f"C99-{uuid.uuid4().hex[:8]}"
        a = (await registry.post("/residents", json=returnee(compound))).json()["resident"]["resident_id"]
        b = (await registry.post("/residents", json=returnee(compound))).json()["resident"]["resident_id"]
        await registry.post(f"/residents/{a}/quarantines", json={"kind": "home", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        await registry.post(f"/residents/{b}/quarantines", json={"kind": "centralized", "planned_end": "2030-01-01", "reason_code": "close_contact"})
        await registry.post("/tips", json={"kind": "other", "channel": "hotline", "compound_id": compound,
                                           "description": "x"})
        taken_in = await registry.post(f"/residents/{a}/care", json={"category": "homeless", "visit_every_days": 3,
                                                                     "helper_id": "stf_h"})
        assert taken_in.status_code == 201
        after = (await registry.get("/figures", params={"days": 3})).json()
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    assert after["returnees_registered_total"] - before["returnees_registered_total"] == 2
    assert after["returnees_registered_per_day"][today] - before["returnees_registered_per_day"].get(today, 0) == 2
    assert len(after["returnees_registered_per_day"]) <= 3
    assert after["in_home_quarantine"] - before["in_home_quarantine"] == 1
    assert after["in_centralized_quarantine"] - before["in_centralized_quarantine"] == 1
    assert after["tips_open"] - before["tips_open"] == 1
    assert after["care_pairs"] - before["care_pairs"] == 1
    assert after["people_taken_in"] - before["people_taken_in"] == 1
    assert after["checkpoints"] >= 0 and after["checkpoints_with_coverage_gaps"] >= 0
    async with system.client("registry") as registry:
        assert (await registry.get("/figures", params={"days": 0})).status_code == 422
    async with system.client("registry", role=Role.COUNTY_SUBSCRIBER) as county:
        assert (await county.get("/figures")).status_code == 200
    async with system.client("registry", role=Role.MERCHANT) as merchant:
        assert (await merchant.get("/figures")).status_code == 403
