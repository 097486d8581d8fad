"""The shared write helpers: an edit that changes nothing writes nothing and audits nothing."""

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.audit.services import assign, save_changes
from ketaclinic.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_save_changes_audits_only_what_changed(clinic_admin, patient):
    row = Patient.objects.get(pk=patient.pk)
    before = assign(row, {"given_name": row.given_name, "family_name": "Renamed"})
    changed = save_changes(
        row,
        before,
        ["given_name", "family_name"],
        actor=clinic_admin,
        action="patient.updated",
        patient=row,
    )
    assert changed == {"family_name": {"from": patient.family_name, "to": "Renamed"}}
    assert Patient.objects.get(pk=patient.pk).family_name == "Renamed"
    event = AuditEvent.objects.get(action="patient.updated", object_id=str(row.pk))
    assert event.changes == changed

    before = assign(row, {"family_name": "Renamed"})
    assert (
        save_changes(row, before, ["family_name"], actor=clinic_admin, action="patient.updated")
        == {}
    )
    assert AuditEvent.objects.filter(action="patient.updated").count() == 1
