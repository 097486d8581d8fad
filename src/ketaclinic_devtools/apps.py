"""App config of the development tools (installed only by ketaclinic_devtools.settings)."""

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "ketaclinic_devtools"
    label = "devtools"
    verbose_name = "Development tools"
