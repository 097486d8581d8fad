"""Chairs, shifts, opening hours and staffing rules: kept per clinic, changed only by clinic
administrators, audited, and read by the planner as the clinic entered them."""

import datetime as dt

import pytest

from ketaclinic.accounts.services import grant_membership
from ketaclinic.audit.models import AuditEvent
from ketaclinic.capacity import queries, services
from ketaclinic.capacity.models import Chair, StaffShift
from ketaclinic.capacity.planner import ESKETAMINE, IV, NURSE, PRESCRIBER
from ketaclinic.core.errors import Forbidden, InvalidInput, NotFound
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
T = dt.time


def actions_of(clinic):
    return list(AuditEvent.objects.filter(clinic=clinic).values_list("action", flat=True))


def test_an_administrator_adds_a_chair_and_the_audit_log_says_so(clinic, clinic_admin):
    chair = services.add_chair(
        actor=clinic_admin, name=" 3 ", location="Room B", iv_infusion=True, esketamine=True
    )
    assert (chair.name, chair.capabilities) == ("3", ["IV infusion", "esketamine"])
    assert "capacity.chair_added" in actions_of(clinic)


@pytest.mark.parametrize(
    ("name", "iv", "esk", "field"),
    [
        ("", True, False, "name"),
        ("1", False, False, "iv_infusion"),
        ("x" * 21, True, False, "name"),
    ],
)
def test_a_chair_needs_a_name_and_something_it_can_give(clinic_admin, name, iv, esk, field):
    with pytest.raises(InvalidInput) as refused:
        services.add_chair(actor=clinic_admin, name=name, iv_infusion=iv, esketamine=esk)
    assert field in refused.value.fields
    assert not Chair.objects.exists()


def test_two_chairs_of_one_clinic_cannot_share_a_name_but_two_clinics_can(clinic_admin, outsider):
    services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    with pytest.raises(InvalidInput, match="name"):
        services.add_chair(actor=clinic_admin, name="1", esketamine=True)
    services.add_chair(actor=outsider, name="1", iv_infusion=True)
    assert Chair.objects.count() == 2


@pytest.mark.parametrize("role", ["prescriber", "nurse", "front_desk", "auditor"])
def test_only_clinic_administrators_change_resources(request, role, clinic_admin):
    user = request.getfixturevalue(role)
    with pytest.raises(Forbidden):
        services.add_chair(actor=user, name="9", iv_infusion=True)
    with pytest.raises(Forbidden):
        services.set_opening_hours(actor=user, weekday=0, opens=T(8), closes=T(17))
    with pytest.raises(Forbidden):
        services.update_staffing_rules(
            actor=user, chairs_per_nurse=3, prescriber_for_esketamine=True, prescriber_for_iv=False
        )
    with pytest.raises(Forbidden):
        services.add_shift(actor=user, staff_id=user.pk, date=MONDAY, starts_at=T(8), ends_at=T(16))


def test_a_chair_set_inactive_is_not_planned(clinic_admin):
    chair = services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    services.add_chair(actor=clinic_admin, name="2", esketamine=True)
    services.update_chair(actor=clinic_admin, chair=chair, active=False)
    resources = queries.planning_resources(clinic_admin, MONDAY)
    assert [(c.name, c.capabilities) for c in resources.chairs] == [("2", frozenset({ESKETAMINE}))]


def test_changing_a_chair_to_give_nothing_is_refused_and_changes_nothing(clinic_admin):
    chair = services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    with pytest.raises(InvalidInput):
        services.update_chair(actor=clinic_admin, chair=chair, iv_infusion=False)
    chair.refresh_from_db()
    assert chair.iv_infusion


def test_another_clinics_chair_is_not_found(clinic_admin, outsider):
    chair = services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    with pytest.raises(NotFound):
        queries.access_chair(outsider, chair.id)
    with pytest.raises(NotFound):
        services.update_chair(actor=outsider, chair=chair, name="mine")


def test_opening_hours_close_after_they_open(clinic_admin):
    with pytest.raises(InvalidInput) as refused:
        services.set_opening_hours(actor=clinic_admin, weekday=0, opens=T(17), closes=T(8))
    assert "closes" in refused.value.fields


def test_a_weekday_can_be_opened_changed_and_closed(clinic, clinic_admin):
    services.set_opening_hours(actor=clinic_admin, weekday=1, opens=T(8), closes=T(17))
    services.set_opening_hours(actor=clinic_admin, weekday=1, opens=T(9), closes=T(18))
    assert {d: (r.opens, r.closes) for d, r in queries.opening_hours(clinic_admin).items()} == {
        1: (T(9), T(18))
    }
    services.close_weekday(actor=clinic_admin, weekday=1)
    assert queries.opening_hours(clinic_admin) == {}
    assert actions_of(clinic).count("capacity.hours_set") == 2
    assert "capacity.weekday_closed" in actions_of(clinic)


def test_the_staffing_rules_start_with_no_ratio_and_a_prescriber_for_esketamine(clinic_admin):
    rules = queries.staffing_rules(clinic_admin)
    assert rules.chairs_per_nurse is None
    assert rules.prescriber_for_esketamine and not rules.prescriber_for_iv


