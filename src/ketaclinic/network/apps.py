"""App config of the network views: an organization's locations seen together."""

from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "ketaclinic.network"
    label = "network"
    verbose_name = "Clinic network"
