"""App config for patients."""

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from .search import ensure_sqlite_index


def _repair_search_index(sender, using, **kwargs):
    ensure_sqlite_index(connections[using])


class PatientsConfig(AppConfig):
    name = "ketaclinic.patients"
    label = "patients"
    verbose_name = "Patient registry"

    def ready(self):
        # A later migration that rebuilds the patient table on SQLite drops the search
        # index's triggers: put them back after every migrate.
        post_migrate.connect(_repair_search_index, sender=self)
