"""Use cases of appeals against a permit's suspension or revocation: filed by staff for the holder or
by the holder (proving possession with the permit's code), reviewed by someone other than the decider.
The rules are in ``permits.domain``; this loads, calls them and stores the permit with its events."""

from __future__ import annotations


from towngrid_kit.ids import new_id
from towngrid_kit.errors import NotFound
from permits.adapters.appeal_index import AppealIndex
from permits.domain.decisions import DEFAULT_APPEAL_REASONS, HOLDER, PermitAppeal, ReasonCodes
from permits.domain.permit import Permit
from permits.service.permits import PermitService


class PermitAppealService:
    def __init__(self, permits: PermitService, index: AppealIndex, reasons: ReasonCodes | None = None) -> None:
        self._permits = permits
        self._index = index
        self.reasons = reasons or ReasonCodes(DEFAULT_APPEAL_REASONS, "appeal")

    async def file(self, permit: Permit, channel: str, filed_by: str,
                   statement: str | None) -> tuple[Permit, PermitAppeal]:
        appeal_id = new_id("apl")
        await self._index.claim(appeal_id, permit.permit_id)

        async def change(p: Permit) -> None:
            p.file_appeal(appeal_id, channel, filed_by, statement, self._permits.now())

        permit = await self._permits.change(permit.permit_id, change)
        return permit, permit.appeal(appeal_id)

    async def file_as_holder(self, code: str, statement: str | None) -> tuple[Permit, PermitAppeal]:
        """The holder's own appeal: the permit's verification code proves possession (refused alike otherwise)."""
        permit = await self._permits.permit_of_code(code, "body.verification_code")
        return await self.file(permit, "holder", HOLDER, statement)

    async def permit_of(self, appeal_id: str) -> Permit:
        permit_id = await self._index.owner_of(appeal_id)
        permit = await self._permits.get(permit_id) if permit_id else None
        if permit is None or not any(a.appeal_id == appeal_id for a in permit.appeals):
            raise NotFound(f"no appeal {appeal_id}")
        return permit

    async def decide(self, appeal_id: str, overturn: bool, reason_code: str, note: str | None,
                     by: str) -> tuple[Permit, PermitAppeal]:
        self.reasons.check(reason_code, note)
        permit_id = (await self.permit_of(appeal_id)).permit_id

        async def change(p: Permit) -> None:
            quarantine_id = await self._permits.open_quarantine(p.holder_resident_id or "")
            p.decide_appeal(appeal_id, overturn, reason_code, note, by, self._permits.now(), quarantine_id)

        permit = await self._permits.change(permit_id, change)
        return permit, permit.appeal(appeal_id)