@pytest.mark.parametrize("ratio", [0, 21, -1])
def test_chairs_per_nurse_is_a_whole_number_from_1_to_20(clinic_admin, ratio):
    with pytest.raises(InvalidInput) as refused:
        services.update_staffing_rules(
            actor=clinic_admin,
            chairs_per_nurse=ratio,
            prescriber_for_esketamine=True,
            prescriber_for_iv=False,
        )
    assert "chairs_per_nurse" in refused.value.fields


def test_a_shift_is_for_a_nurse_or_prescriber_of_this_clinic(
    clinic_admin, nurse, front_desk, outsider
):
    with pytest.raises(InvalidInput) as refused:
        services.add_shift(
            actor=clinic_admin, staff_id=front_desk.pk, date=MONDAY, starts_at=T(8), ends_at=T(9)
        )
    assert "staff" in refused.value.fields
    with pytest.raises(InvalidInput):
        services.add_shift(
            actor=clinic_admin, staff_id=outsider.pk, date=MONDAY, starts_at=T(8), ends_at=T(9)
        )
    shift = services.add_shift(
        actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(8), ends_at=T(16)
    )
    assert shift.role == "nurse"


def test_a_nurse_cannot_have_two_overlapping_shifts_on_one_day(clinic_admin, nurse):
    services.add_shift(
        actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(8), ends_at=T(12)
    )
    with pytest.raises(InvalidInput, match="starts_at"):
        services.add_shift(
            actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(11), ends_at=T(15)
        )
    services.add_shift(
        actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(12), ends_at=T(15)
    )
    assert StaffShift.objects.count() == 2


def test_removing_a_shift_is_audited(clinic, clinic_admin, nurse):
    shift = services.add_shift(
        actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(8), ends_at=T(12)
    )
    services.remove_shift(actor=clinic_admin, shift=shift)
    assert not StaffShift.objects.exists()
    assert "capacity.shift_removed" in actions_of(clinic)


def test_the_planner_reads_the_week_as_the_clinic_entered_it(
    clinic_admin, nurse, prescriber, outsider
):
    # Given chairs, weekday hours, a ratio and shifts in and around the week
    services.add_chair(actor=clinic_admin, name="1", iv_infusion=True, esketamine=True)
    services.add_chair(actor=outsider, name="elsewhere", iv_infusion=True)
    for weekday in range(5):
        services.set_opening_hours(actor=clinic_admin, weekday=weekday, opens=T(8), closes=T(17))
    services.update_staffing_rules(
        actor=clinic_admin,
        chairs_per_nurse=2,
        prescriber_for_esketamine=True,
        prescriber_for_iv=True,
    )
    for date, user in (
        (MONDAY, nurse),
        (MONDAY, prescriber),
        (MONDAY + dt.timedelta(days=7), nurse),
    ):
        services.add_shift(
            actor=clinic_admin, staff_id=user.pk, date=date, starts_at=T(8), ends_at=T(16)
        )
    # When the clinic calendar keeps Friday closed and Wednesday is a holiday
    resources = queries.planning_resources(
        clinic_admin,
        MONDAY,
        open_weekdays=(0, 1, 2, 3),
        closed_dates={MONDAY + dt.timedelta(days=2)},
    )
    # Then only this clinic's chair, the open days' hours and this week's shifts are planned
    assert [c.name for c in resources.chairs] == ["1"]
    assert [w.day.weekday() for w in resources.opening] == [0, 1, 3]
    assert sorted(s.role for s in resources.shifts) == [NURSE, PRESCRIBER]
    assert resources.staffing.chairs_per_nurse == 2
    assert resources.staffing.prescriber_on_site_for == {ESKETAMINE, IV}
    assert resources.missing == ()


def test_what_is_missing_before_planning_is_named(clinic_admin):
    services.set_opening_hours(actor=clinic_admin, weekday=0, opens=T(8), closes=T(17))
    resources = queries.planning_resources(clinic_admin, MONDAY, open_weekdays=(0, 1))
    assert resources.missing == (
        "Set how many chairs one nurse may watch at once (staffing rules).",
        "Add at least one active chair.",
        "The clinic calendar opens on Tuesday: set its hours.",
        "Enter the nurses' shifts for the week.",
    )


def test_a_nurse_is_not_on_shift_at_two_locations_at_once(clinic_admin, nurse, riverside):
    # given a nurse who also works at Riverside, a location an hour behind (Chicago)
    riverside.time_zone = "America/Chicago"
    riverside.save()
    grant_membership(actor=None, user=nurse, clinic=riverside, role="nurse")
    river_admin = make_user(riverside, "admin_river", "clinic_admin")
    services.add_shift(
        actor=clinic_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(8), ends_at=T(12)
    )
    # when Riverside puts her on from 10:30 its time (11:30 here), it is refused naming Lakeside
    with pytest.raises(InvalidInput) as refused:
        services.add_shift(
            actor=river_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(10, 30), ends_at=T(13)
        )
    assert (
        f"at {clinic_admin.clinic.name} overlapping this time" in refused.value.fields["starts_at"]
    )
    # and from 11:00 its time (noon here, when her shift here ends) it is accepted
    services.add_shift(
        actor=river_admin, staff_id=nurse.pk, date=MONDAY, starts_at=T(11), ends_at=T(15)
    )
    assert StaffShift.objects.filter(staff=nurse).count() == 2
