"""The scope rules of labor's api against an in-memory grid (no stack)."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from towngrid_kit.grid import grid_filter
from labor.entrypoints.scope import ensure_own_enterprise, ensure_resident, enterprise_filter
from scope_support import MemoryGrid, who
from towngrid_kit.auth import Role
from towngrid_kit.errors import NotFound

GRID = {"A-1": "A", "B-1": "B"}


def test_a_liaison_reaches_its_own_enterprise_only() -> None:
    ensure_own_enterprise(who(Role.EMPLOYER_LIAISON, org="ent_1"), "ent_1", "employer ent_1")
    ensure_own_enterprise(who(Role.TOWN_ADMIN), "ent_1", "employer ent_1")
    ensure_own_enterprise(who(Role.COMMUNITY_OFFICER, "community:A"), "ent_1", "employer ent_1")
    for liaison in (who(Role.EMPLOYER_LIAISON, org="ent_2"), who(Role.EMPLOYER_LIAISON)):
        with pytest.raises(HTTPException) as refused:
            ensure_own_enterprise(liaison, "ent_1", "employer ent_1")
        assert refused.value.status_code == 403
    assert enterprise_filter(who(Role.EMPLOYER_LIAISON, org="ent_1")) == {"enterprise_id": "ent_1"}
    assert enterprise_filter(who(Role.EMPLOYER_LIAISON)) is None
    assert enterprise_filter(who(Role.COMMUNITY_OFFICER, "community:A")) == {}


async def test_an_officer_reaches_the_residents_of_its_community_only() -> None:
    grid, officer = MemoryGrid(GRID), who(Role.COMMUNITY_OFFICER, "community:A")
    await ensure_resident(officer, grid, {"compound_id": "A-1"}, "res_1")
    with pytest.raises(HTTPException) as refused:
        await ensure_resident(officer, grid, {"compound_id": "B-1"}, "res_2")
    assert refused.value.status_code == 403
    with pytest.raises(NotFound):
        await ensure_resident(officer, grid, None, "res_3")
    await ensure_resident(who(Role.TOWN_ADMIN), grid, None, "res_3")  # town-wide: eligibility of anyone
    assert await grid_filter(officer, grid) == {"compound_id": {"$in": ["A-1"]}}
