from datetime import timedelta

import pytest

from towngrid_contracts.registry import ChecklistCompleted, ChecklistItemOverdue, ChecklistItemVerified
from towngrid_kit.errors import Conflict, NotFound
from registry.adapters.documents import from_state, to_state
from registry.domain.grid import ChecklistItemTemplate, ChecklistTemplate
from registry.domain.resident import Person, Resident

from .residents import NOW

CHAIN = [("neighbour_group", "G1"), ("compound", "C01-001"), ("community", "C01"), ("town", "T1")]
TEMPLATE = ChecklistTemplate(
    [ChecklistItemTemplate("a", "A", timedelta(hours=1)), ChecklistItemTemplate("b", "B", timedelta(hours=3))],
    timedelta(hours=1),
)


def resident() -> Resident:
    r = Resident("res_1", Person("11010519491231002X", "张三", "13800138000", "x"), "hh_1", "C01-001", "G1")
    r.open_checklist("cl_1", TEMPLATE, CHAIN, NOW)
    return r


def test_verify_all_completes() -> None:
    r = resident()
    r.verify_checklist_item("a", "stf_1", NOW + timedelta(minutes=5))
    r.verify_checklist_item("b", "stf_2", NOW + timedelta(minutes=9))
    assert [type(e) for e in r.pending] == [ChecklistItemVerified, ChecklistItemVerified, ChecklistCompleted]
    assert r.pending[-1].verified_by == "stf_2" and r.pending[-1].item_codes == ["a", "b"]
    assert r.checklist.item("a").done_by == "stf_1"
    with pytest.raises(Conflict):
        r.verify_checklist_item("a", "stf_1", NOW)
    with pytest.raises(NotFound):
        r.verify_checklist_item("zzz", "stf_1", NOW)


def test_overdue_escalates_one_level_per_period_and_only_once() -> None:
    r = resident()
    assert r.raise_overdue(NOW + timedelta(minutes=59)) == 0
    assert r.raise_overdue(NOW + timedelta(hours=1)) == 1
    assert r.raise_overdue(NOW + timedelta(hours=1, minutes=30)) == 0, "nothing new within the period"
    assert r.raise_overdue(NOW + timedelta(hours=2)) == 1
    # much later: item a reaches the town; b is raised at every level it has reached, in order
    assert r.raise_overdue(NOW + timedelta(hours=5, minutes=1)) == 2 + 3
    overdue = [(e.item_code, e.escalation_level, e.escalated_to) for e in r.pending if isinstance(e, ChecklistItemOverdue)]
    assert overdue == [("a", "neighbour_group", "G1"), ("a", "compound", "C01-001"),
                       ("a", "community", "C01"), ("a", "town", "T1"),
                       ("b", "neighbour_group", "G1"), ("b", "compound", "C01-001"), ("b", "community", "C01")]
    assert r.raise_overdue(NOW + timedelta(days=30)) == 1, "b reaches the town; then nothing more"
    assert r.raise_overdue(NOW + timedelta(days=31)) == 0 and r.checklist.next_due() is None


def test_verifying_stops_escalation_and_state_round_trips() -> None:
    r = resident()
    r.raise_overdue(NOW + timedelta(hours=1))
    r.verify_checklist_item("a", "stf_1", NOW + timedelta(hours=1, minutes=10))
    assert r.pending[-1].was_overdue is True
    assert r.checklist.next_due() == NOW + timedelta(hours=3)
    again = from_state(to_state(r), 3)
    assert again.checklist == r.checklist and again.neighbour_group_id == "G1"


def test_re_registration_keeps_the_first_checklist() -> None:
    r = resident()
    r.open_checklist("cl_2", TEMPLATE, CHAIN, NOW + timedelta(days=1))
    assert r.checklist.checklist_id == "cl_1"
