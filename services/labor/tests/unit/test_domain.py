from datetime import UTC, date, datetime, timedelta

import pytest

from towngrid_contracts.labor import (
    BatchBoardingChecked,
    BatchDispatched,
    BatchWorkerFlagged,
    DemandPositionFilled,
    EnterpriseResumed,
    LaborDemandPosted,
    WorkerMatched,
)
from towngrid_kit.errors import Conflict, InvalidInput
from labor.domain.batch import Batch
from labor.domain.eligibility import Certificate, evaluate
from labor.domain.employment import Demand, Employer, JobSeeker, Match, SeekerMatch
from labor.domain.matching import rank
from labor.domain.resumption import Action, ResumptionCase

NOW = datetime(2020, 2, 20, 8, 0, tzinfo=UTC)


def cert(status: str = "issued", days: int = 30, permit_id: str = "pmt_1") -> Certificate:
    return Certificate(permit_id, status, NOW - timedelta(days=1), NOW + timedelta(days=days))


def employer(province: str = "CN-GD", city: str = "441900") -> Employer:
    return Employer.register("ent_1", "某电子厂", province, city, NOW)


def demand(headcount: int = 2, province: str | None = None, skills: list[str] | None = None,
           city: str | None = None) -> Demand:
    return Demand.post("dem_1", employer(), title="操作工", job_category="assembly", skills=skills or ["soldering"],
                       headcount=headcount, wage_min_cents=400000, wage_max_cents=600000,
                       start_date=date(2020, 3, 1), province=province, city_code=city,
                       health_certificate_required=True, at=NOW)


def seeker(n: int, skills: list[str], preferred: list[str], at: datetime = NOW) -> JobSeeker:
    return JobSeeker.register(f"js_{n}", f"res_{n}", "C03-017", skills, preferred, at)


# eligibility ----------------------------------------------------------------------------

def test_eligible_with_a_valid_certificate_and_no_quarantine() -> None:
    e = evaluate("res_1", False, [cert()], NOW)
    assert e.eligible and e.reasons == [] and e.certificate_id == "pmt_1"


@pytest.mark.parametrize("status", ["suspended", "revoked", "expired"])
def test_a_certificate_that_is_not_in_force_does_not_count(status: str) -> None:
    e = evaluate("res_1", False, [cert(status)], NOW)
    assert not e.eligible and e.reasons == ["no_valid_health_certificate"]


def test_valid_until_is_checked_against_the_clock() -> None:
    c = cert(days=1)
    assert evaluate("res_1", False, [c], NOW).eligible
    later = evaluate("res_1", False, [c], NOW + timedelta(days=2))
    assert not later.eligible and "past its valid_until" in later.details[0]


def test_quarantine_makes_ineligible_even_with_a_certificate() -> None:
    e = evaluate("res_1", True, [cert()], NOW)
    assert not e.eligible and e.reasons == ["in_quarantine"]
    both = evaluate("res_1", True, [], NOW)
    assert both.reasons == ["in_quarantine", "no_valid_health_certificate"]


# employers and demand ---------------------------------------------------------------------

def test_places_come_from_the_fixed_list() -> None:
    assert employer().pending[0].local is False
    assert employer("CN-HA", "411330").local is True
    with pytest.raises(InvalidInput) as bad:
        Employer.register("ent_2", "x", "CN-XX", "441900", NOW)
    assert bad.value.field == "body.province"
    with pytest.raises(InvalidInput) as bad_city:
        Employer.register("ent_2", "x", "CN-GD", "330100", NOW)
    assert bad_city.value.field == "body.city_code"


def test_demand_takes_the_employers_place_and_checks_the_wage_range() -> None:
    d = demand()
    (posted,) = d.pending
    assert isinstance(posted, LaborDemandPosted) and posted.province == "CN-GD" and posted.city_code == "441900"
    with pytest.raises(InvalidInput) as bad:
        Demand.post("dem_2", employer(), title="x", job_category="assembly", skills=[], headcount=1,
                    wage_min_cents=9, wage_max_cents=1, start_date=date(2020, 3, 1), province=None, city_code=None,
                    health_certificate_required=True, at=NOW)
    assert bad.value.field == "body.wage_min_cents"


