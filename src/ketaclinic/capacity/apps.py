"""App config for capacity."""

from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "ketaclinic.capacity"
    label = "capacity"
