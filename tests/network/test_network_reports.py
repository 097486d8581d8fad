"""Equity, chair utilisation and diversion signals by location and for the network: the
analyst reads suppressed aggregates, the network compliance officer reads each location's
diversion signals, and no clinic-level role opens either."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.accounts.queries import clinical_locations
from ketaclinic.accounts.services import grant_membership
from ketaclinic.audit.models import AuditEvent
from ketaclinic.capacity import services as capacity_services
from ketaclinic.core.permissions import Role
from ketaclinic.inventory import services as inventory_services
from ketaclinic.network import queries
from ketaclinic.outcomes.disclosure import Sum
from ketaclinic.outcomes.rules import SMALL
from ketaclinic.protocols.models import ClosedDate
from ketaclinic.treatments.models import TreatmentSession
from tests.disclosure_check import worked_out
from tests.factories import add_course_facts, add_ketamine, make_staff, make_user
from tests.inventory.conftest import (  # noqa: F401
    at,
    ketamine,
    make_patient,
    make_session,
    receive,
    safe,
)

pytestmark = pytest.mark.django_db

# Monday 16 March 2026, 11:00 in New York: the 28 days up to yesterday are 16 Feb to 15 Mar.
NOW = dt.datetime(2026, 3, 16, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def analyst(clinic):
    return make_staff(clinic, "network_analyst")


@pytest.fixture
def compliance_officer(clinic):
    return make_staff(clinic, "network_compliance")


def _published(outcomes, equity, dimension_key: str):
    """The courses a reader sees on both pages for one dimension, as {cell: Cell}, with the
    sums that tie them (locations to the network, groups to each location's total)."""
    dimension = next(d for d in equity.dimensions if d.key == dimension_key)
    columns = equity.columns
    cells = {("total", row.name): row.courses for row in [*outcomes.locations, outcomes.total]}
    for group in dimension.groups:
        for column, cell in zip(columns, group.courses, strict=True):
            cells[(group.key, column)] = cell
    locations, network = columns[:-1], columns[-1]
    sums = [Sum(("total", network), tuple(("total", c) for c in locations))]
    for group in dimension.groups:
        sums.append(Sum((group.key, network), tuple((group.key, c) for c in locations)))
    for column in columns:
        sums.append(Sum(("total", column), tuple((g.key, column) for g in dimension.groups)))
    return cells, sums


def test_the_analyst_sees_equity_by_location_with_no_cell_left_to_work_out(
    web, analyst, nurse, clinic, riverside, other_clinic
):
    # given White, Black and Asian patients' courses at two locations; 3 Asian at Riverside
    add_course_facts(clinic, 30, responders=15, race="white")
    add_course_facts(clinic, 25, responders=12, race="black")
    add_course_facts(clinic, 12, responders=6, race="asian")
    add_course_facts(riverside, 20, responders=10, race="white")
    add_course_facts(riverside, 14, responders=7, race="black")
    add_course_facts(riverside, 3, responders=1, race="asian")
    add_course_facts(other_clinic, 40, responders=20, race="asian")
    # when the analyst reads equity by location and outcomes by location
    report = queries.equity(analyst)
    outcomes = queries.outcomes(analyst)
    race = next(d for d in report.dimensions if d.key == "race")
    cells = {g.key: dict(zip(report.columns, g.courses, strict=True)) for g in race.groups}
    # then Riverside's 3 are hidden, and the network's Asian total (15, another
    # organization's 40 not counted) is shown
    assert cells["asian"]["Riverside Clinic"].reason == SMALL
    assert cells["asian"]["Network"].value == 15
    assert cells["white"]["Network"].value == 50
    # and no hidden figure can be worked out from both pages together, in any dimension
    for dimension in report.dimensions:
        assert worked_out(*_published(outcomes, report, dimension.key)) == [], dimension.key
    page = web(analyst).get(reverse("network:equity")).content.decode()
    assert 'data-dimension="race"' in page and "Riverside Clinic" in page
    assert "Hilltop" not in page
    # and clinic staff have no network equity view
    assert web(nurse).get(reverse("network:equity")).status_code == 403


def _discharged(session, hours: float) -> None:
    start = dt.datetime.combine(session.scheduled_date, dt.time(14, 0), dt.UTC)
    TreatmentSession.objects.filter(pk=session.pk).update(
        status="discharged",
        checked_in_at=start,
        discharged_at=start + dt.timedelta(hours=hours),
    )


def test_chair_utilisation_by_location_counts_chair_time_against_open_chair_time(
    web,
    analyst,
    clinic,
    clinic_admin,
    riverside,
    make_session,  # noqa: F811
    make_patient,  # noqa: F811
):
    # given Lakeside open 09:00-17:00 on weekdays with two chairs
    for name in ("1", "2"):
        capacity_services.add_chair(actor=clinic_admin, name=name, iv_infusion=True)
    for weekday in range(5):
        capacity_services.set_opening_hours(
            actor=clinic_admin, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )
    # and three sessions of 2 h 30 in the window, one today, one never discharged
    alex, sam = make_patient("Alex"), make_patient("Sam", "Roe")
    for day in (dt.date(2026, 2, 16), dt.date(2026, 3, 2), dt.date(2026, 3, 13)):
        _discharged(make_session(alex if day.day % 2 else sam, day=day), 2.5)
    _discharged(make_session(alex, day=dt.date(2026, 3, 16)), 3)
    make_session(sam, day=dt.date(2026, 3, 12), status="scheduled")
    # when the analyst reads chair utilisation
    report = queries.capacity(analyst, now=NOW)
    lakeside = next(r.use for r in report.locations if r.clinic == clinic)
    river = next(r.use for r in report.locations if r.clinic == riverside)
    # then Lakeside: 20 weekdays x 8 h x 2 chairs open, 3 x 2.5 h used
    assert (lakeside.date_from, lakeside.date_to) == (dt.date(2026, 2, 16), dt.date(2026, 3, 15))
    assert (lakeside.chairs, lakeside.open_minutes) == (2, 20 * 8 * 60 * 2)
    assert (lakeside.sessions, lakeside.used_minutes) == (3, 450)
    assert lakeside.percent == Decimal("2.3")
    # Riverside has no chairs entered: nothing to divide by
    assert (river.open_minutes, river.percent) == (0, None)
    assert (report.total.used_minutes, report.total.open_minutes) == (450, 19200)
    with time_machine.travel(NOW, tick=False):
        page = web(analyst).get(reverse("network:capacity")).content.decode()
    row = page.split('data-location="lakeside"')[1].split("</tr>")[0]
    assert "2.3%" in row and "<td>320</td>" in row


def test_a_closed_date_is_not_open_chair_time(analyst, clinic, clinic_admin):
    capacity_services.add_chair(actor=clinic_admin, name="1", iv_infusion=True)
    capacity_services.set_opening_hours(
        actor=clinic_admin, weekday=0, opens=dt.time(9), closes=dt.time(17)
    )
    before = next(r.use for r in queries.capacity(analyst, now=NOW).locations)
    ClosedDate.objects.create(clinic=clinic, date=dt.date(2026, 3, 2), reason="Training day")
    after = next(r.use for r in queries.capacity(analyst, now=NOW).locations)
    assert before.open_minutes - after.open_minutes == 8 * 60


def test_the_network_compliance_officer_sees_each_locations_diversion_signals(
    web,
    compliance_officer,
    analyst,
    clinic,
    riverside,
    receive,  # noqa: F811
    ketamine,  # noqa: F811
    safe,  # noqa: F811
    at,  # noqa: F811
):
    # given stock received at Lakeside during opening hours
    receive(ketamine, safe)
    # and at Riverside, by its own nurse, at 02:00 New York time
    admin = make_user(riverside, "rv_admin", Role.CLINIC_ADMIN)
    nurse = make_user(riverside, "rv_night", Role.NURSE, first_name="Night", last_name="Owl")
    vault = inventory_services.create_location(actor=admin, name="Vault", kind="safe")
    product = add_ketamine(admin)
    receive(product, vault, actor=nurse, now=dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC))
    # when the network compliance officer opens the diversion signals
    with time_machine.travel(at(days=2), tick=False):
        page = web(compliance_officer).get(reverse("network:diversion")).content.decode()
    # then Riverside shows one movement outside hours, named to its nurse; Lakeside none
    table = page.split('id="network-diversion"')[1].split("</table>")[0]
    assert "Movements outside clinic hours" in table
    river = table.split('data-location="riverside"')[1].split("</tr>")[0]
    lake = table.split('data-location="lakeside"')[1].split("</tr>")[0]
    assert "<td>1</td>" in river and "<td>1</td>" not in lake
    network = table.split('data-location="network"')[1].split("</tr>")[0]
    assert network.count("<td>1</td>") == 2  # the kind's total and all signals
    assert "Night Owl" in page.split('id="network-diversion"')[1]
    # and the reading is audited at the officer's clinic
    event = AuditEvent.objects.get(action="network.diversion_viewed")
    assert event.clinic_id == clinic.pk and event.changes["signals"] == 1
    # and neither the analyst nor clinic roles read diversion across the network
    assert web(analyst).get(reverse("network:diversion")).status_code == 403
    assert web(admin).get(reverse("network:diversion")).status_code == 403


