"""Builds the registry's dependencies once; tests may pass their own."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from registry.adapters.grid_repository import GRID_STORE, GridRepository
from registry.adapters.repository import STORE, ResidentRepository
from registry.config import RegistrySettings
from registry.domain.risk_areas import RiskAreas
from registry.service.grid import GridService
from registry.service.residents import ResidentService

AGGREGATE_STORES = [STORE, GRID_STORE]


async def build_services(db: AsyncDatabase, settings: RegistrySettings) -> tuple[ResidentService, GridService]:
    grids = GridRepository(db)
    await grids.ensure_indexes()
    repository = ResidentRepository(db, settings.id_hash_key.get_secret_value().encode())
    await repository.ensure_indexes()
    residents = ResidentService(repository, RiskAreas(settings.risk_areas), grids, settings.town_id)
    return residents, GridService(grids, settings.town_id)
