"""A `replica` database alias for tests, as KETACLINIC_REPLICA_URL makes one: a second
connection to the test database (a mirror of default, so Django neither creates nor flushes
it) and the read-replica router installed."""

import contextlib

from django.db import connections
from django.test import override_settings

ROUTERS = ["ketaclinic.core.routers.ReplicaRouter"]


@contextlib.contextmanager
def replica_alias():
    # connections.settings is settings.DATABASES itself: the alias appears in both.
    databases = connections.settings
    databases["replica"] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    try:
        with override_settings(DATABASE_ROUTERS=ROUTERS):
            yield connections["replica"]
    finally:
        if "replica" in connections.settings:
            connections["replica"].close()
            del connections["replica"]
        databases.pop("replica", None)
