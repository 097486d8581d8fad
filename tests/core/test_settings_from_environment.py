"""Settings come from the environment; secure flags are on whenever debug is off."""

import json
import os
import subprocess
import sys

SNIPPET = (
    "import json; from ketaclinic.config import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'cookie': getattr(s, 'SESSION_COOKIE_SECURE', False), "
    "'csrf': getattr(s, 'CSRF_COOKIE_SECURE', False), "
    "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "'engine': s.DATABASES['default']['ENGINE'], 'hosts': s.ALLOWED_HOSTS, 'key': s.SECRET_KEY}))"
)


def load(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    environment.pop("DATABASE_URL", None)
    environment.update({"KETACLINIC_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_debug_is_off_and_cookies_are_secure_by_default(tmp_path):
    loaded = load(tmp_path)
    assert loaded["debug"] is False
    assert loaded["cookie"] and loaded["csrf"] and loaded["hsts"] > 0


def test_the_secret_key_is_generated_once_into_var(tmp_path):
    first = load(tmp_path)["key"]
    second = load(tmp_path)["key"]
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_environment_chooses_key_database_and_hosts(tmp_path):
    loaded = load(
        tmp_path,
        KETACLINIC_SECRET_KEY="from-env",
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        KETACLINIC_ALLOWED_HOSTS="clinic.example.org",
        KETACLINIC_DEBUG="1",
    )
    assert loaded["key"] == "from-env"
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["hosts"] == ["clinic.example.org"]
    assert loaded["debug"] is True and loaded["cookie"] is False


def test_the_default_database_is_the_sqlite_file_under_var(tmp_path):
    assert load(tmp_path)["engine"] == "django.db.backends.sqlite3"
