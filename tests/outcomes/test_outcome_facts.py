"""The fact tables give exactly the live computation's answers, whatever the history.

Random histories are written the way the clinic writes them: patients registered and edited,
courses started and stopped, sessions dosed, adverse events and alerts charted, PHQ-9 scores
entered (back-dated too) and the clinic's remission cut-off changed, all through the services.
Courses in the past (which the services rightly refuse to start) are written row by row and
their patient's facts refreshed, as the registry seeding does in bulk. After each history the
dashboard, the API's summary and the equity view read from the facts must equal the live SQL
over the clinical tables, for the whole clinic and for a protocol and date range.
"""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketaclinic.audit.models import AuditEvent
from ketaclinic.measures.services import record_measure, update_instrument_settings
from ketaclinic.outcomes import equity as equity_rules
from ketaclinic.outcomes import queries
from ketaclinic.outcomes.models import CourseFact, DayFact, SessionFact
from ketaclinic.patients.services import register_patient, update_patient
from ketaclinic.protocols.services import set_open_weekdays
from ketaclinic.treatments import services as treatments
from ketaclinic.treatments.queries import current_course
from tests.outcomes.builders import hand_built_registry, make_course
from tests.treatments.helpers import (
    dosing_started,
    first_session,
    make_treatable,
    practising_in,
    today,
)

pytestmark = pytest.mark.django_db

PROTOCOLS = ("iv_ketamine", "esketamine_trd", "esketamine_mdsi")
SERVICE_PROTOCOL = "esketamine_trd"
RACES = ("white", "black", "asian", "unknown")
PAYERS = ("commercial", "medicaid", "medicare", "unknown")


def phq9_answers(total: int) -> dict[str, int]:
    answers = {str(n): 0 for n in range(1, 10)}
    for n in range(1, 10):
        step = min(3, total)
        answers[str(n)] = step
        total -= step
    return answers


def same_answers(user, **filters) -> None:
    """The fact-based summary and equity equal the live ones, field by field."""
    facts, selection = queries.summary(user, **filters)
    live, _ = queries.live_summary(user, **filters)
    assert facts.as_dict(selection.as_dict()) == live.as_dict(selection.as_dict())
    by_facts = queries.equity(user, **filters)[0]
    by_live = queries.equity(user, live=True, **filters)[0]
    assert equity_rules.as_dict(by_facts) == equity_rules.as_dict(by_live)


