"""Lines that apps above treatments add to a session on the session page and the chair board.

Treatments never imports those apps: an app above (authorizations) registers a provider here in
its AppConfig.ready(). A provider is given every session of the page at once and answers with
one batched read, so the chair board costs the same number of queries whatever its size.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelSession:
    """What a provider is told about a session."""

    id: uuid.UUID
    course_id: uuid.UUID
    number: int
    patient_id: uuid.UUID


@dataclass(frozen=True)
class PanelLine:
    """One labelled line, e.g. 'Authorization: Approved, 5 of 12 sessions left, ...'."""

    label: str
    text: str
    level: str = "info"  # "ok", "warning", "none" or "info"
    url: str = ""


# (user, sessions, clinic date) -> {session id: line}; sessions it has nothing on are left out.
Provider = Callable[[object, Sequence[PanelSession], datetime.date], Mapping[uuid.UUID, PanelLine]]

_providers: dict[str, Provider] = {}


def register_session_panel(key: str, provider: Provider) -> None:
    """Called once per providing app at start-up; `key` orders the lines and keeps one each."""
    _providers[key] = provider


def panel_lines(user, sessions, today: datetime.date) -> dict[uuid.UUID, list[PanelLine]]:
    """{session id: its lines, in key order} for session rows (one call per provider)."""
    facts = [PanelSession(s.id, s.course_id, s.number, s.patient_id) for s in sessions]
    lines: dict[uuid.UUID, list[PanelLine]] = {f.id: [] for f in facts}
    if not facts:
        return lines
    for key in sorted(_providers):
        for session_id, line in _providers[key](user, facts, today).items():
            lines.setdefault(session_id, []).append(line)
    return lines
