"""Reads across the locations of the reader's organization. Each read is authorized here, then
gathered from the apps' own queries (ledger status, outcome facts, chair time, diversion
signals), location by location. Counts of patients' courses are suppressed under the same
small-cell rule as the equity view."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.utils import timezone

from ketaclinic.accounts.queries import clinical_locations
from ketaclinic.capacity.queries import ChairUtilisation, chair_utilisation
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import require
from ketaclinic.inventory import diversion as diversion_signals
from ketaclinic.inventory.queries import LedgerStatus, ledger_status
from ketaclinic.outcomes import equity as equity_rules
from ketaclinic.outcomes.definitions import SMALL_CELL_MIN, SMALL_CELL_POLICY
from ketaclinic.outcomes.queries import (
    LocationCounts,
    course_counts_by_clinic,
    equity_labels,
    equity_rows_by_clinic,
)
from ketaclinic.outcomes.rules import (
    Cell,
    RateCell,
)


def locations(user) -> list[Clinic]:
    """The clinics of the user's organization, by name."""
    require(user, "network.view")
    return list(Clinic.objects.filter(organization_id=user.clinic.organization_id).order_by("name"))


@dataclass(frozen=True)
class LocationLedger:
    clinic: Clinic
    status: LedgerStatus


def compliance(user) -> list[LocationLedger]:
    """Every location's ledger status (a few indexed reads per location; no entry is read)."""
    require(user, "network.view_compliance")
    clinics = locations(user)
    return [LocationLedger(clinic, ledger_status(clinic.pk)) for clinic in clinics]


@dataclass(frozen=True)
class LocationOutcomes:
    name: str
    courses: Cell
    dosed_sessions: Cell
    response: RateCell
    remission: RateCell


@dataclass(frozen=True)
class NetworkOutcomes:
    locations: list[LocationOutcomes]
    total: LocationOutcomes
    minimum: int = SMALL_CELL_MIN
    policy: str = SMALL_CELL_POLICY

    @property
    def suppressed_cells(self) -> int:
        cells = 0
        for row in self.locations:
            cells += row.courses.suppressed + row.response.suppressed + row.remission.suppressed
        return cells


def _tables(user, clinics: list[Clinic]) -> equity_rules.NetworkTables:
    """Outcomes and equity by location, suppressed together (two grouped queries). The
    locations where the reader holds a clinic role count as known to them."""
    ids = [c.pk for c in clinics]
    by_clinic = course_counts_by_clinic(ids)
    empty = LocationCounts(0, 0, 0, 0, 0)
    totals = {pk: asdict(by_clinic.get(pk, empty)) for pk in ids}
    return equity_rules.network_tables(
        totals,
        equity_rows_by_clinic(ids),
        equity_labels(),
        known_locations=clinical_locations(user) & set(ids),
    )


def outcomes(user) -> NetworkOutcomes:
    """Course outcomes per location and for the network, from the outcome fact tables. A count
    of 1 to 10 is not shown, and no hidden figure can be worked out from the figures shown
    here or on the equity page (outcomes.disclosure)."""
    require(user, "network.view_outcomes")
    clinics = locations(user)
    figures = _tables(user, clinics).figures

    def row(name, key) -> LocationOutcomes:
        f = figures[key]
        return LocationOutcomes(name, f.courses, f.dosed_sessions, f.response, f.remission)

    return NetworkOutcomes(
        [row(c.name, c.pk) for c in clinics], row("Network", equity_rules.NETWORK)
    )


@dataclass(frozen=True)
class NetworkEquity:
    columns: list[str]
    dimensions: list[equity_rules.NetworkDimension]
    minimum: int = SMALL_CELL_MIN
    policy: str = SMALL_CELL_POLICY

    @property
    def suppressed_cells(self) -> int:
        return sum(d.suppressed_cells for d in self.dimensions)


