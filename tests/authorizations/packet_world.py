"""A patient whose record fills a prior-authorization packet, written through each app's
services: trials, PHQ-9 history, diagnosis, REMS enrollment, the course, coverage, checklist."""

import datetime as dt

from django.utils import timezone

from ketaclinic.authorizations import services
from ketaclinic.billing import services as billing
from ketaclinic.intake import services as intake
from ketaclinic.measures import services as measures
from ketaclinic.treatments import services as treatments
from tests.authorizations.helpers import coverage
from tests.treatments.helpers import course_today

TRIALS = (
    ("sertraline", 150, 8, "no_response"),
    ("duloxetine", 90, 10, "partial_response"),
    ("escitalopram", 5, 3, "no_response"),
)


def phq9_answers(total):
    answers = {str(n): 0 for n in range(1, 10)}
    for n in range(1, 9):
        step = min(3, total)
        answers[str(n)] = step
        total -= step
    return answers


def packet_world(prescriber, nurse, front_desk, clinic_admin, patient):
    start = patient.clinic.today() - dt.timedelta(days=400)
    for drug, dose, weeks, outcome in TRIALS:
        intake.record_trial(
            actor=nurse,
            patient=patient,
            drug=drug,
            daily_dose_mg=dose,
            weeks=weeks,
            outcome=outcome,
            started_on=start,
        )
        start += dt.timedelta(weeks=weeks + 2)
    now = timezone.now()
    for days_ago, total in ((21, 19), (7, 17)):
        measures.record_measure(
            actor=nurse,
            patient=patient,
            instrument="phq9",
            answers=phq9_answers(total),
            administered_at=now - dt.timedelta(days=days_ago),
        )
    billing.set_diagnosis(actor=prescriber, patient=patient, code="F33.2")
    course = course_today(prescriber, nurse, patient)
    treatments.record_rems_enrollment(actor=nurse, course=course, enrolled=True)
    services.update_settings(
        actor=clinic_admin, site_rems_certified=True, site_rems_reference="SITE-REF-9"
    )
    services.copy_example_checklist(actor=clinic_admin, payer_name="Example commercial payer")
    plan = coverage(front_desk, patient)
    authorization = services.create_authorization(
        actor=front_desk, patient=patient, course_id=course.id, coverage=plan, requested_units=16
    )
    return authorization
