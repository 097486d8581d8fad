"""Two administrators setting the clinic's plasma threshold at once (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.permissions import Role
from ketaclinic.treatments import queries, services
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's test database is not shared between threads, and "
        "the row lock (SELECT ... FOR UPDATE) under test only exists on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 8


def test_two_administrators_setting_the_threshold_at_once_leave_one_row_and_every_event(
    clinic, clinic_admin
):
    other = make_user(clinic, "ad_singh", Role.CLINIC_ADMIN, first_name="Ravi", last_name="Singh")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    guard = threading.Lock()

    def set_it(actor, value: str) -> None:
        try:
            for _ in range(ROUNDS):
                barrier.wait()
                services.set_pk_threshold(actor=actor, threshold_ng_per_ml=Decimal(value))
            result = "ok"
        except Exception as exc:  # any failure must show up in the assertion
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes.append(result)

    # when both set a value at the same instant, the first time included (no row yet)
    threads = [
        threading.Thread(target=set_it, args=(clinic_admin, "50")),
        threading.Thread(target=set_it, args=(other, "80")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then nothing failed, the clinic holds one of the two values, and every change is audited
    assert outcomes == ["ok", "ok"]
    assert queries.pk_threshold(clinic.id) in (50.0, 80.0)
    assert AuditEvent.objects.filter(action="clinic.pk_threshold_set").count() == 2 * ROUNDS
