"""App config for treatments: connects the app to the lower apps that serve it."""

from django.apps import AppConfig

from ketaclinic.inventory.sessions import register_session_reader
from ketaclinic.measures.courses import register_course_start
from ketaclinic.pdmp.orders import register_signed_orders


class TreatmentsConfig(AppConfig):
    name = "ketaclinic.treatments"
    label = "treatments"

    def ready(self) -> None:
        from ketaclinic.treatments.queries import latest_course_started_on  # lazy: imports models
        from ketaclinic.treatments.queries.ledger import LedgerSessions  # lazy: imports models
        from ketaclinic.treatments.queries.orders import signed_orders_between  # lazy: models

        # The ledger (below treatments) reads sessions only through this reader.
        register_session_reader(LedgerSessions())
        # Measures (below treatments) take a course's start as the baseline date: the active
        # course, else the latest one (as the outcome dashboard judges it).
        register_course_start(latest_course_started_on)
        # The PDMP report (below treatments) lists orders with no check from these.
        register_signed_orders(signed_orders_between)
