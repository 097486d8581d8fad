"""Helpers for access tests: referrals and scale results through the owning apps' services."""

import datetime as dt

from ketaclinic.intake.services import create_referral
from ketaclinic.measures.services import record_measure
from ketaclinic.patients.services import register_patient

CSSRS_HIGH = {"1": 1, "2": 1, "3": 1, "4": 1, "5": 0, "6": 0}
CSSRS_LOW = {"1": 1, "2": 0, "6": 0}
PHQ9_SEVERE = {str(i): 3 for i in range(1, 9)} | {"9": 0}
PHQ9_MILD = {str(i): 1 for i in range(1, 8)} | {"8": 0, "9": 0}


def person(desk, given, family, **extra):
    return register_patient(
        actor=desk,
        given_name=given,
        family_name=family,
        date_of_birth="1980-01-01",
        sex="female",
        **extra,
    )


def referred(desk, patient, days_ago, today=None):
    today = today or patient.clinic.today()
    return create_referral(
        actor=desk, patient=patient, referred_on=today - dt.timedelta(days=days_ago)
    )


def scale(nurse, patient, instrument, answers):
    return record_measure(actor=nurse, patient=patient, instrument=instrument, answers=answers)
