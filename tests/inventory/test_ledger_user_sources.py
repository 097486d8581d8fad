"""What users read on ledger pages, reports and API answers cites regulations, never internals."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from ketaclinic.inventory import definitions, reports, rules, services
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

# An internal reference: the project's reference notes, an issue number, or a source file path.
INTERNAL = re.compile(
    r"clinical\.md|\b[Ii]ssue\s*#?\d+|\b[\w/-]+\.py\b|\b(?:docs|src|tests)/[\w./-]+"
)
NOON = dt.datetime(2026, 3, 3, 17, 0, tzinfo=dt.UTC)
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


def internal_references(text: str) -> list[str]:
    return sorted({m.group(0) for m in INTERNAL.finditer(text)})


def test_the_pattern_catches_what_it_must():
    # a test of the test: each kind of internal reference is caught, sources are not
    for bad in ("clinical.md s5", "issue 8", "see Issue #11", "protocols/definitions.py"):
        assert internal_references(bad), bad
    for good in ("21 CFR 1304.22(c)", "DEA Form 106 (OMB 1117-0001)", "www.cms.gov/nosurprises"):
        assert not internal_references(good), good


def test_every_source_string_of_the_ledger_names_a_real_source():
    # given every string and fact the ledger shows users as a source
    values = [v for k, v in vars(definitions).items() if not k.startswith("__")]
    texts = [v for v in values if isinstance(v, str)]
    texts += [v.source for v in values if isinstance(v, definitions.Fact)]
    texts += [rule.witness_source for rule in definitions.ENTRY_TYPE_RULES.values()]
    texts += [source for _title, source, _fields in reports.REPORTS.values()]
    texts += [label for _key, label in definitions.DISPENSING_LOG_FIELDS]
    # then none refers to an internal document, an issue or a file
    assert len(texts) > 30
    assert internal_references(" | ".join(texts)) == []


@pytest.fixture
def month(ketamine_lot, safe, session, nurse, nurse2, prescriber, witness_of, at):
    """A month with every kind of entry: doses, a waste, a destruction, a loss, a distribution."""
    services.draw_for_session(
        actor=nurse, session=session, lot=ketamine_lot, location=safe, quantity="50", now=at()
    )
    services.administer(actor=nurse, session=session, quantity="40", now=at(minutes=5))
    services.record_waste(
        actor=nurse,
        session=session,
        quantity="10",
        method="sink",
        witness=witness_of(nurse2),
        now=at(minutes=40),
    )
    services.destroy_stock(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="100",
        method="reverse distributor",
        reason="expired",
        witnesses=[witness_of(nurse), witness_of(nurse2)],
        now=at(hours=1),
    )
    services.record_loss(
        actor=prescriber,
        lot=ketamine_lot,
        location=safe,
        quantity="10",
        loss_type="theft",
        discovered_on=dt.date(2026, 3, 2),
        circumstances="vial missing",
        purchase_value="12.50",
        now=at(hours=2),
    )
    services.distribute_stock(
        actor=nurse,
        lot=ketamine_lot,
        location=safe,
        quantity="500",
        kind="reverse_distributor",
        recipient_name="Return Logistics Inc.",
        recipient_address="9 Depot Road, Memphis, TN 38118",
        recipient_dea="RR1234563",
        now=at(hours=3),
    )
    return session


def test_no_ledger_page_refers_to_internal_documents(month, web, clinic_admin, auditor):
    with time_machine.travel(NOON, tick=False):
        pages = {
            name: web(user).get(reverse(name), RANGE if name == "inventory:reconciliation" else {})
            for name, user in (
                ("inventory:home", clinic_admin),
                ("inventory:entries", clinic_admin),
                ("inventory:receive", clinic_admin),
                ("inventory:transfer", clinic_admin),
                ("inventory:count", clinic_admin),
                ("inventory:reconciliation", clinic_admin),
                ("inventory:destroy", clinic_admin),
                ("inventory:loss", clinic_admin),
                ("inventory:distributions", clinic_admin),
                ("inventory:setup", clinic_admin),
                ("inventory:reports", clinic_admin),
                ("inventory:verify", clinic_admin),
                ("inventory:diversion", auditor),
            )
        }
        pages["session"] = web(clinic_admin).get(reverse("inventory:session", args=[month.pk]))
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert internal_references(response.content.decode()) == [], name


@pytest.mark.parametrize("report", list(reports.REPORTS))
def test_no_dea_report_refers_to_internal_documents(month, api, auditor, report):
    with time_machine.travel(NOON, tick=False):
        for fmt in ("csv", "pdf"):
            response = api(auditor).get(f"/ledger/reports/{report}", **RANGE, format=fmt)
            assert response.status_code == 200
            text = response.content.decode() if fmt == "csv" else pdf_text(response.content)
            assert internal_references(text) == [], (report, fmt)


def test_no_api_answer_or_refusal_refers_to_internal_documents(
    month, api, nurse, prescriber, auditor, ketamine_lot, safe
):
    answers = [api(auditor).get(path).content.decode() for path in ("/ledger/entries",)]
    # a waste without a witness, and a destruction with one, are refused with the rule's source
    answers.append(
        api(nurse)
        .post(
            "/ledger/wastes",
            {"session_id": str(month.pk), "quantity": "1", "method": "sink", "witness": None},
        )
        .content.decode()
    )
    refused = api(prescriber).post(
        "/ledger/destructions",
        {
            "lot_id": str(ketamine_lot.pk),
            "location_id": str(safe.pk),
            "quantity": "1",
            "method": "incinerator",
            "reason": "expired",
            "witnesses": [{"username": nurse.username, "password": "wrong"}],
        },
    )
    assert refused.status_code == 422
    assert "Form 41" in refused.json()["detail"]
    answers.append(refused.content.decode())
    for answer in answers:
        assert internal_references(answer) == []


def test_a_refused_waste_says_the_witness_is_clinic_policy_not_a_dea_rule(nurse):
    check = rules.check_witnesses(definitions.EntryType.WASTE, "rn_jones", [])
    assert not check.allowed
    assert "21 CFR 1304.22(c)" in check.reason and "not a DEA rule" in check.reason
    assert internal_references(check.reason) == []
