"""Figures on the real stack: counts by type, status, channel and day."""

from __future__ import annotations

from datetime import UTC, datetime

from e2e_support import System
from permits_support import apply, business_reopening, health_certificate, issue, vehicle_pass
from towngrid_kit.auth import Role


async def test_figures_count_by_type_status_channel_and_day(system: System) -> None:
    today = datetime.now(UTC).date().isoformat()
    async with system.client("permits", Role.COUNTY_SUBSCRIBER) as county:
        before = (await county.get("/figures", params={"day_from": today, "day_to": today})).json()

    await issue(system, health_certificate())
    await issue(system, health_certificate(channel="community_service_point", service_point_id="SP-C08"))
    async with system.client("permits") as admin:
        await apply(admin, vehicle_pass())
        await apply(admin, business_reopening())

    async with system.client("permits", Role.COUNTY_SUBSCRIBER) as county:
        after = (await county.get("/figures", params={"day_from": today, "day_to": today})).json()
        assert (await county.get("/figures", params={"day_from": "yesterday"})).status_code == 422
        reversed_ = await county.get("/figures", params={"day_from": today, "day_to": "2020-01-01"})
        assert reversed_.status_code == 422 and reversed_.json()["errors"][0]["field"] == "query.day_to"
        old = (await county.get("/figures", params={"day_to": "2020-01-01"})).json()
        assert old["applications_by_type"] == {}
    async with system.client("permits", Role.MERCHANT) as merchant:
        assert (await merchant.get("/figures")).status_code == 403

    def grew(section: str, key: str) -> int:
        return after[section].get(key, 0) - before[section].get(key, 0)

    assert grew("applications_by_type", "health_certificate") == 2
    assert grew("applications_by_type", "vehicle_pass") == 1
    assert grew("applications_by_type", "business_reopening") == 1
    assert grew("issued_by_type", "health_certificate") == 2
    assert grew("applications_by_status", "issued") == 2
    assert grew("applications_by_status", "under_review") == 2
    assert grew("applications_by_channel", "community_service_point") == 2  # the vehicle pass and one certificate
    assert grew("applications_by_channel", "town_hall_window") == 2
    assert grew("applications_by_day", today) == 4
    assert grew("issued_by_day", today) == 2
    assert (after["issued_by_type_and_day"]["health_certificate"][today]
            - before["issued_by_type_and_day"].get("health_certificate", {}).get(today, 0)) == 2
    by_pair = after["applications_by_type_and_status"]
    assert by_pair["vehicle_pass"].get("under_review", 0) - before["applications_by_type_and_status"].get(
        "vehicle_pass", {}).get("under_review", 0) == 1
