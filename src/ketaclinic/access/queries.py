"""Access reads: barriers, the waiting list by clinical priority, patients at risk of dropout."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.utils import timezone

from ketaclinic.billing.queries import accounts, discounted_patient_ids, oldest_unpaid_charge_dates
from ketaclinic.core.errors import NotFound
from ketaclinic.core.permissions import can, require
from ketaclinic.intake.queries import waiting_referrals
from ketaclinic.measures.queries import latest_severities
from ketaclinic.protocols.queries import UnknownProtocol, protocol_facts
from ketaclinic.treatments import queries as treatment_queries

from . import rules
from .models import AccessBarrier, AccessSettings, BarrierKind

WAITING_STATUSES = ("referred", "intake_in_progress", "eligible")
SEVERITY_INSTRUMENTS = tuple(rules.SEVERE_BANDS)


def clinic_today(clinic) -> datetime.date:
    return timezone.localdate(timezone.now(), clinic.tz)


def access_settings(clinic) -> AccessSettings:
    """The clinic's saved settings, or unsaved defaults (reads never write)."""
    return AccessSettings.objects.filter(clinic=clinic).first() or AccessSettings(clinic=clinic)


# --- barriers ----------------------------------------------------------------------------------


def barriers_of(user, patient, *, open_only: bool = False):
    require(user, "access.view")
    rows = (
        AccessBarrier.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("recorded_by", "resolved_by")
    )
    return rows.filter(resolved_at__isnull=True) if open_only else rows


def access_barrier(user, barrier_id, *, action: str = "access.view") -> AccessBarrier:
    require(user, action)
    try:
        key = uuid.UUID(str(barrier_id))
    except ValueError:
        raise NotFound("No such barrier.") from None
    found = AccessBarrier.objects.visible_to(user).select_related("patient").filter(pk=key).first()
    if found is None:
        raise NotFound("No such barrier.")
    return found


def open_barrier_kinds(user, patient_ids) -> dict:
    kinds: dict = {}
    rows = AccessBarrier.objects.visible_to(user).filter(
        patient_id__in=patient_ids, resolved_at__isnull=True
    )
    for pid, kind in rows.values_list("patient_id", "kind"):
        kinds.setdefault(pid, set()).add(kind)
    return kinds


# --- waiting list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    ranked: rules.Ranked
    patient: object
    referral_status: str
    barriers: tuple[str, ...]
    show_reasons: bool
    status: str = ""

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.ranked.reasons if self.show_reasons else ()


def latest_results(clinic_id, patient_ids) -> dict:
    """patient id -> {instrument: severity or risk level} of the latest response of each."""
    return latest_severities(
        clinic_id, patient_ids, (rules.CSSRS_INSTRUMENT, *SEVERITY_INSTRUMENTS)
    )


def waiting_list(user, today: datetime.date | None = None) -> list[WaitingRow]:
    """Referred patients not yet treated, by clinical priority then waiting time.

    Only the latest C-SSRS level and depression-scale severities decide the tier; payer,
    income and balance are never read. The reasons are shown only to roles that may see
    scores (front desk sees the order and the tier, not why)."""
    require(user, "access.view")
    today = today or clinic_today(user.clinic)
    referrals = waiting_referrals(
        user, WAITING_STATUSES, excluding_patients=treatment_queries.treated_patient_ids(user)
    )
    ids = [r.patient_id for r in referrals]
    results = latest_results(user.clinic_id, ids)
    facts = []
    for referral in referrals:
        found = results.get(referral.patient_id, {})
        facts.append(
            rules.WaitingFacts(
                key=str(referral.patient_id),
                referred_on=referral.referred_on,
                cssrs_level=found.get(rules.CSSRS_INSTRUMENT) or None,
                latest_severity={k: v for k, v in found.items() if k in SEVERITY_INSTRUMENTS},
            )
        )
    by_id = {str(r.patient_id): r for r in referrals}
    barriers = open_barrier_kinds(user, ids)
    labels = dict(BarrierKind.choices)
    show = can(user, "measure.view")
    rows = []
    for ranked in rules.order_waiting_list(facts, today):
        referral = by_id[ranked.key]
        rows.append(
            WaitingRow(
                ranked=ranked,
                patient=referral.patient,
                referral_status=referral.get_status_display(),
                barriers=tuple(sorted(labels[k] for k in barriers.get(referral.patient_id, ()))),
                show_reasons=show,
                status=referral.status,
            )
        )
    return rows