def test_a_demand_is_never_over_filled_and_a_repeat_is_a_no_op() -> None:
    d = demand(headcount=2)
    d.pending.clear()
    d.fill(Match("mat_1", "js_1", "res_1", "batch", NOW))
    d.fill(Match("mat_1", "js_1", "res_1", "batch", NOW))
    d.fill(Match("mat_2", "js_2", "res_2", "batch", NOW))
    with pytest.raises(Conflict):
        d.fill(Match("mat_3", "js_3", "res_3", "batch", NOW))
    assert d.filled == 2 and d.status == "filled"
    assert [e.filled for e in d.pending if isinstance(e, DemandPositionFilled)] == [1, 2]


def test_a_seeker_is_matched_once_and_placed_locally_only_after_a_local_match() -> None:
    s = seeker(1, ["assembly"], [])
    with pytest.raises(Conflict):
        s.place_locally(NOW)
    s.matched(SeekerMatch("mat_1", "dem_1", "ent_1", "local", NOW))
    s.matched(SeekerMatch("mat_1", "dem_1", "ent_1", "local", NOW))
    with pytest.raises(Conflict):
        s.matched(SeekerMatch("mat_2", "dem_2", "ent_1", "local", NOW))
    s.place_locally(NOW)
    assert [type(e).__name__ for e in s.pending] == ["JobSeekerRegistered", "WorkerMatched", "WorkerPlacedLocally"]
    assert isinstance(s.pending[1], WorkerMatched) and s.pending[1].placement == "local"


def test_ranking_puts_eligible_skilled_willing_seekers_first_with_reasons() -> None:
    d = demand(skills=["soldering"])
    best = seeker(1, ["assembly", "soldering"], ["CN-GD"])
    other_place = seeker(2, ["assembly"], ["CN-ZJ"], NOW - timedelta(hours=1))
    anywhere = seeker(3, ["assembly"], [])
    quarantined = seeker(4, ["assembly", "soldering"], ["CN-GD"])
    elig = {s.resident_id: evaluate(s.resident_id, s is quarantined, [cert()], NOW)
            for s in (best, other_place, anywhere, quarantined)}
    ranked = rank(d, [other_place, quarantined, anywhere, best], elig)
    assert [c.job_seeker_id for c in ranked] == ["js_1", "js_3", "js_2", "js_4"]
    assert ranked[0].score == 160 and any("prefers CN-GD" in r for r in ranked[0].reasons)
    assert not ranked[-1].eligible and "in quarantine" in ranked[-1].reasons[0]


# batches ---------------------------------------------------------------------------------

def batch(seats: int = 2) -> Batch:
    b = Batch.schedule("bat_1", demand(), NOW + timedelta(days=2), "pmt_v", seats, NOW)
    b.pending.clear()
    return b


def ok(rid: str):  # noqa: ANN201
    return evaluate(rid, False, [cert()], NOW)


def quarantined(rid: str):  # noqa: ANN201
    return evaluate(rid, True, [cert()], NOW)


def test_a_local_demand_gets_no_batch() -> None:
    with pytest.raises(Conflict):
        Batch.schedule("bat_1", demand(province="CN-HA", city="411330"), NOW + timedelta(days=1), "pmt_v", 3, NOW)


def test_workers_join_only_while_eligible_and_seats_remain() -> None:
    b = batch(seats=2)
    with pytest.raises(Conflict):
        b.add_worker("res_9", "js_9", "mat_9", quarantined("res_9"), NOW)
    b.add_worker("res_1", "js_1", "mat_1", ok("res_1"), NOW)
    b.add_worker("res_1", "js_1", "mat_1", ok("res_1"), NOW)  # again: no change
    b.add_worker("res_2", "js_2", "mat_2", ok("res_2"), NOW)
    with pytest.raises(Conflict):
        b.add_worker("res_3", "js_3", "mat_3", ok("res_3"), NOW)
    assert [w.resident_id for w in b.workers] == ["res_1", "res_2"] and len(b.pending) == 2


