"""Reads across the locations of the reader's organization. Each read is authorized here, then
gathered from the apps' own queries (ledger status, outcome fact counts), location by location.
Counts of patients' courses are suppressed under the same small-cell rule as the equity view."""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import require
from ketaclinic.inventory.queries import LedgerStatus, ledger_status
from ketaclinic.outcomes.definitions import SMALL_CELL_MIN, SMALL_CELL_SOURCE
from ketaclinic.outcomes.queries import LocationCounts, course_counts_by_clinic
from ketaclinic.outcomes.rules import (
    Cell,
    RateCell,
    suppress_breakdown,
    suppress_count,
    suppress_rates,
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
    source: str = SMALL_CELL_SOURCE

    @property
    def suppressed_cells(self) -> int:
        cells = 0
        for row in self.locations:
            cells += row.courses.suppressed + row.response.suppressed + row.remission.suppressed
        return cells


def _total(counts: list[LocationCounts]) -> LocationOutcomes:
    """The network row: each count and rate suppressed on its own (no breakdown to protect)."""
    evaluable = sum(c.evaluable for c in counts)
    responders, remitters = sum(c.responders for c in counts), sum(c.remitters for c in counts)
    return LocationOutcomes(
        "Network",
        suppress_count(sum(c.courses for c in counts)),
        suppress_count(sum(c.dosed_sessions for c in counts)),
        suppress_rates({"network": (responders, evaluable)})["network"],
        suppress_rates({"network": (remitters, evaluable)})["network"],
    )


def outcomes(user) -> NetworkOutcomes:
    """Course outcomes per location and for the network, from the outcome fact tables. A count
    of 1 to 10 is not shown, and complementary suppression hides a second cell where a hidden
    one could be worked out from the network total (outcomes.rules)."""
    require(user, "network.view_outcomes")
    clinics = locations(user)
    by_clinic = course_counts_by_clinic([c.pk for c in clinics])
    empty = LocationCounts(0, 0, 0, 0, 0)
    counts = {c.pk: by_clinic.get(c.pk, empty) for c in clinics}
    courses = suppress_breakdown({pk: c.courses for pk, c in counts.items()})
    sessions = suppress_breakdown({pk: c.dosed_sessions for pk, c in counts.items()})
    response = suppress_rates({pk: (c.responders, c.evaluable) for pk, c in counts.items()})
    remission = suppress_rates({pk: (c.remitters, c.evaluable) for pk, c in counts.items()})
    rows = [
        LocationOutcomes(c.name, courses[c.pk], sessions[c.pk], response[c.pk], remission[c.pk])
        for c in clinics
    ]
    return NetworkOutcomes(rows, _total(list(counts.values())))
