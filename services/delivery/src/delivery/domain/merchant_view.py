"""What a merchant sees of an order. Where an order goes tells whether someone in the household
is in quarantine (the door), so a merchant sees neither the destination nor the steps that differ
between the two ways: handed to the checkpoint reads as still picked up, collected as delivered;
a failure's reason only if it is the merchant's own."""

from __future__ import annotations

from delivery.domain.order import Step

AS_MERCHANT_SEES = {"handed_to_checkpoint": "picked_up", "collected": "delivered"}
MERCHANT_STATUSES = {"picked_up": ["picked_up", "handed_to_checkpoint"], "delivered": ["delivered", "collected"]}
"""A status a merchant filters by → the statuses it stands for."""
MERCHANT_REASONS = frozenset({"merchant_unable", "household_request", "merchant_out_of_stock", "duplicate_order",
                              "household_left", "other"})
"""The reasons a merchant reads: its own failure, and why an order was cancelled. Named here, not
taken from the public contract's list: a reason added there stays hidden until it is added here."""


def as_merchant_sees(status: str) -> str:
    return AS_MERCHANT_SEES.get(status, status)


def steps_as_merchant_sees(steps: list[Step]) -> list[Step]:
    """The steps without who (the courier at the door, a volunteer at the checkpoint) or notes."""
    return [Step(as_merchant_sees(s.status), "", s.at, reason=s.reason if s.reason in MERCHANT_REASONS else None)
            for s in steps if s.status != "handed_to_checkpoint"]
