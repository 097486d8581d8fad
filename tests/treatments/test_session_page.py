"""The session page as a reader sees it: words rather than codes, a trend chart of the vitals,
the same number of queries however long the flowsheet, the REMS form to print (audited)."""

import datetime as dt
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketaclinic.audit.models import AuditEvent
from ketaclinic.core import charts
from ketaclinic.treatments import services, vitals_chart
from tests.treatments.helpers import course_today, dosing_started, first_session

# Sessions dosed minutes ago, still today: the stories run in the afternoon of the clinic date.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]


def _text(html: str) -> str:
    """The page's words: no markup, attributes or chart drawing."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    html = re.sub(r"<(script|style).*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _vitals(nurse, session, count, *, systolic=132):
    start = session.dose_started_at
    for n in range(count):
        services.record_vitals(
            actor=nurse,
            session=session,
            systolic=systolic,
            diastolic=82,
            heart_rate=76,
            spo2=98,
            resp_rate=14,
            measured_at=min(start + dt.timedelta(minutes=1 + n), timezone.now()),
        )


@pytest.mark.parametrize("protocol", ["esketamine_trd", "iv_ketamine"])
def test_the_session_page_names_things_in_words_not_codes(
    web, prescriber, nurse, patient, protocol
):
    course = course_today(prescriber, nurse, patient, protocol)
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=40)
    # an alert, whose rule compares with ">=", and a MOAA/S score
    services.record_vitals(actor=nurse, session=session, systolic=185, diastolic=95)
    services.record_scale(actor=nurse, session=session, scale="moaas", score=4)

    html = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()
    text = _text(html)

    assert session.protocol_version.name in text
    assert "185 ≥ 180" in text
    for code in ("esketamine_trd", "iv_ketamine", "moaas", ">=", "<="):
        assert code not in text, code


def test_the_trend_chart_shows_the_vitals_or_says_there_are_none(web, prescriber, nurse, patient):
    course = course_today(prescriber, nurse, patient)
    session = first_session(course)
    client = web(nurse)

    empty = client.get(f"/treatments/sessions/{session.id}/").content.decode()
    assert 'id="vitals-trend-empty"' in empty
    assert "vitals-chart" not in empty

    session = dosing_started(session, prescriber, nurse, minutes_ago=30)
    _vitals(nurse, session, 3, systolic=141)
    page = client.get(f"/treatments/sessions/{session.id}/").content.decode()
    chart = re.search(r'<figure class="vitals-figure".*?</figure>', page, flags=re.S).group(0)
    assert 'role="img"' in chart
    # each measure has its own series, points to hover or focus, and the dose start is marked
    for series in ("Systolic BP", "Diastolic BP", "Heart rate", "SpO2"):
        assert series in chart, series
    assert re.search(r'tabindex="0"[^>]*aria-label="[^"]*Systolic BP 141 mmHg', chart) or re.search(
        r'aria-label="[^"]*Systolic BP 141 mmHg[^"]*"[^>]*tabindex="0"', chart
    )
    assert "Dose start" in chart
    # the header shows the latest blood pressure
    header = re.search(r'<section class="chart-header session-header".*?</section>', page, re.S)
    assert "141/82" in header.group(0)


def test_the_session_page_query_count_does_not_grow_with_the_flowsheet(
    web, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient)
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=40)
    client = web(nurse)
    _vitals(nurse, session, 3)
    client.get(f"/treatments/sessions/{session.id}/")  # warm caches (chart engine, definitions)

    with CaptureQueriesContext(connection) as short:
        client.get(f"/treatments/sessions/{session.id}/")
    _vitals(nurse, session, 27)
    with CaptureQueriesContext(connection) as long:
        page = client.get(f"/treatments/sessions/{session.id}/").content.decode()

    assert page.count("<tr") - 1 >= 31  # 30 entries and the pre-dose one in the table
    assert len(long) <= len(short), [q["sql"] for q in long.captured_queries]


def test_the_rems_form_prints_from_the_session_page_and_the_reading_is_audited(
    web, prescriber, nurse, patient
):
    course = course_today(prescriber, nurse, patient)
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=40)
    client = web(nurse)
    page = client.get(f"/treatments/sessions/{session.id}/").content.decode()
    link = re.search(r'<a [^>]*href="([^"]+)"[^>]*id="rems-print">Print the REMS form</a>', page)
    assert link is not None
    before = AuditEvent.objects.filter(action="session.viewed", object_id=str(session.id)).count()

    printed = client.get(link.group(1))

    assert printed.status_code == 200
    assert "REMS Patient Monitoring Form" in printed.content.decode()
    after = AuditEvent.objects.filter(
        action="session.viewed", object_id=str(session.id), actor=nurse, patient=patient
    ).count()
    assert after == before + 1


def _entry(minute, systolic, *, spo2=98, pre_dose=False):
    at = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minute)
    return SimpleNamespace(
        measured_at=at,
        pre_dose=pre_dose,
        systolic=systolic,
        diastolic=systolic - 50,
        heart_rate=75,
        spo2=spo2,
        resp_rate=14,
    )


def test_the_trend_chart_spec_is_valid_vega_lite_and_marks_the_dose(monkeypatch):
    monkeypatch.setattr(charts, "VALIDATE", True)
    charts._render.cache_clear()
    start = dt.datetime(2026, 3, 2, 15, 10, tzinfo=dt.UTC)
    session = SimpleNamespace(
        pk="test",
        dose_started_at=start,
        infusion_ended_at=start + dt.timedelta(minutes=40),
        last_device_at=None,
    )
    rows = [_entry(0, 128, pre_dose=True), _entry(25, 150), _entry(55, 135, spo2=None)]

    svg = vitals_chart.render_svg(session, rows, ZoneInfo("America/New_York"))

    assert "Dose start 10:10" in svg and "Dose end 10:50" in svg
    assert "10:25: Systolic BP 150 mmHg" in svg
    # no SpO2 point where none was measured
    assert len(re.findall(r'aria-label="[^"]*: SpO2 \d+%', svg)) == 2
    assert vitals_chart.render_svg(session, [], ZoneInfo("America/New_York")) is None
