"""The one envelope every towngrid event travels in.

Every event on every topic is a JSON object of this shape. ``event_type`` is a stable
string (``registry.quarantine.started``), never a class name; ``aggregate_id`` is also the
Kafka message key, so one entity's events stay in one partition, in order.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event's ``data`` payload.

    An event names its place in the class statement, so the names are read where the class
    begins: an aggregate's base names its ``topic`` and each event its ``event_type``::

        class _GridEvent(EventData, topic=GRID_TOPIC):
            town_id: Id

        class CommunityRegistered(_GridEvent, event_type="registry.grid.community_registered"):
            community_id: Id

    Consumers read tolerantly: unknown fields are ignored, so producers may add optional
    fields within a major version.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    topic: ClassVar[str]
    producer: ClassVar[str]
    """The service that publishes it: the first part of ``topic`` (``<producer>.<aggregate>.v<major>``)."""

    def __init_subclass__(cls, *, event_type: str | None = None, topic: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if event_type is not None:
            cls.event_type = event_type
        if topic is not None:
            cls.topic = topic
            cls.producer = topic.split(".", 1)[0]

    @classmethod
    def __pydantic_init_subclass__(
        cls, *, event_type: str | None = None, topic: str | None = None, **kwargs: Any
    ) -> None:
        # pydantic hands the class keywords here too; __init_subclass__ has taken them.
        super().__pydantic_init_subclass__(**kwargs)


class Envelope(BaseModel):
    """The common envelope. ``data`` is validated separately against its event model."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: uuid.UUID
    event_type: str = Field(min_length=1)
    event_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: str = Field(min_length=1)
    aggregate_id: str = Field(min_length=1)
    aggregate_version: int = Field(ge=1)
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]

    @property
    def key(self) -> bytes:
        """The Kafka message key: the aggregate id as UTF-8 bytes."""
        return self.aggregate_id.encode()


def envelope_for(
    data: EventData,
    *,
    aggregate_id: str,
    aggregate_version: int,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> Envelope:
    """Wrap an event payload in its envelope (a new event id unless one is given)."""
    new_id = event_id or uuid.uuid4()
    return Envelope(
        event_id=new_id,
        event_type=data.event_type,
        event_version=data.event_version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=data.producer,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        correlation_id=correlation_id or new_id,
        causation_id=causation_id,
        data=data.model_dump(mode="json"),
    )
