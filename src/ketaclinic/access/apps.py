"""App config for access."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "ketaclinic.access"
    label = "access"
