"""Who sees which application: the grid scope of the caller's token, and a reviewer's department.

An application belongs to the applicant's compound and community: at a counter, the holder's
own as the registry announced them (see :func:`counter_place`; for a merchant, the compound the
counter names, checked against the grid the registry publishes, or the community of the service
point ``SP-<community>``); an online application belongs to the compound of the checkpoint whose
QR code was scanned. A token scoped to a community or compound sees and
changes only applications there; a permit reviewer only those their department reviews.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException

from towngrid_kit.auth import Principal, Role, ensure_in_scope
from towngrid_kit.errors import InvalidInput
from towngrid_kit.grid import GridDirectory, Place
from permits.adapters.resident_places import ResidentPlaces
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


async def service_point_community(grid: GridDirectory, channel: str, service_point_id: str,
                                  windows: list[str]) -> str | None:
    """The community a counter stands for (None for a town hall window): a community service point
    is ``SP-<community>`` for a community of the grid the registry published (422 otherwise)."""
    if channel == "town_hall_window":
        if service_point_id not in windows:
            raise InvalidInput(f"unknown town_hall_window {service_point_id!r} (one of: {', '.join(windows)})",
                               field="body.service_point_id")
        return None
    matched = SERVICE_POINT_RE.match(service_point_id)
    if matched is None or not await grid.compounds_of(matched.group(1)):
        raise InvalidInput(f"unknown community_service_point {service_point_id!r}: each community of the grid has "
                           "one, SP-<community_id>", field="body.service_point_id")
    return matched.group(1)


async def counter_place(grid: GridDirectory, places: ResidentPlaces, principal: Principal, *,
                        holder_resident_id: str | None, compound_id: str | None,
                        service_point_community: str | None) -> Place:
    """Where an application taken at a counter lies, refused (403) outside the caller's scope.

    A holder the registry has announced: the holder's own compound and community, whatever the
    body says. The caller's scope is checked first, and its refusal names nothing outside it;
    only then is the body checked against the holder's place (a contradicting ``compound_id``,
    another community's service point: 422). Otherwise (a merchant, or a holder not announced
    yet: there is then nothing about them here to give away) the body's ``compound_id``, else the
    service point's community, else the town.
    """
    home = await places.compound_of(holder_resident_id) if holder_resident_id else None
    if home is None:
        where = await _named(grid, compound_id, service_point_community)
        if not principal.covers(compound=where.compound_id, community=where.community_id):
            raise HTTPException(403, f"outside your scope ({principal.scope}): name the applicant's compound_id in it")
        return where
    where = await grid.compound(home)
    if not principal.covers(compound=where.compound_id, community=where.community_id):
        raise HTTPException(403, f"outside your scope ({principal.scope}): the holder lives outside it")
    if compound_id is not None and compound_id != home:
        raise InvalidInput("compound_id is not the holder's compound as the registry announced it (leave it out: "
                           "the holder's own is used)", field="body.compound_id")
    if service_point_community is not None and service_point_community != where.community_id:
        raise InvalidInput("a community service point takes applications of its own community's residents only",
                           field="body.service_point_id")
    return where


async def _named(grid: GridDirectory, compound_id: str | None, service_point_community: str | None) -> Place:
    if compound_id is not None:
        where = await grid.compound(compound_id)
        if where.community_id is None:
            raise InvalidInput(f"unknown compound {compound_id!r} (not in the grid the registry published)",
                               field="body.compound_id")
        return where
    return Place(None, service_point_community)


async def checkpoint_place(grid: GridDirectory, checkpoint_id: str, field: str) -> Place:
    """The compound and community of a checkpoint of the grid the registry published (422 otherwise)."""
    where = await grid.checkpoint(checkpoint_id)
    if where.compound_id is None or where.community_id is None:
        raise InvalidInput(f"no checkpoint {checkpoint_id!r} in the grid the registry published", field=field)
    return where
