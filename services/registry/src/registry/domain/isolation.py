"""A centralized isolation point: zones of rooms with a capacity; admissions and discharges.

One aggregate per site, so "never over capacity" and "cleaned before the next person" hold
even when two officers admit people at once (their commits collide; one is retried and sees
the room taken). Plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from towngrid_contracts.envelope import EventData
from towngrid_contracts.registry import (
    IsolationAdmitted,
    IsolationDischarged,
    IsolationRoomAdded,
    IsolationRoomCleaned,
)
from towngrid_kit.errors import Conflict, InvalidInput, NotFound


@dataclass
class Room:
    room_id: str
    zone_id: str
    capacity: int
    occupants: list[str] = field(default_factory=list)  # admission ids
    needs_cleaning: bool = False
    last_cleaned_at: datetime | None = None
    last_cleaned_by: str | None = None

    @property
    def free(self) -> int:
        return self.capacity - len(self.occupants)

    @property
    def takes_someone(self) -> bool:
        return self.free > 0 and not self.needs_cleaning


@dataclass
class Admission:
    admission_id: str
    resident_id: str
    quarantine_id: str
    room_id: str
    admitted_at: datetime
    discharged_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.discharged_at is None


@dataclass
class IsolationSite:
    site_id: str
    version: int = 0
    rooms: dict[str, Room] = field(default_factory=dict)
    admissions: dict[str, Admission] = field(default_factory=dict)
    pending: list[EventData] = field(default_factory=list)
    community_id: str | None = None  # where the site was set up (None: run by the town); see domain/places.py
    compound_id: str | None = None

    def room(self, room_id: str) -> Room:
        if room_id not in self.rooms:
            raise NotFound(f"site {self.site_id} has no room {room_id}")
        return self.rooms[room_id]

    def admission(self, admission_id: str) -> Admission:
        if admission_id not in self.admissions:
            raise NotFound(f"site {self.site_id} has no admission {admission_id}")
        return self.admissions[admission_id]

    def add_room(self, zone_id: str, room_id: str, capacity: int, at: datetime) -> Room:
        if room_id in self.rooms:
            raise Conflict(f"room {room_id} already exists")
        room = Room(room_id, zone_id, capacity)
        self.rooms[room_id] = room
        self.pending.append(IsolationRoomAdded(site_id=self.site_id, zone_id=zone_id, room_id=room_id,
                                               capacity=capacity, added_at=at))
        return room

    def admit(self, admission_id: str, resident_id: str, quarantine_id: str, room_id: str | None,
              at: datetime) -> Admission:
        """Give the person a room: the one asked for, or the first clean room with a free bed."""
        if any(a.current and a.resident_id == resident_id for a in self.admissions.values()):
            raise Conflict(f"resident {resident_id} is already admitted here")
        if room_id is None:
            room = next((r for r in sorted(self.rooms.values(), key=lambda r: r.room_id) if r.takes_someone), None)
            if room is None:
                raise Conflict(f"site {self.site_id} has no clean room with a free bed")
        else:
            if room_id not in self.rooms:
                raise InvalidInput(f"site {self.site_id} has no room {room_id}", field="body.room_id")
            room = self.rooms[room_id]
            if room.needs_cleaning:
                raise Conflict(f"room {room_id} must be cleaned (and the cleaning recorded) before the next person")
            if room.free <= 0:
                raise Conflict(f"room {room_id} is full ({room.capacity} of {room.capacity})")
        admission = Admission(admission_id, resident_id, quarantine_id, room.room_id, at)
        self.admissions[admission_id] = admission
        room.occupants.append(admission_id)
        self.pending.append(IsolationAdmitted(
            site_id=self.site_id, admission_id=admission_id, resident_id=resident_id, quarantine_id=quarantine_id,
            zone_id=room.zone_id, room_id=room.room_id, admitted_at=at))
        return admission

    def discharge(self, admission_id: str, at: datetime) -> Admission:
        admission = self.admission(admission_id)
        if not admission.current:
            raise Conflict(f"admission {admission_id} was already discharged")
        if at < admission.admitted_at:
            raise InvalidInput("discharged_at is before the admission", field="body.discharged_at")
        admission.discharged_at = at
        room = self.rooms[admission.room_id]
        room.occupants.remove(admission_id)
        room.needs_cleaning = True
        self.pending.append(IsolationDischarged(site_id=self.site_id, admission_id=admission_id,
                                                resident_id=admission.resident_id, room_id=room.room_id,
                                                discharged_at=at))
        return admission

    def record_cleaning(self, room_id: str, by: str, at: datetime) -> Room:
        room = self.room(room_id)
        room.needs_cleaning = False
        room.last_cleaned_at, room.last_cleaned_by = at, by
        self.pending.append(IsolationRoomCleaned(site_id=self.site_id, room_id=room_id, cleaned_by=by, cleaned_at=at))
        return room
