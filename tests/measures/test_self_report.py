"""Self-report links: hashed single-use tokens, expiry, complete submissions only, rate limits."""

import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.measures.models import MeasureRequest, MeasureResponse, SafetyAlert
from ketaclinic.measures.services import send_measure_request

from .conftest import phq9

pytestmark = pytest.mark.django_db


def token_of(url):
    return re.search(r"/r/([^/]+)/$", url).group(1)


def form_data(prefix, answers):
    return {f"{prefix}-{k}": str(v) for k, v in answers.items()}


@pytest.fixture
def link(nurse, patient):
    return send_measure_request(actor=nurse, patient=patient, instruments=["phq9"])


def test_staff_create_a_link_that_expires_in_72_hours(api, nurse, patient):
    # when a nurse asks for a PHQ-9 + GAD-7 link
    response = api(nurse).post(
        f"/patients/{patient.id}/measure-requests", {"instruments": ["phq9", "gad7"]}
    )
    # then the answer carries the URL and an expiry 72 h ahead
    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith("http") and "/r/" in body["url"]
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=71, minutes=59) < expires - timezone.now() <= timedelta(hours=72)
    assert AuditEvent.objects.filter(action="measure_request.sent").exists()


def test_only_a_hash_of_the_token_is_stored(link):
    token = token_of(link.url)
    stored = MeasureRequest.objects.get()
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    assert stored.token_hash != token and len(stored.token_hash) == 64
    row_text = str(MeasureRequest.objects.values().get())
    assert token not in row_text
    assert token not in str(list(AuditEvent.objects.values()))


def test_the_expiry_is_configurable(nurse, patient):
    with override_settings(MEASURE_REQUEST_EXPIRY_HOURS=24):
        sent = send_measure_request(actor=nurse, patient=patient, instruments=["phq9"])
    lifetime = sent.request.expires_at - sent.request.created_at
    assert timedelta(hours=23, minutes=59) < lifetime < timedelta(hours=24, seconds=5)


def test_clinician_rated_scales_cannot_be_sent_as_self_report(api, nurse, patient):
    response = api(nurse).post(
        f"/patients/{patient.id}/measure-requests", {"instruments": ["phq9", "madrs"]}
    )
    assert response.status_code == 422
    assert "instruments.madrs" in response.json()["fields"]


def test_email_delivery_needs_an_email_address_and_sends_the_link(nurse, patient):
    sent = send_measure_request(
        actor=nurse, patient=patient, instruments=["phq9"], delivery="email"
    )
    assert mail.outbox[-1].to == [patient.email]
    assert sent.url in mail.outbox[-1].body
    patient.email = ""
    with pytest.raises(Exception, match="Cannot send"):
        send_measure_request(actor=nurse, patient=patient, instruments=["phq9"], delivery="email")


