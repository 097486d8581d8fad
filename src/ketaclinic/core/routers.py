"""The read-replica router, installed only when KETACLINIC_REPLICA_URL is set (settings).

Reads of the outcomes app's tables (the fact tables behind the dashboard, the equity view and
`GET /api/v1/outcomes/summary`) go to the `replica` database, a logical-replication subscriber
of those tables (docs/deploy.md, decision record 0025). Every other read, every write and every
migration stays on `default`, and so does a read made inside a transaction on `default` (a
write in progress reads its own rows, never the replica's older copy). The router names apps by
label, so core imports no app.
"""

from django.conf import settings
from django.db import connections

REPLICA = "replica"
DEFAULT = "default"
# Apps whose tables the replica holds and whose reads may be a little behind the primary.
REPLICA_APPS = frozenset({"outcomes"})


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Outcome reads to the replica; everything else, and all writes, to the primary."""

    def db_for_read(self, model, **hints):
        if (
            model._meta.app_label in REPLICA_APPS
            and replica_configured()
            and not connections[DEFAULT].in_atomic_block
        ):
            return REPLICA
        return DEFAULT

    def db_for_write(self, model, **hints):
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # A row read from the replica is the same row as on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica's schema is migrated as a database of its own (DATABASE_URL pointing at
        # it); through this configuration only the primary is migrated.
        return db == DEFAULT
