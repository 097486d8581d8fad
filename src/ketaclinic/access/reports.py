"""The access equity report: referral to first treatment and dropout, by payer and income band."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from ketaclinic.core.permissions import require
from ketaclinic.intake.queries import referrals_between
from ketaclinic.patients.queries import VOCABULARIES
from ketaclinic.treatments import queries as treatment_queries

from . import rules
from .queries import access_settings

BREAKDOWNS = {name: VOCABULARIES[name] for name in ("payer_type", "income_band")}


def _first_treatments(user, patient_ids) -> dict:
    """patient id -> clinic-local date of the first dose ever started."""
    tz = user.clinic.tz
    first: dict = {}
    for pid, at in treatment_queries.dose_start_times(user, patient_ids):
        day = at.astimezone(tz).date()
        if pid not in first or day < first[pid]:
            first[pid] = day
    return first


def equity_report(user, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Patients referred in the period, grouped by payer type and by income band: how many
    were treated, the median days from referral to first treatment, and how many of their
    courses were stopped early (dropout). Every count of 1-10, and every figure that could
    reveal one, is suppressed."""
    require(user, "access.reports")
    threshold = access_settings(user.clinic).suppression_threshold
    referrals = referrals_between(user, date_from, date_to)
    patients = {r.patient_id: r for r in referrals}
    first = _first_treatments(user, list(patients))
    courses: dict = {}
    for pid, status in treatment_queries.course_statuses(user, list(patients)):
        total, stopped = courses.get(pid, (0, 0))
        courses[pid] = (total + 1, stopped + (status == treatment_queries.CourseStatus.STOPPED))
    breakdowns = {}
    for field, choices in BREAKDOWNS.items():
        groups: dict[str, dict] = {
            value: {"referred": 0, "treated": 0, "days": [], "courses": 0, "dropped": 0}
            for value in choices.values
        }
        for pid, referral in patients.items():
            group = groups[getattr(referral.patient, field)]
            group["referred"] += 1
            if pid in first:
                group["treated"] += 1
                group["days"].append(max(0, (first[pid] - referral.referred_on).days))
            total, stopped = courses.get(pid, (0, 0))
            group["courses"] += total
            group["dropped"] += stopped
        facts = {
            value: rules.GroupFacts(
                g["referred"], g["treated"], tuple(g["days"]), g["courses"], g["dropped"]
            )
            for value, g in groups.items()
        }
        labels = dict(choices.choices)
        breakdowns[field] = [
            {**asdict(row), "label": labels[row.group]}
            for row in rules.equity_rows(facts, threshold)
        ]
    everyone = rules.GroupFacts(
        len(patients),
        len(first),
        tuple(max(0, (first[p] - r.referred_on).days) for p, r in patients.items() if p in first),
        sum(c for c, _ in courses.values()),
        sum(s for _, s in courses.values()),
    )
    total = rules.equity_rows({"all": everyone}, threshold)[0]
    return {
        "from": date_from,
        "to": date_to,
        "threshold": threshold,
        "suppression_source": rules.SUPPRESSION_SOURCE,
        "all": {**asdict(total), "label": "All referred patients"},
        "breakdowns": breakdowns,
    }
