"""Generates one synthetic patient's whole history as rows for the bulk writer.

Deterministic: each patient's draws (ids included) come from a random stream seeded by
(seed, clinic, patient number), so the same seed and as-of date give the same registry row for
row however the patients are split between worker processes.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import random
from datetime import date, timedelta
from decimal import Decimal

from ketaclinic.core.permissions import Role
from ketaclinic.intake import models as im
from ketaclinic.intake import rules as intake_rules
from ketaclinic.intake.antidepressants import BUILT_IN
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.measures.models import MeasureResponse, SafetyAlert
from ketaclinic.measures.rules import severity_band
from ketaclinic.patients.models import Patient
from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.protocols.rules import plan_course
from ketaclinic.treatments import models as tm
from ketaclinic_devtools.registry import columns as cols
from ketaclinic_devtools.registry import shapes as s
from ketaclinic_devtools.registry.course import CourseMixin, at

# The course table, wherever the app that owns courses keeps its model.
Course = tm.TreatmentSession._meta.get_field("course").related_model
PHQ9 = INSTRUMENTS["phq9"]
ITEM9_RULE = PHQ9.safety_rules[0]
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
WEEKDAYS = frozenset(range(5))


_LOW_62 = (1 << 62) - 1


def weighted(pairs):
    values = [v for v, _ in pairs]
    cum = list(itertools.accumulate(w for _, w in pairs))
    return values, cum


class Pools:
    """Name and address pools drawn once from Faker (fast per-patient choice afterwards)."""

    def __init__(self, rng, fake):
        self.rng = rng
        self.prefix = self.counter = 0
        self.first_female = sorted({fake.first_name_female() for _ in range(400)})
        self.first_male = sorted({fake.first_name_male() for _ in range(400)})
        self.first = self.first_female + self.first_male
        self.last = sorted({fake.last_name() for _ in range(800)})
        self.streets = sorted({fake.street_name() for _ in range(400)})
        self.cities = sorted({(fake.city(), fake.state_abbr(), fake.zipcode()) for _ in range(300)})

    def begin(self, rng, clinic_index: int, number: int) -> None:
        """Ids from here on belong to this patient (number 0: the clinic's own rows)."""
        self.rng = rng
        self.prefix = ((clinic_index & 0x3FF) << 38) | ((number & 0x3FFFFF) << 16)
        self.counter = 0

    def uuid(self) -> str:
        """An id as 32 hex digits (both databases accept this form), laid out like UUIDv7.

        The leading 48 bits (clinic, patient number, row counter) rise as patients are
        written, so every primary-key and foreign-key index grows at its end instead of
        splitting pages all over: bulk inserts run several times faster. The other 74 bits
        are random. Only the synthetic registry makes ids this way; the app uses uuid4.
        """
        self.counter += 1
        high = self.prefix | (self.counter & 0xFFFF)
        low = self.rng.getrandbits(74)
        n = (high << 80) | (0x7 << 76) | ((low >> 62) << 64) | (0b10 << 62)
        return f"{n | (low & _LOW_62):032x}"


def weekday_on_or_after(day: date) -> date:
    while day.weekday() not in WEEKDAYS:
        day += timedelta(days=1)
    return day


def patient_stream(seed: int, clinic_index: int, number: int) -> random.Random:
    """The random stream of one patient (independent of every other patient's)."""
    return random.Random((seed << 48) | (clinic_index << 28) | number)


class Generator(CourseMixin):
    """Writes patients, intake, courses, sessions, vitals, alerts, events and scores."""

    def __init__(
        self, writer, pools: Pools, as_of: date, *, seed: int, years: int = 2, ledger=None
    ):
        self.w, self.rng, self.pools, self.as_of = writer, pools.rng, pools, as_of
        self.seed = seed
        self.span_days = max(30, round(365.25 * years))
        self.antidepressants = [(a.name, a.min_daily_dose_mg) for a in BUILT_IN]
        self.now = at(as_of, 17 * 60)
        self.ledger = ledger
        self.contraindication_keys = intake_rules.QUESTION_KEYS
        self.absolute_keys = [q.key for q in intake_rules.QUESTIONS if q.esketamine_absolute]
        self.sexes = weighted(s.SEXES)
        self.races = weighted(s.RACES)
        self.ethnicities = weighted(s.ETHNICITIES)
        self.payers = weighted(s.PAYERS)
        self.incomes = weighted(s.INCOMES)
        self.funnel = weighted(s.REFERRAL_OUTCOMES)
        self.protocol_mix = weighted(s.PROTOCOL_MIX)
        self.ae_severity = weighted(s.AE_SEVERITY)
        self.ae_actions = weighted(s.AE_ACTIONS)
        self.answers = self._answer_table()
        self.plans: dict = {}
        self.bands = {t: severity_band(PHQ9, t).label for t in range(28)}
        self.bounds: dict = {}
        self.stats = {"patients": 0, "courses": 0, "sessions": 0, "responses": 0}
        self._tables()

    # --- tables -------------------------------------------------------------------------

    def _tables(self):
        t = self.w.table
        self.t_patient = t(Patient, cols.PATIENT)
        self.t_referral = t(im.Referral, cols.REFERRAL)
        self.t_history = t(im.TreatmentHistory, cols.HISTORY)
        self.t_trial = t(im.AntidepressantTrial, cols.TRIAL)
        self.t_answer = t(im.ContraindicationAnswer, cols.ANSWER)
        self.t_decision = t(im.EligibilityDecision, cols.DECISION)
        self.t_consent = t(im.ConsentRecord, cols.CONSENT)
        self.t_course = t(Course, cols.COURSE)
        self.t_session = t(tm.TreatmentSession, cols.SESSION)
        self.t_order = t(tm.DoseOrder, cols.ORDER)
        self.t_vitals = t(tm.VitalSignsEntry, cols.VITALS)
        self.t_alert = t(tm.SessionAlert, cols.SESSION_ALERT)
        self.t_event = t(tm.AdverseEvent, cols.ADVERSE_EVENT)
        self.t_response = t(MeasureResponse, cols.RESPONSE)
        self.t_safety = t(SafetyAlert, cols.SAFETY_ALERT)

    # --- helpers ------------------------------------------------------------------------

    def pick(self, table):
        values, cum = table
        return values[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def between(self, low: int, high: int) -> int:
        """randint without its per-call overhead (the generator calls it millions of times)."""
        return low + int(self.rng.random() * (high - low + 1))

    def _answer_table(self):
        """For each (total, item-9 value): a few PHQ-9 answer sets that add up to the total."""
        table = {}
        for total in range(28):
            for item9 in range(4):
                rest = total - item9
                if rest < 0 or rest > 24:
                    continue
                variants = []
                for _ in range(6):
                    items = [0] * 8
                    for _ in range(rest):
                        open_items = [i for i in range(8) if items[i] < 3]
                        items[self.rng.choice(open_items)] += 1
                    answers = {str(i + 1): v for i, v in enumerate(items)}
                    answers["9"] = item9
                    variants.append(answers)
                table[(total, item9)] = variants
        return table

    def plan(self, code: str, start: date, age65: bool):
        """Session offsets, phases and doses of a course (cached by weekday and age group)."""
        key = (code, start.weekday(), age65)
        if key not in self.plans:
            plan = plan_course(
                PROTOCOLS[code], start, open_weekdays=WEEKDAYS, age_years=70 if age65 else 40
            )
            self.plans[key] = [
                (
                    (p.date - start).days,
                    p.number,
                    p.phase,
                    p.planned_dose_mg,
                    p.planned_dose_mg_per_kg,
                )
                for p in plan.sessions
            ]
        return self.plans[key]

    # --- one patient --------------------------------------------------------------------

    def patient(self, ctx, number: int) -> None:
        self.rng = patient_stream(self.seed, ctx.index, number)
        self.pools.begin(self.rng, ctx.index, number)
        rng, pools = self.rng, self.pools
        pid = pools.uuid()
        span = self.span_days
        referred = self.as_of - timedelta(days=self.between(14, span))
        registered = at(referred, rng.uniform(13 * 60, 21 * 60))
        sex = self.pick(self.sexes)
        if rng.random() < s.OLDEST_SHARE:
            age = self.between(90, 96)
        else:
            age = round(rng.triangular(s.AGE_MIN, s.AGE_MAX, s.AGE_MODE))
        born = referred - timedelta(days=int(age * 365.25) + self.between(1, 360))
        first_names = pools.first_female if sex == "female" else pools.first_male
        given, family = rng.choice(first_names), rng.choice(pools.last)
        city, region, postal = rng.choice(pools.cities)
        weight = Decimal(self.between(480, 1250)) / 10
        self.t_patient.add(
            (
                pid,
                ctx.id,
                registered,
                f"{ctx.clinic.mrn_prefix}{number:07d}",
                given,
                family,
                born,
                sex,
                f"(555) {self.between(200, 999)}-{self.between(1000, 9999)}",
                f"{given.lower()}.{family.lower()}{self.between(1, 999)}@example.com",
                f"{self.between(1, 9999)} {rng.choice(pools.streets)}",
                city,
                region,
                postal,
                f"{rng.choice(pools.first)} {family}",
                f"(555) {self.between(200, 999)}-{self.between(1000, 9999)}",
                rng.choice(("spouse", "parent", "sibling", "friend")),
                weight,
                self.pick(self.races),
                self.pick(self.ethnicities),
                self.pick(self.payers),
                self.pick(self.incomes),
                registered,
            )
        )
        self.stats["patients"] += 1
        outcome = self.pick(self.funnel)
        self.t_referral.add(
            (
                pools.uuid(),
                ctx.id,
                registered,
                pid,
                outcome,
                "manual",
                referred,
                "Dr. Referring Clinician",
                registered,
            )
        )
        if outcome == "referred":
            return
        nurse = ctx.one(Role.NURSE, rng)
        intake_at = registered + timedelta(days=2)
        self._intake(ctx, pid, referred, intake_at, nurse, outcome)
        if outcome != "eligible":
            return
        code = self.pick(self.protocol_mix)
        drug = PROTOCOLS[code].drug
        prescriber = ctx.one(Role.PRESCRIBER, rng)
        decided = intake_at + timedelta(days=3)
        self.t_decision.add(
            (
                pools.uuid(),
                ctx.id,
                decided,
                pid,
                code,
                drug,
                "approve",
                "eligible",
                [],
                prescriber.id,
            )
        )
        consent_type = PROTOCOLS[code].consent_type
        signed = decided + timedelta(days=1)
        self.t_consent.add(
            (
                pools.uuid(),
                ctx.id,
                signed,
                pid,
                ctx.consent_documents[consent_type].pk,
                consent_type,
                1,
                f"{given} {family}",
                "patient",
                nurse.display_name,
                signed.date(),
                nurse.id,
            )
        )
        start = weekday_on_or_after(
            signed.date() + timedelta(days=self.between(*s.DAYS_REFERRAL_TO_COURSE))
        )
        if start > self.as_of + timedelta(days=14):
            return
        person = (pid, age + (start - referred).days // 365, weight)
        ended = self.course(ctx, person, code, start)
        if ended is not None and rng.random() < s.SECOND_COURSE_SHARE:
            again = weekday_on_or_after(
                ended + timedelta(days=self.between(*s.DAYS_BETWEEN_COURSES))
            )
            if again < self.as_of:
                self.course(ctx, person, "esketamine_trd" if drug == "esketamine" else code, again)

    def _intake(self, ctx, pid, referred, when, nurse, outcome):
        rng, pools = self.rng, self.pools
        onset = referred - timedelta(days=self.between(120, 2000))
        severity = rng.choice(("moderate", "severe_without_psychosis", "moderate", "mild"))
        self.t_history.add(
            (
                pools.uuid(),
                ctx.id,
                when,
                pid,
                onset,
                severity,
                rng.random() < 0.4,
                rng.random() < 0.7,
                rng.random() < 0.05,
                rng.random() < 0.08,
                nurse.id,
                when,
            )
        )
        trials = 1 if outcome == "intake_in_progress" else self.between(*s.TRIALS_PER_PATIENT)
        for _ in range(trials):
            drug, dose = rng.choice(self.antidepressants)
            started = onset + timedelta(days=self.between(0, 300))
            weeks = self.between(6, 20)
            self.t_trial.add(
                (
                    pools.uuid(),
                    ctx.id,
                    when,
                    pid,
                    drug,
                    dose,
                    started,
                    started + timedelta(weeks=weeks),
                    Decimal(weeks),
                    "good",
                    rng.choice(("no_response", "no_response", "partial_response", "intolerance")),
                    True,
                    nurse.id,
                    when,
                )
            )
        if outcome == "intake_in_progress":
            return
        blocked = rng.choice(self.absolute_keys) if outcome == "declined" else None
        for key in self.contraindication_keys:
            answer = "yes" if key == blocked else "no"
            self.t_answer.add((pools.uuid(), ctx.id, when, pid, key, answer, nurse.id, when))
        if outcome == "declined":
            prescriber = ctx.one(Role.PRESCRIBER, rng)
            self.t_decision.add(
                (
                    pools.uuid(),
                    ctx.id,
                    when + timedelta(days=3),
                    pid,
                    "esketamine_trd",
                    "esketamine",
                    "decline",
                    "ineligible",
                    [f"contraindication: {blocked}"],
                    prescriber.id,
                )
            )
