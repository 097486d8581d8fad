"""The authorization line of the session page and the chair board (registered in apps.py).

Treatments shows the line without importing this app: it hands every session of the page to
`authorization_lines` at once, and the statuses are read in one batch.
"""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.core.permissions import can
from ketaclinic.treatments.panels import PanelLine

from . import queries


def authorization_lines(user, sessions, today) -> dict:
    """{session id: 'Authorization: Approved, 5 of 12 sessions left, expires ...'}."""
    if not can(user, "authorization.view"):
        return {}
    statuses = queries.statuses_for_sessions(
        user, [(s.id, s.course_id, s.number) for s in sessions], today
    )
    patients = {s.id: s.patient_id for s in sessions}
    lines = {}
    for session_id, status in statuses.items():
        url = ""
        if status.authorization_id is not None:
            url = reverse(
                "authorizations:detail",
                kwargs={
                    "patient_id": patients[session_id],
                    "authorization_id": status.authorization_id,
                },
            )
        lines[session_id] = PanelLine("Authorization", status.text, status.level, url)
    return lines
