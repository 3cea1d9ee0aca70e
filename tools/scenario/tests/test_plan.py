"""The plan alone: at scale 1 it is the report's town; smaller scales keep every kind of thing."""

from __future__ import annotations

from datetime import date

import pytest

from towngrid_scenario.cast import cast
from towngrid_scenario.plan import Plan


def test_at_scale_one_the_plan_expects_the_reports_numbers() -> None:
    expected = Plan.at(2020, 1.0).expected()
    assert expected["permits"]["issued_by_type.health_certificate"] == 6032
    assert expected["permits"]["issued_by_type.vehicle_pass"] == 1337
    assert expected["registry"]["checkpoints"] == 153
    assert expected["registry"]["care_pairs"] == 68
    assert expected["registry"]["people_taken_in"] == 14
    assert set(Plan.at(2020, 1.0).dispatched_by_province()) == {"CN-GD", "CN-HN", "CN-SD", "CN-JX", "CN-ZJ", "CN-JS", "CN-FJ"}


def test_a_small_scale_keeps_every_community_and_every_kind_of_thing() -> None:
    plan = Plan.at(2020, 0.05)
    assert len(plan.compounds) == 8 and all(plan.compounds.values())
    assert all(v > 0 for k, v in plan.n.items() if not k.startswith("counter_")), plan.n


def test_the_cast_is_the_same_for_a_seed_and_differs_between_seeds() -> None:
    day = date(2020, 2, 20)
    assert cast(Plan.at(1, 0.05), day) == cast(Plan.at(1, 0.05), day)
    ids = {p.national_id for p in cast(Plan.at(1, 0.05), day)[0]}
    assert ids.isdisjoint(p.national_id for p in cast(Plan.at(2, 0.05), day)[0])
    assert len(ids) == Plan.at(1, 0.05).n["returnees"]


def test_a_scale_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Plan.at(1, 0)


@pytest.mark.parametrize("scale", [0.05, 0.2, 1.0])
def test_the_roles_follow_one_another_among_the_returnees(scale: float) -> None:
    plan = Plan.at(2020, scale)
    roles, n = plan.roles(), plan.n
    order = [roles["home"], roles["centralized"], roles["seekers"], roles["online"]]
    assert [r.start for r in order[1:]] == [r.stop for r in order[:-1]]
    assert [len(r) for r in order] == [n["home_quarantines"], n["centralized_quarantines"], n["job_seekers"],
                                       n["online_health_certificates"] + n["online_vehicle_passes"]]
    assert roles["online"].stop <= n["returnees"] and roles["checklists"].stop == n["returnees"]