def equity(user) -> NetworkEquity:
    """Course outcomes by race, ethnicity, sex, age band, payer and income at every location
    and for the network, from the course facts, suppressed with the outcomes by location."""
    require(user, "network.view_outcomes")
    clinics = locations(user)
    tables = _tables(user, clinics)
    return NetworkEquity([*(c.name for c in clinics), "Network"], tables.dimensions)


CAPACITY_DAYS = 28


@dataclass(frozen=True)
class LocationCapacity:
    clinic: Clinic
    use: ChairUtilisation


@dataclass(frozen=True)
class NetworkCapacity:
    days: int
    locations: list[LocationCapacity]
    total: ChairUtilisation


def capacity(user, *, days: int = CAPACITY_DAYS, now: dt.datetime | None = None):
    """Each location's chair utilisation over its last `days` local dates up to yesterday (a
    day still under way would look idle), and the network's: chair time from check-in to
    discharge against open chair time."""
    require(user, "network.view_capacity")
    now = now or timezone.now()
    rows = []
    for clinic in locations(user):
        date_to = timezone.localdate(now, clinic.tz) - dt.timedelta(days=1)
        date_from = date_to - dt.timedelta(days=days - 1)
        rows.append(LocationCapacity(clinic, chair_utilisation(clinic, date_from, date_to)))
    # A location without open chair time entered has no utilisation: left out of the network's.
    uses = [r.use for r in rows if r.use.open_minutes]
    total = ChairUtilisation(
        min((r.use.date_from for r in rows), default=None),
        max((r.use.date_to for r in rows), default=None),
        sum(u.chairs for u in uses),
        sum(u.open_minutes for u in uses),
        sum(u.sessions for u in uses),
        sum(u.used_minutes for u in uses),
    )
    return NetworkCapacity(days, rows, total)


DIVERSION_DAYS = 30


@dataclass(frozen=True)
class FlaggedStaff:
    name: str
    kinds: list[str]


@dataclass(frozen=True)
class LocationDiversion:
    clinic: Clinic
    date_from: dt.date
    date_to: dt.date
    by_kind: Counter
    staff: list[FlaggedStaff] = field(default_factory=list)

    @property
    def signals(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class NetworkDiversion:
    days: int
    kinds: list[tuple[str, str]]
    locations: list[LocationDiversion]

    @property
    def rows(self) -> list[tuple[LocationDiversion, list[int]]]:
        """Each location with its count of every kind, in the order of `kinds`."""
        return [(row, [row.by_kind[k] for k, _ in self.kinds]) for row in self.locations]

    @property
    def signals(self) -> int:
        return sum(row.signals for row in self.locations)

    @property
    def totals(self) -> list[int]:
        """The network's count of every kind, in the order of `kinds`."""
        return [sum(row.by_kind[k] for row in self.locations) for k, _ in self.kinds]


def diversion(user, *, days: int = DIVERSION_DAYS, now: dt.datetime | None = None):
    """Each location's diversion signals over its last `days` local dates (today included),
    counted by kind, with the staff each names: what the network compliance officer follows
    up with the location's own compliance officer, who opens the entries. No patient is named."""
    require(user, "network.view_diversion")
    now = now or timezone.now()
    rows, titles = [], {}
    for clinic in locations(user):
        date_to = timezone.localdate(now, clinic.tz)
        date_from = date_to - dt.timedelta(days=days - 1)
        report = diversion_signals.location_report(
            clinic, date_from=date_from, date_to=date_to, now=now
        )
        by_kind = Counter(s.kind for s in report.signals)
        staff: dict[str, list[str]] = {}
        for signal in report.signals:
            titles[signal.kind] = signal.title
            kinds = staff.setdefault(signal.subject or "(not named)", [])
            if signal.title not in kinds:
                kinds.append(signal.title)
        flagged = [FlaggedStaff(name, kinds) for name, kinds in sorted(staff.items())]
        rows.append(LocationDiversion(clinic, date_from, date_to, by_kind, flagged))
    kinds = sorted(titles.items(), key=lambda kv: kv[1])
    return NetworkDiversion(days, kinds, rows)
