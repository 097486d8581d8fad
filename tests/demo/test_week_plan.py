"""Planning the demo clinic's week from its courses, the API, and applying a plan."""

import datetime as dt

import pytest

from ketaclinic.accounts.models import User
from ketaclinic.audit.models import AuditEvent
from ketaclinic.capacity import planning
from ketaclinic.capacity.queries import week_of
from ketaclinic.treatments.models import TreatmentSession

LIMIT_S = 4.0


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(planning, "TIME_LIMIT_S", LIMIT_S)


@pytest.fixture
def users(demo_clinic, db):
    return {u.username: u for u in User.objects.filter(clinic=demo_clinic)}


@pytest.fixture
def next_week(demo_clinic):
    return week_of(demo_clinic.today()) + dt.timedelta(days=7)


def _plan(api, user, week, **what_if):
    body = {"week_start": week.isoformat()}
    if what_if:
        body["what_if"] = what_if
    return api(user).post("/capacity/plan", body)


def test_the_demo_week_plans_at_least_as_many_sessions_as_first_fit(api, users, next_week):
    answer = _plan(api, users["admin"], next_week, extra_chairs=1)
    assert answer.status_code == 200, answer.content
    plan = answer.json()
    assert plan["status"] in ("optimal", "feasible")
    assert plan["sessions_due"] > 0
    assert plan["sessions_placed"] >= plan["baseline"]["sessions_placed"]
    placed = plan["sessions_placed"] + plan["new_patients_started"]
    assert placed >= plan["baseline"]["sessions_placed"] + plan["baseline"]["new_patients_started"]
    chairs = {"1", "2", "3", "4", "5", "6"}
    for session in plan["sessions"]:
        assert session["chair"] in chairs
        assert next_week.isoformat() <= session["start"][:10]
        assert session["start"][:10] < (next_week + dt.timedelta(days=7)).isoformat()
        assert ("session_id" in session) != ("new_patient_id" in session)
    assert set(plan["utilisation"]["chairs"]) <= chairs
    # The what-if for one more chair reports its gain against the week as it is.
    gain = plan["what_if"]
    assert gain["change"] == "1 more chair(s)"
    after = gain["after"]
    assert gain["extra_sessions"] == after["sessions_placed"] - plan["sessions_placed"]
    assert gain["extra_new_patients"] == (
        after["new_patients_started"] - plan["new_patients_started"]
    )
    assert gain["extra_sessions"] >= 0 and gain["extra_new_patients"] >= 0


