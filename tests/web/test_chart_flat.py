"""Every chart tab costs the same for a patient with 500 sessions as for one with 10: the same
number of queries and at most 1.5x the bytes. Older rows load a page at a time ("Show older"),
checked like the tab itself."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core.ui import chart_tabs_for
from tests.chart_history import build_history

pytestmark = pytest.mark.django_db

MAX_BYTES_RATIO = 1.5


@pytest.fixture
def histories(clinic, prescriber, nurse, front_desk):
    users = {"prescriber": prescriber, "nurse": nurse, "front_desk": front_desk}
    return {n: build_history(clinic, users, n) for n in (10, 500)}


def _measure(client, url):
    client.get(url)  # first request: sessions, caches and lazy imports warmed up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), len(response.content)


@pytest.mark.parametrize("role", ["prescriber", "front_desk"])
def test_every_chart_tab_is_flat_from_10_to_500_sessions(web, histories, role, request):
    user = request.getfixturevalue(role)
    client = web(user)
    tabs = chart_tabs_for(user)
    assert len(tabs) >= (8 if role == "prescriber" else 3)
    for tab in tabs:
        few = _measure(client, reverse(tab.url_name, kwargs={"patient_id": histories[10].pk}))
        many = _measure(client, reverse(tab.url_name, kwargs={"patient_id": histories[500].pk}))
        assert many[0] == few[0], f"{tab.key}: {few[0]} queries at 10 sessions, {many[0]} at 500"
        assert many[1] <= MAX_BYTES_RATIO * few[1], (
            f"{tab.key}: {few[1]} bytes at 10 sessions, {many[1]} at 500"
        )


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _older_link(html: str, url: str) -> str | None:
    found = re.search(rf'hx-get="({re.escape(url)}\?offset=\d+)"', html)
    return found.group(1) if found else None


def test_treatment_tab_shows_the_latest_sessions_a_summary_and_pages_older_ones(
    web, histories, prescriber
):
    patient = histories[500]
    client = web(prescriber)
    page = client.get(reverse("treatments:chart", kwargs={"patient_id": patient.pk}))
    text = _text(page)
    assert "500 sessions from" in text and "Discharged 500" in text
    numbers = re.findall(r"<tr><td>(\d+)</td>", page.content.decode())
    assert numbers == [str(n) for n in range(500, 480, -1)]
    older = reverse("treatments:older_sessions", kwargs={"patient_id": patient.pk})
    link = _older_link(page.content.decode(), older)
    assert link == f"{older}?offset=20"

    seen = []
    while link:
        part = client.get(link, HTTP_HX_REQUEST="true")
        assert part.status_code == 200
        html = part.content.decode()
        assert "<html" not in html  # a fragment for htmx, not a page
        seen += re.findall(r"<tr><td>(\d+)</td>", html)
        link = _older_link(html, older)
    assert seen == [str(n) for n in range(480, 0, -1)]  # each session once, newest first


def test_older_sessions_without_script_is_a_page_of_the_chart(web, histories, prescriber):
    patient = histories[500]
    url = reverse("treatments:older_sessions", kwargs={"patient_id": patient.pk})
    page = web(prescriber).get(url, {"offset": 480})
    assert page.status_code == 200
    text = _text(page)
    assert "Older sessions" in text and patient.family_name in text
    assert re.findall(r"<tr><td>(\d+)</td>", page.content.decode()) == [
        str(n) for n in range(20, 0, -1)
    ]
    assert "Show older" not in text  # the last page


@pytest.mark.parametrize("offset", ["-5", "abc", ""])
def test_a_bad_offset_gives_the_first_page(web, histories, prescriber, offset):
    url = reverse("treatments:older_sessions", kwargs={"patient_id": histories[500].pk})
    part = web(prescriber).get(url, {"offset": offset}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert re.findall(r"<tr><td>(\d+)</td>", part.content.decode())[0] == "500"


@pytest.mark.parametrize("name", ["treatments:older_sessions", "measures:older_scores"])
def test_an_offset_past_any_history_is_an_empty_page_not_a_server_error(
    web, histories, prescriber, name
):
    url = reverse(name, kwargs={"patient_id": histories[500].pk})
    part = web(prescriber).get(url, {"offset": "9" * 20}, HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert "Show older" not in _text(part)


def test_measures_tab_keeps_the_whole_course_in_its_chart_and_pages_the_scores(
    web, histories, prescriber
):
    patient = histories[500]
    client = web(prescriber)
    page = client.get(reverse("measures:chart", kwargs={"patient_id": patient.pk}))
    text = _text(page)
    assert "PHQ-9 (500 scores)" in text and "GAD-7 (125 scores)" in text
    older = reverse("measures:older_scores", kwargs={"patient_id": patient.pk})
    link = _older_link(page.content.decode(), older)
    assert link is not None
    rows = 0
    while link:
        part = client.get(link, HTTP_HX_REQUEST="true")
        assert part.status_code == 200
        rows += part.content.decode().count("/measures/responses/")
        link = _older_link(part.content.decode(), older)
    shown = page.content.decode().count(f"/patients/{patient.pk}/measures/responses/")
    assert shown + rows == 625


def test_billing_tab_pages_charges_and_payments(web, histories, front_desk):
    patient = histories[500]
    client = web(front_desk)
    page = client.get(reverse("billing:tab", kwargs={"patient_id": patient.pk}))
    html = page.content.decode()
    assert "$325,000.00" in html  # the account's total: every charge, summed in SQL
    for name, total in (("billing:older_charges", 500), ("billing:older_payments", 125)):
        url = reverse(name, kwargs={"patient_id": patient.pk})
        link = _older_link(html, url)
        count = 0
        while link:
            part = client.get(link, HTTP_HX_REQUEST="true").content.decode()
            count += part.count("<tr") - part.count('class="older-row"')
            link = _older_link(part, url)
        assert count == total - 10


OLDER = [
    ("treatments:older_sessions", "prescriber"),
    ("measures:older_scores", "prescriber"),
    ("billing:older_charges", "front_desk"),
    ("billing:older_payments", "front_desk"),
    ("pdmp:older_checks", "prescriber"),
]


@pytest.mark.parametrize(("name", "role"), OLDER)
def test_older_rows_of_another_clinics_patient_are_not_found(
    web, histories, outsider, name, role, request
):
    url = reverse(name, kwargs={"patient_id": histories[500].pk})
    assert web(outsider).get(url, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize(("name", "role"), OLDER)
def test_older_rows_are_audited_as_a_view_of_the_record(web, histories, name, role, request):
    patient = histories[500]
    user = request.getfixturevalue(role)
    url = reverse(name, kwargs={"patient_id": patient.pk})
    before = AuditEvent.objects.filter(action="patient.viewed", patient_id=patient.pk).count()
    assert web(user).get(url, {"offset": 20}, HTTP_HX_REQUEST="true").status_code == 200
    after = AuditEvent.objects.filter(action="patient.viewed", patient_id=patient.pk).count()
    assert after == before + 1


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("treatments:older_sessions", "front_desk"),
        ("measures:older_scores", "front_desk"),
        ("pdmp:older_checks", "front_desk"),
    ],
)
def test_older_rows_need_the_tabs_permission(web, histories, name, role, request):
    user = request.getfixturevalue(role)
    url = reverse(name, kwargs={"patient_id": histories[500].pk})
    assert web(user).get(url, HTTP_HX_REQUEST="true").status_code == 403


def test_paged_scores_and_summaries_match_the_whole_history(histories, prescriber):
    """The tab's pages and per-scale summaries (from aggregates) say exactly what the full
    history computed row by row says: same rows, baselines, changes and outcomes."""
    from ketaclinic.measures import queries

    for patient in histories.values():
        whole = queries.patient_history(prescriber, patient)
        summaries, bases = queries.record_summaries(prescriber, patient)
        paged, offset = [], 0
        while offset is not None:
            page = queries.history_page(prescriber, patient, bases, offset, size=15)
            paged += page.rows
            offset = page.next_offset

        def facts(row):
            return (row.id, row.is_baseline, row.baseline, row.outcome, len(row.alerts))

        assert [facts(r) for r in paged] == [facts(r) for r in whole]
        for summary in summaries:
            mine = [r for r in whole if r.instrument.code == summary.instrument.code]
            assert summary.count == len(mine)
            assert facts(summary.latest) == facts(mine[0])
