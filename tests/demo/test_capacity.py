"""The demo clinic comes with its own resources, ready for the week planner."""

import pytest

from ketaclinic.accounts.models import User
from ketaclinic.capacity import queries
from ketaclinic.capacity.planner import PlanningInput, plan_week


@pytest.fixture
def admin(demo_clinic, db):
    return User.objects.get(clinic=demo_clinic, username="admin")


def test_the_demo_week_has_everything_planning_needs(admin):
    week = queries.week_of(admin.clinic.today())
    resources = queries.planning_resources(admin, week, open_weekdays=(0, 1, 2, 3, 4))
    assert resources.missing == ()
    assert len(resources.chairs) == 6
    assert resources.staffing.chairs_per_nurse == 3
    # An empty week plans at once, optimally
    data = PlanningInput(
        week, resources.chairs, resources.shifts, resources.opening, resources.staffing
    )
    assert plan_week(data, time_limit_s=5).plan.status == "optimal"


def test_the_demo_ratio_is_shown_as_the_clinics_own(admin, client):
    client.force_login(admin)
    page = client.get("/capacity/").content.decode()
    assert "(this clinic's value)" in page
    assert "Treatment room A" in page
