"""Demo outcome facts: rebuilt once every other app's demo rows are in.

Most demo rows come through the services (which keep the facts current); a few are dated in
the past directly, so the demo ends with a rebuild of the clinic's facts.
"""

from __future__ import annotations

from .facts import rebuild_clinic

ORDER = 99


def seed(ctx) -> None:
    rebuild_clinic(ctx.clinic.pk)
