"""Finds national ID numbers (with a valid GB 11643 check digit) and mainland mobile numbers
in text: the privacy scan of everything the system published and logged."""

from __future__ import annotations

import re

from registry.domain.identity import national_id_problem

# Not inside a longer word or number, nor the digits of a decimal fraction (a Prometheus sample
# such as 0.017040708004060434 once passed the check digit by chance).
_ID = re.compile(r"(?<![0-9A-Za-z.])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z.])(?:\+?86)?(1[3-9]\d{9})(?![0-9A-Za-z])")


def personal_numbers(text: str) -> list[str]:
    found = [m.group(0) for m in _ID.finditer(text) if national_id_problem(m.group(0)) is None]
    found += [m.group(1) for m in _MOBILE.finditer(text)]
    return found
