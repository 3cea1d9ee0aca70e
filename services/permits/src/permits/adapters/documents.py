"""Permit <-> the state stored in its commits (datetimes as BSON dates, UTC), and its query fields:
the mapper of ``towngrid_kit.repository``."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from permits.domain.decisions import PermitAppeal
from permits.domain.permit import Permit
from permits.domain.review import ReviewPolicy, ReviewStep

_SKIP = {"version", "pending"}


def to_state(permit: Permit) -> dict[str, Any]:
    return {f.name: _plain(getattr(permit, f.name)) for f in fields(Permit) if f.name not in _SKIP}


def _plain(value: Any) -> Any:
    if isinstance(value, (ReviewPolicy, ReviewStep, PermitAppeal)):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def from_state(doc: dict[str, Any], version: int) -> Permit:
    values = {f.name: doc.get(f.name) for f in fields(Permit) if f.name not in _SKIP and f.name in doc}
    values["policy"] = ReviewPolicy(**doc["policy"])
    values["steps"] = [ReviewStep(**s) for s in doc.get("steps", [])]
    values["appeals"] = [PermitAppeal(**a) for a in doc.get("appeals", [])]
    return Permit(**values, version=version)


def index_fields(permit: Permit) -> dict[str, Any]:
    """Top-level fields of the current-state document, for lists, queues, jobs and figures."""
    return {
        "permit_type": permit.permit_type,
        "status": permit.status,
        "channel": permit.channel,
        "holder_id": permit.holder_resident_id or permit.merchant_id,
        "compound_id": permit.compound_id,
        "community_id": permit.community_id,
        "applied_day": permit.applied_at.date().isoformat(),
        "issued_day": permit.issued_at.date().isoformat() if permit.issued_at else None,
        "pending_departments": [s.department for s in permit.steps if s.open],
        "departments": list(permit.policy.departments),
        "escalated_departments": [s.department for s in permit.steps if s.open and s.escalated],
        "escalated": any(s.open and s.escalated for s in permit.steps),
        "next_due": permit.next_due,
        "valid_until": permit.valid_until if permit.status in ("issued", "suspended") else None,
    }


class PermitMapper:
    id_of = staticmethod(lambda permit: permit.permit_id)
    to_state = staticmethod(to_state)
    from_state = staticmethod(from_state)
    query_fields = staticmethod(index_fields)