def test_an_eligibility_change_is_flagged_once_and_boarding_refuses() -> None:
    b = batch()
    b.add_worker("res_1", "js_1", "mat_1", ok("res_1"), NOW)
    b.pending.clear()
    b.note_eligibility(quarantined("res_1"), NOW)
    b.note_eligibility(quarantined("res_1"), NOW)  # the same news again: nothing new
    (flag,) = b.pending
    assert isinstance(flag, BatchWorkerFlagged) and not flag.eligible and flag.reasons == ["in_quarantine"]
    w = b.check_boarding(quarantined("res_1"), NOW)
    assert w.boarding == "left_off" and w.boarding_reasons == ["in_quarantine"]
    assert isinstance(b.pending[-1], BatchBoardingChecked) and not b.pending[-1].boarded
    with pytest.raises(Conflict):
        b.dispatch(NOW)


def test_a_boarded_worker_who_turns_ineligible_is_taken_off_before_departure() -> None:
    b = batch()
    b.add_worker("res_1", "js_1", "mat_1", ok("res_1"), NOW)
    b.add_worker("res_2", "js_2", "mat_2", ok("res_2"), NOW)
    b.check_boarding(ok("res_1"), NOW)
    b.check_boarding(ok("res_2"), NOW)
    b.note_eligibility(quarantined("res_2"), NOW)
    b.dispatch(NOW)
    dispatched = b.pending[-1]
    assert isinstance(dispatched, BatchDispatched) and dispatched.worker_resident_ids == ["res_1"]
    assert dispatched.destination_province == "CN-GD"
    with pytest.raises(Conflict):
        b.add_worker("res_3", "js_3", "mat_3", ok("res_3"), NOW)
    with pytest.raises(InvalidInput):
        b.arrive(2, NOW)
    b.arrive(1, NOW)
    assert b.status == "arrived"


# resumption ------------------------------------------------------------------------------

def test_case_problems_overdue_actions_resolution_then_resumed() -> None:
    c = ResumptionCase.open("case_ent_1", "ent_1", "stf_1", NOW)
    p = c.raise_problem("iss_1", "materials", "缺少原料", NOW + timedelta(days=1), NOW)
    assert not p.overdue(NOW) and p.overdue(NOW + timedelta(days=2))
    c.record_action("iss_1", Action("act_1", "联系供应商", "stf_1", NOW))
    with pytest.raises(Conflict):
        c.resume(10, NOW)
    c.resolve("iss_1", "原料到货", "stf_1", NOW)
    assert not p.overdue(NOW + timedelta(days=2))
    with pytest.raises(Conflict):
        c.resolve("iss_1", "again", "stf_1", NOW)
    c.resume(86, NOW)
    assert isinstance(c.pending[-1], EnterpriseResumed) and c.pending[-1].workers_on_site == 86
    with pytest.raises(Conflict):
        c.raise_problem("iss_2", "other", "x", NOW + timedelta(days=1), NOW)
    with pytest.raises(InvalidInput):
        ResumptionCase.open("c", "e", "s", NOW).raise_problem("i", "other", "x", NOW - timedelta(days=1), NOW)


def test_overdue_problems_are_flagged_once_each() -> None:
    c = ResumptionCase.open("case_ent_1", "ent_1", "stf_1", NOW)
    c.raise_problem("iss_1", "materials", "x", NOW + timedelta(hours=1), NOW)
    c.raise_problem("iss_2", "finance", "y", NOW + timedelta(days=5), NOW)
    c.raise_problem("iss_3", "staffing", "z", NOW + timedelta(hours=2), NOW)
    c.resolve("iss_3", "done", "stf_1", NOW)
    c.pending.clear()
    later = NOW + timedelta(days=1)
    assert [p.issue_id for p in c.flag_overdue(later)] == ["iss_1"]
    assert c.flag_overdue(later + timedelta(hours=1)) == []
    (event,) = c.pending
    assert event.issue_id == "iss_1" and event.category == "materials" and event.detected_at == later
