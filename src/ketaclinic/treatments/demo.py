"""Demo treatment day, relative to the time it runs: a full chair board, history, REMS forms.

Every row is written through the services (charting past sessions with their real times),
so the demo exercises the same rules as the clinic does.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.utils import timezone

from ketaclinic.intake import rules as intake_rules
from ketaclinic.intake import services as intake
from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.inventory import services as ledger
from ketaclinic.patients.queries import search_patients
from ketaclinic.protocols import services as protocols
from ketaclinic.protocols.queries import protocol_facts
from ketaclinic.treatments import services
from ketaclinic.treatments.models import DoseOrder, TreatmentSession

ORDER = 55
HISTORY_DAYS = 30
PAPER_CHART = "Given before the clinic started using ketaclinic (paper chart; demo)."

IV_MG_PER_ML = Decimal("10")
NORMAL = {"heart_rate": 74, "spo2": 98, "resp_rate": 14}
ALDRETE_10 = dict.fromkeys(
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
)
# (name, protocol, weeks since the course started, minutes since the patient arrived)
LINEUP = (
    ("scheduled", "esketamine_trd", 0, None),
    ("checked_in", "esketamine_trd", 2, 6),
    ("pre_checks_done", "iv_ketamine", 0, 25),
    ("dosing", "esketamine_mdsi", 1, 35),
    ("monitoring", "esketamine_trd", 5, 50),
    ("monitoring_alert", "iv_ketamine", 1, 45),
    ("ready", "esketamine_trd", 10, 160),
    ("discharged", "esketamine_trd", 3, 200),
    ("aborted", "esketamine_trd", 4, 70),
)


class Demo:
    def __init__(self, ctx):
        self.ctx = ctx
        self.clinic = ctx.clinic
        self.tz = ctx.clinic.tz
        self.prescriber = ctx.user("prescriber")
        self.nurse = ctx.user("nurse")
        self.nurse2 = ctx.users.get("nurse2", self.nurse)
        # Witnesses the nurse's wastes (a witness is never the actor).
        self.witness = self.nurse2 if self.nurse2 != self.nurse else self.prescriber
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.tz)

    # --- patients and courses -------------------------------------------------------------
    def patients(self, count: int) -> list:
        approved = list(
            search_patients(self.prescriber)
            .filter(pk__in=self.ctx.extra.get("intake_approved", []))
            .order_by("family_name")
        )
        if len(approved) < count:
            # Intake's demo did not run (or approved too few): make patients treatable
            # through intake's own services, as a clinic would.
            spare = [p for p in self.ctx.patients if p not in approved]
            for patient in spare[: count - len(approved)]:
                self._make_treatable(patient)
                approved.append(patient)
        return approved[:count]

    def _make_treatable(self, patient) -> None:
        intake.record_contraindications(
            actor=self.nurse,
            patient=patient,
            answers=dict.fromkeys(intake_rules.QUESTION_KEYS, "no"),
        )
        for code in ("esketamine_trd", "iv_ketamine"):
            intake.decide_eligibility(
                actor=self.prescriber,
                patient=patient,
                protocol_code=code,
                outcome="approve",
                justification="Demo patient reviewed in person.",
            )
            intake.record_consent(
                actor=self.nurse,
                patient=patient,
                consent_type=protocol_facts(self.clinic, code).consent_type,
                signer_name=patient.full_name,
                witness_name=self.nurse.get_full_name(),
                signed_on=self.today - datetime.timedelta(days=90),
            )

    def course(self, patient, protocol: str, weeks_ago: int, day: datetime.date | None = None):
        start = (day or self.today) - datetime.timedelta(weeks=weeks_ago)
        return services.start_course(
            actor=self.prescriber, patient=patient, protocol_code=protocol, start_date=start
        )

    # --- charting ---------------------------------------------------------------------------
    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def check_in(self, s, when, chair):
        services.check_in(actor=self.nurse, session=s, chair=chair, at=when)

    def pre_checks(self, s, when, vitals=None, classes=()):
        vitals = {"systolic": 124, "diastolic": 78, **NORMAL} | (vitals or {})
        esketamine = s.protocol_code.startswith("esketamine")
        services.record_pre_checks(
            actor=self.nurse,
            session=s,
            vitals=vitals | {"measured_at": when},
            last_food_at=when - datetime.timedelta(hours=4),
            last_liquid_at=when - datetime.timedelta(hours=1),
            escort_confirmed=True,
            escort_name=self.ctx.fake.name(),
            prescriber_on_site=True,
            rems_patient_enrolled=True if esketamine else None,
            medications_reviewed=True,
            medication_classes=list(classes),
            measures_done=True,
            pregnancy_test="not_applicable",
        )

    def order(self, s, dose_mg=None, at=None):
        drug = "esketamine" if s.protocol_code.startswith("esketamine") else "ketamine"
        if drug == "esketamine":
            services.sign_order(
                actor=self.prescriber, session=s, dose_mg=dose_mg or s.planned_dose_mg, at=at
            )
        else:
            services.sign_order(
                actor=self.prescriber,
                session=s,
                concentration_mg_per_ml=Decimal("10"),
                bag_volume_ml=Decimal("100"),
                at=at,
            )
        # The second check picks the lot on hand from the ledger (the inventory demo stocked it).
        on_hand = ledger_queries.lots_on_hand(self.nurse2, drug=drug, day=self.today)
        services.second_check(
            actor=self.nurse2,
            session=s,
            lot=on_hand[0].lot.pk if on_hand else None,
            calculation_confirmed=True,
        )

    def ordered(self, s, arrived, chair, checked, ordered, *, dose_mg=None, **pre_checks):
        """Check the patient in, record the pre-checks and sign and check the order."""
        self.check_in(s, arrived, chair)
        self.pre_checks(s, checked, **pre_checks)
        s.refresh_from_db()
        self.order(s, dose_mg=dose_mg, at=ordered)

    def dose(self, s, when, devices_until=None):
        row = services.start_dose(actor=self.nurse, session=s, at=when)
        given = when
        while row.status == "dosing":
            given += datetime.timedelta(minutes=5)
            if devices_until is not None and given > devices_until:
                break
            row = services.record_device(actor=self.nurse, session=s, at=given)
        self.ledger(row, when)
        return row

    def ledger(self, row, when):
        """The session's drug through the chain: drawn from the cart for the signed order,
        given, the rest wasted with a witness, and (on past days) the record closed."""
        cart = self.ctx.extra.get("ledger_cart")
        if cart is None:
            return
        order = DoseOrder.objects.get(session_id=row.pk)
        nasal = bool(order.devices)
        # Whole devices, or the order rounded up to the next whole mL of the 10 mg/mL vial.
        drawn = (
            Decimal(order.devices)
            if nasal
            else Decimal(math.ceil(order.dose_mg / IV_MG_PER_ML)) * IV_MG_PER_ML
        )
        # In the product's unit: devices for the nasal spray, mg for the solution.
        given = Decimal(row.devices_given) if nasal else order.dose_mg
        nurse = self.nurse
        # The ledger lines of this session's lot, each charted by the nurse.
        line = {"actor": nurse, "session": row.pk, "lot": order.lot_id}
        ledger.draw_for_session(
            **line, location=cart, quantity=drawn, now=when - datetime.timedelta(minutes=2)
        )
        ledger.administer(**line, quantity=given, now=when)
        if row.status == "dosing":
            return  # today's dosing session still holds its next devices
        if drawn > given:
            ledger.record_waste(
                **line,
                quantity=drawn - given,
                method="Remainder expelled into drug disposal container",
                witness=ledger.WitnessCredentials(
                    username=self.witness.username, password=self.ctx.password
                ),
                now=when + datetime.timedelta(minutes=45),
            )
        if row.scheduled_date < self.today:
            ledger.close_session_drug_record(
                actor=nurse, session=row.pk, now=when + datetime.timedelta(minutes=50)
            )

    def vitals(self, s, when, systolic, diastolic, **extra):
        services.record_vitals(
            actor=self.nurse,
            session=s,
            measured_at=when,
            systolic=systolic,
            diastolic=diastolic,
            **(NORMAL | extra),
        )

    def scale(self, s, when, scale, **data):
        services.record_scale(actor=self.nurse, session=s, scale=scale, measured_at=when, **data)

    def finish_esketamine(self, s, dose_at, *, discharge=True, sedated=False):
        m = lambda minutes: dose_at + datetime.timedelta(minutes=minutes)  # noqa: E731
        self.vitals(s, m(40), 142, 86)
        self.scale(s, m(41), "moaas", score=4 if sedated else 5)
        if sedated:
            self.scale(s, m(42), "cadss6", items=[1, 1, 0, 1, 0, 0])
            services.record_adverse_event(
                actor=self.nurse,
                session=s,
                code="dissociation",
                severity="mild",
                action="observation_extended",
                outcome="resolved",
                onset_at=m(15),
                resolved_at=m(75),
            )
            self.scale(s, m(91), "moaas", score=5)
        self.scale(s, m(92), "aldrete", items=ALDRETE_10)
        self.vitals(s, m(118), 126, 78)
        if discharge:
            services.discharge(actor=self.nurse, session=s, escort_present=True, at=m(125))
            self.note(
                s, "Tolerated well. Mild transient BP rise at 40 min. Discharged with escort."
            )

    def finish_iv(self, s, dose_at):
        m = lambda minutes: dose_at + datetime.timedelta(minutes=minutes)  # noqa: E731
        for minute, sbp in ((10, 130), (20, 136), (30, 140), (40, 138)):
            self.vitals(s, m(minute), sbp, 82)
        self.scale(s, m(20), "moaas", score=4)
        self.scale(s, m(40), "cadss6", items=[1, 0, 1, 0, 0, 0])
        services.end_infusion(actor=self.nurse, session=s, at=m(40))
        self.vitals(s, m(55), 128, 80)
        self.scale(s, m(56), "moaas", score=5)
        self.scale(s, m(57), "aldrete", items=ALDRETE_10)
        services.discharge(actor=self.nurse, session=s, escort_present=True, at=m(70))
        self.note(s, "Infusion completed over 40 minutes; mild dissociation resolved.")

    def note(self, s, text):
        services.save_note(actor=self.prescriber, session=s, text=text)
        services.sign_note(actor=self.prescriber, session=s)

    def complete(self, s, chair="1"):
        """Chart a whole past session on its day, with realistic times."""
        day = s.scheduled_date
        start = self.at(day, 9 + (s.number % 4), 15)
        self.check_in(s, start, chair)
        self.pre_checks(s, start + datetime.timedelta(minutes=5), classes=self._classes(s))
        s.refresh_from_db()
        self.order(s, at=start + datetime.timedelta(minutes=8))
        dose_at = start + datetime.timedelta(minutes=20)
        self.dose(s, dose_at)
        if s.protocol_code == "iv_ketamine":
            self.finish_iv(s, dose_at)
        else:
            self.finish_esketamine(s, dose_at, sedated=s.number % 3 == 0)

    def _classes(self, s):
        return ["psychostimulants"] if s.patient.family_name[:1] < "H" else []

    def history(self, course, *, submit_older_than_days=7, leave_overdue=False, before=None):
        """Chart the course's sessions of the last 30 days; submit REMS forms older than a week.

        Sessions before that are closed as given before the clinic used ketaclinic (paper
        chart), which keeps the demo quick to load.
        """
        past = list(
            TreatmentSession.objects.filter(course=course, scheduled_date__lt=before or self.today)
            .select_related("patient", "protocol_version")
            .order_by("number")
        )
        cutoff = self.today - datetime.timedelta(days=HISTORY_DAYS)
        for s in [s for s in past if s.scheduled_date < cutoff]:
            services.abort(actor=self.nurse, session=s, reason=PAPER_CHART)
        past = [s for s in past if s.scheduled_date >= cutoff]
        for s in past:
            self.complete(s)
        overdue_left = not leave_overdue
        for s in reversed(past):
            if not s.protocol_code.startswith("esketamine"):
                continue
            age = (self.today - s.scheduled_date).days
            if age <= submit_older_than_days:
                continue
            if not overdue_left:
                overdue_left = True  # the most recent overdue form stays unsubmitted
                continue
            services.mark_rems_submitted(
                actor=self.nurse, session=s, confirmation=f"REMS-{s.scheduled_date:%m%d}-{s.number}"
            )

    def board_day(self, arrived_minutes_ago: int | None) -> datetime.date:
        """The clinic date on which a board session began: a story that started before
        midnight stays on the day it started (the board shows it while it is still open)."""
        if arrived_minutes_ago is None:
            return self.today
        arrived = self.now - datetime.timedelta(minutes=arrived_minutes_ago)
        return timezone.localdate(arrived, self.tz)

    def today_session(self, course):
        """The course's session planned for today; else the next one, moved to today."""
        sessions = TreatmentSession.objects.select_related("patient", "protocol_version")
        found = sessions.filter(course=course, scheduled_date=self.today).first()
        if found is None:
            upcoming = (
                sessions.filter(course=course, scheduled_date__gt=self.today)
                .order_by("number")
                .first()
            )
            services.reschedule_session(actor=self.nurse, session=upcoming, new_date=self.today)
            found = sessions.get(pk=upcoming.pk)
        return found


