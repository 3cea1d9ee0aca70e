"""A resident's file (``Resident``) and its records; see ``resident.py``."""

from registry.domain.resident.records import FEVER_THRESHOLD_C, EarlierValues, HealthCheck, Person, Quarantine, ReturnRecord
from registry.domain.resident.resident import Resident

__all__ = ["EarlierValues", "FEVER_THRESHOLD_C", "HealthCheck", "Person", "Quarantine", "Resident", "ReturnRecord"]
