"""Tips in the commit log (one aggregate per tip); listed by compound and status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit.repository import Repository
from registry.adapters.mappers import SealedMapper, StateMapper
from registry.adapters.sealing import KeyRing
from registry.domain.tip import Reporter, Tip

TIP_STORE = "tips"


def to_state(tip: Tip) -> dict[str, Any]:
    state = asdict(tip)
    state.pop("pending")
    state.pop("version")
    return state


def from_state(doc: dict[str, Any], version: int) -> Tip:
    reporter = doc.get("reporter")
    return Tip(**{**doc, "reporter": Reporter(**reporter) if reporter else None, "version": version})


class TipRepository(Repository[Tip]):
    def __init__(self, db: AsyncDatabase, ring: KeyRing) -> None:
        self.sealing = SealedMapper(  # the reporter (name and mobile) sealed at rest
            StateMapper(lambda t: t.tip_id, to_state, from_state,
                        lambda t: {"compound_id": t.compound_id, "open": t.open}),
            ring, kind="tip", items=("reporter",), id_field="tip_id")
        super().__init__(db, TIP_STORE, self.sealing, indexed=[("compound_id", "open")])
