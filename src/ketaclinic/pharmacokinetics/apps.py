"""App config for pharmacokinetics."""

from django.apps import AppConfig


class PharmacokineticsConfig(AppConfig):
    name = "ketaclinic.pharmacokinetics"
    label = "pharmacokinetics"
