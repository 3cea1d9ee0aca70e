"""The delivery service's settings (prefix ``DELIVERY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class DeliverySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DELIVERY_", extra="ignore", frozen=True)

    mongo_db: str = "delivery"
    http_port: int = Field(default=8003, ge=1, le=65535)
    pickup_hold_hours: float = Field(
        default=24, gt=0, le=24 * 14,
        description="How long a parcel waits at a checkpoint with no collection slot before it is flagged uncollected.",
    )
    relief_parcel_contents: dict[str, int] = Field(
        default_factory=lambda: {"mask": 10, "thermometer": 1, "rice": 1, "flour": 1, "oil": 1},
        description='What one relief parcel holds, item code → quantity, as JSON (e.g. {"mask": 10, "rice": 1}).',
    )
