"""Listed risk areas: a returnee from one of them is flagged on registration."""

from __future__ import annotations

from collections.abc import Iterable


class RiskAreas:
    """Areas as "province" (the whole province) or "province/city"."""

    def __init__(self, areas: Iterable[str]) -> None:
        self._areas = {a.strip() for a in areas if a.strip()}

    def contains(self, province: str, city: str) -> bool:
        return province.strip() in self._areas or f"{province.strip()}/{city.strip()}" in self._areas
