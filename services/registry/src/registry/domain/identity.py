"""Checks and masking of the personal identifiers that only the registry holds."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: a Unicode digit is normalised first or refused
_MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


def national_id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid GB 11643-1999 citizen ID number (None when valid), after
    ``normalize_national_id``: full-width digits count as their ASCII digits; other scripts' digits
    (Arabic-Indic, ...) are refused."""
    candidate = normalize_national_id(value)
    if not _ID_SHAPE.match(candidate):
        return "must be 18 characters: 17 digits and a check digit (0-9 or X)"
    try:
        date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return "has an impossible birth date in characters 7-14"
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != candidate[17]:
        return "has a wrong check digit (GB 11643 checksum)"
    return None


def check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_national_id(value: str) -> str:
    """The one spelling of an ID number, before it is checked, hashed or stored: NFKC (a full-width
    ``４`` or ``Ｘ`` typed by an input method becomes ``4``, ``X``), outer blanks dropped, ``x`` -> ``X``.
    Without it the same number in another width would be a second resident file (issue 16)."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def mobile_problem(value: str) -> str | None:
    digits = value.strip().removeprefix("+86").strip()
    if not _MOBILE_SHAPE.match(digits):
        return "must be an 11-digit mainland mobile number starting with 13-19"
    return None


def normalize_mobile(value: str) -> str:
    return value.strip().removeprefix("+86").strip()


def mask_national_id(value: str) -> str:
    return f"{value[:4]}{'*' * 10}{value[-4:]}"


def mask_mobile(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}"