def test_applying_a_plan_schedules_exactly_its_sessions_once(api, users, next_week):
    admin = users["admin"]
    plan = _plan(api, admin, next_week).json()
    planned = {s["session_id"]: s for s in plan["sessions"] if "session_id" in s}
    assert planned
    in_week = TreatmentSession.objects.filter(
        clinic=admin.clinic,
        scheduled_date__gte=next_week,
        scheduled_date__lt=next_week + dt.timedelta(days=7),
    )
    untouched = {
        str(s.pk): (s.scheduled_date, s.scheduled_start, s.chair)
        for s in TreatmentSession.objects.filter(clinic=admin.clinic).exclude(pk__in=list(planned))
    }
    events_before = AuditEvent.objects.filter(action="session.slot_set").count()

    # Nothing is applied without the confirmation.
    refused = api(admin).post("/capacity/apply", {"token": plan["apply_token"]})
    assert refused.status_code == 422
    assert "confirm" in refused.json()["fields"]
    assert not in_week.filter(scheduled_start__isnull=False).exists()

    applied = api(admin).post("/capacity/apply", {"token": plan["apply_token"], "confirm": True})
    assert applied.status_code == 200, applied.content
    assert applied.json()["sessions"] == len(planned)
    for session_id, slot in planned.items():
        row = TreatmentSession.objects.get(pk=session_id)
        start = dt.datetime.fromisoformat(slot["start"])
        assert (row.scheduled_date, row.scheduled_start, row.chair) == (
            start.date(),
            start.time(),
            slot["chair"],
        )
    for row in TreatmentSession.objects.filter(clinic=admin.clinic).exclude(pk__in=list(planned)):
        assert (row.scheduled_date, row.scheduled_start, row.chair) == untouched[str(row.pk)]
    changed = applied.json()["changed"]
    events = AuditEvent.objects.filter(action="session.slot_set")
    assert events.count() == events_before + changed
    assert AuditEvent.objects.filter(action="capacity.plan_applied").count() == 1

    # The same plan again, and a new plan of the same week, change nothing and audit nothing.
    again = api(admin).post("/capacity/apply", {"token": plan["apply_token"], "confirm": True})
    assert again.json()["changed"] == 0
    replanned = _plan(api, admin, next_week).json()
    assert {
        s["session_id"]: (s["start"], s["chair"])
        for s in replanned["sessions"]
        if "session_id" in s
    } == {k: (v["start"], v["chair"]) for k, v in planned.items()}
    third = api(admin).post("/capacity/apply", {"token": replanned["apply_token"], "confirm": True})
    assert third.json()["changed"] == 0
    assert events.count() == events_before + changed
    assert AuditEvent.objects.filter(action="capacity.plan_applied").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"week_start": "2026-13-01"}, "week_start"),
        ({}, "week_start"),
        ({"week_start": "TUESDAY"}, "week_start"),
        ({"week_start": "WEEK+1"}, "week_start"),
        ({"week_start": "MONDAY", "what_if": {"extra_chairs": -1}}, "what_if.extra_chairs"),
        ({"week_start": "MONDAY", "what_if": {"close_later_min": 999}}, "what_if.close_later_min"),
        (
            {
                "week_start": "MONDAY",
                "what_if": {
                    "extra_nurse_shift": {"date": "1999-01-01", "start": "08:00", "end": "12:00"}
                },
            },
            "what_if.extra_nurse_shift.date",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, users, next_week, body, field):
    values = {
        "MONDAY": next_week.isoformat(),
        "TUESDAY": (next_week + dt.timedelta(days=1)).isoformat(),
        "WEEK+1": (next_week - dt.timedelta(days=21)).isoformat(),
    }
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    answer = api(users["admin"]).post("/capacity/plan", body)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["fields"]


def test_a_forged_or_foreign_token_is_refused(api, users):
    answer = api(users["admin"]).post("/capacity/apply", {"token": "x:y:z", "confirm": True})
    assert answer.status_code == 422
    assert "token" in answer.json()["fields"]


def test_who_may_plan_and_apply(api, users, next_week):
    nurse = users["nurse"]
    plan = _plan(api, nurse, next_week)
    assert plan.status_code == 200
    applied = api(nurse).post(
        "/capacity/apply", {"token": plan.json()["apply_token"], "confirm": True}
    )
    assert applied.status_code == 403
    front_desk = next(u for u in users.values() if u.role == "front_desk")
    assert _plan(api, front_desk, next_week).status_code == 403


def test_the_week_page_shows_the_grid_and_an_administrator_applies_it(web, users, next_week):
    admin = web(users["admin"])
    page = admin.get("/capacity/plan/", {"week": next_week.isoformat(), "what_if": "chair"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "First fit" in html and "What if: 1 more chair(s)" in html
    assert 'class="plan-grid"' in html and "Apply the plan" in html
    token = page.context["plan"]["apply_token"]
    planned = {s["session_id"]: s for s in page.context["plan"]["sessions"] if "session_id" in s}
    # Without the tick, nothing is scheduled.
    admin.post("/capacity/plan/apply/", {"token": token})
    assert not TreatmentSession.objects.filter(
        pk__in=list(planned), scheduled_start__isnull=False
    ).exists()
    done = admin.post("/capacity/plan/apply/", {"token": token, "confirm": "on"})
    assert done.status_code == 302
    assert TreatmentSession.objects.filter(
        pk__in=list(planned), scheduled_start__isnull=False
    ).count() == len(planned)
    # A nurse sees the plan but cannot apply it.
    nurse_page = web(users["nurse"]).get("/capacity/plan/", {"week": next_week.isoformat()})
    assert nurse_page.status_code == 200
    assert "Apply the plan" not in nurse_page.content.decode()
