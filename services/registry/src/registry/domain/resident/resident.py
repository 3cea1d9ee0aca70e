"""A resident's file: returns, quarantines and health checks, with the events they cause.

Plain Python, no I/O. Each method checks its rule, changes the state, and records the
events (``pending``) that the repository stores in the same write. The rules live by concern, each
a class over the file's state (``state.ResidentState``, the fields the mapper stores):
``quarantining`` (quarantines, health checks, close contacts, appeals), ``following_up`` (the
checklist), ``caring`` (care of a vulnerable resident); arriving and leaving town are here.
"""

from __future__ import annotations

from datetime import datetime

from towngrid_contracts.registry import ResidentLeftTown, ResidentReturned
from registry.domain.resident.caring import Caring
from registry.domain.resident.following_up import FollowingUp
from registry.domain.resident.quarantining import Quarantining
from registry.domain.resident.records import Person, ReturnRecord


class Resident(Quarantining, FollowingUp, Caring):
    """One person's file: every rule of each concern over the one state (a dataclass: ``ResidentState``)."""

    def register_return(self, record: ReturnRecord, person: Person | None = None,
                        holder_key_sha256: str | None = None) -> list[str]:
        """A return registered; ``person``: the person as this registration names them. Registered
        again, the file takes the new name, mobile and address, keeps the replaced values in the
        person's ``earlier`` and names the changed fields (returned, and in the event: names only).
        ``holder_key_sha256``: the hash of the key on this registration's slip (published, the key never)."""
        re_registration = bool(self.returns)
        changed: list[str] = []
        if re_registration and person is not None:
            self.person, changed = self.person.corrected_by(person, record.registered_at)
        self.returns.append(record)
        self.pending.append(
            ResidentReturned(
                resident_id=self.resident_id,
                household_id=self.household_id,
                compound_id=self.compound_id,
                origin_province=record.origin_province,
                origin_city=record.origin_city,
                from_risk_area=record.from_risk_area,
                travel_mode=record.travel_mode,
                arrived_on=record.arrived_on,
                re_registration=re_registration,
                neighbour_group_id=self.neighbour_group_id,
                checklist_id=self.checklist.checklist_id if self.checklist else None,
                changed_fields=changed if re_registration else None,
                holder_key_sha256=holder_key_sha256,
            )
        )
        return changed

    # --- departure --------------------------------------------------------------------------
    def leave_town(self, batch_id: str | None, destination_province: str, left_at: datetime) -> bool:
        """Record that the resident left town (with a labour batch); False when already recorded for it."""
        if self.left_town is not None and self.left_town.get("batch_id") == batch_id:
            return False
        self.left_town = {"batch_id": batch_id, "destination_province": destination_province, "left_at": left_at}
        self.pending.append(ResidentLeftTown(
            resident_id=self.resident_id, household_id=self.household_id,
            reason="labor_batch" if batch_id else "other", destination_province=destination_province,
            batch_id=batch_id, left_at=left_at,
        ))
        return True
