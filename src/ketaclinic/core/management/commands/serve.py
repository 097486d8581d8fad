"""`ketaclinic serve`: run the production web server (gunicorn) on ketaclinic.config.wsgi."""

import os
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from ketaclinic.core.serving import ServerSettingError, gunicorn_argv, server_settings


class Command(BaseCommand):
    help = (
        "Serve ketaclinic with gunicorn. Bind address, workers, threads and timeout come from "
        "KETACLINIC_BIND, KETACLINIC_WORKERS, KETACLINIC_THREADS and KETACLINIC_TIMEOUT "
        "(see docs/deploy.md); the options below override them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="host:port or unix:/path (comma-separated for several)")
        parser.add_argument("--workers", type=int)
        parser.add_argument("--threads", type=int)
        parser.add_argument("--timeout", type=int, help="seconds before a stuck worker restarts")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the server command line and stop"
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            found = server_settings(
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"],
                timeout=options["timeout"],
            )
        except ServerSettingError as exc:
            raise CommandError(str(exc)) from exc
        argv = gunicorn_argv(found)
        if dry_run:
            self.stdout.write(shlex.join(argv))
            return
        pending = self._pending_migrations()
        if pending:
            raise CommandError(
                f"{pending} database migration(s) are not applied: run `ketaclinic migrate` first."
            )
        self.stdout.write(
            f"ketaclinic: gunicorn on {', '.join(found.bind)} with {found.workers} workers x "
            f"{found.threads} threads ({connections[DEFAULT_DB_ALIAS].vendor})."
        )
        if getattr(settings, "SECURE_SSL_REDIRECT", False):
            self.stdout.write(
                "Plain HTTP requests are redirected to HTTPS: serve behind a TLS proxy that sets "
                "X-Forwarded-Proto (docs/deploy.md), or set KETACLINIC_PLAIN_HTTP=1 for a "
                "loopback trial."
            )
        # The server process replaces this one: signals (systemd, Ctrl-C) reach gunicorn itself.
        connections.close_all()
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606  (a fixed argv, no shell)

    def _pending_migrations(self) -> int:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
