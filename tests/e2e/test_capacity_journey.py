"""An administrator plans next week on the chair grid and applies the plan."""

import datetime as dt

from playwright.sync_api import expect

from ketaclinic.capacity import planning
from ketaclinic.capacity import services as capacity
from ketaclinic.core.permissions import Role
from ketaclinic.protocols import services as protocols
from ketaclinic.treatments.models import TreatmentSession
from tests.access.helpers import person
from tests.billing.helpers import start_course
from tests.factories import make_clinic, make_user


def test_an_administrator_plans_next_week_and_applies_it(page, login, screenshot, monkeypatch):
    monkeypatch.setattr(planning, "TIME_LIMIT_S", 4.0)
    # given a clinic with two chairs, weekday hours, its staffing rules and next week's shifts,
    # and a patient in esketamine induction
    clinic = make_clinic("Lakeside Clinic", "lakeside")
    admin = make_user(clinic, "admin", Role.CLINIC_ADMIN, first_name="Ada")
    prescriber = make_user(clinic, "drpatel", Role.PRESCRIBER, first_name="Asha")
    nurse = make_user(clinic, "nurse", Role.NURSE, first_name="Sam")
    desk = make_user(clinic, "desk", Role.FRONT_DESK, first_name="Kim")
    patient = person(desk, "Marisol", "Quintero")
    start_course(prescriber, nurse, patient)
    protocols.set_open_weekdays(actor=prescriber, weekdays=[0, 1, 2, 3, 4])
    capacity.add_chair(
        actor=admin, name="Window 1", location="A", iv_infusion=True, esketamine=True
    )
    capacity.add_chair(
        actor=admin, name="Window 2", location="A", iv_infusion=True, esketamine=True
    )
    for weekday in range(5):
        capacity.set_opening_hours(
            actor=admin, weekday=weekday, opens=dt.time(8), closes=dt.time(18)
        )
    capacity.update_staffing_rules(
        actor=admin,
        chairs_per_nurse=2,
        prescriber_for_esketamine=True,
        prescriber_for_iv=False,
        arrival_min=20,
        turnover_min=15,
        observation_min=60,
    )
    today = clinic.today()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    for offset in range(5):
        day = monday + dt.timedelta(days=offset)
        for user in (nurse, prescriber):
            capacity.add_shift(
                actor=admin,
                staff_id=user.pk,
                date=day,
                starts_at=dt.time(8),
                ends_at=dt.time(18),
            )

    # when the administrator plans next week with one more chair for comparison
    login(page, admin)
    page.goto("/capacity/plan/")
    page.get_by_label("Week").fill(monday.isoformat())
    page.get_by_role("combobox", name="Compare with").select_option("chair")
    page.get_by_role("button", name="Plan the week").click()

    # then the week shows as a chair x time grid beside first fit, with the what-if
    expect(page.get_by_role("heading", name="What if: 1 more chair(s)")).to_be_visible()
    grid = page.locator("table.plan-grid").first
    expect(grid.get_by_role("rowheader", name="Window 1")).to_be_visible()
    expect(grid).to_contain_text("Marisol Quintero")
    screenshot(page, "capacity-week-plan", full_page=True)
    in_week = TreatmentSession.objects.filter(
        course__patient=patient,
        scheduled_date__gte=monday,
        scheduled_date__lt=monday + dt.timedelta(days=7),
    )
    assert not in_week.filter(scheduled_start__isnull=False).exists()

    # and applying it after the confirmation schedules the sessions in their chairs
    page.get_by_label("Schedule these sessions (date, start time, chair)").check()
    page.get_by_role("button", name="Apply the plan").click()
    expect(page.get_by_text("Plan applied:")).to_be_visible()
    assert in_week.exists()
    for session in in_week:
        assert session.scheduled_start is not None
        assert session.chair in ("Window 1", "Window 2")