def test_the_patient_page_needs_no_login_and_shows_the_item_text(link):
    response = Client().get(f"/r/{token_of(link.url)}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Little interest or pleasure in doing things" in html
    assert 'name="viewport"' in html
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_an_incomplete_submission_saves_nothing_and_names_the_missing_items(link):
    # given a patient who skips items 4 and 9
    answers = phq9()
    del answers["4"], answers["9"]
    # when they submit
    response = Client().post(f"/r/{token_of(link.url)}/", form_data("phq9", answers))
    # then nothing is saved, the link still works, and both items are marked
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 questions still need an answer" in html
    assert html.count("Missing") == 2
    assert not MeasureResponse.objects.exists()
    link.request.refresh_from_db()
    assert link.request.used_at is None


@pytest.mark.parametrize("bad", ["--1", "\u00b2", "9" * 5000])
def test_an_answer_that_is_no_whole_number_is_named_on_the_form(link, bad):
    # given a patient whose answer to item 3 is not a plain whole number
    data = form_data("phq9", phq9())
    data["phq9-3"] = bad
    # when they submit
    response = Client().post(f"/r/{token_of(link.url)}/", data)
    # then the form comes back with that item marked, nothing is saved, the link still works
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a whole number" in html
    assert len(html) < 60_000  # the value is named, not echoed whole
    assert not MeasureResponse.objects.exists()
    link.request.refresh_from_db()
    assert link.request.used_at is None


def test_a_complete_submission_is_saved_once_and_thanks_without_the_score(link, patient):
    client = Client()
    # when the patient answers every item
    response = client.post(f"/r/{token_of(link.url)}/", form_data("phq9", phq9(each=2)))
    # then the answers are saved as a self-report and the thank-you page shows crisis resources
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert "988" in html and "Thank you" in html
    assert "16" not in html and "moderately severe" not in html
    saved = MeasureResponse.objects.get()
    assert (saved.total, saved.source, saved.patient) == (16, "self_report", patient)
    link.request.refresh_from_db()
    assert link.request.used_at is not None


def test_a_used_link_shows_a_clear_page_and_saves_nothing_more(link):
    client = Client()
    url = f"/r/{token_of(link.url)}/"
    client.post(url, form_data("phq9", phq9()))
    again = client.get(url)
    resubmit = client.post(url, form_data("phq9", phq9()))
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert resubmit.status_code == 410
    assert MeasureResponse.objects.count() == 1


def test_an_expired_link_shows_a_clear_page(nurse, patient):
    sent = send_measure_request(
        actor=nurse,
        patient=patient,
        instruments=["phq9"],
        now=timezone.now() - timedelta(hours=73),
    )
    url = f"/r/{token_of(sent.url)}/"
    page = Client().get(url)
    post = Client().post(url, form_data("phq9", phq9()))
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert post.status_code == 410
    assert not MeasureResponse.objects.exists()


def test_an_unknown_token_is_not_found(link):
    response = Client().get("/r/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@override_settings(MEASURE_SELF_REPORT_SUBMITS_PER_LINK=(3, 3600))
def test_submissions_to_one_link_are_rate_limited(link):
    client = Client()
    url = f"/r/{token_of(link.url)}/"
    statuses = [client.post(url, {"phq9-1": "1"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@override_settings(MEASURE_SELF_REPORT_RATE_PER_IP=(5, 600))
def test_guessing_tokens_from_one_address_is_rate_limited(db):
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(f"/r/guess{n}/").status_code for n in range(6)]
    assert statuses == [404, 404, 404, 404, 404, 429]


@override_settings(MEASURE_SELF_REPORT_RATE_PER_IP=(2, 600))
def test_a_refused_request_for_an_open_link_does_not_log_its_token(link, caplog):
    # given a link still open, and a clinic network address that has asked too often
    token = token_of(link.url)
    client = Client()
    with caplog.at_level(logging.INFO):
        statuses = [client.get(f"/r/{token}/").status_code for _ in range(3)]
    # then Django logs the refusal, but not the token, which would open the questionnaire
    assert statuses == [200, 200, 429]
    assert "Too Many Requests: /r/<token>/" in caplog.text
    assert token not in caplog.text
    link.request.refresh_from_db()
    assert link.request.used_at is None


def test_a_self_reported_safety_item_alerts_and_emails_the_clinic_at_once(
    link, patient, clinic, prescriber, api
):
    # given the clinic's email address and a prescriber with an email
    clinic.email = "team@lakeside.example"
    clinic.save()
    prescriber.email = "patel@lakeside.example"
    prescriber.save()
    # when the patient answers item 9 with 1
    Client().post(f"/r/{token_of(link.url)}/", form_data("phq9", phq9(item9=1)))
    # then the alert is open for prescribers right away and the clinic was emailed
    alerts = api(prescriber).get("/measure-alerts").json()
    assert [a["code"] for a in alerts] == ["phq9_item9"]
    message = mail.outbox[-1]
    assert set(message.to) == {"team@lakeside.example", "patel@lakeside.example"}
    assert patient.mrn in message.body
    assert patient.family_name not in message.body and "item 9" not in message.body
    assert SafetyAlert.objects.get().response.source == "self_report"


def test_a_two_scale_link_needs_both_complete(nurse, patient):
    sent = send_measure_request(actor=nurse, patient=patient, instruments=["phq9", "gad7"])
    url = f"/r/{token_of(sent.url)}/"
    partial = Client().post(url, form_data("phq9", phq9()))
    assert partial.status_code == 200 and not MeasureResponse.objects.exists()
    gad7 = {str(n): 1 for n in range(1, 8)}
    done = Client().post(url, form_data("phq9", phq9()) | form_data("gad7", gad7))
    assert done.status_code == 302
    assert sorted(MeasureResponse.objects.values_list("instrument", flat=True)) == ["gad7", "phq9"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_link_save_once(nurse, patient):
    import threading

    from django.db import connection

    from ketaclinic.measures.services import LinkUnavailable, submit_self_report

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    token = token_of(send_measure_request(actor=nurse, patient=patient, instruments=["phq9"]).url)
    outcomes = []
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            submit_self_report(token=token, answers_by_instrument={"phq9": phq9()})
            outcomes.append("saved")
        except LinkUnavailable:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert MeasureResponse.objects.count() == 1
