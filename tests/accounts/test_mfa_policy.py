"""The clinic's two-factor policy: on by default (off in the demo: tests/demo), changed by the
operator's command; existing tokens get an expiry when the upgrade runs."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ketaclinic.accounts.models import ApiToken, ClinicSecurity
from ketaclinic.accounts.queries import security_policy
from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.context import acting
from ketaclinic.core.models import Clinic


def run(*args) -> str:
    out = io.StringIO()
    with acting("cli"):
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_clinic_created_by_the_operator_requires_mfa(monkeypatch):
    run("create_clinic", "North Clinic", "north")
    clinic = Clinic.objects.get(slug="north")
    policy = security_policy(clinic.pk)
    assert policy.mfa_required is True and policy.mfa_required_for_all is False
    assert "prescribers, clinic administrators and auditors" in run("set_mfa_policy", "north")


@pytest.mark.django_db
def test_the_operator_changes_the_policy_and_it_is_audited(clinic):
    output = run("set_mfa_policy", clinic.slug, "--required", "on", "--all-roles", "on")
    assert "every role" in output
    policy = ClinicSecurity.objects.get(clinic=clinic)
    assert policy.mfa_required and policy.mfa_required_for_all
    event = AuditEvent.objects.get(action="clinic.mfa_policy_changed")
    assert event.via == "cli" and event.changes["mfa_required_for_all"]["to"] is True
    with pytest.raises(CommandError, match="No clinic"):
        run("set_mfa_policy", "nowhere")


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_existing_tokens_an_expiry_90_days_after_creation(clinic, nurse):
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0001_initial")])
    old = executor.loader.project_state([("accounts", "0001_initial")]).apps
    OldToken = old.get_model("accounts", "ApiToken")
    row = OldToken.objects.create(
        clinic_id=clinic.pk, user_id=nurse.pk, name="old", token_hash="a" * 64, prefix="kc_old"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get(pk=row.pk)
    assert token.expires_at == token.created_at + timedelta(days=90)
    assert token.read_only is False
