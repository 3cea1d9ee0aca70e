"""A resident's follow-up checklist: opened on the first return, its items verified, overdue steps raised."""

from __future__ import annotations

from datetime import datetime

from towngrid_contracts.registry import ChecklistCompleted, ChecklistItemOverdue, ChecklistItemVerified
from towngrid_kit.errors import Conflict, InvalidInput, NotFound
from registry.domain.checklist import Checklist, ChecklistItem
from registry.domain.grid import ChecklistTemplate
from registry.domain.resident.state import ResidentState


class FollowingUp(ResidentState):
    """The follow-up checklist rules of a resident's file."""

    def open_checklist(self, checklist_id: str, template: ChecklistTemplate, chain: list[tuple[str, str]],
                       opened_at: datetime) -> Checklist:
        """Give the returnee the town's checklist (once: a re-registration keeps the first)."""
        if self.checklist is None:
            self.checklist = Checklist(
                checklist_id=checklist_id, opened_at=opened_at, escalation_period=template.escalation_period,
                chain=list(chain),
                items=[ChecklistItem(t.code, t.title, opened_at + t.due_after) for t in template.items],
            )
        return self.checklist

    def _open_checklist(self) -> Checklist:
        if self.checklist is None:
            raise NotFound(f"resident {self.resident_id} has no follow-up checklist")
        return self.checklist

    def verify_checklist_item(self, code: str, by: str, at: datetime) -> ChecklistItem:
        checklist = self._open_checklist()
        item = checklist.item(code)
        if item is None:
            raise NotFound(f"checklist {checklist.checklist_id} has no item {code}")
        if item.done:
            raise Conflict(f"item {code} was already verified by {item.done_by} at {item.done_at.isoformat()}")
        if at < checklist.opened_at:
            raise InvalidInput("verified_at is before the checklist was opened", field="body.verified_at")
        item.done_at, item.done_by = at, by
        self.pending.append(ChecklistItemVerified(
            resident_id=self.resident_id, checklist_id=checklist.checklist_id, compound_id=self.compound_id,
            item_code=code, verified_by=by, verified_at=at, was_overdue=item.escalations > 0,
        ))
        if all(i.done for i in checklist.items):
            checklist.completed_at = at
            self.pending.append(ChecklistCompleted(
                resident_id=self.resident_id, checklist_id=checklist.checklist_id, compound_id=self.compound_id,
                item_codes=[i.code for i in checklist.items], verified_by=by, completed_at=at,
            ))
        return item

    def raise_overdue(self, now: datetime) -> int:
        """Raise every overdue step that ``now`` has reached; the number raised (0: nothing changed)."""
        if self.checklist is None or self.checklist.completed_at is not None:
            return 0
        raised = 0
        for item in self.checklist.items:
            for step in self.checklist.overdue_levels_due(item, now):
                level, unit = self.checklist.chain[step]
                self.pending.append(ChecklistItemOverdue(
                    resident_id=self.resident_id, checklist_id=self.checklist.checklist_id,
                    compound_id=self.compound_id, item_code=item.code, due_at=item.due_at,
                    escalation_level=level, escalated_to=unit, overdue_periods=step,
                ))
                item.escalations = step + 1
                raised += 1
        return raised
