"""An existing single-clinic install upgrades in place: its clinic becomes an organization of
one, and each member of staff a member of their clinic with the role they had."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migration_steps import migrate_to

BEFORE = [
    ("core", "0002_plausible_weight_range_moves_from_patients"),
    ("accounts", "0002_security"),
]


@pytest.mark.django_db(transaction=True)
def test_a_clinic_and_its_staff_from_before_organizations_keep_working():
    # given a database from before organizations and memberships
    old = migrate_to(BEFORE)
    clinic = old.get_model("core", "Clinic").objects.create(name="Old Town Clinic", slug="old")
    users = old.get_model("accounts", "User").objects
    nurse = users.create(username="rn_old", clinic_id=clinic.pk, role="nurse")
    gone = users.create(username="rn_gone", clinic_id=clinic.pk, role="nurse", is_active=False)
    users.create(username="operator")  # no clinic, no role
    # when it migrates to the newest state
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    new = migrate_to(executor.loader.graph.leaf_nodes())
    # then the clinic is an organization of one, named after it
    upgraded = new.get_model("core", "Clinic").objects.get(pk=clinic.pk)
    organization = new.get_model("core", "Organization").objects.get(pk=upgraded.organization_id)
    assert organization.name == "Old Town Clinic"
    # and each member of staff is a member of their clinic, with their role and status
    memberships = new.get_model("accounts", "Membership").objects
    assert {(m.user_id, m.clinic_id, m.role, m.is_active) for m in memberships.all()} == {
        (nurse.pk, clinic.pk, "nurse", True),
        (gone.pk, clinic.pk, "nurse", False),
    }
