"""REMS Patient Monitoring Forms: which are due, and every field read from the session record."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ketaclinic.core.permissions import require
from ketaclinic.protocols import queries as protocol_queries
from ketaclinic.protocols.definitions import CONCOMITANT_MEDICATION_CLASSES, ESKETAMINE
from ketaclinic.treatments import codes as c
from ketaclinic.treatments import rems
from ketaclinic.treatments.models import DOSED_STATUSES, SessionStatus, TreatmentSession
from ketaclinic.treatments.queries.courses import rems_enrollment
from ketaclinic.treatments.queries.ledger import ledger_administration
from ketaclinic.treatments.queries.sessions import clinic_today
from ketaclinic.treatments.state import SessionState, definition_for


def rems_required(session) -> bool:
    return definition_for(session).rems_form_required


def rems_due(user, today: datetime.date | None = None) -> list[dict]:
    """Esketamine sessions with a dose given whose REMS form is not marked submitted."""
    require(user, "rems.view")
    today = today or clinic_today(user)
    rows = []
    sessions = (
        TreatmentSession.objects.visible_to(user)
        .filter(dose_started_at__isnull=False, rems_submitted_at__isnull=True)
        .filter(status__in=(SessionStatus.DISCHARGED, SessionStatus.ABORTED, *DOSED_STATUSES))
        .select_related("patient", "protocol_version")
        .order_by("dose_started_at")
    )
    tz = user.clinic.tz
    for session in sessions:
        if not rems_required(session):
            continue
        treated_on = timezone.localtime(session.dose_started_at, tz).date()
        rows.append(
            {
                "session": session,
                "treated_on": treated_on,
                "deadline": rems.submission_deadline(treated_on),
                "overdue": rems.is_overdue(treated_on, today),
                "days_left": (rems.submission_deadline(treated_on) - today).days,
                "days_overdue": max(0, (today - rems.submission_deadline(treated_on)).days),
            }
        )
    return rows


def _effect(state: SessionState, code: str) -> rems.EffectFacts:
    events = [e for e in state.adverse_events if e.code == code]
    occurred = bool(events)
    resolved = None
    if events:
        times = [e.resolved_at for e in events]
        resolved = None if None in times else max(times)
    if code == "sedation":
        moaas = [s for s in state.scales if s.scale == "moaas"]
        low = [s for s in moaas if s.score < c.MOAAS_MAX]
        if low:
            occurred = True
            back = [s.measured_at for s in moaas if s.measured_at > low[-1].measured_at]
            from_scale = back[0] if back else None
            if not events:
                resolved = from_scale
            elif resolved is not None and from_scale is not None:
                resolved = max(resolved, from_scale)
    return rems.EffectFacts(occurred, resolved)


def rems_facts(session, state: SessionState) -> rems.RemsFacts:
    """Every field of the REMS Patient Monitoring Form, read from the session record."""
    patient = session.patient
    clinic = patient.clinic
    tz = clinic.tz
    pre_check = getattr(session, "pre_check", None)
    order = getattr(session, "order", None)
    taken = (
        set(pre_check.medication_classes) if pre_check and pre_check.medications_reviewed else None
    )
    medications = (
        {code: code in taken for code, _ in CONCOMITANT_MEDICATION_CLASSES}
        if taken is not None
        else {}
    )
    acceptable_before = None
    if pre_check is not None and state.baseline is not None:
        acceptable_before = not pre_check.decision_needed or pre_check.decision == c.GO
    acceptable_end = None
    if session.status == SessionStatus.DISCHARGED:
        # Unmet criteria are kept only when a prescriber overrode them at discharge.
        acceptable_end = not any(i.get("code") == "vitals" for i in session.discharge_unmet)
    elif session.status == SessionStatus.ABORTED and state.latest_vitals_entry is not None:
        # Ended early: the last vitals after the dose, judged by the discharge criterion.
        acceptable_end = not any(i.code == "vitals" for i in state.clinical_issues)
    # Dose and lot as the ledger recorded the administration; before any is recorded, as the
    # order and its second check named them.
    given_mg, given_lots = ledger_administration(session)
    if given_mg is None:
        given_mg = order.dose_mg if order else None
        lot_number = order.lot_number if order else ""
    else:
        lot_number = ", ".join(given_lots)
    provider = session.monitored_by.display_name if session.monitored_by_id else ""
    provider_email = session.monitored_by.email if session.monitored_by_id else ""
    setting = f"{clinic.name}, outpatient healthcare setting"
    if clinic.address:
        setting += f" ({' '.join(clinic.address.split())})"
    return rems.RemsFacts(
        patient_name=patient.full_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.get_sex_display(),
        concomitant_medications=medications,
        monitoring_provider=provider,
        healthcare_setting=setting,
        treatment_date=(
            timezone.localtime(session.dose_started_at, tz).date()
            if session.dose_started_at
            else None
        ),
        dose_mg=given_mg,
        lot_number=lot_number,
        first_device_at=session.dose_started_at,
        monitoring_ended_at=session.discharged_at or session.aborted_at,
        ready_to_leave_at=session.ready_to_leave_at,
        vitals_acceptable_before=acceptable_before,
        vitals_acceptable_at_completion=acceptable_end,
        blood_pressures=[
            rems.BloodPressure(v.measured_at, v.systolic, v.diastolic)
            for v in state.vitals
            if v.systolic is not None
        ],
        effects={code: _effect(state, code) for code in c.REMS_EFFECTS},
        # The provider is reached at the clinic: its telephone, the provider's own email.
        provider_telephone=clinic.phone,
        provider_email=provider_email,
        first_treatment=first_treatment(session),
        rems_enrolled=rems_enrollment(patient, session.course),
        ended_early=(
            session.abort_reason or "no reason given"
            if session.status == SessionStatus.ABORTED
            else ""
        ),
        pulse_oximetry_monitored=_pulse_oximetry(session, state),
    )


def first_treatment(session) -> bool | None:
    """True when no earlier esketamine dose of the patient is on record in the clinic."""
    if session.dose_started_at is None:
        return None
    earlier = (
        TreatmentSession.objects.filter(
            clinic_id=session.clinic_id,
            patient_id=session.patient_id,
            dose_started_at__lt=session.dose_started_at,
        )
        .values_list("protocol_code", flat=True)
        .distinct()
    )
    for code in earlier:
        try:
            if protocol_queries.protocol_facts(session.clinic_id, code).drug == ESKETAMINE:
                return False
        except protocol_queries.UnknownProtocol:
            continue
    return True


def _pulse_oximetry(session, state: SessionState) -> bool | None:
    """As confirmed at discharge; else yes when SpO2 was charted after the dose."""
    if session.pulse_oximetry_monitored is not None:
        return session.pulse_oximetry_monitored
    if any(v.spo2 is not None for v in state.post_dose_vitals):
        return True
    return None


def localize_form(form: dict, tz) -> dict:
    """Show the form's ISO times in clinic time (the JSON keeps ISO with offset)."""
    for section in form["sections"]:
        for item in section["fields"]:
            value = item["value"]
            if isinstance(value, str) and len(value) > 18 and value[10:11] == "T":
                try:
                    moment = datetime.datetime.fromisoformat(value)
                except ValueError:
                    continue
                item["value"] = moment.astimezone(tz).isoformat(timespec="minutes")
    return form


def rems_form(session, state: SessionState) -> dict:
    """The filled form (JSON-ready), times in the clinic's time zone."""
    form = rems.build_form(rems_facts(session, state))
    form = localize_form(form, session.patient.clinic.tz)
    treated_on = (
        timezone.localtime(session.dose_started_at, session.patient.clinic.tz).date()
        if session.dose_started_at
        else None
    )
    form |= {
        "session_id": str(session.id),
        "deadline": rems.submission_deadline(treated_on).isoformat() if treated_on else None,
        "submitted_at": session.rems_submitted_at.isoformat()
        if session.rems_submitted_at
        else None,
        "confirmation": session.rems_confirmation,
    }
    return form
