"""Treatment sessions API: list, detail, one POST per transition, flowsheet, REMS form; the
courses endpoints (course_api) are mounted here too."""

from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.pagination import paginate
from ketaclinic.treatments import course_api, queries, services
from ketaclinic.treatments.models import DOSED_STATUSES, DoseOrder, SessionStatus
from ketaclinic.treatments.pdf import rems_pdf
from ketaclinic.treatments.rules import VITAL_FIELDS
from ketaclinic.treatments.services.flowsheet import ALERT_FIELDS
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


def _fields(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def alert_out(a) -> dict:
    return {
        **_fields(a, ("id", *ALERT_FIELDS, "raised_at", "acknowledged_at")),
        **_fields(a, ("intervention", "intervention_note")),
        "value": _num(a.value),
        "threshold": _num(a.threshold),
        "acknowledged_by": _name(a.acknowledged_by) if a.acknowledged_by_id else None,
    }


def _entry_out(entry, names) -> dict:
    """A charted entry (vitals, scale) with who charted it."""
    return _fields(entry, ("id", "measured_at", *names)) | {
        "recorded_by": entry.recorded_by.display_name
    }


def vitals_out(v) -> dict:
    return _entry_out(v, (*VITAL_FIELDS, "pre_dose"))


def scale_out(s) -> dict:
    return _entry_out(s, ("scale", "score", "items"))


SUMMARY_FIELDS = (
    "id",
    "patient_id",
    "course_id",
    "number",
    "phase",
    "scheduled_date",
    "status",
    "chair",
    "dose_started_at",
)


def summary_out(s) -> dict:
    return _fields(s, SUMMARY_FIELDS) | {
        "patient_name": s.patient.full_name,
        "protocol": s.protocol_code,
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
                        *DoseOrder.INFUSION_FIELDS,
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


def _step(request, session_id, service, action="session.run", /, **values) -> dict:
    """Run a session service as the caller (who may `action` on the session) and answer the
    session as it is after it."""
    service(actor=request.auth, session=_session(request, session_id, action), **values)
    return _answer(request, session_id)


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
    return _step(request, session_id, services.check_in, **payload.dict())


@router.post("/sessions/{session_id}/pre-checks", response=SessionOut)
def pre_checks(request, session_id: UUID, payload: PreChecksIn):
    """Save the checklist; the session moves on when nothing blocking is left open."""
    data = payload.dict(exclude_unset=True)
    vitals = data.pop("vitals", None)
    return _step(request, session_id, services.record_pre_checks, vitals=vitals, **data)


@router.post("/sessions/{session_id}/go-no-go", response=SessionOut)
def go_no_go(request, session_id: UUID, payload: GoNoGoIn):
    return _step(
        request, session_id, services.decide_go_no_go, "session.prescribe", **payload.dict()
    )


@router.post("/sessions/{session_id}/order", response=SessionOut)
def sign_order(request, session_id: UUID, payload: OrderIn):
    """The prescriber signs the dose order (the calculation is stored with it)."""
    return _step(request, session_id, services.sign_order, "session.prescribe", **payload.dict())


@router.post("/sessions/{session_id}/second-check", response=SessionOut)
def second_check(request, session_id: UUID, payload: SecondCheckIn):
    return _step(
        request,
        session_id,
        services.second_check,
        "session.second_check",
        lot=payload.lot_id,
        calculation_confirmed=payload.calculation_confirmed,
    )


@router.post("/sessions/{session_id}/start-dose", response=SessionOut)
def start_dose(request, session_id: UUID, payload: AtIn):
    return _step(request, session_id, services.start_dose, at=payload.at)


@router.post("/sessions/{session_id}/devices", response=SessionOut)
def device_given(request, session_id: UUID, payload: AtIn):
    """The next esketamine device was given (5 min rest after the previous one)."""
    return _step(request, session_id, services.record_device, at=payload.at)


@router.post("/sessions/{session_id}/end-infusion", response=SessionOut)
def end_infusion(request, session_id: UUID, payload: AtIn):
    return _step(request, session_id, services.end_infusion, at=payload.at)


def _charted(request, session_id, record, entry_out, values: dict) -> Status:
    """Chart an entry with `record` (a flowsheet service); 201 with the entry, the alerts it
    raised and the session after it."""
    entry, alerts, _ = record(actor=request.auth, session=_session(request, session_id), **values)
    answer = {"entry": entry_out(entry), "alerts": [alert_out(a) for a in alerts]}
    return Status(201, answer | {"session": _answer(request, session_id)})


@router.post("/sessions/{session_id}/vitals", response={201: VitalsAnswerOut})
def record_vitals(request, session_id: UUID, payload: VitalsIn):
    """A vitals entry; the answer lists the alerts it raised."""
    values = {k: v for k, v in payload.dict().items() if v is not None or k == "measured_at"}
    return _charted(request, session_id, services.record_vitals, vitals_out, values)


@router.post("/sessions/{session_id}/scales", response={201: ScaleAnswerOut})
def record_scale(request, session_id: UUID, payload: ScaleIn):
    """MOAA/S (`score`), CADSS-6 (`items`: six 0-4) or modified Aldrete (`items` by name)."""
    return _charted(request, session_id, services.record_scale, scale_out, payload.dict())


@router.post("/sessions/{session_id}/alerts/{alert_id}/acknowledge", response=SessionOut)
def acknowledge(request, session_id: UUID, alert_id: UUID, payload: SessionAlertAcknowledgeIn):
    return _step(
        request, session_id, services.acknowledge_alert, alert_id=alert_id, **payload.dict()
    )


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
    return _step(request, session_id, services.mark_ready)


@router.post("/sessions/{session_id}/discharge", response=SessionOut)
def discharge(request, session_id: UUID, payload: DischargeIn):
    """409 lists every unmet criterion in `fields`; a prescriber may override with a note."""
    return _step(request, session_id, services.discharge, **payload.dict())


@router.post("/sessions/{session_id}/abort", response=SessionOut)
def abort(request, session_id: UUID, payload: ReasonIn):
    return _step(request, session_id, services.abort, reason=payload.reason)


@router.put("/sessions/{session_id}/note", response=SessionOut)
def save_note(request, session_id: UUID, payload: NoteIn):
    return _step(request, session_id, services.save_note, "session.note", text=payload.text)


@router.post("/sessions/{session_id}/note/sign", response=SessionOut)
def sign_note(request, session_id: UUID):
    return _step(request, session_id, services.sign_note, "session.sign_note")


@router.post("/sessions/{session_id}/note/addenda", response={201: SessionOut})
def add_addendum(request, session_id: UUID, payload: NoteIn):
    return Status(
        201, _step(request, session_id, services.add_addendum, "session.note", text=payload.text)
    )


def _filled_rems_form(request, session_id) -> tuple:
    """(session, its REMS form filled from the record); 422 when its protocol has none."""
    session = _session(request, session_id, "rems.view")
    state = queries.session_state(session)
    if not state.definition.rems_form_required:
        raise InvalidInput(
            "This session's protocol has no REMS form.", fields={"protocol": "not esketamine"}
        )
    return session, queries.rems_form(session, state)


@router.get("/sessions/{session_id}/rems-form")
def rems_form(request, session_id: UUID):
    """The REMS Patient Monitoring Form filled from the session record (JSON)."""
    return _filled_rems_form(request, session_id)[1]


@router.get("/sessions/{session_id}/rems-form.pdf")
def rems_form_pdf(request, session_id: UUID):
    """The same form as a printable PDF."""
    session, form = _filled_rems_form(request, session_id)
    response = HttpResponse(rems_pdf(session, form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-{session.id}.pdf"'
    return response


@router.post("/sessions/{session_id}/rems-form/submitted", response=SessionOut)
def rems_submitted(request, session_id: UUID, payload: RemsSubmittedIn):
    return _step(request, session_id, services.mark_rems_submitted, "rems.submit", **payload.dict())


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
