"""Unmasked reads: the purpose must be one of the configured ones, the items known, and the
read is recorded before any value is handed out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from towngrid_kit.auth import Principal, Role
from towngrid_kit.errors import InvalidInput
from registry.adapters.audit_repository import ReadLog, ReadRecord
from registry.domain.resident import EarlierValues, Person, Resident, ReturnRecord
from registry.service.personal_data import PersonalDataService

RESIDENT = Resident("res_1", Person("11010519491231002X", "张三", "13800138000", "北门街 3 号"), "hh_1", "C03-017")
OFFICER = Principal("officer-1", Role.COMMUNITY_OFFICER, "community:C03")


class FakeAudit:
    """The read logs in memory: what was stored is ``records``, the read of each save."""

    def __init__(self, fail: bool = False) -> None:
        self.records: list[ReadRecord] = []
        self.fail = fail

    async def get(self, resident_id: str) -> ReadLog | None:
        return None

    async def save(self, log: ReadLog) -> bool:
        if self.fail:
            raise ConnectionError("database unavailable")
        assert log.read is not None and [e.read_id for e in log.pending] == [log.read.read_id]
        self.records.append(log.read)
        log.version, log.pending = log.version + 1, []
        return True


class OpenLimiter:
    """The quota is checked on the real stack (tests/e2e/test_registry_bulk_reads.py); here every read is within it."""

    async def take(self, key: str, limit: int, window_s: float) -> float:
        return 0.0


def service(audit: FakeAudit) -> PersonalDataService:
    return PersonalDataService(audit, ["contact_tracing"], OpenLimiter(), None, None, 60)  # type: ignore[arg-type]


async def test_a_read_with_a_listed_purpose_is_recorded_and_answered() -> None:
    audit = FakeAudit()
    record, values = await service(audit).read(RESIDENT, OFFICER, ["mobile", "national_id", "mobile"], "contact_tracing",
                                        "Case CT-7")
    assert values == {"national_id": "11010519491231002X", "mobile": "13800138000"}
    assert audit.records == [record]
    assert (record.read_by, record.reader_role, record.reader_scope, record.items, record.note) == (
        "officer-1", "community_officer", "community:C03", ["national_id", "mobile"], "Case CT-7")
    event = record.event().model_dump(mode="json")
    assert "13800138000" not in str(event) and "Case CT-7" not in str(event) and event["items"] == ["national_id", "mobile"]


@pytest.mark.parametrize(("purpose", "items", "field"), [
    ("curiosity", ["mobile"], "body.purpose"),
    ("contact_tracing", [], "body.items"),
    ("contact_tracing", ["shoe_size"], "body.items"),
])
async def test_an_unlisted_purpose_or_unknown_item_is_refused_and_not_recorded(purpose: str, items: list[str],
                                                                               field: str) -> None:
    audit = FakeAudit()
    with pytest.raises(InvalidInput) as refused:
        await service(audit).read(RESIDENT, OFFICER, items, purpose, "note text")
    assert refused.value.field == field and audit.records == []


async def test_no_value_without_a_record() -> None:
    with pytest.raises(ConnectionError):
        await service(FakeAudit(fail=True)).read(
            RESIDENT, OFFICER, ["mobile"], "contact_tracing", "Case CT-7")


async def test_earlier_values_are_shown_only_when_asked_and_the_audit_says_so() -> None:
    audit = FakeAudit()
    moved = Resident("res_2", Person("11010519491231002X", "张三", "13900139000", "南门街 1 号"), "hh_1", "C03-017")
    moved.returns.append(ReturnRecord("湖北省", "武汉市", True, "train", datetime(2020, 1, 25).date(),
                                      datetime(2020, 1, 26, tzinfo=UTC)))
    at = datetime(2020, 2, 1, tzinfo=UTC)
    moved.person.earlier = [EarlierValues(at, {"mobile": "13800138000", "address": "北门街 3 号"})]
    plain, values = await service(audit).read(moved, OFFICER, ["mobile"], "contact_tracing", "Case CT-7")
    assert "earlier" not in values and plain.earlier is False and plain.event().earlier is None
    record, values = await service(audit).read(moved, OFFICER, ["mobile"], "contact_tracing", "Case CT-7",
                                               earlier=True)
    assert [(e.replaced_at, e.values) for e in values["earlier"]] == [(at, {"mobile": "13800138000"})]
    assert record.earlier is True and record.event().earlier is True
    assert "13800138000" not in record.event().model_dump_json()
