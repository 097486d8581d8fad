"""Home is today's work, per role: the schedule with a check-in button for the front desk,
open safety alerts, vitals overdue, REMS forms due, self-report measures due, drug records not
reconciled and discrepancies, intake tasks and authorizations; counts in the navigation; one
query budget for the whole page however much is waiting."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketaclinic.accounts.models import User
from ketaclinic.audit.models import AuditEvent
from ketaclinic.intake import services as intake_services
from ketaclinic.measures import services as measures_services
from ketaclinic.patients.services import register_patient
from ketaclinic.treatments import queries as treatment_queries
from ketaclinic.treatments.models import SessionStatus, TreatmentSession
from tests.factories import make_user

# The home page's reads, whatever the size of the queue (asserted below).
QUERY_BUDGET = 35

ROLES = ["prescriber", "nurse", "front_desk", "auditor", "clinic_admin"]


@pytest.fixture
def staff(demo_clinic, db):
    def of(role: str) -> User:
        return User.objects.filter(clinic=demo_clinic, role=role).order_by("username").first()

    return of


def sections(html: str) -> dict[str, int]:
    """{section title: count} as the page shows them."""
    queue = html[html.index('id="work-queue"') :]
    found = re.findall(r'<h2 id="work-[a-z]+-title">(.*?) <span class="count">\((\d+)', queue)
    return {title.replace("&#x27;", "'"): int(count) for title, count in found}


def nav_counts(html: str) -> dict[str, int]:
    return {
        name: int(count)
        for name, count in re.findall(r'id="nav-count-([a-z-]+)"[^>]*>(\d+)<', html)
    }


def test_each_role_sees_its_own_sections_with_the_counts_of_the_lists_behind_them(web, staff):
    prescriber, nurse, desk, auditor = (staff(r) for r in ROLES[:4])
    for_nurse = sections(web(nurse).get("/").content.decode())
    # the clinical staff: schedule, alerts, REMS forms, measures, intake
    rems = treatment_queries.rems_due(nurse)
    assert for_nurse["REMS forms due and overdue"] == len(rems) > 0
    today = treatment_queries.todays_schedule(nurse)
    assert for_nurse["Today's schedule"] == today.count() > 0
    assert for_nurse["Open safety alerts"] >= 1
    assert "Authorizations to act on" not in for_nurse
    # the prescriber also confirms antidepressant trials: more intake work than the nurse
    for_prescriber = sections(web(prescriber).get("/").content.decode())
    assert (
        for_prescriber["Intake: referrals waiting and trials to confirm"]
        > for_nurse["Intake: referrals waiting and trials to confirm"]
    )
    # the front desk: the schedule, intake and authorizations, no clinical section
    for_desk = sections(web(desk).get("/").content.decode())
    assert set(for_desk) == {
        "Today's schedule",
        "Intake: referrals waiting and trials to confirm",
        "Authorizations to act on",
    }
    # the compliance officer (auditor) reads; the schedule and intake are not theirs
    for_auditor = sections(web(auditor).get("/").content.decode())
    assert "Today's schedule" not in for_auditor
    assert "Intake: referrals waiting and trials to confirm" not in for_auditor


def test_the_navigation_shows_the_same_counts_after_the_page(web, staff):
    nurse = staff("nurse")
    page = web(nurse).get("/").content.decode()
    # the page asks for its counts once it has loaded, so no other page pays for them
    assert 'hx-get="/work-counts/"' in page
    shown = sections(page)
    counts = nav_counts(web(nurse).get("/work-counts/").content.decode())
    assert counts["treatments-rems-due"] == shown["REMS forms due and overdue"]
    assert counts["measures-alerts"] == shown["Open safety alerts"]
    assert counts["measures-due"] == shown["Self-report measures due"]
    assert counts["intake-waiting-list"] == shown["Intake: referrals waiting and trials to confirm"]
    # a link with nothing waiting shows no number
    assert "patients-list" not in counts


def test_the_front_desk_checks_a_patient_in_from_the_schedule(web, staff):
    desk = staff("front_desk")
    waiting = TreatmentSession.objects.get(
        patient__clinic=desk.clinic,
        status=SessionStatus.SCHEDULED,
        scheduled_date=treatment_queries.clinic_today(desk),
    )
    client = web(desk)
    page = client.get("/").content.decode()
    button = f'action="/treatments/sessions/{waiting.id}/arrive/"'
    assert button in page
    # when the front desk presses "Check in"
    response = client.post(f"/treatments/sessions/{waiting.id}/arrive/")
    # then the patient is checked in at the planned chair, audited, and home says so
    assert response.status_code == 302 and response["Location"] == "/"
    waiting.refresh_from_db()
    assert waiting.status == SessionStatus.CHECKED_IN and waiting.checked_in_at is not None
    assert AuditEvent.objects.filter(actor=desk, object_id=str(waiting.id)).exists()
    after = client.get("/").content.decode()
    assert f"{waiting.patient.full_name} checked in." in after
    assert button not in after
    # a second press says why nothing happened, and changes nothing
    again = client.post(f"/treatments/sessions/{waiting.id}/arrive/", follow=True)
    assert 'class="message error"' in again.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == SessionStatus.CHECKED_IN


def test_the_front_desk_still_cannot_chart_a_weight_at_check_in(staff):
    from ketaclinic.core.errors import Forbidden
    from ketaclinic.treatments import services

    desk = staff("front_desk")
    waiting = TreatmentSession.objects.filter(
        patient__clinic=desk.clinic, status=SessionStatus.SCHEDULED
    ).first()
    with pytest.raises(Forbidden):
        services.check_in(actor=desk, session=waiting, weight_kg=80)
    waiting.refresh_from_db()
    assert waiting.status == SessionStatus.SCHEDULED


def test_a_session_of_another_clinic_cannot_be_checked_in_from_here(web, other_clinic, staff):
    outsider = make_user(other_clinic, "desk_other", "front_desk")
    desk = staff("front_desk")
    waiting = TreatmentSession.objects.filter(
        patient__clinic=desk.clinic, status=SessionStatus.SCHEDULED
    ).first()
    assert web(outsider).post(f"/treatments/sessions/{waiting.id}/arrive/").status_code == 404


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ROLES)
def test_home_keeps_one_query_budget_however_long_the_queue(web, staff, role):
    user = staff(role)
    client = web(user)
    client.get("/")  # the first request of a sign-in also touches its session
    before = home_queries(client)
    assert before <= QUERY_BUDGET
    # when many more patients wait: referrals, and PHQ-9s answering item 9 (open alerts)
    desk, prescriber = staff("front_desk"), staff("prescriber")
    for n in range(6):
        patient = register_patient(
            actor=desk,
            given_name="Queue",
            family_name=f"Patient{n}",
            date_of_birth="1980-01-01",
            sex="female",
        )
        intake_services.create_referral(actor=desk, patient=patient)
        measures_services.record_measure(
            actor=prescriber,
            patient=patient,
            instrument="phq9",
            answers={str(item): 1 for item in range(1, 10)},
        )
    # then the page shows them and reads no more
    after_page = client.get("/").content.decode()
    assert home_queries(client) == before
    if role in ("prescriber", "nurse"):
        assert "Queue Patient5" in after_page
