"""PostgreSQL connections are reused with health checks; SQLite keeps one per request."""

import json
import os
import subprocess
import sys

SNIPPET = (
    "import json; from ketaclinic.config import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'age': d.get('CONN_MAX_AGE', 0), "
    "'checks': d.get('CONN_HEALTH_CHECKS', False)}))"
)


def database_settings(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    environment.pop("DATABASE_URL", None)
    environment.update({"KETACLINIC_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_postgresql_connections_are_kept_for_a_minute_and_checked_before_reuse(tmp_path):
    found = database_settings(tmp_path, DATABASE_URL="postgres://u@127.0.0.1:5432/clinic")
    assert found == {"age": 60, "checks": True}


def test_the_operator_can_change_how_long_a_connection_is_kept(tmp_path):
    found = database_settings(
        tmp_path,
        DATABASE_URL="postgres://u@127.0.0.1:5432/clinic",
        KETACLINIC_DB_CONN_MAX_AGE="300",
    )
    assert found["age"] == 300


def test_sqlite_opens_a_connection_per_request_as_before(tmp_path):
    assert database_settings(tmp_path) == {"age": 0, "checks": False}
