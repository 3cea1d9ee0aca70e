"""The state of a resident's file (what the mapper stores), and finding things in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from towngrid_contracts.envelope import EventData
from towngrid_kit.errors import NotFound
from registry.domain.care import Care
from registry.domain.checklist import Checklist
from registry.domain.decisions import Appeal
from registry.domain.follow_up import ContactLink
from registry.domain.resident.records import Person, Quarantine, ReturnRecord


@dataclass
class ResidentState:
    resident_id: str
    person: Person
    household_id: str
    compound_id: str
    neighbour_group_id: str | None = None
    version: int = 0
    returns: list[ReturnRecord] = field(default_factory=list)
    quarantines: list[Quarantine] = field(default_factory=list)
    checklist: Checklist | None = None
    contacts: list[ContactLink] = field(default_factory=list)
    care: Care | None = None
    left_town: dict | None = None  # {"batch_id", "destination_province", "left_at", "event_id"}
    appeals: list[Appeal] = field(default_factory=list)
    pending: list[EventData] = field(default_factory=list)

    @property
    def open_quarantine(self) -> Quarantine | None:
        return next((q for q in self.quarantines if q.is_open), None)

    def quarantine(self, quarantine_id: str) -> Quarantine:
        for q in self.quarantines:
            if q.quarantine_id == quarantine_id:
                return q
        raise NotFound(f"resident {self.resident_id} has no quarantine {quarantine_id}")

    def appeal(self, appeal_id: str) -> Appeal:
        for a in self.appeals:
            if a.appeal_id == appeal_id:
                return a
        raise NotFound(f"resident {self.resident_id} has no appeal {appeal_id}")

    def contact(self, contact_resident_id: str) -> ContactLink:
        for link in self.contacts:
            if link.contact_resident_id == contact_resident_id:
                return link
        raise NotFound(f"{contact_resident_id} is not linked to {self.resident_id} as a contact")
