"""`ketaclinic serve`: gunicorn with settings from the environment, and a real start."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection

from ketaclinic.core import backups, serving


def test_the_server_binds_to_loopback_with_two_workers_per_core_plus_one_by_default():
    # given no KETACLINIC_* server variables
    found = serving.server_settings(env={})
    # then it listens on 127.0.0.1:8000 with 2 x cores + 1 workers (capped) and 2 threads each
    assert found.bind == ("127.0.0.1:8000",)
    assert found.workers == min(2 * (os.cpu_count() or 1) + 1, serving.MAX_DEFAULT_WORKERS)
    assert found.threads == 2 and found.timeout == 60


def test_the_default_worker_count_is_capped_on_a_big_host():
    assert serving.default_workers(cores=2) == 5
    assert serving.default_workers(cores=32) == serving.MAX_DEFAULT_WORKERS


def test_the_environment_sets_bind_workers_threads_and_timeout():
    # given the operator's variables
    env = {
        "KETACLINIC_BIND": "0.0.0.0:9000, unix:/run/ketaclinic/web.sock",
        "KETACLINIC_WORKERS": "3",
        "KETACLINIC_THREADS": "4",
        "KETACLINIC_TIMEOUT": "120",
        "KETACLINIC_ACCESS_LOG": "off",
    }
    # when the gunicorn command line is built
    argv = serving.gunicorn_argv(serving.server_settings(env=env))
    # then it serves the project's WSGI application with those values
    assert argv[1:4] == ["-m", "gunicorn", "ketaclinic.config.wsgi:application"]
    line = " ".join(argv)
    assert "--bind 0.0.0.0:9000 --bind unix:/run/ketaclinic/web.sock" in line
    assert "--workers 3 --threads 4 --timeout 120" in line
    assert "--access-logfile" not in line


def test_command_line_options_win_over_the_environment():
    found = serving.server_settings(env={"KETACLINIC_WORKERS": "3"}, workers=7, bind="[::1]:81")
    assert found.workers == 7 and found.bind == ("[::1]:81",)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("KETACLINIC_WORKERS", "many", "KETACLINIC_WORKERS must be a whole number"),
        ("KETACLINIC_WORKERS", "0", "KETACLINIC_WORKERS must be at least 1"),
        ("KETACLINIC_TIMEOUT", "-5", "KETACLINIC_TIMEOUT must be at least 1"),
    ],
)
def test_a_bad_server_variable_is_named_in_the_error(name, value, says):
    with pytest.raises(serving.ServerSettingError, match=says):
        serving.server_settings(env={name: value})


def test_the_access_log_leaves_out_query_strings_and_self_report_tokens():
    # the format logs the path without its query string (searches carry patient names)
    assert "%(U)s" in serving.ACCESS_LOG_FORMAT and "%(r)s" not in serving.ACCESS_LOG_FORMAT
    assert "%(f)s" not in serving.ACCESS_LOG_FORMAT
    # and a self-report link's token never reaches the log
    assert serving.redact_path("/r/Zk3-secret_token/") == "/r/<token>/"
    assert serving.redact_path("/r/done/") == "/r/done/"
    assert serving.redact_path("/patients/") == "/patients/"


def test_serve_dry_run_prints_the_gunicorn_command(monkeypatch, capsys):
    # given a bind address in the environment
    monkeypatch.setenv("KETACLINIC_BIND", "127.0.0.1:8123")
    # when the operator asks what would run
    call_command("serve", "--dry-run", "--workers", "2")
    # then it is gunicorn on that address with two workers
    out = capsys.readouterr().out
    assert "gunicorn ketaclinic.config.wsgi:application --bind 127.0.0.1:8123 --workers 2" in out


def _environment(tmp_path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETACLINIC_")}
    env.update(
        DATABASE_URL=database_url,
        KETACLINIC_VAR_DIR=str(tmp_path / "var"),
        KETACLINIC_PLAIN_HTTP="1",
        DJANGO_SETTINGS_MODULE="ketaclinic.config.settings",
    )
    return env


def test_serve_refuses_to_start_on_a_database_without_its_tables(tmp_path):
    # given an empty SQLite file
    env = _environment(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    # when the server is started on it
    done = subprocess.run(
        [sys.executable, "-m", "ketaclinic.config.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it stops and says to run migrate first
    assert done.returncode == 1
    assert "not applied: run `ketaclinic migrate` first" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_serve_answers_through_gunicorn_with_security_headers(tmp_path, clinic):
    # given a migrated database the server can open (a copy of the SQLite test database, or
    # the PostgreSQL test database itself)
    if connection.vendor == "sqlite":
        path = tmp_path / "served.sqlite3"
        connection.ensure_connection()
        backups.sqlite_copy(connection.connection, path)
        url = f"sqlite:///{path}"
    else:
        s = connection.settings_dict
        user = f"{s['USER']}:{s['PASSWORD']}" if s["PASSWORD"] else s["USER"]
        url = f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    port = _free_port()
    # when `ketaclinic serve` starts with one worker on a free loopback port
    server = subprocess.Popen(
        [sys.executable, "-m", "ketaclinic.config.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        env={**_environment(tmp_path, url), "KETACLINIC_WORKERS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        health = None
        for _ in range(120):  # a start-up guard, not a timing assertion
            try:
                health = _get(port, "/api/v1/health")
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.5)
        assert health is not None, server.stdout.read().decode() if server.poll() else "no answer"
        status, headers, body = health
        # then gunicorn answers, on the configured database, with no-store
        assert status == 200 and headers["Server"] == "gunicorn"
        assert connection.vendor.encode() in body
        assert headers["Cache-Control"] == "no-store"
        # and the sign-in page carries the Content-Security-Policy; static files are cacheable
        status, headers, _ = _get(port, "/login/")
        assert status == 200 and "script-src 'self'" in headers["Content-Security-Policy"]
        status, headers, _ = _get(port, "/static/ketaclinic/app.js")
        assert status == 200 and "no-store" not in headers.get("Cache-Control", "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        server.stdout.close()
