"""Treatment sessions API: list, detail, one POST per transition, flowsheet, REMS form; the
courses endpoints (course_api) are mounted here too."""

from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.pagination import paginate
from ketaclinic.treatments import course_api, queries, services
from ketaclinic.treatments.models import DOSED_STATUSES, SessionStatus
from ketaclinic.treatments.pdf import rems_pdf
from ketaclinic.treatments.state import SessionState

from .schemas import (
    AdverseEventIn,
    AdverseEventOut,
    AdverseEventUpdateIn,
    AtIn,
    CheckInIn,
    DischargeIn,
    GoNoGoIn,
    NoteIn,
    OrderIn,
    PreChecksIn,
    ReasonIn,
    RemsDueOut,
    RemsSubmittedIn,
    ScaleAnswerOut,
    ScaleIn,
    SecondCheckIn,
    SessionAlertAcknowledgeIn,
    SessionFilter,
    SessionOut,
    SessionSummaryOut,
    VitalsAnswerOut,
    VitalsIn,
)

router = Router(tags=["treatments"])
# The course endpoints keep the tag they were published under (see course_api).
router.add_router("", course_api.router, tags=["protocols"])


class SessionPage(Schema):
    items: list[SessionSummaryOut]
    count: int
    page: int
    pages: int


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _num(value):
    """185.0 -> 185 (alert values are whole numbers except temperature)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def alert_out(a) -> dict:
    return {
        "id": a.id,
        "code": a.code,
        "label": a.label,
        "message": a.message,
        "measure": a.measure,
        "value": _num(a.value),
        "threshold": _num(a.threshold),
        "comparison": a.comparison,
        "source": a.source,
        "raised_at": a.raised_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": _name(a.acknowledged_by) if a.acknowledged_by_id else None,
        "intervention": a.intervention,
        "intervention_note": a.intervention_note,
    }


def vitals_out(v) -> dict:
    return {
        "id": v.id,
        "measured_at": v.measured_at,
        "systolic": v.systolic,
        "diastolic": v.diastolic,
        "heart_rate": v.heart_rate,
        "spo2": v.spo2,
        "resp_rate": v.resp_rate,
        "temperature_c": v.temperature_c,
        "pre_dose": v.pre_dose,
        "recorded_by": v.recorded_by.display_name,
    }


def scale_out(s) -> dict:
    return {
        "id": s.id,
        "scale": s.scale,
        "score": s.score,
        "items": s.items,
        "measured_at": s.measured_at,
        "recorded_by": s.recorded_by.display_name,
    }


def summary_out(s) -> dict:
    return {
        "id": s.id,
        "patient_id": s.patient_id,
        "patient_name": s.patient.full_name,
        "course_id": s.course_id,
        "protocol": s.protocol_code,
        "number": s.number,
        "phase": s.phase,
        "scheduled_date": s.scheduled_date,
        "status": s.status,
        "chair": s.chair,
        "dose_started_at": s.dose_started_at,
    }


def session_out(state: SessionState) -> dict:
    s = state.session
    issues, reasons = (
        services.pre_check_issues(state) if s.status == SessionStatus.CHECKED_IN else ([], [])
    )
    if s.status == SessionStatus.PRE_CHECKS_DONE:
        _, reasons = services.pre_check_issues(state)
    pre_check = getattr(s, "pre_check", None)
    order = getattr(s, "order", None)
    note = getattr(s, "note", None)
    due = state.next_vitals
    dosed = s.status in (*DOSED_STATUSES, SessionStatus.DISCHARGED)
    return summary_out(s) | {
        "protocol_version": s.protocol_version.version,
        "checked_in_at": s.checked_in_at,
        "devices_given": s.devices_given,
        "infusion_ended_at": s.infusion_ended_at,
        "discharged_at": s.discharged_at,
        "aborted_at": s.aborted_at,
        "abort_reason": s.abort_reason,
        "minutes_since_dose": state.minutes_since_dose,
        "observation_ends_at": state.observation_ends_at,
        "next_vitals_due_at": due.at,
        "next_vitals_reason": due.reason,
        "vitals_overdue": state.vitals_overdue,
        "assessments_due": [
            {"scale": scale, "due_at": d.at, "reason": d.reason}
            for scale, d in state.assessments_due
        ],
        "open_alerts": [alert_out(a) for a in state.open_alerts],
        "alerts": [alert_out(a) for a in state.alerts],
        "vitals": [vitals_out(v) for v in state.vitals],
        "scales": [scale_out(x) for x in state.scales],
        "adverse_events": list(state.adverse_events),
        "pre_check": pre_check,
        "pre_check_issues": [{"code": i.code, "message": i.message} for i in issues],
        "decision_reasons": [{"code": i.code, "message": i.message} for i in reasons],
        "order": (
            {
                **{
                    f: getattr(order, f)
                    for f in (
                        "dose_mg",
                        "dose_mg_per_kg",
                        "weight_kg",
                        "dosing_weight_kg",
                        "dosing_weight_basis",
                        "height_cm",
                        "concentration_mg_per_ml",
                        "bag_volume_ml",
                        "duration_min",
                        "draw_volume_ml",
                        "infusion_volume_ml",
                        "rate_ml_per_h",
                        "devices",
                        "capped",
                        "signed_at",
                        "lot_id",
                        "product",
                        "lot_number",
                        "checked_at",
                    )
                },
                "calculated_dose_mg": order.calculation.get("calculated_dose_mg"),
                "max_dose_note": order.calculation.get("max_dose_note", ""),
                "ordered_by": order.ordered_by.display_name,
                "checked_by": _name(order.checked_by) if order.checked_by_id else None,
            }
            if order
            else None
        ),
        "discharge_issues": (
            [{"code": i.code, "message": i.message} for i in state.discharge_issues()]
            if dosed and s.status != SessionStatus.DISCHARGED
            else s.discharge_unmet
        ),
        "clinically_ready": dosed
        and s.status != SessionStatus.DISCHARGED
        and not state.clinical_issues,
        "ready_to_leave_at": s.ready_to_leave_at,
        "pulse_oximetry_monitored": s.pulse_oximetry_monitored,
        "discharge_override_note": s.discharge_override_note,
        "note": (
            {
                "text": note.text,
                "signed_by": _name(note.signed_by) if note.signed_by_id else None,
                "signed_at": note.signed_at,
                "addenda": [
                    {"text": a.text, "author": a.author.display_name, "at": a.created_at}
                    for a in note.addenda.select_related("author")
                ],
            }
            if note
            else None
        ),
        "rems_form_required": state.definition.rems_form_required,
        "rems_submitted_at": s.rems_submitted_at,
    }


def _answer(request, session_id) -> dict:
    """The session as it is now, read back after a service changed it."""
    return session_out(queries.session_state(queries.access_session(request.auth, session_id)))


def _session(request, session_id, action="session.run"):
    return queries.access_session(request.auth, session_id, action=action)


@router.get("/sessions", response=SessionPage)
def list_sessions(request, filters: Query[SessionFilter]):
    """Sessions of the clinic, by status and scheduled date."""
    if filters.status and filters.status not in dict(SessionStatus.choices):
        raise InvalidInput(
            "Unknown status.", fields={"status": "one of " + ", ".join(dict(SessionStatus.choices))}
        )
    page = paginate(
        queries.sessions_for(request.auth, status=filters.status, date=filters.date), filters.page
    )
    return {
        "items": [summary_out(s) for s in page.items],
        "count": page.count,
        "page": page.page,
        "pages": page.pages,
    }


@router.get("/sessions/{session_id}", response=SessionOut)
def get_session(request, session_id: UUID):
    session = queries.access_session(request.auth, session_id, record_view=True)
    return session_out(queries.session_state(session))


@router.post("/sessions/{session_id}/check-in", response=SessionOut)
def check_in(request, session_id: UUID, payload: CheckInIn):
    services.check_in(actor=request.auth, session=_session(request, session_id), **payload.dict())
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/pre-checks", response=SessionOut)
def pre_checks(request, session_id: UUID, payload: PreChecksIn):
    """Save the checklist; the session moves on when nothing blocking is left open."""
    data = payload.dict(exclude_unset=True)
    vitals = data.pop("vitals", None)
    services.record_pre_checks(
        actor=request.auth, session=_session(request, session_id), vitals=vitals, **data
    )
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/go-no-go", response=SessionOut)
def go_no_go(request, session_id: UUID, payload: GoNoGoIn):
    session = _session(request, session_id, "session.prescribe")
    services.decide_go_no_go(actor=request.auth, session=session, **payload.dict())
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/order", response=SessionOut)
def sign_order(request, session_id: UUID, payload: OrderIn):
    """The prescriber signs the dose order (the calculation is stored with it)."""
    session = _session(request, session_id, "session.prescribe")
    services.sign_order(actor=request.auth, session=session, **payload.dict())
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/second-check", response=SessionOut)
def second_check(request, session_id: UUID, payload: SecondCheckIn):
    session = _session(request, session_id, "session.second_check")
    services.second_check(
        actor=request.auth,
        session=session,
        lot=payload.lot_id,
        calculation_confirmed=payload.calculation_confirmed,
    )
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/start-dose", response=SessionOut)
def start_dose(request, session_id: UUID, payload: AtIn):
    services.start_dose(actor=request.auth, session=_session(request, session_id), at=payload.at)
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/devices", response=SessionOut)
def device_given(request, session_id: UUID, payload: AtIn):
    """The next esketamine device was given (5 min rest after the previous one)."""
    services.record_device(actor=request.auth, session=_session(request, session_id), at=payload.at)
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/end-infusion", response=SessionOut)
def end_infusion(request, session_id: UUID, payload: AtIn):
    services.end_infusion(actor=request.auth, session=_session(request, session_id), at=payload.at)
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/vitals", response={201: VitalsAnswerOut})
def record_vitals(request, session_id: UUID, payload: VitalsIn):
    """A vitals entry; the answer lists the alerts it raised."""
    values = {k: v for k, v in payload.dict().items() if v is not None or k == "measured_at"}
    entry, alerts, _ = services.record_vitals(
        actor=request.auth, session=_session(request, session_id), **values
    )
    return Status(
        201,
        {
            "entry": vitals_out(entry),
            "alerts": [alert_out(a) for a in alerts],
            "session": _answer(request, session_id),
        },
    )


@router.post("/sessions/{session_id}/scales", response={201: ScaleAnswerOut})
def record_scale(request, session_id: UUID, payload: ScaleIn):
    """MOAA/S (`score`), CADSS-6 (`items`: six 0-4) or modified Aldrete (`items` by name)."""
    entry, alerts, _ = services.record_scale(
        actor=request.auth, session=_session(request, session_id), **payload.dict()
    )
    return Status(
        201,
        {
            "entry": scale_out(entry),
            "alerts": [alert_out(a) for a in alerts],
            "session": _answer(request, session_id),
        },
    )


@router.post("/sessions/{session_id}/alerts/{alert_id}/acknowledge", response=SessionOut)
def acknowledge(request, session_id: UUID, alert_id: UUID, payload: SessionAlertAcknowledgeIn):
    services.acknowledge_alert(
        actor=request.auth,
        session=_session(request, session_id),
        alert_id=alert_id,
        **payload.dict(),
    )
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/events", response={201: AdverseEventOut})
def adverse_event(request, session_id: UUID, payload: AdverseEventIn):
    event = services.record_adverse_event(
        actor=request.auth, session=_session(request, session_id), **payload.dict()
    )
    return Status(201, event)


@router.post("/sessions/{session_id}/events/{event_id}", response=AdverseEventOut)
def update_event(request, session_id: UUID, event_id: UUID, payload: AdverseEventUpdateIn):
    return services.update_adverse_event(
        actor=request.auth,
        session=_session(request, session_id),
        event_id=event_id,
        **payload.dict(),
    )


@router.post("/sessions/{session_id}/ready-for-discharge", response=SessionOut)
def ready_for_discharge(request, session_id: UUID):
    services.mark_ready(actor=request.auth, session=_session(request, session_id))
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/discharge", response=SessionOut)
def discharge(request, session_id: UUID, payload: DischargeIn):
    """409 lists every unmet criterion in `fields`; a prescriber may override with a note."""
    services.discharge(actor=request.auth, session=_session(request, session_id), **payload.dict())
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/abort", response=SessionOut)
def abort(request, session_id: UUID, payload: ReasonIn):
    services.abort(actor=request.auth, session=_session(request, session_id), reason=payload.reason)
    return _answer(request, session_id)


@router.put("/sessions/{session_id}/note", response=SessionOut)
def save_note(request, session_id: UUID, payload: NoteIn):
    session = _session(request, session_id, "session.note")
    services.save_note(actor=request.auth, session=session, text=payload.text)
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/note/sign", response=SessionOut)
def sign_note(request, session_id: UUID):
    session = _session(request, session_id, "session.sign_note")
    services.sign_note(actor=request.auth, session=session)
    return _answer(request, session_id)


@router.post("/sessions/{session_id}/note/addenda", response={201: SessionOut})
def add_addendum(request, session_id: UUID, payload: NoteIn):
    session = _session(request, session_id, "session.note")
    services.add_addendum(actor=request.auth, session=session, text=payload.text)
    return Status(201, _answer(request, session_id))


@router.get("/sessions/{session_id}/rems-form")
def rems_form(request, session_id: UUID):
    """The REMS Patient Monitoring Form filled from the session record (JSON)."""
    session = _session(request, session_id, "rems.view")
    state = queries.session_state(session)
    if not state.definition.rems_form_required:
        raise InvalidInput(
            "This session's protocol has no REMS form.", fields={"protocol": "not esketamine"}
        )
    return queries.rems_form(session, state)


@router.get("/sessions/{session_id}/rems-form.pdf")
def rems_form_pdf(request, session_id: UUID):
    """The same form as a printable PDF."""
    session = _session(request, session_id, "rems.view")
    state = queries.session_state(session)
    if not state.definition.rems_form_required:
        raise InvalidInput(
            "This session's protocol has no REMS form.", fields={"protocol": "not esketamine"}
        )
    response = HttpResponse(
        rems_pdf(session, queries.rems_form(session, state)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="rems-{session.id}.pdf"'
    return response


@router.post("/sessions/{session_id}/rems-form/submitted", response=SessionOut)
def rems_submitted(request, session_id: UUID, payload: RemsSubmittedIn):
    session = _session(request, session_id, "rems.submit")
    services.mark_rems_submitted(
        actor=request.auth, session=session, confirmation=payload.confirmation
    )
    return _answer(request, session_id)


@router.get("/rems-forms/due", response=list[RemsDueOut])
def rems_forms_due(request):
    """Forms not yet marked submitted, with the 7-day deadline; overdue ones flagged."""
    return [
        {
            "session_id": row["session"].id,
            "patient_id": row["session"].patient_id,
            "patient_name": row["session"].patient.full_name,
            "treated_on": row["treated_on"],
            "deadline": row["deadline"],
            "days_left": row["days_left"],
            "overdue": row["overdue"],
        }
        for row in queries.rems_due(request.auth)
    ]