def _page_cost(client, name: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries_run:
        answer = client.get(reverse(name))
    assert answer.status_code == 200
    return len(queries_run), len(answer.content)


def test_the_network_pages_do_not_grow_with_the_history(
    web,
    analyst,
    clinic,
    riverside,
    make_session,  # noqa: F811
    make_patient,  # noqa: F811
):
    # given a few courses and sessions, then many more
    client = web(analyst)
    client.get(reverse("network:home"))  # the session's first request checks its sign-in
    alex = make_patient("Alex")
    add_course_facts(clinic, 12, responders=6, race="white")
    _discharged(make_session(alex, day=dt.date(2026, 3, 2)), 2)
    with time_machine.travel(NOW, tick=False):
        few = {name: _page_cost(client, name) for name in ("network:equity", "network:capacity")}
    add_course_facts(clinic, 300, responders=150, race="white")
    add_course_facts(riverside, 300, responders=100, race="black")
    for day in range(3, 13):
        _discharged(make_session(alex, day=dt.date(2026, 3, day)), 2)
    with time_machine.travel(NOW, tick=False):
        many = {name: _page_cost(client, name) for name in ("network:equity", "network:capacity")}
    # then each page runs as many queries, and its size grows only by digits and groups shown
    for name in few:
        assert many[name][0] == few[name][0], name
    assert many["network:capacity"][1] - few["network:capacity"][1] < 50
    assert many["network:equity"][1] < few["network:equity"][1] * 1.5


def test_the_diversion_page_does_not_grow_with_the_entries(
    web,
    compliance_officer,
    clinic,
    riverside,
    receive,  # noqa: F811
    ketamine,  # noqa: F811
    safe,  # noqa: F811
    at,  # noqa: F811
):
    client = web(compliance_officer)
    client.get(reverse("network:home"))  # the session's first request checks its sign-in
    night = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # 02:00 in New York
    receive(ketamine, safe, lot_number="K1", now=night)
    with time_machine.travel(at(days=2), tick=False):
        few = _page_cost(client, "network:diversion")
    for n in range(2, 40):
        receive(ketamine, safe, lot_number=f"K{n}", now=night + dt.timedelta(minutes=n))
    with time_machine.travel(at(days=2), tick=False):
        many = _page_cost(client, "network:diversion")
    assert many[0] == few[0]
    assert abs(many[1] - few[1]) < 20  # the same signal, a larger count


def test_a_location_where_the_analyst_also_works_counts_as_known_to_them(
    analyst, clinic, riverside
):
    # given the analyst is also a nurse at Riverside, and the White group's network figure
    # (35) would give Lakeside's 5 away to someone who knows Riverside's 30
    add_course_facts(riverside, 30, responders=15, race="white")
    add_course_facts(riverside, 40, responders=20, race="black")
    add_course_facts(clinic, 5, responders=2, race="white")
    add_course_facts(clinic, 45, responders=20, race="black")
    before = queries.equity(analyst)
    grant_membership(actor=None, user=analyst, clinic=riverside, role="nurse")
    assert clinical_locations(analyst) == {riverside.pk}
    after = queries.equity(analyst)

    def white_network(report):
        race = next(d for d in report.dimensions if d.key == "race")
        return next(g for g in race.groups if g.key == "white").courses[-1]

    assert not white_network(before).suppressed
    assert white_network(after).suppressed
