"""The capacity pages as a clinic administrator and as staff who only look."""

import datetime as dt

import pytest

from ketaclinic.audit.models import AuditEvent
from ketaclinic.capacity import queries, services
from ketaclinic.capacity.models import Chair, StaffShift

pytestmark = pytest.mark.django_db
DASH = "\N{EN DASH}"


def test_the_page_says_planning_needs_the_clinics_chairs_per_nurse(web, clinic_admin):
    page = web(clinic_admin).get("/capacity/").content.decode()
    assert "not set" in page
    assert "no ratio is assumed" in page
    assert "Spravato REMS" in page


def test_an_administrator_sets_the_ratio_and_the_page_shows_it_as_the_clinics(
    web, clinic, clinic_admin
):
    response = web(clinic_admin).post(
        "/capacity/staffing/", {"chairs_per_nurse": "3", "prescriber_for_esketamine": "on"}
    )
    assert response.status_code == 302
    page = web(clinic_admin).get("/capacity/").content.decode()
    assert '3 <span class="muted small">(this clinic\'s value)</span>' in page
    assert queries.staffing_rules(clinic_admin).chairs_per_nurse == 3
    assert AuditEvent.objects.filter(
        clinic=clinic, action="capacity.staffing_rules_changed"
    ).exists()


def test_turning_the_esketamine_prescriber_rule_off_shows_a_warning(web, clinic_admin):
    web(clinic_admin).post("/capacity/staffing/", {"chairs_per_nurse": "3"})
    page = web(clinic_admin).get("/capacity/").content.decode()
    assert "the Spravato REMS requires a healthcare provider on site" in page


def test_a_bad_ratio_is_a_form_error_naming_the_field(web, clinic_admin):
    response = web(clinic_admin).post("/capacity/staffing/", {"chairs_per_nurse": "0"})
    assert response.status_code == 422
    assert "id_chairs_per_nurse_error" in response.content.decode()


def test_a_chair_without_a_capability_is_a_form_error_and_nothing_is_saved(web, clinic_admin):
    response = web(clinic_admin).post("/capacity/chairs/", {"name": "5"})
    assert response.status_code == 422
    assert "Tick what may be given in this chair" in response.content.decode()
    assert not Chair.objects.exists()


def test_an_administrator_adds_and_changes_a_chair(web, clinic_admin, nurse):
    client = web(clinic_admin)
    client.post("/capacity/chairs/", {"name": "5", "location": "Bay", "iv_infusion": "on"})
    chair = Chair.objects.get()
    client.post(
        f"/capacity/chairs/{chair.id}/", {"name": "5", "esketamine": "on", "iv_infusion": "on"}
    )
    chair.refresh_from_db()
    assert (chair.esketamine, chair.active) == (True, False)
    # Staff see the chair but no way to change it
    page = web(nurse).get("/capacity/").content.decode()
    assert "esketamine" in page
    assert "Add chair" not in page
    assert f"/capacity/chairs/{chair.id}/" not in page


def test_hours_with_the_closing_time_first_are_a_form_error(web, clinic_admin):
    response = web(clinic_admin).post(
        "/capacity/hours/", {"weekday": "2", "opens": "17:00", "closes": "08:00"}
    )
    assert response.status_code == 422
    assert "Must be after the start" in response.content.decode()
    assert queries.opening_hours(clinic_admin) == {}


def test_a_weekday_ticked_closed_loses_its_hours(web, clinic_admin):
    services.set_opening_hours(actor=clinic_admin, weekday=5, opens=dt.time(9), closes=dt.time(13))
    response = web(clinic_admin).post("/capacity/hours/", {"weekday": "5", "closed": "on"})
    assert response.status_code == 302
    assert queries.opening_hours(clinic_admin) == {}


def test_the_shift_page_shows_the_week_asked_for_with_its_shifts(web, clinic_admin, nurse):
    services.add_shift(
        actor=clinic_admin,
        staff_id=nurse.pk,
        date=dt.date(2026, 3, 4),
        starts_at=dt.time(8),
        ends_at=dt.time(16, 30),
    )
    page = web(nurse).get("/capacity/shifts/", {"week": "2026-03-05"}).content.decode()
    assert "Week of Monday 2 March 2026" in page
    assert f"08:00{DASH}16:30" in page
    assert "Add shift" not in page
    assert (
        f"08:00{DASH}16:30"
        not in web(nurse).get("/capacity/shifts/", {"week": "2026-03-12"}).content.decode()
    )


def test_an_administrator_adds_and_removes_a_shift_from_the_page(web, clinic_admin, prescriber):
    client = web(clinic_admin)
    response = client.post(
        "/capacity/shifts/add/",
        {"staff": prescriber.id, "date": "2026-03-04", "starts_at": "12:30", "ends_at": "18:00"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?week=2026-03-02")
    shift = StaffShift.objects.get()
    assert shift.role == "prescriber"
    client.post(f"/capacity/shifts/{shift.id}/remove/")
    assert not StaffShift.objects.exists()


def test_a_shift_ending_before_it_starts_is_a_form_error(web, clinic_admin, nurse):
    response = web(clinic_admin).post(
        "/capacity/shifts/add/",
        {"staff": nurse.id, "date": "2026-03-04", "starts_at": "16:00", "ends_at": "08:00"},
    )
    assert response.status_code == 422
    assert "Must be after the start" in response.content.decode()
    assert not StaffShift.objects.exists()