class History:
    def __init__(self, data, prescriber, nurse, front_desk, clinic_admin):
        self.data, self.prescriber, self.nurse = data, prescriber, nurse
        self.front_desk, self.clinic_admin = front_desk, clinic_admin
        self.patients: list = []
        self.dosed: list = []

    def draw(self, strategy):
        return self.data.draw(strategy)

    def register(self):
        n = len(self.patients)
        born = self.draw(st.dates(date(1935, 1, 1), date(2006, 1, 1)))
        patient = register_patient(
            actor=self.front_desk,
            given_name=f"Pat{n}",
            family_name="Hypothesis",
            date_of_birth=born,
            sex=self.draw(st.sampled_from(("female", "male"))),
            race=self.draw(st.sampled_from(RACES)),
            payer_type=self.draw(st.sampled_from(PAYERS)),
            weight_kg="70",
        )
        make_treatable(self.prescriber, self.nurse, patient, SERVICE_PROTOCOL)
        self.patients.append(patient)

    def patient(self):
        if not self.patients:
            self.register()
        return self.draw(st.sampled_from(self.patients))

    def past_course(self):
        """A finished course in the past, written row by row (the services start courses
        from today only)."""
        patient = self.patient()
        start = self.draw(st.dates(date(2024, 1, 1), date(2025, 10, 1)))
        offsets = sorted(set(self.draw(st.lists(st.integers(0, 30), max_size=7))))
        scores = self.draw(st.lists(st.tuples(st.integers(-3, 45), st.integers(0, 27)), max_size=6))
        built = make_course(
            self.prescriber,
            patient,
            self.draw(st.sampled_from(PROTOCOLS)),
            start,
            self.draw(st.sampled_from(("completed", "stopped"))),
            doses=dict(enumerate(offsets, start=1)),
            scores=tuple(scores),
        )
        for session in built.sessions.values():
            if self.draw(st.booleans()):
                self.dosed.append(session)

    def start_course(self):
        patient = self.patient()
        if current_course(patient) is None:
            treatments.start_course(
                actor=self.prescriber,
                patient=patient,
                protocol_code=SERVICE_PROTOCOL,
                start_date=today(patient.clinic),
            )

    def stop_course(self):
        course = current_course(self.patient())
        if course is not None:
            treatments.stop_course(actor=self.prescriber, course=course, reason="Patient's wish")

    def dose(self):
        course = current_course(self.patient())
        if course is None:
            return
        session = first_session(course)
        if session.status != "scheduled":
            return
        dosed = dosing_started(session, self.prescriber, self.nurse, minutes_ago=30)
        self.dosed.append(dosed)

    def score(self):
        patient = self.patient()
        days_ago = self.draw(st.integers(0, 700))
        record_measure(
            actor=self.nurse,
            patient=patient,
            instrument="phq9",
            answers=phq9_answers(self.draw(st.integers(0, 27))),
            administered_at=timezone.now() - timedelta(days=days_ago, minutes=1),
        )

    def adverse_event(self):
        live = [s for s in self.dosed if s.dose_started_at and s.dose_started_at > _recent()]
        if not live:
            return
        treatments.record_adverse_event(
            actor=self.nurse,
            session=self.draw(st.sampled_from(live)),
            code=self.draw(st.sampled_from(("nausea", "sedation", "hypertension"))),
            severity=self.draw(st.sampled_from(("mild", "moderate", "severe"))),
            action="none",
            outcome="resolving",
        )

    def alert(self):
        live = [s for s in self.dosed if s.dose_started_at and s.dose_started_at > _recent()]
        if live:
            treatments.record_vitals(
                actor=self.nurse,
                session=self.draw(st.sampled_from(live)),
                systolic=self.draw(st.sampled_from((120, 190))),
                diastolic=100,
                heart_rate=self.draw(st.sampled_from((80, 130))),
            )

    def demographics(self):
        patient = self.patient()
        update_patient(
            actor=self.front_desk,
            patient=patient,
            race=self.draw(st.sampled_from(RACES)),
            date_of_birth=self.draw(st.dates(date(1930, 1, 1), date(2006, 1, 1))),
        )

    def cut_off(self):
        update_instrument_settings(
            actor=self.clinic_admin,
            instrument="phq9",
            overrides={
                "remission": {
                    "operator": self.draw(st.sampled_from(("<", "<="))),
                    "value": self.draw(st.integers(3, 10)),
                }
            },
        )


def _recent() -> datetime:
    return timezone.now() - timedelta(days=1)


STEPS = (
    "register",
    "past_course",
    "past_course",
    "start_course",
    "stop_course",
    "dose",
    "score",
    "score",
    "adverse_event",
    "alert",
    "demographics",
    "cut_off",
)


@pytest.fixture
def open_clinic(prescriber, nurse):
    practising_in(prescriber.clinic)
    set_open_weekdays(actor=prescriber, weekdays=list(range(7)))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_facts_answer_as_the_live_computation_after_any_history(
    data, open_clinic, prescriber, nurse, front_desk, clinic_admin
):
    with transaction.atomic():
        history = History(data, prescriber, nurse, front_desk, clinic_admin)
        for step in data.draw(st.lists(st.sampled_from(STEPS), min_size=1, max_size=10)):
            getattr(history, step)()
        # the whole clinic, and one protocol over a date range
        same_answers(prescriber)
        start = data.draw(st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2026, 6, 1))))
        end = data.draw(st.one_of(st.none(), st.dates(date(2024, 6, 1), date(2027, 1, 1))))
        if start and end and end < start:
            start, end = end, start
        same_answers(
            prescriber,
            protocol=data.draw(st.sampled_from((None, *PROTOCOLS))),
            start=start,
            end=end,
        )
        transaction.set_rollback(True)


