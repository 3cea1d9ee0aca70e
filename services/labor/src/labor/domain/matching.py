"""Ranking job seekers for a demand, with the reason for each rank (plain Python, no I/O).

Score: eligible now 100 (ineligible seekers are listed last, with why); the demand's job
category among the seeker's skills 30; each other wanted skill 10; the demand's province
among the seeker's preferred destinations 20, or no preference (anywhere) 5. Ties go to the
earlier registration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from labor.domain.eligibility import Eligibility
from labor.domain.employment import Demand, JobSeeker

NO_CERTIFICATE_NEEDED = "no health certificate required by this demand"


@dataclass(frozen=True)
class Candidate:
    rank: int
    job_seeker_id: str
    resident_id: str
    score: int
    eligible: bool
    reasons: list[str]  # the first is always about eligibility

    def for_employer(self) -> Candidate:
        """As an employer's liaison sees it: whether the seeker may be matched now, never why not
        (a quarantine, or the state of a health certificate, is not the employer's to know)."""
        if self.reasons[0].startswith(NO_CERTIFICATE_NEEDED):
            return self
        said = "eligible now (+100)" if self.eligible else "not eligible now"
        return replace(self, reasons=[said, *self.reasons[1:]])


def score(demand: Demand, seeker: JobSeeker, eligibility: Eligibility) -> tuple[int, list[str]]:
    points = 0
    reasons: list[str] = []
    if eligibility.eligible:
        points += 100
        until = eligibility.certificate_valid_until.isoformat() if eligibility.certificate_valid_until else "?"
        reasons.append(f"eligible: valid health certificate until {until}, not in quarantine (+100)")
    elif demand.health_certificate_required:
        reasons.append("not eligible now: " + "; ".join(eligibility.details or eligibility.reasons))
    else:
        points += 100
        reasons.append(f"{NO_CERTIFICATE_NEEDED} (+100)")
    if demand.job_category in seeker.skills:
        points += 30
        reasons.append(f"has the job category {demand.job_category} (+30)")
    extra = sorted(set(demand.skills) & set(seeker.skills) - {demand.job_category})
    if extra:
        points += 10 * len(extra)
        reasons.append(f"wanted skills: {', '.join(extra)} (+{10 * len(extra)})")
    missing = sorted(set(demand.skills) - set(seeker.skills) - {demand.job_category})
    if missing:
        reasons.append(f"lacks: {', '.join(missing)}")
    if demand.province in seeker.preferred_provinces:
        points += 20
        reasons.append(f"prefers {demand.province} (+20)")
    elif not seeker.preferred_provinces:
        points += 5
        reasons.append("will go anywhere (+5)")
    else:
        reasons.append(f"prefers {', '.join(seeker.preferred_provinces)}, not {demand.province}")
    return points, reasons


def rank(demand: Demand, seekers: list[JobSeeker], eligibility: dict[str, Eligibility]) -> list[Candidate]:
    scored = []
    for seeker in seekers:
        if seeker.match is not None:
            continue
        elig = eligibility[seeker.resident_id]
        points, reasons = score(demand, seeker, elig)
        ok = elig.eligible or not demand.health_certificate_required
        scored.append((not ok, -points, seeker.registered_at, seeker, points, ok, reasons))
    scored.sort(key=lambda s: s[:3])
    return [
        Candidate(rank=n, job_seeker_id=s[3].job_seeker_id, resident_id=s[3].resident_id, score=s[4],
                  eligible=s[5], reasons=s[6])
        for n, s in enumerate(scored, start=1)
    ]
