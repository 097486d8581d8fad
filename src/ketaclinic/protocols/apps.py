"""App config for protocols."""

from django.apps import AppConfig


class ProtocolsConfig(AppConfig):
    name = "ketaclinic.protocols"
    label = "protocols"
