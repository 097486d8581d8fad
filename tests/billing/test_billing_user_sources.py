"""What users read in billing (fee schedule, Good Faith Estimate, superbill) cites real sources."""

import datetime as dt
import re

import pytest

from ketaclinic.billing import charges, definitions, services
from tests.billing.helpers import (
    complete,
    fee_schedule,
    local,
    session,
    sliding_scale,
    start_course,
)
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

# An internal reference: the project's reference notes, an issue number, or a source file path.
INTERNAL = re.compile(
    r"clinical\.md|\b[Ii]ssue\s*#?\d+|\b[\w/-]+\.py\b|\b(?:docs|src|tests)/[\w./-]+"
)


def internal_references(text: str) -> list[str]:
    return sorted({m.group(0) for m in INTERNAL.finditer(text)})


def test_every_billing_source_names_a_code_set_a_rule_or_the_clinic():
    # given every source string billing shows: services, time rules, estimates, diagnoses
    texts = [service.source for service in definitions.SERVICES.values()]
    texts += [definitions.InfusionTimeRule().source, definitions.EsketamineCodeRule().source]
    texts += [
        v for k, v in vars(definitions).items() if isinstance(v, str) and not k.startswith("__")
    ]
    # then none cites an internal document, an issue or a file
    assert internal_references(" | ".join(texts)) == []
    # and the codes name their code sets
    assert "AMA CPT" in definitions.SERVICES[definitions.IV_FIRST_HOUR].source
    assert "HCPCS" in definitions.SERVICES[definitions.ESK_UP_TO_56].source
    assert "45 CFR 149.610" in definitions.NSA_GFE


@pytest.fixture
def world(clinic_admin, prescriber, nurse, front_desk, patient):
    """Prices, a sliding scale, a diagnosis, a course, a charged session and an issued GFE."""
    fee_schedule(clinic_admin)
    sliding_scale(clinic_admin)
    services.update_billing_settings(
        actor=clinic_admin, billing_npi="1234567893", tax_id="12-3456789"
    )
    services.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = start_course(prescriber, nurse, patient)
    done = complete(
        session(course, 1),
        prescriber,
        nurse,
        at=local(patient.clinic, 2026, 3, 2),
        dose_mg="56",
        devices=2,
    )
    charges.charge_session(actor=front_desk, session=done)
    services.apply_sliding_scale(
        actor=front_desk,
        patient=patient,
        household_size=1,
        annual_income="15650",
        effective_from=dt.date(2025, 1, 1),
    )
    estimate = services.issue_estimate(actor=front_desk, patient=patient, course=course)
    return {"patient": patient.id, "course": course.id, "session": done.id, "estimate": estimate.id}


def test_the_good_faith_estimate_cites_the_no_surprises_act_not_internal_notes(
    world, api, web, front_desk
):
    # when the front desk opens the issued estimate as JSON and as PDF (API and page)
    client = api(front_desk)
    answer = client.get(f"/estimates/{world['estimate']}").content.decode()
    pdf = pdf_text(client.get(f"/estimates/{world['estimate']}/pdf").content)
    page_pdf = pdf_text(web(front_desk).get(f"/billing/estimates/{world['estimate']}.pdf").content)
    # then the PDF names the regulation, and nothing refers to internal documents
    assert "149.610" in pdf
    for text in (answer, pdf, page_pdf):
        assert internal_references(text) == []


def test_estimates_superbills_and_reports_carry_no_internal_references(
    world, api, front_desk, auditor
):
    client = api(front_desk)
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    answers = [
        client.get(f"/courses/{world['course']}/estimate").content.decode(),
        client.get(
            f"/patients/{world['patient']}/estimate", protocol="iv_ketamine"
        ).content.decode(),
        client.get(
            f"/patients/{world['patient']}/superbill", **period, format="json"
        ).content.decode(),
        client.get(f"/sessions/{world['session']}/superbill", format="json").content.decode(),
        client.get("/fee-schedules").content.decode(),
        client.get(f"/patients/{world['patient']}/sliding-scale").content.decode(),
        api(auditor).get("/reports/billing", **period).content.decode(),
        pdf_text(client.get(f"/patients/{world['patient']}/superbill", **period).content),
        pdf_text(client.get(f"/sessions/{world['session']}/superbill").content),
    ]
    for answer in answers:
        assert internal_references(answer) == []


def test_billing_pages_carry_no_internal_references(world, web, front_desk, clinic_admin, auditor):
    pages = [
        web(front_desk).get(f"/patients/{world['patient']}/billing/"),
        web(front_desk).get("/billing/"),
        web(clinic_admin).get("/billing/fee-schedule/"),
        web(clinic_admin).get("/billing/sliding-scale/"),
        web(clinic_admin).get("/billing/settings/"),
        web(auditor).get("/billing/reports/"),
    ]
    for response in pages:
        assert response.status_code == 200
        assert internal_references(response.content.decode()) == []
    superbill = web(front_desk).get(
        f"/patients/{world['patient']}/billing/superbill.pdf",
        {"date_from": "2026-03-01", "date_to": "2026-03-31"},
    )
    assert internal_references(pdf_text(superbill.content)) == []
    # the fee schedule page names the code sets its codes come from
    assert "AMA CPT and CMS HCPCS Level II" in pages[2].content.decode()
