"""Use cases of the permits service: load, call the domain, save (state and events at once)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from towngrid_kit.ids import new_id
from towngrid_kit.errors import InvalidInput, NotFound
from towngrid_kit.unit_of_work import UnitOfWork
from permits.adapters.quarantine_roster import QuarantineRoster
from permits.adapters.repository import PermitRepository, PolicyStore
from permits.adapters.signing import BadCode, CodeSigner, PermitClaims
from permits.domain.decisions import DEFAULT_DECISION_REASONS, ReasonCodes
from permits.domain.permit import RESIDENT_PERMITS, Permit

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Application:
    permit_type: str
    holder_resident_id: str | None
    merchant_id: str | None
    channel: str
    service_point_id: str | None
    checkpoint_id: str | None
    details: dict[str, Any]
    requested_until: datetime | None
    compound_id: str | None = None
    community_id: str | None = None


@dataclass(frozen=True)
class Verification:
    status: str
    permit: Permit


class PermitService:
    def __init__(self, repo: PermitRepository, policies: PolicyStore, roster: QuarantineRoster, signer: CodeSigner,
                 clock: Clock = utcnow, reasons: ReasonCodes | None = None) -> None:
        self._repo = repo
        self.reasons = reasons or ReasonCodes(DEFAULT_DECISION_REASONS, "permit decision")
        self.policies = policies
        self._roster = roster
        self.signer = signer
        self._clock = clock
        self._permits = UnitOfWork(repo, "application or permit")

    # ----- applying and reviewing ----------------------------------------------------

    async def apply(self, application: Application) -> tuple[Permit, str]:
        """Take an application; returns it and the applicant's receipt (shown once, stored hashed)."""
        policy = await self.policies.get(application.permit_type)
        holder = application.holder_resident_id
        # Online (public) applications are not refused at once for a holder in quarantine: the answer
        # would tell anyone who is in quarantine. The review's final approval refuses them (see decide).
        quarantined = (application.channel != "online_qr" and bool(holder)
                       and await self._open_quarantine(holder) is not None)
        permit = Permit.apply(permit_id=new_id("pmt"), permit_type=application.permit_type,
                              holder_resident_id=holder, merchant_id=application.merchant_id,
                              channel=application.channel, service_point_id=application.service_point_id,
                              checkpoint_id=application.checkpoint_id, details=application.details,
                              requested_until=application.requested_until, policy=policy, now=self._clock(),
                              holder_in_quarantine=quarantined)
        permit.compound_id, permit.community_id = application.compound_id, application.community_id
        receipt = secrets.token_urlsafe(18)
        permit.receipt_hash = hashlib.sha256(receipt.encode()).hexdigest()
        await self._permits.add(permit)
        return permit, receipt

    async def applicant_view(self, permit_id: str, receipt: str) -> Permit:
        permit = await self._repo.get(permit_id)
        if permit is None or not permit.receipt_matches(receipt):
            raise NotFound(f"no application {permit_id} with this receipt")
        return permit

    async def get(self, permit_id: str) -> Permit:
        return await self._permits.get(permit_id)

    async def decide(self, permit_id: str, department: str, *, approve: bool, reason: str | None,
                     reason_code: str | None, decided_by: str, escalated: bool) -> Permit:
        async def change(permit: Permit) -> None:
            quarantined = bool(permit.holder_resident_id) and (
                await self._open_quarantine(permit.holder_resident_id or "") is not None)
            permit.decide(department, approve=approve, reason=reason, reason_code=reason_code,
                          decided_by=decided_by, now=self._clock(), escalated=escalated,
                          holder_in_quarantine=quarantined)

        permit = await self._permits.change(permit_id, change)
        if permit.status == "issued" and permit.permit_type in RESIDENT_PERMITS:
            # The quarantine may have started between the check and the commit: close that gap.
            quarantine_id = await self._open_quarantine(permit.holder_resident_id or "")
            if quarantine_id is not None:
                permit = await self._permits.change(permit_id, lambda p: p.suspend_for_quarantine(
                    quarantine_id, self._clock()))
        return permit

    async def update_checklist(self, permit_id: str, items: dict[str, bool]) -> Permit:
        return await self._permits.change(permit_id, lambda p: p.update_checklist(items, self._clock()))

    async def revoke(self, permit_id: str, reason: str, note: str | None, by: str) -> Permit:
        self.reasons.check(reason, note)
        return await self._permits.change(permit_id, lambda p: p.revoke(reason, note, by, self._clock()))

    async def suspend(self, permit_id: str, reason_code: str, note: str | None, by: str) -> Permit:
        self.reasons.check(reason_code, note)
        return await self._permits.change(permit_id, lambda p: p.suspend(reason_code, note, by, self._clock()))

    async def lift_suspension(self, permit_id: str, reason_code: str, note: str | None, by: str) -> Permit:
        self.reasons.check(reason_code, note)

        async def change(permit: Permit) -> None:
            quarantine_id = await self.open_quarantine(permit.holder_resident_id or "")
            permit.lift_suspension(reason_code, note, by, self._clock(), quarantine_id)

        return await self._permits.change(permit_id, change)

    async def change(self, permit_id: str, change: Callable[[Permit], Any]) -> Permit:
        """One (async) domain change of a permit, stored with its events (for other use cases, e.g. appeals)."""
        return await self._permits.change(permit_id, change)

    def now(self) -> datetime:
        return self._clock()

    async def permit_of_code(self, code: str, field: str) -> Permit:
        """The permit a verification code proves possession of; any failure is the same refusal (no hint why)."""
        try:
            claims = self.signer.open_permit_code(code)
        except BadCode:
            claims = None
        permit = await self._repo.get(claims.permit_id) if claims else None
        if (claims is None or permit is None or permit.valid_from is None or permit.valid_until is None
                or claims.permit_type != permit.permit_type
                or int(claims.valid_from.timestamp()) != int(permit.valid_from.timestamp())
                or int(claims.valid_until.timestamp()) != int(permit.valid_until.timestamp())):
            raise InvalidInput("code refused", field=field)
        return permit

    async def page(self, query: dict[str, Any], after: str | None, limit: int) -> list[Permit]:
        return await self._repo.find(query, after=after, limit=limit)

    # ----- verification -----------------------------------------------------------------

    def verification_code(self, permit: Permit) -> str | None:
        if permit.valid_from is None or permit.valid_until is None:
            return None
        return self.signer.permit_code(PermitClaims(permit.permit_id, permit.permit_type,
                                                     permit.valid_from, permit.valid_until))

    async def verify(self, code: str) -> Verification:
        try:
            claims = self.signer.open_permit_code(code)
        except BadCode as error:
            raise InvalidInput(f"code refused: {error}", field="body.code") from None
        permit = await self._repo.get(claims.permit_id)
        if permit is None or permit.valid_from is None or permit.valid_until is None:
            raise InvalidInput("code refused: no such issued permit", field="body.code")
        if (claims.permit_type != permit.permit_type
                or int(claims.valid_from.timestamp()) != int(permit.valid_from.timestamp())
                or int(claims.valid_until.timestamp()) != int(permit.valid_until.timestamp())):
            raise InvalidInput("code refused: it does not match the permit", field="body.code")
        return Verification(permit.verification_status(self._clock()), permit)

    def checkpoint_code(self, checkpoint_id: str) -> str:
        return self.signer.checkpoint_code(checkpoint_id)

    def checkpoint_of(self, qr_code: str) -> str:
        try:
            return self.signer.open_checkpoint_code(qr_code)
        except BadCode as error:
            raise InvalidInput(f"QR code refused: {error}", field="body.qr_code") from None

    # ----- caused by the registry's events (idempotent by quarantine id) ------------------

    async def quarantine_started(self, resident_id: str, quarantine_id: str,
                                 cause: dict[str, Any] | None = None) -> int:
        """Suspend the holder's issued permits; ``cause``: the quarantine decision the suspensions
        follow (who decided it, why). Each permit's own latest state decides (not its query
        fields, which may lag its last commit); returns how many were suspended."""
        return await self._for_each_held(resident_id, lambda p: p.suspend_for_quarantine(
            quarantine_id, self._clock(), cause))

    async def quarantine_ended(self, resident_id: str, quarantine_id: str,
                               cause: dict[str, Any] | None = None) -> int:
        return await self._for_each_held(resident_id, lambda p: p.reinstate_after_quarantine(
            quarantine_id, self._clock(), cause))

    async def _for_each_held(self, holder_id: str, change: Callable[[Permit], bool]) -> int:
        changed = 0
        for permit_id in await self._repo.held_by(holder_id):
            try:
                changed += await self._permits.outcome(permit_id, change)
            except NotFound:  # an id filed by an application that crashed before its commit
                pass
        return changed

    # ----- the clock (worker) ----------------------------------------------------------------

    async def expire_due(self) -> int:
        ids = await self._repo.ids({"status": {"$in": ["issued", "suspended"]}, "valid_until": {"$lte": self._clock()}})
        for permit_id in ids:
            await self._permits.change(permit_id, lambda p: p.expire(self._clock()))
        return len(ids)

    async def escalate_overdue(self) -> int:
        ids = await self._repo.ids({"status": "under_review", "next_due": {"$lte": self._clock()}})
        for permit_id in ids:
            await self._permits.change(permit_id, lambda p: p.mark_overdue(self._clock()))
        return len(ids)

    # ----- figures ------------------------------------------------------------------------

    async def figures(self, day_from: str | None, day_to: str | None) -> dict[str, Any]:
        applied: dict[str, Any] = {}
        issued: dict[str, Any] = {"issued_day": {"$ne": None}}
        if day_from or day_to:
            span = {k: v for k, v in (("$gte", day_from), ("$lte", day_to)) if v}
            applied["applied_day"] = span
            issued["issued_day"] = {"$ne": None, **span}
        return {
            "applications_by_type": await self._repo.count_by("permit_type", applied),
            "applications_by_status": await self._repo.count_by("status", applied),
            "applications_by_channel": await self._repo.count_by("channel", applied),
            "applications_by_day": await self._repo.count_by("applied_day", applied),
            "issued_by_type": await self._repo.count_by("permit_type", issued),
            "issued_by_day": await self._repo.count_by("issued_day", issued),
            "issued_by_type_and_day": await self._repo.count_by_pair("permit_type", "issued_day", issued),
            "applications_by_type_and_status": await self._repo.count_by_pair("permit_type", "status", applied),
        }

    # ----- internals -------------------------------------------------------------------------

    async def open_quarantine(self, resident_id: str) -> str | None:
        """The holder's open quarantine, as the roster knows it (None if not in quarantine)."""
        return await self._open_quarantine(resident_id)

    async def _open_quarantine(self, resident_id: str) -> str | None:
        found = await self._roster.get(resident_id)
        return found["quarantine_id"] if found and found.get("in_quarantine") else None
