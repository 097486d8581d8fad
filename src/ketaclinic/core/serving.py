"""The production web server's settings (from the environment) and its access log format."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace

from gunicorn.glogging import Logger

DEFAULT_BIND = "127.0.0.1:8000"
# 2 x cores + 1 is gunicorn's own rule of thumb; the cap keeps PostgreSQL connections
# (workers x threads) modest on a big host that serves one clinic.
MAX_DEFAULT_WORKERS = 8
WSGI_APP = "ketaclinic.config.wsgi:application"

# No query string (patient searches carry names) and no referrer (it carries the previous
# page's query string); see AccessLogger for the self-report links.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'


class ServerSettingError(ValueError):
    """An environment variable of the server holds an unusable value."""


def default_workers(cores: int | None = None) -> int:
    cores = cores or os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


@dataclass(frozen=True)
class ServerSettings:
    bind: tuple[str, ...]
    workers: int
    threads: int
    timeout: int
    graceful_timeout: int
    max_requests: int
    access_log: bool


def _positive(env: Mapping[str, str], name: str, default: int, *, zero_ok: bool = False) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServerSettingError(f"{name} must be a whole number; got {raw!r}.") from None
    if value < 0 or (value == 0 and not zero_ok):
        least = 0 if zero_ok else 1
        raise ServerSettingError(f"{name} must be at least {least}; got {value}.")
    return value


def server_settings(env: Mapping[str, str] | None = None, **overrides) -> ServerSettings:
    """Settings from KETACLINIC_* variables; command-line values (not None) win."""
    env = os.environ if env is None else env
    bind = overrides.get("bind") or env.get("KETACLINIC_BIND", "") or DEFAULT_BIND
    binds = tuple(b.strip() for b in bind.split(",") if b.strip())
    found = ServerSettings(
        bind=binds,
        workers=_positive(env, "KETACLINIC_WORKERS", default_workers()),
        threads=_positive(env, "KETACLINIC_THREADS", 2),
        timeout=_positive(env, "KETACLINIC_TIMEOUT", 60),
        graceful_timeout=_positive(env, "KETACLINIC_GRACEFUL_TIMEOUT", 30),
        max_requests=_positive(env, "KETACLINIC_MAX_REQUESTS", 2000, zero_ok=True),
        access_log=env.get("KETACLINIC_ACCESS_LOG", "on").strip().lower()
        not in {"0", "off", "no", "false"},
    )
    for name in ("workers", "threads", "timeout"):
        value = overrides.get(name)
        if value is not None:
            if value < 1:
                raise ServerSettingError(f"--{name} must be at least 1; got {value}.")
            found = replace(found, **{name: value})
    return found


def gunicorn_argv(found: ServerSettings) -> list[str]:
    """The gunicorn command line serving ketaclinic with these settings."""
    argv = [sys.executable, "-m", "gunicorn", WSGI_APP]
    for bind in found.bind:
        argv += ["--bind", bind]
    argv += [
        "--workers",
        str(found.workers),
        "--threads",
        str(found.threads),
        "--timeout",
        str(found.timeout),
        "--graceful-timeout",
        str(found.graceful_timeout),
        "--error-logfile",
        "-",
        "--logger-class",
        "ketaclinic.core.serving.AccessLogger",
        # gunicorn's control socket has one default path per host: two servers would clash.
        "--no-control-socket",
    ]
    if found.max_requests:
        # Recycle workers now and then (jittered, so they do not all restart together).
        argv += [
            "--max-requests",
            str(found.max_requests),
            "--max-requests-jitter",
            str(max(1, found.max_requests // 10)),
        ]
    if found.access_log:
        argv += ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
    return argv


SELF_REPORT_LINK = re.compile(r"^/r/(?!done/)[^/]+/")


def redact_path(path: str) -> str:
    """A request path fit for the access log: self-report link tokens are secrets."""
    return SELF_REPORT_LINK.sub("/r/<token>/", path)


class AccessLogger(Logger):
    """gunicorn's logger, with self-report link tokens taken out of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U", ""))
        return atoms
