"""The apps below treatments read its courses and sessions through what treatments registers."""

from ketaclinic.inventory.sessions import session_reader
from ketaclinic.measures.courses import course_start
from tests.treatments.helpers import course_today, first_session


def test_the_ledger_reads_a_session_of_the_clinic_as_plain_facts(
    prescriber, nurse, patient, outsider
):
    # given a course with a session today
    session = first_session(course_today(prescriber, nurse, patient))
    # when the ledger asks for it, as the nurse and as a user of another clinic
    facts = session_reader().access(nurse, session.id)
    elsewhere = session_reader().access(outsider, session.id)
    # then the nurse's clinic gets its facts, the other clinic nothing
    assert (facts.id, facts.patient_id, facts.patient_name) == (
        session.id,
        patient.id,
        patient.full_name,
    )
    assert (facts.protocol_code, facts.status, facts.ended) == (
        "esketamine_trd",
        "scheduled",
        False,
    )
    assert elsewhere is None


def test_the_ledger_lists_the_days_open_sessions(prescriber, nurse, patient):
    # given a session planned for today
    session = first_session(course_today(prescriber, nurse, patient))
    # when the ledger lists today's open sessions
    listed = session_reader().open_on(nurse, session.scheduled_date)
    # then it is there
    assert [f.id for f in listed] == [session.id]


def test_a_patients_baseline_date_is_the_start_of_the_current_course(prescriber, nurse, patient):
    # given a patient without a course
    assert course_start(patient) is None
    # when a course starts today
    course = course_today(prescriber, nurse, patient)
    # then measures take that day as the start of the current course
    assert course_start(patient) == course.start_date
