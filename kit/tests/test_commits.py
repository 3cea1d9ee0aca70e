import uuid

from towngrid_contracts.registry import QuarantineEnded, ResidentReturned
from towngrid_kit.commits import commit_id, outbox_entries


def test_entries_are_numbered_on_from_the_base_version_and_share_a_correlation() -> None:
    returned = ResidentReturned(resident_id="r", household_id="h", compound_id="c", origin_province="p",
                                origin_city="c", from_risk_area=False, travel_mode="car", arrived_on="2020-01-01")
    ended = QuarantineEnded(resident_id="r", quarantine_id="q", ended_at="2020-02-01T00:00:00Z", outcome="released")
    correlation = uuid.uuid4()
    entries = outbox_entries("r", 4, [returned, ended], correlation)
    assert [e["envelope"]["aggregate_version"] for e in entries] == [5, 6]
    assert {e["envelope"]["correlation_id"] for e in entries} == {str(correlation)}
    assert [e["topic"] for e in entries] == ["registry.resident.v1"] * 2
    assert all(e["key"] == "r" for e in entries)


def test_commit_ids_sort_in_version_order() -> None:
    ids = [commit_id("res_a", v) for v in (1, 2, 10, 100)]
    assert ids == sorted(ids)
