"""A stopped run resumes with the same Idempotency-Keys, which the services remember for 24 h
(a resume within the day is tests/e2e/test_scenario.py's second run)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from towngrid_scenario.context import Memo
from towngrid_scenario.run import TooLateToResume, play

NOWHERE = {svc: "http://127.0.0.1:9" for svc in ("registry", "permits", "delivery", "labor", "board")}


def begun(tmp_path, ago: timedelta) -> None:  # noqa: ANN001
    memo = Memo(tmp_path / "chengguan-seed2020-scale0.05.jsonl")
    memo.put("baseline", {"registry": {}})
    memo.put("anchor", (datetime.now(UTC) - ago).isoformat())


async def test_a_run_begun_longer_ago_than_the_services_remember_its_keys_is_not_resumed(tmp_path) -> None:  # noqa: ANN001
    begun(tmp_path, timedelta(hours=25))
    with pytest.raises(TooLateToResume, match="make reset"):
        await play(NOWHERE, lambda who: "token", seed=2020, scale=0.05, state=tmp_path)

