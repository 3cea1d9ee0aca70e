"""Builds the registry's dependencies once; tests may pass their own."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from registry.adapters.repository import STORE, ResidentRepository
from registry.config import RegistrySettings
from registry.domain.risk_areas import RiskAreas
from registry.service.residents import ResidentService

AGGREGATE_STORES = [STORE]


async def build_resident_service(db: AsyncDatabase, settings: RegistrySettings) -> ResidentService:
    repository = ResidentRepository(db, settings.id_hash_key.get_secret_value().encode())
    await repository.ensure_indexes()
    return ResidentService(repository, RiskAreas(settings.risk_areas))
