"""What users read on the treatment day names primary sources: never an internal file or issue."""

import re

import pytest

from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.treatments import services
from tests.pdf import pdf_text
from tests.treatments.helpers import checked_in, course_today, dosing_started, first_session

# These stories happen in clinic hours (a session dosed two hours ago, still today).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_hours")]

INTERNAL = (
    re.compile(r"clinical\.md", re.IGNORECASE),
    re.compile(r"\bissues? #?\d", re.IGNORECASE),
    re.compile(r"[\w-]+/[\w./-]+\.(md|py)\b"),
)


def internal_references(text: str) -> list[str]:
    return [m.group(0) for pattern in INTERNAL for m in pattern.finditer(text)]


def test_the_check_finds_what_it_looks_for():
    assert internal_references("see clinical.md section 2; issue 5; docs/treatment-day.md") == [
        "clinical.md",
        "issue 5",
        "docs/treatment-day.md",
    ]


def test_protocol_pages_and_answers_cite_no_internal_document(api, web, nurse):
    client = web(nurse)
    texts = [client.get("/protocols/").content.decode(), api(nurse).get("/protocols").content]
    for code in PROTOCOLS:
        texts.append(client.get(f"/protocols/{code}/").content.decode())
    texts.append(
        api(nurse)
        .post(
            "/dose-calculations",
            {
                "protocol": "iv_ketamine",
                "weight_kg": 80,
                "concentration_mg_per_ml": 10,
                "bag_volume_ml": 100,
            },
        )
        .content
    )
    texts.append(api(nurse).post("/dose-calculations", {"protocol": "esketamine_trd"}).content)

    for text in texts:
        text = text.decode() if isinstance(text, bytes) else text
        assert internal_references(text) == []
    # and the sources they show are the primary ones
    detail = client.get("/protocols/esketamine_trd/").content.decode()
    assert "DailyMed set id d81a6a79-a74a-44b7-822c-0dfa3036eaed" in detail
    assert "FDA REMS id 386" in detail


def test_session_pages_alerts_pre_checks_and_rems_forms_cite_no_internal_document(
    api, web, prescriber, nurse, patient
):
    # given an esketamine session dosed 130 minutes ago with BP, heart-rate and SpO2 alerts
    course = course_today(prescriber, nurse, patient, "esketamine_trd")
    session = dosing_started(first_session(course), prescriber, nurse, minutes_ago=130)
    _entry, alerts, _ = services.record_vitals(
        actor=nurse, session=session, systolic=186, diastolic=112, heart_rate=120, spo2=90
    )
    assert {a.code for a in alerts} >= {"hypertension", "tachycardia", "hypoxemia"}
    client = web(nurse)
    page = client.get(f"/treatments/sessions/{session.id}/").content.decode()
    board = client.get("/treatments/board/rows/").content.decode()
    session_answer = api(nurse).get(f"/sessions/{session.id}").content.decode()
    rems = api(nurse).get(f"/sessions/{session.id}/rems-form").content.decode()
    pdf = pdf_text(api(nurse).get(f"/sessions/{session.id}/rems-form.pdf"))

    # then none of them points at an internal document, an issue or a file
    for text in (page, board, session_answer, rems, pdf):
        assert internal_references(text) == []
    # and every alert names its primary source or says it is the clinic's to verify
    for alert in alerts:
        assert "Spravato US label" in alert.source or "verify; clinic-configurable" in alert.source
    assert "Aldrete 1995" in next(a.source for a in alerts if a.code == "hypoxemia")


def test_open_pre_checks_on_the_page_cite_the_rems_not_a_file(web, prescriber, nurse, patient):
    session = checked_in(first_session(course_today(prescriber, nurse, patient)), nurse)
    services.record_pre_checks(actor=nurse, session=session, escort_confirmed=True)

    page = web(nurse).get(f"/treatments/sessions/{session.id}/").content.decode()

    assert "Confirm that a prescriber is on site" in page
    assert "Spravato REMS (FDA REMS id 386)" in page
    assert internal_references(page) == []
