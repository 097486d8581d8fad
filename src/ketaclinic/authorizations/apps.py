"""App config for authorizations."""

from django.apps import AppConfig

from ketaclinic.treatments.panels import register_session_panel


class AuthorizationsConfig(AppConfig):
    name = "ketaclinic.authorizations"
    label = "authorizations"
    verbose_name = "Coverage and prior authorizations"

    def ready(self) -> None:
        from ketaclinic.authorizations.session_panel import authorization_lines  # lazy: models

        # The session page and the chair board (treatments, below) show the status line.
        register_session_panel("authorization", authorization_lines)