def seed(ctx) -> None:
    demo = Demo(ctx)
    protocols.set_open_weekdays(actor=demo.prescriber, weekdays=ctx.open_weekdays())
    patients = demo.patients(len(LINEUP))
    mins = lambda minutes: demo.now - datetime.timedelta(minutes=minutes)  # noqa: E731
    board = {}
    arrived = {name: minutes for name, _, _, minutes in LINEUP}
    for (name, protocol, weeks, minutes), patient in zip(LINEUP, patients, strict=False):
        day = demo.board_day(minutes)
        if day == demo.today:
            course = demo.course(patient, protocol, weeks)
            demo.history(course, leave_overdue=name in ("ready", "monitoring"))
            board[name] = demo.today_session(course)
        else:
            # Loaded in the small hours: this story began last night and stays on that date.
            course = demo.course(patient, protocol, 0, day=day)
            board[name] = TreatmentSession.objects.get(course=course, number=1)

    s = board["checked_in"]
    demo.check_in(s, mins(arrived["checked_in"]), "1")

    def ordered(name, chair, checked_min, ordered_min, **more):
        """The board's session `name`, arrived as LINEUP says and taken up to a checked order."""
        s = board[name]
        demo.ordered(s, mins(arrived[name]), chair, mins(checked_min), mins(ordered_min), **more)
        return s

    s = ordered("pre_checks_done", "2", 15, 13, vitals={"systolic": 186, "diastolic": 104})

    s = ordered("dosing", "3", 30, 28, dose_mg=Decimal("84"))
    demo.dose(s, mins(7), devices_until=mins(1))

    s = ordered("monitoring", "4", 40, 38, dose_mg=Decimal("84"), classes=["benzodiazepines"])
    demo.dose(s, mins(20))
    demo.vitals(s, mins(8), 138, 84)

    s = ordered("monitoring_alert", "5", 35, 33, vitals={"systolic": 138, "diastolic": 86})
    demo.dose(s, mins(25))
    demo.vitals(s, mins(15), 152, 92, heart_rate=88)
    demo.vitals(s, mins(5), 184, 102, heart_rate=96)  # open hypertension alert

    s = ordered("ready", "6", 150, 148)
    demo.dose(s, mins(130))
    demo.finish_esketamine(s, mins(130), discharge=False)

    s = ordered("discharged", "7", 190, 188)
    demo.dose(s, mins(180))
    demo.finish_esketamine(s, mins(180), sedated=True)

    s = board["aborted"]
    demo.check_in(s, mins(arrived["aborted"]), "8")
    demo.pre_checks(s, mins(65), vitals={"systolic": 192, "diastolic": 112})
    services.decide_go_no_go(
        actor=demo.prescriber,
        session=s,
        decision="no_go",
        note="Pre-dose BP 192/112 on two readings. Rebook after GP review of blood pressure.",
    )
    ctx.extra["treatment_board"] = {name: s.id for name, s in board.items()}
    ctx.notes.append(
        f"Treatment day: {len(board)} sessions on today's chair board (one open BP alert); "
        "REMS forms due at /treatments/rems/."
    )
