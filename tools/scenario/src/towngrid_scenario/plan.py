"""The scenario's plan at a scale: how many of each thing, and the figures the services must show
afterwards (plain Python, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from towngrid_scenario.town import CHOSEN, COMMUNITIES, DESTINATIONS, RELIEF_PARCEL, RELIEF_RECEIVED, REPORT


def scaled(n: int, scale: float) -> int:
    """``n`` at ``scale``, at least 1 for anything the town has at all."""
    return 0 if n == 0 else max(1, round(n * scale))


@dataclass(frozen=True)
class Plan:
    seed: int
    scale: float
    n: dict[str, int] = field(default_factory=dict)
    compounds: dict[str, list[str]] = field(default_factory=dict)  # community -> its compounds played

    @classmethod
    def at(cls, seed: int, scale: float) -> Plan:
        if not 0 < scale <= 1:
            raise ValueError("scale must be in (0, 1]")
        n = {k: scaled(v, scale) for k, v in (REPORT | CHOSEN).items()}
        for fixed in ("communities", "community_service_points", "town_hall_windows", "returnee_weeks",
                      "duty_people_per_checkpoint", "duty_days", "problems_per_case",
                      "batch_employers_per_destination"):
            n[fixed] = (REPORT | CHOSEN)[fixed]
        compounds = {cid: [c[0] for c in found[:scaled(len(found), scale)]]
                     for cid, (_, found) in COMMUNITIES.items()}
        n["compounds"] = sum(len(v) for v in compounds.values())
        n["batches"] = len(DESTINATIONS) * n["batch_employers_per_destination"]
        n["job_seekers"] = n["batches"] * n["workers_per_batch"] + n["local_employers"] * n["workers_per_local_employer"]
        n["vulnerable"] = n["care_pairs"] + n["people_taken_in"]
        n["relief_parcels"] = n["care_pairs"]  # one for each elderly resident living alone, delivered
        if any(n["relief_parcels"] * q > scaled(RELIEF_RECEIVED[item], scale) for item, q in RELIEF_PARCEL.items()):
            raise ValueError("this scale receives less relief stock than its parcels take")
        n["merchants"] = n["merchants_per_community"] * n["communities"]
        # who holds the health certificates: every job seeker, the QR channel, then counters
        n["counter_health_certificates"] = n["health_certificates"] - n["job_seekers"] - n["online_health_certificates"]
        n["counter_vehicle_passes"] = n["vehicle_passes"] - n["batches"] - n["online_vehicle_passes"]
        if n["counter_health_certificates"] < 0 or n["counter_vehicle_passes"] < 0:
            raise ValueError("this scale leaves no room for the counters' permits")
        plan = cls(seed=seed, scale=scale, n=n, compounds=compounds)
        if plan.roles()["online"].stop > n["returnees"]:
            raise ValueError("more job seekers and online applicants than returnees out of quarantine")
        return plan

    def roles(self) -> dict[str, range]:
        """Who is who, by index among the returnees: first the home quarantines, then the
        centralized ones, then the job seekers, then the online applicants (returnees out of
        quarantine); the last ones have their whole checklist ticked."""
        n = self.n
        home = range(0, n["home_quarantines"])
        centralized = range(home.stop, home.stop + n["centralized_quarantines"])
        seekers = range(centralized.stop, centralized.stop + n["job_seekers"])
        online = range(seekers.stop, seekers.stop + n["online_health_certificates"] + n["online_vehicle_passes"])
        checklists = range(n["returnees"] - n["checklists_completed"], n["returnees"])
        return {"home": home, "centralized": centralized, "seekers": seekers, "online": online,
                "checklists": checklists}

    @property
    def all_compounds(self) -> list[str]:
        return [c for found in self.compounds.values() for c in found]

    def relief_received(self) -> dict[str, int]:
        """The supplies received at the town's depot, item code → quantity."""
        return {item: scaled(q, self.scale) for item, q in RELIEF_RECEIVED.items()}

    def relief_on_hand(self) -> dict[str, int]:
        """What the depot holds more after the receipt and the parcels."""
        return {item: q - self.n["relief_parcels"] * RELIEF_PARCEL[item] for item, q in self.relief_received().items()}

    def dispatched_by_province(self) -> dict[str, int]:
        return {p: self.n["batch_employers_per_destination"] * self.n["workers_per_batch"] for p in DESTINATIONS}

    def expected(self) -> dict[str, dict[str, Any]]:
        """Per service, the figures this plan adds (``/figures`` keys, dotted into a figure's parts)."""
        n = self.n
        dispatched = n["batches"] * n["workers_per_batch"]
        local = n["local_employers"] * n["workers_per_local_employer"]
        return {
            "registry": {
                "returnees_registered_total": n["returnees"] + n["vulnerable"],
                "in_home_quarantine": n["home_quarantines"] - n["home_quarantines_ended"],
                "in_centralized_quarantine": n["centralized_quarantines"] - n["centralized_discharged"],
                "checklist_items_overdue": 0,
                "tips_open": n["tips"] - n["tips_screened"],
                "checkpoints": n["compounds"],
                "checkpoints_with_coverage_gaps": 0,
                "care_pairs": n["care_pairs"],
                "vulnerable_enrolled": n["vulnerable"],
                "people_taken_in": n["people_taken_in"],
                "left_town": dispatched,
            },
            "permits": {
                "issued_by_type.health_certificate": n["health_certificates"],
                "issued_by_type.vehicle_pass": n["vehicle_passes"],
                "issued_by_type.business_reopening": n["merchants"],
                "applications_by_status.rejected": n["rejected_applications"],
                "applications_by_channel.town_hall_window": self.channel_counts()["town_hall_window"],
                "applications_by_channel.community_service_point": self.channel_counts()["community_service_point"],
                "applications_by_channel.online_qr": n["online_health_certificates"] + n["online_vehicle_passes"],
            },
            "delivery": {
                "merchants_registered": n["merchants"],
                "merchants_open": n["merchants"],
                "orders_placed": n["proxy_orders"] + n["online_orders"],
                "orders_by_status.delivered": n["proxy_orders"],
                "orders_by_status.collected": n["online_orders"] - n["online_orders_uncollected"],
                "orders_by_status.handed_to_checkpoint": n["online_orders_uncollected"],
                "orders_completed": n["proxy_orders"] + n["online_orders"] - n["online_orders_uncollected"],
                "relief_parcels_issued": n["relief_parcels"],
                "relief_parcels_delivered": n["relief_parcels"],
                **{f"relief_stock.{item}": q for item, q in self.relief_on_hand().items()},
            },
            "labor": {
                "workers_matched": dispatched + local,
                "matched_for_batches": dispatched,
                "matched_locally": local,
                "placed_locally": local,
                "batches_departed": n["batches"],
                "dispatched_total": dispatched,
                **{f"dispatched_by_province.{p}": v for p, v in self.dispatched_by_province().items()},
                "enterprises_resumed": n["resumption_cases"],
                "problems_open": 0,
            },
        }

    def channel_counts(self) -> dict[str, int]:
        """Counter applications by channel: job seekers and merchants at their community's service
        point; the other counter applications alternate between the windows and service points."""
        n = self.n
        counter = n["counter_health_certificates"] + n["counter_vehicle_passes"] + n["batches"] + n["rejected_applications"]
        windows = (counter + 1) // 2
        return {"town_hall_window": windows,
                "community_service_point": counter - windows + n["job_seekers"] + n["merchants"]}
