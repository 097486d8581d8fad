"""PDMP reads: a patient's check log, the rule table, the status before an order, the report."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, Q

from ketaclinic.accounts.queries import staff_here
from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Forbidden, NotFound
from ketaclinic.core.permissions import Role, require

from . import orders as order_source
from . import rules
from .models import Finding, PdmpCheck, PdmpRule, PdmpSettings
from .state_rules import BUILT_IN_BY_STATE

# --- the check log -----------------------------------------------------------------------------


def checks_of(user, patient):
    """Every entry of the patient's log, newest check first, corrections included."""
    require(user, "pdmp.view")
    return (
        PdmpCheck.objects.visible_to(user)
        .filter(patient=patient)
        .select_related("prescriber", "checked_by", "recorded_by", "corrects")
        .prefetch_related("corrections")
    )


def access_check(user, patient, check_id) -> PdmpCheck:
    """An entry of this patient's log in the user's clinic, or NotFound."""
    try:
        key = uuid.UUID(str(check_id))
    except ValueError:
        raise NotFound("No such PDMP check.") from None
    found = (
        PdmpCheck.objects.visible_to(user)
        .filter(pk=key, patient=patient)
        .select_related("prescriber", "checked_by")
        .first()
    )
    if found is None:
        raise NotFound("No such PDMP check.")
    return found


CORRECTORS = "Only the prescriber of record or whoever recorded the entry may correct it."


def may_correct(user, check: PdmpCheck) -> bool:
    """The prescriber of record, who checked, or who recorded the entry may correct it."""
    return user.pk in (check.prescriber_id, check.checked_by_id, check.recorded_by_id)


def access_check_to_correct(user, patient, check_id) -> PdmpCheck:
    """An entry the user may correct (its finding is on the correction form), or Forbidden."""
    check = access_check(user, patient, check_id)
    if not may_correct(user, check):
        raise Forbidden(CORRECTORS)
    return check


def prescribers(clinic_id):
    """The active prescribers who work at the clinic (its own, and those of other locations
    who hold the role here), by name."""
    return staff_here(clinic_id, Role.PRESCRIBER).order_by("last_name", "first_name", "username")


def prescriber_of_clinic(clinic_id, user_id):
    """An active prescriber of the clinic with that id, or None (also for other clinics' ids)."""
    try:
        key = uuid.UUID(str(user_id))
    except ValueError:
        return None
    return prescribers(clinic_id).filter(pk=key).first()


# --- the rule table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    """A row of the table as the clinic sees it: its own row, or the built-in one."""

    rule: rules.StateRule
    built_in: rules.StateRule | None
    updated_by: object = None
    updated_at: datetime.datetime | None = None

    @property
    def state_name(self) -> str:
        return rules.US_STATES.get(self.rule.state, self.rule.state)


def practice_settings(clinic_id) -> PdmpSettings | None:
    return PdmpSettings.objects.filter(clinic_id=clinic_id).select_related("confirmed_by").first()


def rule_table(clinic_id) -> list[RuleRow]:
    """The built-in rows and the clinic's own rows; a clinic row replaces its state's built-in."""
    own = {row.state: row for row in PdmpRule.objects.filter(clinic_id=clinic_id)}
    states = sorted(set(own) | set(BUILT_IN_BY_STATE))
    table = []
    for state in states:
        row = own.get(state)
        built_in = BUILT_IN_BY_STATE.get(state)
        if row is None:
            table.append(RuleRow(rule=built_in, built_in=built_in))
        else:
            table.append(RuleRow(row.as_rule(), built_in, row.updated_by, row.updated_at))
    return table


def effective_rule(clinic_id, state: str) -> rules.StateRule | None:
    row = PdmpRule.objects.filter(clinic_id=clinic_id, state=state).first()
    return row.as_rule() if row is not None else BUILT_IN_BY_STATE.get(state)


# --- the status before an order ----------------------------------------------------------------


def check_status(
    patient,
    prescriber,
    state: str,
    event: str,
    at: datetime.datetime,
    *,
    previous_order_at: datetime.datetime | None = None,
) -> rules.Status:
    """Is a PDMP check required before this event, and does a recent enough one exist?

    Only standing entries count (not replaced by a correction, not marked in error) of that
    state's PDMP, made by the prescriber or by a delegate on their behalf.
    """
    latest = (
        PdmpCheck.objects.effective()
        .filter(
            clinic_id=patient.clinic_id,
            patient_id=patient.pk,
            prescriber_id=prescriber.pk,
            state=state,
            checked_at__lte=at,
        )
        .order_by("-checked_at")
        .values_list("checked_at", flat=True)
        .first()
    )
    checks = [rules.Check(latest, state, str(prescriber.pk))] if latest else []
    return rules.evaluate(
        effective_rule(patient.clinic_id, state),
        state=state,
        event=event,
        at=at,
        prescriber=str(prescriber.pk),
        checks=checks,
        previous_order_at=previous_order_at,
    )


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderWithoutCheck:
    order: order_source.SignedOrder
    reason: str


