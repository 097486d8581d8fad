"""KETACLINIC_REPLICA_URL adds a read replica for the outcomes app's tables; without it nothing
changes. The router sends outcome reads there and every write and migration to default."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from ketaclinic.core.routers import ReplicaRouter
from ketaclinic.outcomes.models import CourseFact, DayFact, SessionFact
from ketaclinic.patients.models import Patient
from tests.replica import replica_alias

SNIPPET = (
    "import json; from ketaclinic.config import settings as s; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), "
    "'replica': s.DATABASES.get('replica'), "
    "'routers': getattr(s, 'DATABASE_ROUTERS', [])}, default=str))"
)


def load(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    environment.pop("DATABASE_URL", None)
    environment.update({"KETACLINIC_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_without_the_variable_there_is_one_database_and_no_router(tmp_path):
    loaded = load(tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/clinic")
    assert loaded["aliases"] == ["default"]
    assert loaded["routers"] == []


def test_the_variable_adds_the_replica_and_the_router(tmp_path):
    loaded = load(
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/clinic",
        KETACLINIC_REPLICA_URL="postgres://reader@10.0.0.2:5433/clinic",
    )
    assert loaded["aliases"] == ["default", "replica"]
    assert loaded["routers"] == ["ketaclinic.core.routers.ReplicaRouter"]
    replica = loaded["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("10.0.0.2", 5433, "reader")
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert replica["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize("model", [CourseFact, SessionFact, DayFact])
def test_outcome_reads_go_to_the_replica_and_their_writes_to_default(model):
    router = ReplicaRouter()
    with replica_alias():
        assert router.db_for_read(model) == "replica"
        assert router.db_for_write(model) == "default"


def test_other_reads_and_every_migration_stay_on_default():
    router = ReplicaRouter()
    with replica_alias():
        assert router.db_for_read(Patient) == "default"
        assert router.db_for_write(Patient) == "default"
        assert router.allow_migrate("default", "outcomes") is True
        assert router.allow_migrate("replica", "outcomes") is False
        assert router.allow_migrate("replica", "patients") is False


def test_without_a_replica_alias_outcome_reads_stay_on_default():
    assert "replica" not in settings.DATABASES
    assert ReplicaRouter().db_for_read(CourseFact) == "default"
