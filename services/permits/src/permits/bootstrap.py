"""Builds the permits service's dependencies once; tests may pass their own."""

from __future__ import annotations

import logging

from pymongo.asynchronous.database import AsyncDatabase

from permits.adapters.appeal_index import AppealIndex
from permits.adapters.quarantine_roster import QuarantineRoster
from permits.domain.decisions import ReasonCodes
from permits.service.appeals import PermitAppealService
from permits.adapters.repository import STORE, PermitRepository, PolicyStore
from permits.adapters.signing import CodeSigner, key_derived_from, key_from_setting
from permits.config import PermitsSettings
from permits.service.permits import PermitService

AGGREGATE_STORES = [STORE]
log = logging.getLogger(__name__)


def build_signer(settings: PermitsSettings) -> CodeSigner:
    if settings.signing_key is not None:
        return CodeSigner(key_from_setting(settings.signing_key.get_secret_value()))
    assert settings.auth_jwt_secret is not None  # checked by the settings
    log.warning("PERMITS_SIGNING_KEY is not set: deriving the code-signing key from the local "
                "AUTH_JWT_SECRET (local stack only)")
    return CodeSigner(key_derived_from(settings.auth_jwt_secret.get_secret_value()))


async def build_permit_service(db: AsyncDatabase, settings: PermitsSettings) -> PermitService:
    repo = PermitRepository(db)
    await repo.prepare()
    policies = PolicyStore(db)
    await policies.ensure_indexes()
    roster = QuarantineRoster(db)
    await roster.ensure_indexes()
    return PermitService(repo, policies, roster, build_signer(settings),
                         reasons=ReasonCodes(settings.decision_reasons, "permit decision"))


def build_appeal_service(db: AsyncDatabase, settings: PermitsSettings, permits: PermitService) -> PermitAppealService:
    return PermitAppealService(permits, AppealIndex(db), ReasonCodes(settings.appeal_reasons, "appeal"))