def ready_to_start(user, today: datetime.date | None = None) -> list[WaitingRow]:
    """The waiting list's patients whose intake found them eligible, in the list's order
    (the ones who could start a course now)."""
    return [row for row in waiting_list(user, today) if row.status == "eligible"]


# --- at risk of dropping out -------------------------------------------------------------------


@dataclass(frozen=True)
class RiskRow:
    patient: object
    course: object
    protocol: str
    signals: tuple[rules.Signal, ...]


def _session_counts(user, course_ids, today) -> dict:
    counts: dict = {}
    for course_id, status, day in treatment_queries.session_statuses(user, course_ids):
        missed, cancelled = counts.get(course_id, (0, 0))
        if status == treatment_queries.SessionStatus.SCHEDULED and day < today:
            missed += 1
        elif status == treatment_queries.SessionStatus.ABORTED:
            cancelled += 1
        counts[course_id] = (missed, cancelled)
    return counts


def _self_pay_protocol(clinic_id, code: str, cache: dict) -> bool:
    # IV (and other racemic) ketamine is off-label and rarely covered by payers;
    # the off-label consent type is what marks such a protocol.
    if code not in cache:
        try:
            cache[code] = protocol_facts(clinic_id, code).consent_type == "ketamine_off_label"
        except UnknownProtocol:
            cache[code] = False
    return cache[code]


def at_risk(user, today: datetime.date | None = None) -> list[RiskRow]:
    """Patients in an active course with a dropout signal, most signals first."""
    require(user, "access.view")
    today = today or clinic_today(user.clinic)
    rule = access_settings(user.clinic).dropout_rule
    courses = list(treatment_queries.active_courses(user))
    patient_ids = [c.patient_id for c in courses]
    counts = _session_counts(user, [c.id for c in courses], today)
    # Only the patients in an active course: the clinic's whole billing history is not read.
    balances = accounts(user, patient_ids)
    oldest = oldest_unpaid_charge_dates(user, patient_ids, known_accounts=balances)
    barriers = open_barrier_kinds(user, patient_ids)
    discounted = discounted_patient_ids(user, patient_ids, today)
    show_money = can(user, "billing.view")
    cache: dict = {}
    rows = []
    for course in courses:
        missed, cancelled = counts.get(course.id, (0, 0))
        kinds = barriers.get(course.patient_id, set())
        account = balances.get(course.patient_id)
        first_unpaid = oldest.get(course.patient_id)
        facts = rules.DropoutFacts(
            missed_sessions=missed,
            cancelled_sessions=cancelled,
            balance=account.balance if account else 0,
            oldest_charge_days=(today - first_unpaid).days if first_unpaid else None,
            transport_barrier=BarrierKind.TRANSPORT in kinds,
            cost_barrier=BarrierKind.COST in kinds,
            insurance_denied=BarrierKind.INSURANCE_DENIAL in kinds,
            on_sliding_scale=course.patient_id in discounted,
            self_pay_protocol=_self_pay_protocol(course.clinic_id, course.protocol_code, cache),
        )
        signals = rules.dropout_signals(facts, rule)
        if not show_money:
            signals = [
                rules.Signal(s.code, "Unpaid balance", s.action) if s.code == "unpaid" else s
                for s in signals
            ]
        if signals:
            rows.append(RiskRow(course.patient, course, course.protocol_code, tuple(signals)))
    rows.sort(key=lambda r: (-len(r.signals), r.patient.family_name, r.patient.given_name))
    return rows
