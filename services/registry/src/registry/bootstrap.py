"""Builds the registry's dependencies once; tests may pass their own."""

from __future__ import annotations

from datetime import timedelta, timezone

from pymongo.asynchronous.database import AsyncDatabase

from registry.adapters.audit_repository import READS_STORE, AlertLog, AuditRepository, TaskListLog
from towngrid_kit.ratelimit import FixedWindowLimiter
from registry.adapters.duty_repository import COVERAGE_STORE, DUTY_STORE, CoverageRepository, DutyPeopleRepository
from registry.adapters.grid_repository import GRID_STORE, GridRepository
from registry.adapters.isolation_repository import ISOLATION_STORE, IsolationRepository
from registry.adapters.repository import STORE, ResidentRepository
from registry.adapters.sealing import SealedAnswers
from registry.adapters.appeal_index import AppealIndex
from registry.config import RegistrySettings
from registry.domain.decisions import ReasonCodes
from registry.service.appeals import AppealService
from registry.domain.risk_areas import RiskAreas
from registry.adapters.tip_repository import TIP_STORE, TipRepository
from registry.service.duty import DutyService
from registry.service.personal_data import PersonalDataService
from registry.service.grid import GridService
from registry.service.tips import TipService
from registry.service.isolation import IsolationService
from registry.service.residents import ResidentService

AGGREGATE_STORES = [STORE, GRID_STORE, ISOLATION_STORE, TIP_STORE, DUTY_STORE, COVERAGE_STORE, READS_STORE]


def answer_sealing(settings: RegistrySettings) -> SealedAnswers:
    """How the api seals the answers it keeps for Idempotency-Key replays."""
    return SealedAnswers(settings.key_ring())


async def build_services(db: AsyncDatabase, settings: RegistrySettings) -> tuple[ResidentService, GridService]:
    grids = GridRepository(db)
    await grids.prepare()
    tz = timezone(timedelta(hours=settings.town_utc_offset_hours))
    repository = ResidentRepository(db, settings.id_hash_key.get_secret_value().encode(), tz, settings.key_ring())
    await repository.prepare()
    residents = ResidentService(repository, RiskAreas(settings.risk_areas), grids, settings.town_id, tz,
                                ReasonCodes(settings.quarantine_reasons, "quarantine"))
    return residents, GridService(grids, settings.town_id)


async def build_tip_service(db: AsyncDatabase, residents: ResidentService) -> TipService:
    repository = TipRepository(db, residents.repository.ring)
    await repository.prepare()
    return TipService(repository, residents.repository)


async def build_isolation_service(db: AsyncDatabase, residents: ResidentService) -> IsolationService:
    repository = IsolationRepository(db)
    await repository.prepare()
    return IsolationService(repository, residents)


async def build_duty_service(db: AsyncDatabase, settings: RegistrySettings,
                             grids: GridRepository | None = None) -> DutyService:
    """``grids``: the process's grid repository, shared so that its cache sees this process's grid changes."""
    people, coverage = DutyPeopleRepository(db, settings.key_ring()), CoverageRepository(db)
    await people.prepare()
    await coverage.prepare()
    tz = timezone(timedelta(hours=settings.town_utc_offset_hours))
    return DutyService(people, coverage, grids or GridRepository(db), settings.town_id, tz,
                       settings.checkpoint_required_staff)


def build_appeal_service(db: AsyncDatabase, settings: RegistrySettings, residents: ResidentService) -> AppealService:
    return AppealService(residents, AppealIndex(db), ReasonCodes(settings.appeal_reasons, "appeal"))


async def build_personal_data_service(db: AsyncDatabase, settings: RegistrySettings) -> PersonalDataService:
    audit = AuditRepository(db)
    await audit.prepare()
    alerts = AlertLog(db)
    await alerts.ensure_indexes()
    task_lists = TaskListLog(db)
    await task_lists.ensure_indexes()
    return PersonalDataService(audit, settings.personal_data_purposes, FixedWindowLimiter(db["rate_limits"]), alerts,
                               task_lists, settings.unmasked_reads_per_hour)
