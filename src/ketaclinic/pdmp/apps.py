"""App config for the PDMP check log."""

from django.apps import AppConfig


class PdmpConfig(AppConfig):
    name = "ketaclinic.pdmp"
    label = "pdmp"
    verbose_name = "PDMP check log"