def test_a_score_entered_through_the_service_is_on_the_dashboard_in_the_same_transaction(
    open_clinic, prescriber, nurse, front_desk
):
    patient = register_patient(
        actor=front_desk,
        given_name="Ada",
        family_name="Same",
        date_of_birth="1980-01-01",
        sex="female",
        weight_kg="70",
    )
    make_treatable(prescriber, nurse, patient, SERVICE_PROTOCOL)
    treatments.start_course(
        actor=prescriber,
        patient=patient,
        protocol_code=SERVICE_PROTOCOL,
        start_date=today(patient.clinic),
    )
    with transaction.atomic():
        record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9_answers(20))
        record_measure(actor=nurse, patient=patient, instrument="phq9", answers=phq9_answers(4))
        # before the commit, the facts already count the course as a responder and remitter
        body = queries.summary(prescriber)[0].as_dict({})
        assert body["courses_with_baseline"] == 1
        assert body["response"]["numerator"] == 1
        assert body["remission"]["numerator"] == 1
        transaction.set_rollback(True)
    # rolled back: the facts went with the scores
    assert queries.summary(prescriber)[0].overall.with_baseline == 0


def test_a_new_remission_cut_off_is_applied_to_the_facts_at_once(
    prescriber, front_desk, clinic_admin
):
    hand_built_registry(prescriber, front_desk)
    assert queries.summary(prescriber)[0].overall.remission.numerator == 2
    # when the clinic counts PHQ-9 totals of 6 or less as remission
    update_instrument_settings(
        actor=clinic_admin,
        instrument="phq9",
        overrides={"remission": {"operator": "<=", "value": 6}},
    )
    # then A (4) and G (3) stay remitters and nobody else's last score is 6 or less
    facts = queries.summary(prescriber)[0].as_dict({})
    assert facts == queries.live_summary(prescriber)[0].as_dict({})
    assert facts["definition"]["remission"] == "total <= 6"
    # after session 4 A's first later score is 6: now a remission too
    assert facts["by_session"]["4"]["remission"]["numerator"] == 1


def test_rebuild_restores_deleted_facts(prescriber, front_desk):
    hand_built_registry(prescriber, front_desk)
    expected = queries.live_summary(prescriber)[0].as_dict({})
    CourseFact.objects.all().delete()
    SessionFact.objects.all().delete()
    DayFact.objects.all().delete()
    assert queries.summary(prescriber)[0].overall.courses == 0
    call_command("rebuild_outcome_facts", "--clinic", prescriber.clinic.slug, stdout=_Sink())
    assert queries.summary(prescriber)[0].as_dict({}) == expected
    assert CourseFact.objects.filter(clinic_id=prescriber.clinic_id).count() == 7
    # and the operator's rebuild is in the clinic's audit log with what it wrote
    event = AuditEvent.objects.get(action="outcomes.facts_rebuilt")
    assert event.clinic_id == prescriber.clinic_id and event.changes["courses"] == 7


def test_rebuild_of_every_clinic_leaves_other_clinics_apart(prescriber, front_desk, outsider):
    hand_built_registry(prescriber, front_desk)
    out = _Sink()
    call_command("rebuild_outcome_facts", stdout=out)
    assert "7 courses, 18 dosed sessions" in out.text
    assert queries.summary(outsider)[0].overall.courses == 0
    assert queries.summary(prescriber)[0].as_dict({}) == (
        queries.live_summary(prescriber)[0].as_dict({})
    )


def test_rebuild_names_an_unknown_clinic():
    with pytest.raises(CommandError, match="No clinic with the slug nowhere"):
        call_command("rebuild_outcome_facts", "--clinic", "nowhere", stdout=_Sink())


def test_a_course_facts_row_holds_its_outcome(prescriber, front_desk):
    built = hand_built_registry(prescriber, front_desk)
    row = CourseFact.objects.get(course_id=built["A"].course.pk)
    # A: 20 at baseline, 4 at the last score; responded on day 7; six dosed sessions
    assert (row.baseline, row.latest, row.resp_last, row.remit_last) == (20, 4, 1, 1)
    assert (row.km_day, row.km_event, row.dosed_sessions, row.adverse_events) == (7, 1, 6, 1)
    assert (row.race, row.age_band) == ("white", "35-44")


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
