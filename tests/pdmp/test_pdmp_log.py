"""Recording PDMP checks: who may, what is kept (never the report), corrections, audit."""

import datetime as dt

import pytest
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.pdmp import queries, services
from ketaclinic.pdmp.models import AppendOnlyError, PdmpCheck
from tests.pdmp.helpers import record

pytestmark = pytest.mark.django_db


def test_a_prescriber_records_their_own_check_and_it_is_audited(prescriber, patient):
    # when the prescriber records a check of the New York PDMP
    check = record(prescriber, patient, transaction_id=" NY-7781 ", note="Reviewed 12 months.")
    # then the entry names them as prescriber and checker, and the audit log has it
    assert check.prescriber == prescriber and check.checked_by == prescriber
    assert not check.by_delegate
    assert check.transaction_id == "NY-7781"
    event = AuditEvent.objects.get(action="pdmp.check_recorded")
    assert event.patient_id == patient.id and event.actor == prescriber
    assert event.changes["transaction_id"] == "NY-7781"
    assert event.changes["note_given"] is True


def test_no_field_could_hold_a_copy_of_the_pdmp_report():
    # Only who, when, which state, the transaction id and the finding (with notes) are kept.
    names = {f.name for f in PdmpCheck._meta.get_fields() if f.concrete}
    assert names == {
        "id",
        "clinic",
        "created_at",
        "patient",
        "state",
        "checked_at",
        "prescriber",
        "checked_by",
        "recorded_by",
        "transaction_id",
        "finding",
        "concern_note",
        "note",
        "corrects",
        "correction_reason",
        "entered_in_error",
    }


def test_a_nurse_records_as_delegate_of_a_named_prescriber(nurse, prescriber, patient):
    check = record(nurse, patient, prescriber=prescriber)
    assert check.prescriber == prescriber and check.checked_by == nurse
    assert check.by_delegate


def test_a_nurse_must_name_the_prescriber(nurse, patient):
    with pytest.raises(InvalidInput) as refused:
        record(nurse, patient)
    assert "prescriber_id" in refused.value.fields
    assert not PdmpCheck.objects.exists()


def test_a_nurse_cannot_record_on_behalf_of_another_nurse(nurse, nurse2, patient):
    with pytest.raises(InvalidInput) as refused:
        record(nurse, patient, prescriber=nurse2)
    assert "prescriber_id" in refused.value.fields


def test_a_prescriber_records_only_their_own_checks(prescriber, prescriber2, patient):
    with pytest.raises(InvalidInput) as refused:
        record(prescriber, patient, prescriber=prescriber2)
    assert "prescriber_id" in refused.value.fields


@pytest.mark.parametrize("role", ["front_desk", "auditor", "clinic_admin"])
def test_other_roles_cannot_record(request, role, patient):
    with pytest.raises(Forbidden):
        record(request.getfixturevalue(role), patient)


