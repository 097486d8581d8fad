"""Turns the grouped rows of outcomes/sql.py into the outcome summary (pure, no Django).

The database does the row work; this folds a few hundred aggregate rows (per protocol and
Kaplan-Meier day) into totals, rates with numerator and denominator, and the curve. The
DuckDB benchmark uses the same function, so both answers can be compared field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.outcomes.rules import (
    KMStep,
    PerHundred,
    Rate,
    kaplan_meier_from_counts,
    km_median,
    per_100_sessions,
    rate,
)
from ketaclinic.outcomes.sql import COURSE_STATUSES, Definition

SUMMED = (
    "courses",
    "with_baseline",
    "evaluable",
    "responders",
    "remitters",
    *COURSE_STATUSES,
)


@dataclass
class Counts:
    """Summed counts of one protocol (or of all protocols)."""

    values: dict[str, int] = field(default_factory=dict)
    km: dict[tuple[int, bool], int] = field(default_factory=dict)
    patients: int = 0
    active_patients: int = 0
    active_courses: int = 0
    sessions: int = 0
    events: int = 0
    severe_events: int = 0
    alerts: int = 0
    bp_alerts: int = 0

    def add(self, key: str, value) -> None:
        self.values[key] = self.values.get(key, 0) + int(value or 0)

    def get(self, key: str) -> int:
        return self.values.get(key, 0)


@dataclass
class Outcomes:
    """Every figure of the dashboard for one protocol or for all of them."""

    code: str
    name: str
    patients: int
    courses: int
    active_patients: int
    active_courses: int
    sessions: int
    with_baseline: int
    evaluable: int
    response: Rate
    remission: Rate
    by_session: dict[int, tuple[Rate, Rate]]
    completion: Rate
    dropout: Rate
    adverse_events: PerHundred
    severe_adverse_events: PerHundred
    safety_alerts: PerHundred
    bp_alerts: PerHundred
    km: list[KMStep]

    @property
    def km_median(self) -> int | None:
        return km_median(self.km)

    @property
    def km_responses(self) -> int:
        return sum(s.events for s in self.km)

    def as_dict(self) -> dict:
        out = {
            "name": self.name,
            "patients": self.patients,
            "courses": self.courses,
            "sessions": self.sessions,
            "active_patients": self.active_patients,
            "active_courses": self.active_courses,
            "courses_with_baseline": self.with_baseline,
            "evaluable_courses": self.evaluable,
        }
        for key in ("response", "remission", "completion", "dropout"):
            value: Rate = getattr(self, key)
            out[f"{key}_rate"] = value.value
            out[key] = value.as_dict()
        for key in ("adverse_events", "severe_adverse_events", "safety_alerts", "bp_alerts"):
            value: PerHundred = getattr(self, key)
            per = value.value
            out[f"{key}_per_100_sessions"] = None if per is None else float(per)
            out[key] = value.as_dict()
        out["by_session"] = {
            str(k): {
                "response_rate": r.value,
                "response": r.as_dict(),
                "remission_rate": m.value,
                "remission": m.as_dict(),
            }
            for k, (r, m) in self.by_session.items()
        }
        out["time_to_response"] = {
            "courses": self.km[0].at_risk if self.km else 0,
            "responses": self.km_responses,
            "median_days": self.km_median,
            "curve": [
                {
                    "day": s.time,
                    "at_risk": s.at_risk,
                    "responses": s.events,
                    "censored": s.censored,
                    "responded": round(s.responded, 4),
                    "lower": round(1 - s.upper, 4),
                    "upper": round(1 - s.lower, 4),
                }
                for s in self.km
            ],
        }
        return out


@dataclass
class Summary:
    definition: Definition
    overall: Outcomes
    by_protocol: dict[str, Outcomes]
    weekly: list[tuple[date, int]]

    def as_dict(self, filters: Mapping[str, object]) -> dict:
        body = {"filters": dict(filters), "definition": definition_dict(self.definition)}
        body.update(self.overall.as_dict())
        del body["name"]
        body["sessions_per_week"] = [
            {"week": week.isoformat(), "sessions": n} for week, n in self.weekly
        ]
        body["by_protocol"] = {code: o.as_dict() for code, o in self.by_protocol.items()}
        return body


def definition_dict(d: Definition) -> dict:
    instrument = INSTRUMENTS.get(d.instrument)
    return {
        "instrument": d.instrument,
        "instrument_name": instrument.name if instrument else d.instrument,
        "response": f"{d.response_percent}% or more reduction from the course baseline",
        "remission": f"total {d.remission_operator} {d.remission_value}",
        "milestone_sessions": list(d.milestones),
    }


def assemble(
    definition: Definition,
    summary_rows: Iterable[Sequence],
    patient_rows: Iterable[Sequence],
    session_rows: Iterable[Sequence],
    names: Mapping[str, str],
) -> Summary:
    """Fold the grouped rows of the three queries into the summary."""
    milestones = definition.milestones
    columns = [
        "protocol_code",
        "km_day",
        "km_event",
        "km_courses",
        *SUMMED,
        *(f"m{k}_{part}" for k in milestones for part in ("n", "resp", "remit")),
    ]
    overall = Counts()
    per: dict[str, Counts] = {}
    for raw in summary_rows:
        row = dict(zip(columns, raw, strict=True))
        code = row["protocol_code"]
        for counts in (overall, per.setdefault(code, Counts())):
            for key in columns[4:]:
                counts.add(key, row[key])
            if row["km_day"] is not None:
                key = (int(row["km_day"]), bool(row["km_event"]))
                counts.km[key] = counts.km.get(key, 0) + int(row["km_courses"])
    for what, code, patients, courses in patient_rows:
        counts = overall if code is None else per.setdefault(code, Counts())
        if what == "cohort":
            counts.patients = int(patients)
        else:
            counts.active_patients, counts.active_courses = int(patients), int(courses)
    days: dict = {}
    for code, kind, day, count, subset in session_rows:
        if kind == "sessions":
            days[day] = days.get(day, 0) + int(count)
        for counts in (overall, per.setdefault(code, Counts())):
            if kind == "sessions":
                counts.sessions += int(count)
            elif kind == "events":
                counts.events += int(count)
                counts.severe_events += int(subset or 0)
            else:
                counts.alerts += int(count)
                counts.bp_alerts += int(subset or 0)
    by_protocol = {
        code: _outcomes(code, names.get(code, code), per[code], milestones) for code in sorted(per)
    }
    return Summary(
        definition=definition,
        overall=_outcomes("all", "All protocols", overall, milestones),
        by_protocol=by_protocol,
        weekly=fold_weeks(days.items()),
    )


def _outcomes(code: str, name: str, c: Counts, milestones) -> Outcomes:
    ended = c.get("completed") + c.get("stopped")
    return Outcomes(
        code=code,
        name=name,
        patients=c.patients,
        courses=c.get("courses"),
        active_patients=c.active_patients,
        active_courses=c.active_courses,
        sessions=c.sessions,
        with_baseline=c.get("with_baseline"),
        evaluable=c.get("evaluable"),
        response=rate(c.get("responders"), c.get("evaluable")),
        remission=rate(c.get("remitters"), c.get("evaluable")),
        by_session={
            k: (
                rate(c.get(f"m{k}_resp"), c.get(f"m{k}_n")),
                rate(c.get(f"m{k}_remit"), c.get(f"m{k}_n")),
            )
            for k in milestones
        },
        completion=rate(c.get("completed"), ended),
        dropout=rate(c.get("stopped"), ended),
        adverse_events=per_100_sessions(c.events, c.sessions),
        severe_adverse_events=per_100_sessions(c.severe_events, c.sessions),
        safety_alerts=per_100_sessions(c.alerts, c.sessions),
        bp_alerts=per_100_sessions(c.bp_alerts, c.sessions),
        km=kaplan_meier_from_counts(c.km),
    )


def fold_weeks(rows: Iterable[Sequence]) -> list[tuple[date, int]]:
    """Daily counts -> counts per ISO week (Monday), with empty weeks in between kept."""
    weeks: dict[date, int] = {}
    for day, n in rows:
        if isinstance(day, str):
            day = date.fromisoformat(day[:10])
        elif isinstance(day, datetime):
            day = day.date()
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + int(n)
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    out = []
    week = first
    while week <= last:
        out.append((week, weeks.get(week, 0)))
        week += timedelta(days=7)
    return out
