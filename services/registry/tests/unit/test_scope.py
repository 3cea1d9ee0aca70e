"""Grid scope: where things lie and which tokens cover them (registry.domain.places)."""

import pytest

from towngrid_kit.auth import Principal, Role
from registry.adapters.isolation_repository import from_state as site_from, to_state as site_to
from registry.domain.grid import Grid
from registry.domain.isolation import IsolationSite
from registry.domain.places import TOWN, OutOfScope, Place, compounds_within, ensure_covers, place_in, unit_place

from .residents import NOW


def grid() -> Grid:
    g = Grid("T1")
    for community in ("C01", "C02"):
        g.register_community(community, community, NOW)
    for compound, community in (("C01-001", "C01"), ("C01-002", "C01"), ("C02-001", "C02")):
        g.register_compound(compound, community, compound, NOW)
    return g


def who(scope: str, role: Role = Role.COMMUNITY_OFFICER) -> Principal:
    return Principal(subject="s", role=role, scope=scope)


def test_a_things_community_comes_from_the_grid() -> None:
    g = grid()
    assert place_in(g, "C01-002") == Place("C01", "C01-002")
    assert place_in(g, "X-404") == Place(None, "X-404"), "a compound the grid does not know has no community"
    assert unit_place(g, "community", "C02") == Place("C02", None)
    assert unit_place(g, "compound", "C02-001") == Place("C02", "C02-001")
    assert unit_place(g, "town", "T1") == TOWN


def test_who_covers_what() -> None:
    g = grid()
    ensure_covers(who("town"), place_in(g, "X-404"))
    ensure_covers(who("community:C01"), place_in(g, "C01-002"))
    ensure_covers(who("compound:C01-001", Role.COMPOUND_VOLUNTEER), place_in(g, "C01-001"))
    refusals = [
        (who("community:C01"), place_in(g, "C02-001")),
        (who("community:C01"), place_in(g, "X-404")),  # unknown compound: only the town
        (who("community:C01"), TOWN),  # town-wide things need a town-wide token
        (who("compound:C01-001", Role.COMPOUND_VOLUNTEER), place_in(g, "C01-002")),
        (who("compound:C01-001", Role.COMPOUND_VOLUNTEER), Place("C01", None)),  # a community-wide thing
    ]
    for principal, place in refusals:
        with pytest.raises(OutOfScope) as refused:
            ensure_covers(principal, place)
        assert refused.value.status == 403 and principal.scope in refused.value.detail


def test_lists_are_limited_to_the_compounds_in_scope() -> None:
    g = grid()
    assert compounds_within(g, who("town")) is None
    assert compounds_within(g, who("community:C01")) == ["C01-001", "C01-002"]
    assert compounds_within(g, who("community:C09")) == []
    assert compounds_within(g, who("compound:C02-001", Role.COMPOUND_VOLUNTEER)) == ["C02-001"]


def test_an_isolation_site_keeps_its_place() -> None:
    site = IsolationSite("iso-1", community_id="C01", compound_id="C01-001")
    site.add_room("Z", "R1", 2, NOW)
    again = site_from(site_to(site), 1)
    assert (again.community_id, again.compound_id) == ("C01", "C01-001")
    legacy = site_to(site)
    del legacy["community_id"], legacy["compound_id"]
    assert (site_from(legacy, 1).community_id, site_from(legacy, 1).compound_id) == (None, None), "an old site is the town's"
