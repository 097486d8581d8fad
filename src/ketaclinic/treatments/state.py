"""A session's live state computed from its rows: due times, open alerts, discharge readiness."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field

from ketaclinic.protocols.definitions import MG_PER_KG, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, held_to_label
from ketaclinic.treatments import codes as c
from ketaclinic.treatments import rules
from ketaclinic.treatments.models import ACTIVE_STATUSES, DOSED_STATUSES, SessionStatus

_parsed: dict = {}


def definition_for(session) -> ProtocolDefinition:
    """The definition of the version the session runs under, parsed once per version.

    Versions are immutable (ProtocolVersion.save refuses updates), so the id is a safe key.
    """
    version = session.protocol_version
    found = _parsed.get(version.pk)
    if found is None:
        if len(_parsed) > 512:
            _parsed.clear()
        found = _parsed[version.pk] = held_to_label(
            from_data(ProtocolDefinition, version.definition)
        )
    return found


def is_infusion(definition: ProtocolDefinition) -> bool:
    return definition.dose.basis == MG_PER_KG and definition.route == "intravenous"


def vitals_of(entry) -> rules.Vitals:
    return rules.Vitals(**{name: getattr(entry, name) for name in rules.VITAL_FIELDS})


# The readings the chair board shows, each the latest recorded value of its own (an entry may
# carry only some of them): (label, fields of VitalSignsEntry, unit).
BOARD_READINGS = (
    ("BP", ("systolic", "diastolic"), "mmHg"),
    ("HR", ("heart_rate",), "/min"),
    ("SpO2", ("spo2",), "%"),
    ("RR", ("resp_rate",), "/min"),
)
DISCHARGE_CRITERIA = dict(c.DISCHARGE_CRITERIA)


@dataclass(frozen=True)
class Reading:
    """One vital sign as the board shows it: the value, when it was measured and how long ago."""

    label: str
    value: str
    unit: str
    measured_at: datetime.datetime | None
    minutes_ago: int | None


def _minutes(earlier: datetime.datetime, later: datetime.datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


@dataclass
class SessionState:
    """What the board, the session page and the API show about a session right now."""

    session: object
    definition: ProtocolDefinition
    now: datetime.datetime
    infusion: bool
    vitals: list = field(default_factory=list)
    scales: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    adverse_events: list = field(default_factory=list)

    # --- rows -----------------------------------------------------------------------------
    @property
    def baseline_entry(self):
        pre = [v for v in self.vitals if v.pre_dose and v.systolic is not None]
        return pre[-1] if pre else None

    @property
    def baseline(self) -> rules.Vitals | None:
        entry = self.baseline_entry
        return vitals_of(entry) if entry else None

    @property
    def post_dose_vitals(self) -> list:
        start = self.session.dose_started_at
        return [v for v in self.vitals if start and not v.pre_dose and v.measured_at >= start]

    @property
    def latest_vitals_entry(self):
        rows = self.post_dose_vitals
        return rows[-1] if rows else None

    def latest_scale(self, scale: str):
        rows = [s for s in self.scales if s.scale == scale]
        return rows[-1] if rows else None

    @property
    def open_alerts(self) -> list:
        return [a for a in self.alerts if a.acknowledged_at is None]

    @property
    def unresolved_effects(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    e.code
                    for e in self.adverse_events
                    if e.code in c.REMS_EFFECTS and e.resolved_at is None
                }
            )
        )

    @property
    def latest_readings(self) -> list[Reading]:
        """BP, HR, SpO2 and RR: the latest recorded value of each, with its age."""
        readings = []
        for label, names, unit in BOARD_READINGS:
            entry = next(
                (v for v in reversed(self.vitals) if all(getattr(v, n) is not None for n in names)),
                None,
            )
            if entry is None:
                readings.append(Reading(label, "", unit, None, None))
                continue
            value = "/".join(str(getattr(entry, n)) for n in names)
            readings.append(
                Reading(
                    label, value, unit, entry.measured_at, _minutes(entry.measured_at, self.now)
                )
            )
        return readings

    # --- times ----------------------------------------------------------------------------
    @property
    def minutes_since_dose(self) -> int | None:
        start = self.session.dose_started_at
        if start is None:
            return None
        end = self.session.discharged_at or self.session.aborted_at or self.now
        return int((end - start).total_seconds() // 60)

    @property
    def observation_ends_at(self) -> datetime.datetime | None:
        return rules.observation_ends_at(
            self.definition.observation,
            self.session.dose_started_at,
            self.session.infusion_ended_at,
        )

    @property
    def minutes_to_observation_end(self) -> int | None:
        """Whole minutes (rounded up) until the minimum observation time ends; 0 once it has."""
        ends = self.observation_ends_at
        if ends is None:
            return None
        seconds = (ends - self.now).total_seconds()
        return max(0, -int(-seconds // 60))

    @property
    def next_vitals(self) -> rules.Due:
        if self.session.status not in (*ACTIVE_STATUSES,):
            return rules.Due(None, "")
        return rules.next_vitals_due(
            self.definition.monitoring,
            dose_started_at=self.session.dose_started_at,
            infusion_ended_at=self.session.infusion_ended_at,
            vitals_times=[
                v.measured_at
                for v in self.vitals
                if self.session.dose_started_at is None or not v.pre_dose
            ],
            observation_ends_at=self.observation_ends_at,
            infusion=self.infusion,
        )

    @property
    def vitals_overdue(self) -> bool:
        return rules.is_overdue(self.next_vitals, self.now)

    @property
    def assessments_due(self) -> list[tuple[str, rules.Due]]:
        if self.session.status not in DOSED_STATUSES:
            return []
        entries: dict[str, list] = {}
        for s in self.scales:
            entries.setdefault(s.scale, []).append(s.measured_at)
        return rules.assessments_due(
            self.definition.monitoring,
            dose_started_at=self.session.dose_started_at,
            entries=entries,
            observation_ends_at=self.observation_ends_at,
        )

    # --- discharge ------------------------------------------------------------------------
    def discharge_facts(self, escort_present: bool) -> rules.DischargeFacts:
        latest = self.latest_vitals_entry
        aldrete = self.latest_scale("aldrete")
        moaas = self.latest_scale("moaas")
        return rules.DischargeFacts(
            now=self.now,
            dose_started_at=self.session.dose_started_at,
            infusion_ended_at=self.session.infusion_ended_at,
            infusion=self.infusion,
            baseline=self.baseline,
            latest_vitals=vitals_of(latest) if latest else None,
            aldrete=aldrete.score if aldrete else None,
            moaas=moaas.score if moaas else None,
            escort_present=escort_present,
            unresolved_effects=self.unresolved_effects,
            open_alerts=len(self.open_alerts),
        )

    def discharge_issues(self, escort_present: bool | None = None) -> list[rules.Issue]:
        present = self.session.escort_present if escort_present is None else escort_present
        return rules.evaluate_discharge(self.definition, self.discharge_facts(present))

    @property
    def clinical_issues(self) -> list[rules.Issue]:
        """Discharge criteria other than the escort (who may still be on the way)."""
        return self.discharge_issues(escort_present=True)

    @property
    def readiness_labels(self) -> list[str]:
        """The open discharge criteria (escort aside) in words, for the board; the observation
        time is left out (the board counts down the minutes to its end instead)."""
        if self.session.status not in DOSED_STATUSES:
            return []
        codes = dict.fromkeys(i.code for i in self.clinical_issues if i.code != "observation_time")
        return [DISCHARGE_CRITERIA.get(code, code.replace("_", " ")) for code in codes]

    @property
    def ready_to_leave_but_for_time(self) -> bool:
        """Every criterion met except the minimum observation time (REMS 'ready to leave')."""
        return all(i.code == "observation_time" for i in self.clinical_issues)

    @property
    def phase_label(self) -> str:
        status = self.session.status
        if (
            status == SessionStatus.MONITORING
            and self.infusion
            and self.session.infusion_ended_at is None
        ):
            return "Infusing"
        if status == SessionStatus.DOSING and not self.infusion:
            return "Dosing (devices)"
        return dict(SessionStatus.choices)[status]


def _rows(session, name: str, *related: str) -> list:
    """Prefetched rows when the query prefetched them, else one query (with its joins)."""
    if name in getattr(session, "_prefetched_objects_cache", {}):
        return list(getattr(session, name).all())
    return list(getattr(session, name).select_related(*related))


def _as_it_stood(rows: list, at: datetime.datetime, when: str, *later: str) -> list:
    """The rows that existed at `at` (their `when` not after it), with what happened to them
    after it (`later`: an acknowledgement, a resolution) undone on a copy."""
    kept = []
    for row in rows:
        if getattr(row, when) > at:
            continue
        undone = [name for name in later if (getattr(row, name) or at) > at]
        if undone:
            row = copy.copy(row)
            for name in undone:
                setattr(row, name, None)
        kept.append(row)
    return kept


def state_of(session, now: datetime.datetime, *, as_of: bool = False) -> SessionState:
    """Build the state from the session's related rows (prefetched or read here).

    `as_of`: the state as it stood at `now`, a time in the past (a discharge charted later):
    entries charted for after it are left out, and alerts acknowledged or adverse events
    resolved after it count as still open."""
    definition = definition_for(session)
    vitals = _rows(session, "vitals", "recorded_by")
    scales = _rows(session, "scales", "recorded_by")
    alerts = _rows(session, "alerts", "acknowledged_by")
    events = _rows(session, "adverse_events")
    if as_of:
        vitals = _as_it_stood(vitals, now, "measured_at")
        scales = _as_it_stood(scales, now, "measured_at")
        alerts = _as_it_stood(alerts, now, "raised_at", "acknowledged_at")
        events = _as_it_stood(events, now, "onset_at", "resolved_at")
    return SessionState(
        session=session,
        definition=definition,
        now=now,
        infusion=is_infusion(definition),
        vitals=sorted(vitals, key=lambda v: (v.measured_at, v.created_at)),
        scales=sorted(scales, key=lambda s: (s.measured_at, s.created_at)),
        alerts=sorted(alerts, key=lambda a: (a.raised_at, a.created_at)),
        adverse_events=sorted(events, key=lambda e: e.onset_at),
    )
