"""The board's worker: its own consumer group on the four services' topics, each event applied
to its aggregate's state (``adapters.projections``). It publishes nothing."""

from __future__ import annotations

from faststream import FastStream
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_contracts.catalogue import EVENT_TYPES
from towngrid_contracts.envelope import Envelope
from towngrid_kit.consumer import EventHandlers
from towngrid_kit.settings import load_settings
from towngrid_kit.worker import create_worker, run_worker
from board.adapters.projections import Projections
from board.bootstrap import build_projections
from board.config import BoardSettings
from board.domain.rules import RULES


def build_handlers(projections: Projections) -> EventHandlers:
    handlers = EventHandlers()
    for event_type in RULES:
        model = EVENT_TYPES[event_type]

        async def on_event(event: object, envelope: Envelope, topic: str = model.topic) -> None:
            await projections.apply(envelope, event, topic)

        handlers.on(model)(on_event)
    return handlers


def create_board_worker(settings: BoardSettings) -> FastStream:
    def handlers_for(db: AsyncDatabase) -> EventHandlers:
        return build_handlers(build_projections(db, settings))

    return create_worker(service="board", settings=settings, aggregate_stores=[], produces=[],
                         build_handlers=handlers_for)


def main() -> None:
    run_worker(create_board_worker(load_settings(BoardSettings)))
