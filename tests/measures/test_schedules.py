"""Measurement schedules: the due list and the background task that emails due links."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core import ui
from ketaclinic.measures import queries
from ketaclinic.measures.models import MeasureRequest
from ketaclinic.measures.services import (
    create_schedule,
    record_measure,
    send_measure_request,
    stop_schedule,
)
from ketaclinic.measures.tasks import send_due_measure_requests
from ketaclinic.patients.services import register_patient

from .conftest import phq9

pytestmark = pytest.mark.django_db


def test_a_weekly_schedule_without_a_response_is_overdue_on_the_due_list(nurse, patient):
    # given QIDS-SR16 weekly since 3 days ago and never answered
    create_schedule(
        actor=nurse, patient=patient, instrument="qids_sr16", frequency="interval",
        interval_days=7, starts_on=patient.clinic.today() - timedelta(days=3),
    )  # fmt: skip
    # then it is overdue on the clinic's due list
    rows = queries.due_list(nurse)
    assert [(r.patient, r.schedule.instrument, r.status) for r in rows] == [
        (patient, "qids_sr16", "overdue")
    ]


def test_a_recent_response_takes_the_schedule_off_the_due_list(nurse, patient):
    create_schedule(actor=nurse, patient=patient, instrument="phq9", frequency="interval",
                    interval_days=7)  # fmt: skip
    assert len(queries.due_list(nurse)) == 1
    record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9())
    assert queries.due_list(nurse) == []


def test_the_task_emails_one_link_per_patient_and_not_again_while_it_is_open(nurse, patient):
    # given PHQ-9 and GAD-7 both due today for a patient with an email address
    for code in ("phq9", "gad7"):
        create_schedule(actor=nurse, patient=patient, instrument=code, frequency="interval",
                        interval_days=28)  # fmt: skip
    # when the background task runs twice
    first = send_due_measure_requests.call()
    second = send_due_measure_requests.call()
    # then one email with one link for both scales went out, and no second one
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    request = MeasureRequest.objects.get()
    assert sorted(request.instruments) == ["gad7", "phq9"] and request.sent_by is None


def test_a_link_whose_email_fails_is_not_kept_and_the_others_still_go_out(
    nurse, front_desk, patient
):
    # given two patients due for a PHQ-9, and a mail server that refuses Jordan's address
    sam = register_patient(
        actor=front_desk, given_name="Sam", family_name="Okafor", date_of_birth="1990-06-01",
        sex="male", email="sam@example.com",
    )  # fmt: skip
    for someone in (patient, sam):
        create_schedule(actor=nurse, patient=someone, instrument="phq9", frequency="interval",
                        interval_days=7)  # fmt: skip
    real_send = mail.send_mail

    def refuse_jordan(*args, recipient_list, **kwargs):
        if recipient_list == [patient.email]:
            raise smtplib.SMTPRecipientsRefused({patient.email: (550, b"mailbox unavailable")})
        return real_send(*args, recipient_list=recipient_list, **kwargs)

    # when the task runs
    with mock.patch("ketaclinic.measures.services.send_mail", side_effect=refuse_jordan):
        sent = send_due_measure_requests.call()
    # then Sam got a link, and Jordan's link, never sent, was closed at once (and audited)
    assert sent == 1 and [m.to for m in mail.outbox] == [[sam.email]]
    now = timezone.now()
    assert [r.patient for r in MeasureRequest.objects.all() if r.status_at(now) == "open"] == [sam]
    closed = AuditEvent.objects.get(action="measure_request.not_delivered")
    assert closed.patient_id == patient.id and closed.changes["delivery"] == "email"
    assert [r.patient for r in queries.due_list(nurse) if not r.open_request] == [patient]
    # and once the mail server takes it, the next run sends Jordan's link
    assert send_due_measure_requests.call() == 1
    assert mail.outbox[-1].to == [patient.email]


def test_a_nurse_is_told_when_a_link_cannot_be_emailed(api, nurse, patient):
    with mock.patch(
        "ketaclinic.measures.services.send_mail", side_effect=smtplib.SMTPServerDisconnected
    ):
        response = api(nurse).post(
            f"/patients/{patient.id}/measure-requests",
            {"instruments": ["phq9"], "delivery": "email"},
        )
    assert response.status_code == 503
    assert "could not be emailed" in response.json()["detail"]
    assert MeasureRequest.objects.get().status_at(timezone.now()) != "open"
    assert AuditEvent.objects.filter(action="measure_request.not_delivered").count() == 1


def test_no_transaction_waits_on_the_mail_server(nurse, patient):
    # the link is saved (and committed) before the email goes out
    outer = len(connection.atomic_blocks)
    depths = []

    def send(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return 1

    with mock.patch("ketaclinic.measures.services.send_mail", side_effect=send):
        send_measure_request(actor=nurse, patient=patient, instruments=["phq9"], delivery="email")
    assert depths == [outer]


def test_the_task_enqueued_through_django_tasks_runs(nurse, patient):
    create_schedule(actor=nurse, patient=patient, instrument="phq9", frequency="interval",
                    interval_days=7)  # fmt: skip
    result = send_due_measure_requests.enqueue()
    assert result.return_value == 1


def test_clinician_scales_and_patients_without_email_get_no_automatic_link(nurse, patient):
    patient.email = ""
    patient.save()
    create_schedule(actor=nurse, patient=patient, instrument="phq9", frequency="interval",
                    interval_days=7)  # fmt: skip
    create_schedule(actor=nurse, patient=patient, instrument="madrs", frequency="interval",
                    interval_days=7)  # fmt: skip
    assert send_due_measure_requests.call() == 0
    assert len(queries.due_list(nurse)) == 2


def test_before_session_schedules_use_the_last_sessions_other_apps_report(nurse, patient):
    # given a treatment session yesterday (as the treatments app reports it) and an older PHQ-9
    record_measure(
        actor=nurse, patient=patient, instrument="phq9", answers=phq9(),
        administered_at=timezone.now() - timedelta(days=5),
    )  # fmt: skip
    create_schedule(
        actor=nurse, patient=patient, instrument="phq9", frequency="before_session",
        starts_on=patient.clinic.today() - timedelta(days=10),
    )  # fmt: skip
    yesterday = timezone.now() - timedelta(days=1)

    def provider(clinic_id, patient_ids, now):
        return {patient.pk: yesterday} if patient.pk in patient_ids else {}

    ui.register_last_sessions(provider)
    try:
        rows = queries.due_list(nurse)
    finally:
        ui._last_session_providers.remove(provider)
    # then the PHQ-9 is due again after that session
    assert [r.status for r in rows] == ["overdue"]


def test_a_stopped_schedule_is_no_longer_due(nurse, patient):
    schedule = create_schedule(actor=nurse, patient=patient, instrument="phq9",
                               frequency="interval", interval_days=7)  # fmt: skip
    stop_schedule(actor=nurse, schedule=schedule)
    assert queries.due_list(nurse) == []


def test_an_interval_schedule_without_days_is_refused(nurse, patient):
    from ketaclinic.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        create_schedule(actor=nurse, patient=patient, instrument="phq9", frequency="interval")
    assert "interval_days" in raised.value.fields


def test_the_due_page_lists_the_patient(web, nurse, patient):
    create_schedule(actor=nurse, patient=patient, instrument="gad7", frequency="interval",
                    interval_days=7)  # fmt: skip
    html = web(nurse).get(reverse("measures:due")).content.decode()
    assert patient.family_name in html and "GAD-7" in html


def test_schedules_are_added_from_the_chart(web, nurse, patient):
    response = web(nurse).post(
        reverse("measures:schedule_add", kwargs={"patient_id": patient.id}),
        {"instrument": "qids_sr16", "frequency": "interval", "interval_days": "7"},
    )
    assert response.status_code == 302
    assert patient.measurement_schedules.get().describe() == "weekly"


def test_stopping_a_schedule_from_the_chart_asks_first(web, nurse, patient):
    schedule = create_schedule(actor=nurse, patient=patient, instrument="phq9",
                               frequency="interval", interval_days=7)  # fmt: skip
    url = reverse("measures:schedule_stop", kwargs={"schedule_id": schedule.id})
    client = web(nurse)
    # when the chart's Stop button is pressed, a confirmation page answers and nothing stops
    asked = client.post(url)
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "Stop this measurement schedule?" in html and patient.full_name in html
    assert f'action="{url}"' in html and 'name="confirmed" value="yes"' in html
    schedule.refresh_from_db()
    assert schedule.active
    # when the user confirms, it stops
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active
