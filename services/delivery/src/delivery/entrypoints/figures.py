"""HTTP: the figures the town reports of delivery (town-wide counts, no personal data)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field


from delivery.entrypoints.deps import Svc
from delivery.entrypoints.roles import FigureReader

router = APIRouter(tags=["figures"])


class Figures(BaseModel):
    as_of: datetime
    merchants_registered: int = Field(description="Merchants registered with delivery.")
    merchants_open: int = Field(description="Registered merchants holding a business-reopening permit that was issued "
                                            "or reinstated and not suspended, revoked or expired since (as the board "
                                            "counts them; selling also needs the permit's validity to have begun).")
    orders_placed: int = Field(description="Every order taken, those refused on placing included.")
    orders_by_status: dict[str, int] = Field(
        description="Status → orders now in it: placed, accepted, assigned, picked_up, handed_to_checkpoint, "
                    "delivered, collected, failed, cancelled, rejected (statuses with none left out).")
    orders_completed: int = Field(description="Orders handed over: delivered at the door or collected at the checkpoint.")
    relief_parcels_issued: int = Field(description="Relief parcels issued, delivered ones included.")
    relief_parcels_delivered: int
    relief_stock: dict[str, int] = Field(description="The relief stock on hand: item code → quantity.")


@router.get("/figures", response_model=Figures,
            summary="Merchants registered and open, orders by status and completed, relief parcels, relief stock")
async def figures(svc: Svc, _: FigureReader) -> Figures:
    return Figures(**await svc.figures.now())
