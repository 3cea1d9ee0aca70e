from datetime import UTC, datetime

import pytest

from towngrid_contracts.registry import TipReported, TipScreened
from towngrid_kit.errors import Conflict
from registry.adapters.tip_repository import from_state, to_state
from registry.domain.tip import Reporter, Tip

NOW = datetime(2020, 2, 5, 9, 0, tzinfo=UTC)


def test_tip_reported_then_screened_once_and_reporter_never_published() -> None:
    tip = Tip.report("tip_1", "task_1", "unregistered_returnee", "checkpoint_qr", "C03-017", "刚从武汉回来",
                     Reporter("李四", "13900139000"), None, NOW)
    tip.screen("returnee_registered", "res_9", "registered at the door", "stf_1", NOW)
    assert [type(e) for e in tip.pending] == [TipReported, TipScreened]
    published = "".join(e.model_dump_json() for e in tip.pending)
    assert "李四" not in published and "13900139000" not in published and "武汉" not in published
    assert tip.pending[0].reporter_resident_id is None
    with pytest.raises(Conflict):
        tip.screen("no_issue_found", None, None, "stf_1", NOW)
    assert from_state(to_state(tip), 2).reporter == Reporter("李四", "13900139000")

