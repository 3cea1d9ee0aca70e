"""Builds the board's dependencies once (api and worker alike)."""

from __future__ import annotations

from datetime import timedelta, timezone

from pymongo.asynchronous.database import AsyncDatabase

from board.adapters.lag import ConsumerLag
from board.adapters.projections import Projections
from board.config import BoardSettings
from board.domain.rules import KINDS
from board.service.board import Board

GROUP = "board"  # the worker's consumer group (towngrid_kit.worker: the service's name)


def town_tz(settings: BoardSettings) -> timezone:
    return timezone(timedelta(hours=settings.town_utc_offset_hours))


def build_projections(db: AsyncDatabase, settings: BoardSettings) -> Projections:
    return Projections(db, town_tz(settings))


def build_board(db: AsyncDatabase, settings: BoardSettings) -> tuple[Board, ConsumerLag]:
    lag = ConsumerLag(settings.kafka_bootstrap, GROUP, sorted(KINDS), settings.kafka_options())
    return Board(build_projections(db, settings), lag.events_behind, town_tz(settings)), lag
