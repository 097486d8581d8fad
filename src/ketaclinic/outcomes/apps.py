"""App config for outcomes."""

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "ketaclinic.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        from ketaclinic.audit.services import on_record  # lazy: imports models
        from ketaclinic.outcomes.facts import on_audit_event  # lazy: imports models

        # The apps below outcomes never import it: every write audits its patient inside its
        # transaction, and the outcome facts follow in that transaction.
        on_record(on_audit_event)
