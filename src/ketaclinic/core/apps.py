"""App config for core: discovers each app's permissions and UI registrations at start-up."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "ketaclinic.core"
    label = "core"
    verbose_name = "Clinic tenancy and shared machinery"

    def ready(self) -> None:
        # Every app declares its actions in permissions.py and its navigation and chart
        # tabs in ui.py; importing them here fills the registries before the first request.
        autodiscover_modules("permissions")
        autodiscover_modules("ui")
