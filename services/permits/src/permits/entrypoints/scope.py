"""Who sees which application: the grid scope of the caller's token, and a reviewer's department.

An application belongs to the applicant's compound and community (the counter names the
compound, checked against the grid the registry publishes; a community service point
``SP-<community>`` stands for its community; an online application belongs to the compound of
the checkpoint whose QR code was scanned). A token scoped to a community or compound sees and
changes only applications there; a permit reviewer only those their department reviews.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException

from towngrid_kit.auth import Principal, Role, ensure_in_scope
from towngrid_kit.errors import InvalidInput
from towngrid_kit.grid import GridDirectory
from permits.domain.permit import Permit

SERVICE_POINT_RE = re.compile(r"^SP-(.+)$")


def reviewer_department(principal: Principal) -> str:
    if not principal.department:
        raise HTTPException(403, "a permit reviewer's token must name a department")
    return principal.department


def ensure_sees(principal: Principal, permit: Permit) -> None:
    """403 unless the application lies in the caller's grid scope (and, for a reviewer, department)."""
    if principal.role == Role.PERMIT_REVIEWER:
        department = reviewer_department(principal)
        if department not in permit.policy.departments:
            raise HTTPException(403, f"department {department} does not review application {permit.permit_id}")
    ensure_in_scope(principal, community=permit.community_id, compound=permit.compound_id)


def grid_filter(principal: Principal) -> dict[str, Any]:
    """The list query that keeps a scoped caller to their community or compound."""
    grid = principal.grid
    if grid.compound is not None:
        return {"compound_id": grid.compound}
    if grid.community is not None:
        return {"community_id": grid.community}
    return {}


async def place(grid: GridDirectory, *, compound_id: str | None, service_point_id: str | None) -> tuple[str | None, str | None]:
    """(compound, community) of an application taken at a counter."""
    if compound_id is not None:
        community = await grid.community_of(compound_id)
        if community is None:
            raise InvalidInput(f"unknown compound {compound_id!r} (not in the grid the registry published)",
                               field="body.compound_id")
        return compound_id, community
    matched = SERVICE_POINT_RE.match(service_point_id or "")
    return None, (matched.group(1) if matched else None)