def test_a_concern_needs_a_note_and_nothing_is_written_without_it(prescriber, patient):
    with pytest.raises(InvalidInput) as refused:
        record(prescriber, patient, finding="concern", concern_note="  ")
    assert set(refused.value.fields) == {"concern_note"}
    assert not PdmpCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="pdmp.check_recorded").exists()
    check = record(prescriber, patient, finding="concern", concern_note="Three prescribers.")
    assert check.get_finding_display().startswith("Concern")


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"state": "XX"}, "state"),
        ({"transaction_id": "   "}, "transaction_id"),
        ({"transaction_id": "x" * 101}, "transaction_id"),
        ({"finding": "maybe"}, "finding"),
        ({"concern_note": "noted"}, "concern_note"),
        ({"checked_at": dt.datetime(2026, 3, 2, 9, 30)}, "checked_at"),
        ({"checked_at": timezone.now() + dt.timedelta(hours=1)}, "checked_at"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(prescriber, patient, fields, bad):
    with pytest.raises(InvalidInput) as refused:
        record(prescriber, patient, **fields)
    assert bad in refused.value.fields


def test_the_log_has_no_edit_or_delete_path(prescriber, patient):
    check = record(prescriber, patient)
    check.transaction_id = "changed"
    with pytest.raises(AppendOnlyError):
        check.save()
    with pytest.raises(AppendOnlyError):
        check.delete()
    with pytest.raises(AppendOnlyError):
        PdmpCheck.objects.filter(pk=check.pk).update(transaction_id="changed")
    with pytest.raises(AppendOnlyError):
        PdmpCheck.objects.all().delete()
    assert PdmpCheck.objects.get(pk=check.pk).transaction_id == "TX-1001"


def test_a_correction_is_a_new_entry_that_replaces_the_wrong_one(
    nurse, prescriber, patient, clinic_admin
):
    # given a delegate's entry with a mistyped transaction id
    wrong = record(nurse, patient, prescriber=prescriber, transaction_id="NY-77B1")
    # when the prescriber corrects it
    fixed = services.correct_check(
        actor=prescriber,
        check=wrong,
        reason="Transaction id mistyped.",
        state="NY",
        checked_at=wrong.checked_at,
        transaction_id="NY-7781",
        finding="no_concern",
    )
    # then both entries remain; the new one references the old, and only it stands
    assert fixed.corrects == wrong and fixed.recorded_by == prescriber
    assert fixed.checked_by == nurse and fixed.prescriber == prescriber
    log = list(queries.checks_of(clinic_admin, patient))
    assert [c.pk for c in log] in ([fixed.pk, wrong.pk], [wrong.pk, fixed.pk])
    assert [c.pk for c in PdmpCheck.objects.effective()] == [fixed.pk]
    event = AuditEvent.objects.get(action="pdmp.check_corrected")
    assert event.changes["corrects"] == str(wrong.pk)
    assert event.changes["reason"] == "Transaction id mistyped."


def test_an_entry_is_corrected_once_then_the_correction_is_corrected(prescriber, patient):
    wrong = record(prescriber, patient, transaction_id="A")
    values = {"state": "NY", "checked_at": wrong.checked_at, "finding": "no_concern"}
    first = services.correct_check(
        actor=prescriber, check=wrong, reason="typo", transaction_id="B", **values
    )
    with pytest.raises(Conflict):
        services.correct_check(
            actor=prescriber, check=wrong, reason="again", transaction_id="C", **values
        )
    second = services.correct_check(
        actor=prescriber, check=first, reason="still wrong", transaction_id="C", **values
    )
    assert [c.transaction_id for c in PdmpCheck.objects.effective()] == [second.transaction_id]


def test_an_entry_on_the_wrong_patient_is_marked_in_error(prescriber, patient):
    wrong = record(prescriber, patient, finding="concern", concern_note="Early refills.")
    marker = services.correct_check(
        actor=prescriber, check=wrong, reason="Wrong patient.", entered_in_error=True
    )
    assert marker.entered_in_error and marker.transaction_id == wrong.transaction_id
    assert not PdmpCheck.objects.effective().exists()
    assert AuditEvent.objects.filter(action="pdmp.check_marked_in_error").count() == 1
    with pytest.raises(Conflict):
        services.correct_check(actor=prescriber, check=marker, reason="undo", entered_in_error=True)


def test_only_the_prescriber_of_record_or_the_recorder_may_correct(
    prescriber, prescriber2, patient
):
    check = record(prescriber, patient)
    with pytest.raises(Forbidden):
        services.correct_check(
            actor=prescriber2, check=check, reason="not mine", entered_in_error=True
        )


def test_a_correction_needs_a_reason_and_valid_fields(prescriber, patient):
    check = record(prescriber, patient)
    with pytest.raises(InvalidInput) as refused:
        services.correct_check(actor=prescriber, check=check, reason=" ", finding="concern")
    assert {"reason", "state", "checked_at", "transaction_id", "concern_note"} <= set(
        refused.value.fields
    )
    assert PdmpCheck.objects.count() == 1
