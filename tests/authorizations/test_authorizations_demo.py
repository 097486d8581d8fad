"""The demo clinic shows coverage and authorizations: a covered course short of units, an
approval expiring in 10 days on the work queue, and a packet with the example checklist."""

import pytest

from ketaclinic.accounts.models import User
from ketaclinic.authorizations import packet, queries
from ketaclinic.authorizations.definitions import EXAMPLE_PAYER_NAME


@pytest.fixture
def desk(demo_clinic, db):
    return User.objects.get(clinic=demo_clinic, role="front_desk", username="frontdesk")


def test_the_demo_work_queue_has_an_expiring_approval_and_a_course_short_of_units(desk):
    items = queries.warnings_for_clinic(desk)
    kinds = {i.kind for i in items}
    assert {"expiring", "units_short"} <= kinds
    expiring = next(i for i in items if i.kind == "expiring")
    assert "(in 10 days)" in expiring.message


def test_the_demo_patient_has_a_coverage_a_benefits_check_and_a_packet(desk, demo_clinic):
    prescriber = User.objects.get(clinic=demo_clinic, username="prescriber")
    item = next(i for i in queries.warnings_for_clinic(desk) if i.kind == "units_short")
    patient = queries.access_coverage_patient(desk, item.patient_id)
    overview = queries.patient_overview(desk, patient)
    assert overview.coverages[0].payer_name == EXAMPLE_PAYER_NAME
    assert overview.checks[0].prior_authorization_required == "yes"
    authorization = overview.rows[0].authorization
    assert authorization.status == "approved"
    built = packet.build_packet(prescriber, authorization)
    assert built.checklist.payer_name == EXAMPLE_PAYER_NAME
    assert built.tally["met"] >= 1 and len(built.results) == 6
