"""App config for billing: charges a session at discharge when the clinic says so."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "ketaclinic.billing"
    label = "billing"

    def ready(self) -> None:
        from ketaclinic.billing.charges import charge_at_discharge  # lazy: imports models
        from ketaclinic.treatments.services import session_discharged  # lazy: imports models

        # treatments sits below billing and never imports it: it signals the discharge, and
        # billing charges the session inside the discharge's transaction.
        session_discharged.connect(charge_at_discharge, dispatch_uid="billing.charge_at_discharge")
