"""Protocol reads: a protocol's facts, versions and definition in a clinic, and its calendar."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import require
from ketaclinic.protocols.definitions import PROTOCOLS, ProtocolDefinition
from ketaclinic.protocols.editing import from_data, held_to_label
from ketaclinic.protocols.models import ClinicCalendar, ClosedDate, ProtocolVersion

# Monday-Friday until a clinic sets its own open days (a planning default, not clinical).
DEFAULT_OPEN_WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class ProtocolFacts:
    """What other apps need to know about a protocol code (drug, route, consent type)."""

    code: str
    name: str
    drug: str
    route: str
    consent_type: str


class UnknownProtocol(LookupError):
    """No built-in protocol and no copy in this clinic has that code."""


def _clinic_id(clinic: Any):
    return getattr(clinic, "pk", clinic)


def latest_version(clinic: Any, code: str):
    """The clinic's newest ProtocolVersion row for the code, or None."""
    if clinic is None:
        return None
    return (
        ProtocolVersion.objects.filter(clinic_id=_clinic_id(clinic), code=code)
        .order_by("-version")
        .first()
    )


def definition_of(version) -> ProtocolDefinition:
    """The ProtocolDefinition stored in a version row, held to its label's floors."""
    return held_to_label(from_data(ProtocolDefinition, version.definition))


def _facts(code: str, name: str, kind: ProtocolDefinition) -> ProtocolFacts:
    """The facts of a protocol named `name`, with the drug, route and consent type of `kind`."""
    return ProtocolFacts(code, name, kind.drug, kind.route, kind.consent_type)


def protocol_facts(clinic: Any, code: str) -> ProtocolFacts:
    """Drug, route and consent type of a code; a clinic copy resolves to its base protocol's."""
    version = latest_version(clinic, code)
    if version is not None:
        base = PROTOCOLS.get(version.base_code)
        definition = definition_of(version)
        return _facts(code, definition.name, base or definition)
    definition = PROTOCOLS.get(code)
    if definition is None:
        raise UnknownProtocol(code)
    return _facts(definition.code, definition.name, definition)


@dataclass(frozen=True)
class ProtocolRow:
    """One protocol as listed for a clinic: its definition and the version in force."""

    code: str
    base_code: str
    version: int
    is_builtin: bool
    definition: ProtocolDefinition


def protocols_for(user) -> list[ProtocolRow]:
    """Every protocol the user's clinic can use: built-ins (or the clinic's versions of them)
    and the clinic's own copies, newest version of each."""
    require(user, "protocol.view")
    newest: dict[str, Any] = {}
    for row in ProtocolVersion.objects.visible_to(user).order_by("code", "-version"):
        newest.setdefault(row.code, row)
    rows = []
    for code, builtin in PROTOCOLS.items():
        row = newest.pop(code, None)
        if row is None:
            rows.append(ProtocolRow(code, code, 0, True, builtin))
        else:
            rows.append(
                ProtocolRow(code, row.base_code, row.version, row.is_builtin, definition_of(row))
            )
    for code, row in sorted(newest.items()):
        rows.append(ProtocolRow(code, row.base_code, row.version, False, definition_of(row)))
    return rows


def protocol_names(clinic: Any) -> dict[str, str]:
    """Code -> name of every protocol of a clinic (built-ins and its copies; newest name)."""
    names = {code: p.name for code, p in PROTOCOLS.items()}
    rows = ProtocolVersion.objects.filter(clinic_id=_clinic_id(clinic)).order_by("code", "version")
    for code, name in rows.values_list("code", "name"):
        names[code] = name
    return names


def access_protocol(user, code: str) -> ProtocolRow:
    """One protocol of the user's clinic by code; NotFound when the clinic has no such code."""
    for row in protocols_for(user):
        if row.code == code:
            return row
    raise NotFound("No such protocol.")


def open_weekdays(clinic: Any) -> tuple[int, ...] | None:
    """The weekdays the clinic set as open (Monday = 0); None until it sets them."""
    calendar = ClinicCalendar.objects.filter(clinic_id=_clinic_id(clinic)).first()
    return tuple(calendar.open_weekdays) if calendar and calendar.open_weekdays else None


def clinic_calendar(clinic: Any) -> tuple[tuple[int, ...], frozenset[datetime.date]]:
    """The clinic's open weekdays (Monday = 0) and closed dates from today on."""
    weekdays = open_weekdays(clinic)
    closed = frozenset(
        ClosedDate.objects.filter(clinic_id=_clinic_id(clinic)).values_list("date", flat=True)
    )
    return weekdays or DEFAULT_OPEN_WEEKDAYS, closed
