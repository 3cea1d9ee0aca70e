"""``registry-rotate-keys``: seal every record's personal data again under the first key of
``REGISTRY_DATA_KEYS`` (see ``registry.service.rekeying``); ``--check`` only counts the records
still sealed under an older key (exit 1 if any), e.g. before an old key is dropped.

Rotation, step by step: put the new key first in the ring (``new:…,old:…``) and restart the
api and worker (new writes are sealed with it, old ones still open); run this command; run it
with ``--check`` (0 behind); then drop the old key from the ring and restart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta, timezone

from towngrid_kit.mongo import connect
from towngrid_kit.settings import load_settings
from registry.adapters.duty_repository import DutyPeopleRepository
from registry.adapters.repository import ResidentRepository
from registry.adapters.tip_repository import TipRepository
from registry.config import RegistrySettings
from registry.service.rekeying import Rekeying, as_dict


async def rotate(settings: RegistrySettings, *, check_only: bool) -> dict:
    client, db = connect(settings.mongo_url, settings.mongo_db)
    try:
        ring = settings.key_ring()
        tz = timezone(timedelta(hours=settings.town_utc_offset_hours))
        residents = ResidentRepository(db, settings.id_hash_key.get_secret_value().encode(), tz, ring)
        report = await Rekeying(ring, residents, TipRepository(db, ring), DutyPeopleRepository(db, ring)).run(
            check_only=check_only)
        return as_dict(report)
    finally:
        await client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="registry-rotate-keys", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only count records still under an older key")
    args = parser.parse_args(argv)
    settings = load_settings(RegistrySettings)
    result = asyncio.run(rotate(settings, check_only=args.check))
    print(json.dumps(result))
    behind = sum(result["behind"].values()) if args.check else 0
    sys.exit(1 if behind or result["unreadable"] else 0)
