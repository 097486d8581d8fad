"""App config for treatments."""

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "ketaclinic.treatments"
    label = "treatments"