@dataclass
class PrescriberRow:
    prescriber: object
    checks: int = 0
    by_delegate: int = 0
    last_check_at: datetime.datetime | None = None
    concerns: list = field(default_factory=list)
    orders: int = 0
    orders_without_check: list[OrderWithoutCheck] = field(default_factory=list)


def period_bounds(clinic, date_from: datetime.date, date_to: datetime.date):
    """The instants of the first and the day after the last clinic date of a period."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=clinic.tz)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=clinic.tz
    )
    return start, end


def report(user, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Standing checks per prescriber in a period of clinic dates, and findings with a concern.

    Every active prescriber is listed, with none as well; opening the report is audited."""
    require(user, "pdmp.report")
    start, end = period_bounds(user.clinic, date_from, date_to)
    checks = (
        PdmpCheck.objects.visible_to(user)
        .effective()
        .filter(checked_at__gte=start, checked_at__lt=end)
    )
    rows = {p.pk: PrescriberRow(p) for p in prescribers(user.clinic_id)}
    counted = checks.values("prescriber_id").annotate(
        n=Count("id"),
        delegated=Count("id", filter=~Q(checked_by_id=F("prescriber_id"))),
        last=Max("checked_at"),
    )
    others = get_user_model().objects.filter(
        pk__in=[c["prescriber_id"] for c in counted if c["prescriber_id"] not in rows]
    )
    rows |= {p.pk: PrescriberRow(p) for p in others}
    for found in counted:
        row = rows[found["prescriber_id"]]
        row.checks, row.by_delegate, row.last_check_at = (
            found["n"],
            found["delegated"],
            found["last"],
        )
    orders = order_source.signed_orders(user, start, end)
    others = get_user_model().objects.filter(
        pk__in={o.prescriber_id for o in orders if o.prescriber_id not in rows}
    )
    rows |= {p.pk: PrescriberRow(p) for p in others}
    state = _practice_state(user.clinic_id)
    rule = effective_rule(user.clinic_id, state) if state else None
    for order, reason in _without_check(user, orders, state, rule):
        rows[order.prescriber_id].orders_without_check.append(OrderWithoutCheck(order, reason))
    for order in orders:
        rows[order.prescriber_id].orders += 1
    for concern in (
        checks.filter(finding=Finding.CONCERN)
        .select_related("patient", "checked_by")
        .order_by("checked_at")
    ):
        rows[concern.prescriber_id].concerns.append(concern)
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.prescriber.last_name, r.prescriber.first_name, r.prescriber.username),
    )
    record_event(
        actor=user,
        action="pdmp.report_viewed",
        clinic=user.clinic,
        changes={"from": date_from.isoformat(), "to": date_to.isoformat()},
    )
    return {
        "from": date_from,
        "to": date_to,
        "rows": ordered,
        "orders_known": order_source.has_reader(),
        "state": state,
        "rule": rule,
    }


def _practice_state(clinic_id) -> str | None:
    settings = practice_settings(clinic_id)
    return settings.practice_state if settings else None


def _without_check(user, orders: list[order_source.SignedOrder], state: str | None, rule):
    """(order, why) for each order that no standing check covered when it was signed.

    Judged against the clinic's rule today for its confirmed state, before administering: where
    it requires a check, the check the rule asks for (window, or since the previous order);
    where it requires none, any earlier check of that state's PDMP by or for the prescriber;
    with no confirmed state, any earlier check at all. One query for every order's checks."""
    if not orders:
        return []
    found = (
        PdmpCheck.objects.visible_to(user)
        .effective()
        .filter(
            patient_id__in={o.patient.pk for o in orders},
            prescriber_id__in={o.prescriber_id for o in orders},
            checked_at__lte=max(o.signed_at for o in orders),
        )
        .values_list("patient_id", "prescriber_id", "state", "checked_at")
    )
    by_pair: dict[tuple, list[rules.Check]] = {}
    for patient_id, prescriber_id, checked_state, checked_at in found:
        by_pair.setdefault((patient_id, prescriber_id), []).append(
            rules.Check(checked_at, checked_state, str(prescriber_id))
        )
    event = rules.Event.ADMINISTERING.value
    missing = []
    for order in orders:
        checks = by_pair.get((order.patient.pk, order.prescriber_id), [])
        if state is None:
            if not any(c.checked_at <= order.signed_at for c in checks):
                missing.append((order, "No PDMP check by or for the prescriber before the order."))
            continue
        status = rules.evaluate(
            rule,
            state=state,
            event=event,
            at=order.signed_at,
            prescriber=str(order.prescriber_id),
            checks=checks,
            previous_order_at=order.previous_order_at,
        )
        if status.required and not status.satisfied:
            missing.append((order, status.message))
        elif not status.required and status.last_check_at is None:
            missing.append(
                (order, f"No {state} PDMP check by or for the prescriber before the order.")
            )
    return missing
