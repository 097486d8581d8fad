"""App config for treatments: connects the app to the lower apps that serve it."""

from django.apps import AppConfig

from ketaclinic.inventory.sessions import register_session_reader
from ketaclinic.measures.courses import register_course_start


class TreatmentsConfig(AppConfig):
    name = "ketaclinic.treatments"
    label = "treatments"

    def ready(self) -> None:
        from ketaclinic.treatments.queries import current_course_started_on  # lazy: imports models
        from ketaclinic.treatments.queries.ledger import LedgerSessions  # lazy: imports models

        # The ledger (below treatments) reads sessions only through this reader.
        register_session_reader(LedgerSessions())
        # Measures (below treatments) take a course's start as the baseline date.
        register_course_start(current_course_started_on)
