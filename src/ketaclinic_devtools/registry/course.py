"""One course of the synthetic registry: sessions, PHQ-9 scores, vitals, alerts and events."""

from __future__ import annotations

import math
import operator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from ketaclinic.core.permissions import Role
from ketaclinic.measures.instruments import INSTRUMENTS
from ketaclinic.protocols.definitions import PROTOCOLS
from ketaclinic.protocols.rules import DOSE_STEP_MG
from ketaclinic_devtools.registry import columns as cols
from ketaclinic_devtools.registry import shapes as s

PHQ9 = INSTRUMENTS["phq9"]
ITEM9_RULE = PHQ9.safety_rules[0]
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def at(day: date, minutes: float) -> datetime:
    """`minutes` after midnight UTC of `day` (sessions run 14:00-21:00 UTC: one local day)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes)


class CourseMixin:
    """Course, session and score generation for `Generator` (uses its rng, pools and tables)."""

    # --- a course -----------------------------------------------------------------------

    def course(self, ctx, person, code: str, start: date) -> date | None:
        """Write a course and its sessions; returns the end date of a completed course."""
        rng, pools = self.rng, self.pools
        pid, age, weight = person
        definition = PROTOCOLS[code]
        effect_range, dropout_share = self._trajectory()
        effect = rng.uniform(*effect_range)
        tau = s.EFFECT_TAU_SESSIONS[code]
        mean, sd, low, high = s.BASELINE_PHQ9
        baseline = min(high, max(low, round(rng.gauss(mean, sd))))
        plan = self.plan(code, start, age >= 65)
        attend = len(plan)
        if rng.random() < dropout_share:
            attend = self.between(1, max(1, len(plan) - 1))
        course_id = pools.uuid()
        prescriber = ctx.one(Role.PRESCRIBER, rng)
        version_id = ctx.versions[code].pk
        created = at(start - timedelta(days=2), 15 * 60)
        patient_bp = (rng.gauss(*s.SYSTOLIC), rng.gauss(*s.DIASTOLIC))
        dosed, last_day = 0, None
        status, ended_at, end_reason = "active", None, ""
        for offset, number, phase, dose_mg, per_kg in plan:
            day = start + timedelta(days=offset)
            if per_kg is not None:
                dose_mg = (weight * per_kg).quantize(DOSE_STEP_MG, ROUND_DOWN)
            row = dict(cols.SESSION_DEFAULTS)
            row.update(
                id=pools.uuid(),
                clinic_id=ctx.id,
                created_at=created,
                patient_id=pid,
                course_id=course_id,
                protocol_version_id=version_id,
                protocol_code=code,
                number=number,
                phase=phase,
                scheduled_date=day,
                planned_dose_mg=dose_mg,
                planned_dose_mg_per_kg=per_kg,
                weight_kg=weight,
                updated_at=created,
            )
            self.stats["sessions"] += 1
            if day >= self.as_of:
                self._add_session(row)
                continue
            if number > attend:
                if status == "active":
                    status, end_reason = "stopped", "Patient stopped attending (synthetic)."
                    ended_at = min(at(day, 21 * 60), self.now - timedelta(hours=1))
                row.update(
                    status="aborted",
                    aborted_at=ended_at,
                    updated_at=ended_at,
                    abort_reason=f"Course stopped: {end_reason}",
                )
                self._add_session(row)
                continue
            last_day = day
            checkin = at(day, 14 * 60 + self.between(0, 8) * 35)
            if number == 1 or rng.random() < s.SCORE_BEFORE_SESSION_SHARE:
                score = self._expected(baseline, effect, tau, dosed)
                self._score(ctx, pid, checkin - timedelta(minutes=10), score)
            if rng.random() < s.PRE_DOSE_ABORT_SHARE:
                aborted = checkin + timedelta(minutes=25)
                row.update(
                    status="aborted",
                    checked_in_at=checkin,
                    aborted_at=aborted,
                    updated_at=aborted,
                    abort_reason="Pre-dose blood pressure above the protocol limit (synthetic).",
                )
                self._add_session(row)
                continue
            dosed += 1
            self._run_session(ctx, row, definition, checkin, prescriber, patient_bp)
        if status == "active" and last_day is not None and attend == len(plan):
            done = last_day + timedelta(days=1)
            if last_day == start + timedelta(days=plan[-1][0]) and done < self.as_of:
                status, ended_at = "completed", at(done, 15 * 60)
                final = last_day + timedelta(days=7)
                if final < self.as_of and rng.random() < s.FINAL_SCORE_SHARE:
                    score = self._expected(baseline, effect, tau, dosed)
                    self._score(ctx, pid, at(final, 15 * 60 + self.between(0, 240)), score)
        self.t_course.add(
            (
                course_id,
                ctx.id,
                created,
                pid,
                version_id,
                code,
                status,
                start,
                weight,
                prescriber.id,
                ended_at,
                end_reason,
            )
        )
        self.stats["courses"] += 1
        return ended_at.date() if status == "completed" else None

    def _add_session(self, row: dict) -> None:
        self.t_session.add(tuple(row[c] for c in cols.SESSION))

    def _trajectory(self):
        r = self.rng.random()
        for _kind, share, effect, dropout in s.TRAJECTORIES:
            if r < share:
                return effect, dropout
            r -= share
        _kind, _, effect, dropout = s.TRAJECTORIES[-1]
        return effect, dropout

    def _expected(self, baseline, effect, tau, dosed) -> int:
        mean = baseline * (1 - effect * (1 - math.exp(-dosed / tau)))
        return min(27, max(0, round(self.rng.gauss(mean, s.SCORE_NOISE_SD))))

    def _score(self, ctx, pid, when: datetime, total: int) -> None:
        rng, pools = self.rng, self.pools
        item9 = 0
        if rng.random() < total * s.ITEM9_PER_POINT:
            item9 = min(3, 1 + int(rng.random() * 2.2), total)
        item9 = max(item9, total - 24)
        answers = rng.choice(self.answers[(total, item9)])
        rid = pools.uuid()
        band = self.bands[total]
        self.t_response.add(
            (
                rid,
                ctx.id,
                when,
                pid,
                "phq9",
                PHQ9.version,
                answers,
                total,
                band,
                when,
                "self_report",
                None,
            )
        )
        self.stats["responses"] += 1
        if item9 > 0:
            old = when < self.now - timedelta(days=2)
            prescriber = ctx.one(Role.PRESCRIBER, rng) if old else None
            self.t_safety.add(
                (
                    pools.uuid(),
                    ctx.id,
                    when,
                    pid,
                    rid,
                    ITEM9_RULE.code,
                    ITEM9_RULE.message.format(value=item9),
                    ITEM9_RULE.must_act,
                    "acknowledged" if old else "open",
                    when,
                    when + timedelta(hours=2) if old else None,
                    prescriber.id if old else None,
                    "Assessed suicide risk; safety plan reviewed (synthetic)." if old else "",
                )
            )

    # --- a session ----------------------------------------------------------------------

    def _run_session(self, ctx, row, definition, checkin, prescriber, patient_bp) -> None:
        """A dosed, discharged session: order, vitals (and the alerts they raise), events."""
        pools = self.pools
        sid, drug = row["id"], definition.drug
        nurses = ctx.staff[Role.NURSE]
        first = self.between(0, len(nurses) - 1)
        nurse, second = (
            nurses[first],
            nurses[(first + 1 + self.between(0, len(nurses) - 2)) % len(nurses)],
        )
        dose_at = checkin + timedelta(minutes=20)
        iv = drug == "ketamine"
        devices = None if iv else int(row["planned_dose_mg"] / definition.dose.device_mg)
        if iv:
            ended = dose_at + timedelta(minutes=40)
            ready = ended + timedelta(minutes=30 + self.between(0, 30))
            row.update(infusion_ended_at=ended, monitoring_started_at=dose_at)
        else:
            last_device = dose_at + timedelta(minutes=5 * (devices - 1))
            ready = dose_at + timedelta(minutes=120 + self.between(0, 20))
            row.update(
                devices_given=devices,
                last_device_at=last_device,
                monitoring_started_at=last_device,
                ready_to_leave_at=ready - timedelta(minutes=self.between(30, 60)),
            )
        discharged = ready + timedelta(minutes=self.between(3, 15))
        row.update(
            status="discharged",
            chair=f"Chair {self.between(1, 6)}",
            checked_in_at=checkin,
            pre_checks_done_at=checkin + timedelta(minutes=12),
            dose_started_at=dose_at,
            ready_at=ready,
            monitored_by_id=nurse.id,
            discharged_at=discharged,
            discharged_by_id=nurse.id,
            escort_present=True,
            updated_at=discharged,
        )
        if definition.rems_form_required:
            submitted = discharged + timedelta(days=self.between(0, 3))
            if submitted < self.now:
                row.update(rems_submitted_at=submitted, rems_submitted_by_id=nurse.id)
        self._add_session(row)
        signed = checkin + timedelta(minutes=14)
        self.t_order.add(
            (
                pools.uuid(),
                ctx.id,
                signed,
                sid,
                row["planned_dose_mg"],
                row["planned_dose_mg_per_kg"],
                row["weight_kg"],
                Decimal(100) if iv else None,
                40 if iv else None,
                devices,
                prescriber.id,
                signed,
                "Ketamine HCl injection 50 mg/mL" if iv else "Esketamine 28 mg nasal spray device",
                second.id,
                signed + timedelta(minutes=3),
            )
        )
        hypertension = self._vitals(ctx, sid, definition, checkin, dose_at, nurse, patient_bp)
        self._events(ctx, sid, drug, dose_at, nurse, hypertension)
        if self.ledger is not None:
            self.ledger.session(self.pools, row, iv, nurse, second, dose_at, discharged)

    def _vitals(self, ctx, sid, definition, checkin, dose_at, nurse, patient_bp) -> bool:
        rng, pools = self.rng, self.pools
        key = "iv_ketamine" if definition.drug == "ketamine" else "esketamine"
        base_sys = round(rng.gauss(patient_bp[0], s.SESSION_BP_SD[0]))
        base_dia = round(rng.gauss(patient_bp[1], s.SESSION_BP_SD[1]))
        pre_at = checkin + timedelta(minutes=8)
        self.t_vitals.add(
            (
                pools.uuid(),
                ctx.id,
                pre_at,
                sid,
                pre_at,
                base_sys,
                base_dia,
                round(rng.gauss(*s.HEART_RATE)),
                min(100, round(rng.gauss(*s.SPO2))),
                round(rng.gauss(*s.RESP_RATE)),
                True,
                nurse.id,
            )
        )
        rise_sys, rise_dia = s.BP_RISE_AT_40[key]
        severe = rng.random() < s.SEVERE_RISE_SHARE
        hypertension = False
        box = self._box(definition)
        gauss = rng.gauss
        for minutes in s.VITALS_MINUTES[key]:
            scale = max(0.0, 1 - abs(minutes - 40) / 80)
            extra = 45 if severe and minutes == 40 else 0
            systolic = round(base_sys + scale * gauss(rise_sys, s.BP_RISE_SD[0]) + extra)
            diastolic = round(base_dia + scale * gauss(rise_dia, s.BP_RISE_SD[1]) + extra / 3)
            heart_rate = round(gauss(*s.HEART_RATE))
            spo2 = min(100, round(gauss(*s.SPO2)))
            resp_rate = round(gauss(*s.RESP_RATE))
            when = dose_at + timedelta(minutes=minutes)
            vid = pools.uuid()
            self.t_vitals.add(
                (
                    vid,
                    ctx.id,
                    when,
                    sid,
                    when,
                    systolic,
                    diastolic,
                    heart_rate,
                    spo2,
                    resp_rate,
                    False,
                    nurse.id,
                )
            )
            sys_hi, dia_hi, sys_rise_hi, dia_rise_hi, hr_lo, hr_hi, spo2_lo, rr_lo = box
            if (
                systolic < sys_hi
                and diastolic < dia_hi
                and systolic - base_sys < sys_rise_hi
                and diastolic - base_dia < dia_rise_hi
                and hr_lo < heart_rate < hr_hi
                and spo2 > spo2_lo
                and resp_rate > rr_lo
            ):
                continue  # no rule can fire: skip checking each one
            values = {
                "systolic": systolic,
                "diastolic": diastolic,
                "systolic_rise": systolic - base_sys,
                "diastolic_rise": diastolic - base_dia,
                "heart_rate": heart_rate,
                "spo2": spo2,
                "resp_rate": resp_rate,
            }
            for rule in definition.alerts:
                value = values.get(rule.measure)
                if value is None or not COMPARE[rule.comparison](value, rule.value):
                    continue
                hypertension |= rule.code == "hypertension"
                acked = when + timedelta(minutes=self.between(2, 10))
                self.t_alert.add(
                    (
                        pools.uuid(),
                        ctx.id,
                        when,
                        sid,
                        rule.code,
                        rule.label,
                        f"{rule.label}: {rule.measure.replace('_', ' ')} {value} "
                        f"({rule.comparison} {rule.value})",
                        rule.measure,
                        Decimal(value),
                        rule.value,
                        rule.comparison,
                        rule.source,
                        when,
                        vid,
                        acked,
                        nurse.id,
                        "rechecked" if rule.code != "hypertension" else "medication_given",
                    )
                )
        return hypertension

    BOX = (
        "systolic",
        "diastolic",
        "systolic_rise",
        "diastolic_rise",
        "heart_rate",
        "spo2",
        "resp_rate",
    )

    def _box(self, definition) -> tuple[float, ...]:
        """Per protocol, the bounds inside which none of its vitals alert rules can fire:
        (systolic, diastolic, systolic rise, diastolic rise upper bounds; heart rate lower and
        upper; SpO2 and respiratory rate lower). A value on a bound gets the full check."""
        box = self.bounds.get(definition.code)
        if box is None:
            high = dict.fromkeys(self.BOX, math.inf)
            low = dict.fromkeys(self.BOX, -math.inf)
            for rule in definition.alerts:
                if rule.measure not in high:
                    continue
                if rule.comparison in (">", ">="):
                    high[rule.measure] = min(high[rule.measure], float(rule.value))
                else:
                    low[rule.measure] = max(low[rule.measure], float(rule.value))
            box = self.bounds[definition.code] = (
                high["systolic"],
                high["diastolic"],
                high["systolic_rise"],
                high["diastolic_rise"],
                low["heart_rate"],
                high["heart_rate"],
                low["spo2"],
                low["resp_rate"],
            )
        return box

    def _events(self, ctx, sid, drug, dose_at, nurse, hypertension) -> None:
        rng, pools = self.rng, self.pools
        events = [c for c, p in s.ADVERSE_EVENTS[drug].items() if rng.random() < p]
        if hypertension and rng.random() < 0.5:
            events.append("hypertension")
        for code in events:
            onset = dose_at + timedelta(minutes=self.between(10, 60))
            self.t_event.add(
                (
                    pools.uuid(),
                    ctx.id,
                    onset,
                    sid,
                    code,
                    self.pick(self.ae_severity),
                    onset,
                    self.pick(self.ae_actions),
                    "resolved",
                    onset + timedelta(minutes=self.between(15, 90)),
                    nurse.id,
                )
            )
