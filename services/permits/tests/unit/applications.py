"""What the permits unit tests share: their clock and an application as a resident (or, for a
business reopening, a merchant) makes it at the town hall window."""

from datetime import UTC, datetime, timedelta

from permits.domain.permit import Permit
from permits.domain.review import ReviewPolicy

NOW = datetime(2020, 2, 18, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def apply(permit_type="health_certificate", policy=None, quarantined=False, until=None, details=None) -> Permit:
    resident = permit_type != "business_reopening"
    return Permit.apply(
        permit_id="pmt_1", permit_type=permit_type, holder_resident_id="res_1" if resident else None,
        merchant_id=None if resident else "mer_1", channel="town_hall_window", service_point_id="W1",
        checkpoint_id=None, details=details or {}, requested_until=until,
        policy=policy or ReviewPolicy(["health"]), now=NOW, holder_in_quarantine=quarantined)
