"""Billing API: fee schedules, sliding scale, estimates, charges, payments, superbills, reports."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from ketaclinic.accounts.queries import staff_here
from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.core.schemas import WorkingDate

from . import charges, estimates, pdf, queries, reports, rules, services, superbill
from .schemas import (
    AccountOut,
    ApplyScaleIn,
    AssessmentOut,
    BatchOut,
    BillingSettingsIn,
    BillingSettingsOut,
    ChargeIn,
    ChargeOut,
    DiagnosisIn,
    DiagnosisOut,
    EstimateOut,
    FeeScheduleIn,
    FeeScheduleOut,
    GuidelineIn,
    GuidelineOut,
    IssuedEstimateOut,
    IssueEstimateIn,
    LookupOut,
    PaymentIn,
    PaymentOut,
    SlidingScaleIn,
    SlidingScaleOut,
    VoidIn,
)

router = Router(tags=["billing"])
PATIENT = "/patients/{patient_id}"
MAX_PERIOD_DAYS = 366


class BillingPeriod(Schema):
    model_config = ConfigDict(populate_by_name=True)

    date_from: WorkingDate = Field(alias="from")
    date_to: WorkingDate = Field(alias="to")
    format: str = Field("pdf", pattern="^(pdf|json)$")


class Lookup(Schema):
    household_size: int = Field(ge=1, le=30)
    annual_income: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    on: WorkingDate | None = None


class Preview(Schema):
    protocol: str = Field(min_length=1, max_length=60)
    start_date: WorkingDate | None = None


class Format(Schema):
    format: str = Field("pdf", pattern="^(pdf|json)$")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _checked(period: BillingPeriod) -> BillingPeriod:
    if period.date_to < period.date_from:
        raise InvalidInput("'to' is before 'from'.", fields={"to": "on or after 'from'"})
    if (period.date_to - period.date_from).days > MAX_PERIOD_DAYS:
        raise InvalidInput("A period of at most a year.", fields={"to": "within a year"})
    return period


# --- configuration -----------------------------------------------------------------------------


@router.get("/billing/settings", response=BillingSettingsOut)
def get_settings(request):
    require(request.auth, "billing.view")
    return queries.billing_settings(request.auth.clinic)


@router.patch("/billing/settings", response=BillingSettingsOut)
def patch_settings(request, payload: BillingSettingsIn):
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_billing_settings(actor=request.auth, **changes)


@router.get("/fee-schedules", response=list[FeeScheduleOut])
def list_fee_schedules(request):
    return list(queries.fee_schedules(request.auth))


@router.post("/fee-schedules", response={201: FeeScheduleOut})
def create_fee_schedule(request, payload: FeeScheduleIn):
    data = payload.dict()
    return Status(201, services.create_fee_schedule(actor=request.auth, **data))


@router.get("/fee-schedules/{schedule_id}", response=FeeScheduleOut)
def get_fee_schedule(request, schedule_id: UUID):
    return queries.access_fee_schedule(request.auth, schedule_id)


def _scale_out(scale) -> dict:
    bands = list(scale.bands.all())
    parsed = queries.bands_of(scale)
    return {
        "id": scale.id,
        "name": scale.name,
        "effective_from": scale.effective_from,
        "note": scale.note,
        "bands": [
            {
                "max_percent": b.max_percent,
                "discount_percent": b.discount_percent,
                "label": rules.band_label(parsed, i),
            }
            for i, b in enumerate(bands)
        ],
    }


@router.get("/sliding-scales", response=list[SlidingScaleOut])
def list_sliding_scales(request):
    return [_scale_out(s) for s in queries.sliding_scales(request.auth)]


@router.post("/sliding-scales", response={201: SlidingScaleOut})
def create_sliding_scale(request, payload: SlidingScaleIn):
    data = payload.dict()
    scale = services.create_sliding_scale(actor=request.auth, **data)
    return Status(201, _scale_out(scale))


@router.get("/poverty-guidelines", response=list[GuidelineOut])
def list_guidelines(request):
    require(request.auth, "billing.view")
    return queries.guidelines(request.auth.clinic_id)


@router.put("/poverty-guidelines/{year}/{region}", response=GuidelineOut)
def put_guideline(request, year: int, region: str, payload: GuidelineIn):
    return services.set_poverty_guideline(
        actor=request.auth, year=year, region=region, **payload.dict()
    )


@router.get("/sliding-scale/lookup", response=LookupOut)
def lookup(request, params: Query[Lookup]):
    """What discount a household would get, without saving anything."""
    require(request.auth, "billing.view")
    clinic = request.auth.clinic
    day = params.on or queries.clinic_today(clinic)
    scale = queries.sliding_scale_on(clinic.id, day)
    settings = queries.billing_settings(clinic)
    guideline = queries.guideline_for(clinic.id, day.year, settings.poverty_region)
    if scale is None or guideline is None:
        raise Conflict("No sliding-scale table or poverty guideline in force on that day.")
    result = rules.sliding_scale(
        params.annual_income, params.household_size, guideline, queries.bands_of(scale)
    )
    return {
        "household_size": params.household_size,
        "annual_income": params.annual_income,
        "guideline_year": guideline.year,
        "guideline_amount": result.guideline_amount,
        "percent_of_guideline": result.percent,
        "band": result.band,
        "discount_percent": result.discount_percent,
        "rule": result.rule,
    }


# --- patients: sliding scale, diagnosis --------------------------------------------------------


@router.get(PATIENT + "/sliding-scale", response=list[AssessmentOut])
def list_assessments(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    return list(queries.assessments_of(request.auth, patient))


@router.post(PATIENT + "/sliding-scale", response={201: AssessmentOut})
def apply_sliding_scale(request, patient_id: UUID, payload: ApplyScaleIn):
    patient = queries.access_billing_patient(
        request.auth, patient_id, action="billing.sliding_scale"
    )
    return Status(
        201, services.apply_sliding_scale(actor=request.auth, patient=patient, **payload.dict())
    )


@router.get(PATIENT + "/diagnosis", response={200: DiagnosisOut, 204: None})
def get_diagnosis(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    found = queries.current_diagnosis(patient)
    return found if found else Status(204, None)


@router.put(PATIENT + "/diagnosis", response=DiagnosisOut)
def put_diagnosis(request, patient_id: UUID, payload: DiagnosisIn):
    patient = queries.access_billing_patient(request.auth, patient_id, action="billing.diagnosis")
    return services.set_diagnosis(actor=request.auth, patient=patient, **payload.dict())


# --- estimates ---------------------------------------------------------------------------------


def _estimate_out(view: estimates.EstimateView, issued=None) -> dict:
    totals = view.totals
    dispute = None
    if issued is not None:
        check = queries.dispute_check(issued)
        dispute = {
            "estimate_id": issued.id,
            "issued_at": issued.created_at,
            "estimated": check.estimated,
            "charged": check.charged,
            "difference": check.difference,
            "threshold": check.threshold,
            "exceeds": check.exceeds,
        }
    return {
        "protocol": view.protocol_code,
        "protocol_name": view.protocol_name,
        "start_date": view.start_date,
        "sessions": view.result.sessions,
        "sessions_by_phase": [
            {"phase": code, "name": name, "sessions": n}
            for code, name, n in view.result.sessions_by_phase
        ],
        "lines": view.lines_data(),
        "subtotal": totals.subtotal,
        "discount": totals.discount,
        "discount_rule": view.discount_rule,
        "total": totals.total,
        "fee_schedule_id": view.fee_schedule.id,
        "warnings": list(view.result.warnings),
        "dispute": dispute,
    }


@router.get("/courses/{course_id}/estimate", response=EstimateOut)
def course_estimate(request, course_id: UUID):
    """The whole course priced line by line; `dispute` compares charges with the latest
    issued Good Faith Estimate of the course ($400 or more above it can be disputed)."""
    course = queries.access_course(request.auth, course_id)
    view = estimates.for_course(course, today=queries.clinic_today(course.patient.clinic))
    return _estimate_out(view, queries.latest_estimate_for_course(course))


@router.get(PATIENT + "/estimate", response=EstimateOut)
def preview_estimate(request, patient_id: UUID, params: Query[Preview]):
    """An estimate for a protocol before any course exists (nothing is saved)."""
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    view = estimates.for_plan(
        actor=request.auth,
        patient=patient,
        protocol_code=params.protocol,
        start_date=params.start_date or queries.clinic_today(patient.clinic),
    )
    return _estimate_out(view)


@router.get(PATIENT + "/estimates", response=list[IssuedEstimateOut])
def list_estimates(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    return list(queries.estimates_of(request.auth, patient))


@router.post(PATIENT + "/estimates", response={201: IssuedEstimateOut})
def issue_estimate(request, patient_id: UUID, payload: IssueEstimateIn):
    patient = queries.access_billing_patient(request.auth, patient_id, action="billing.estimate")
    course = (
        queries.access_course(request.auth, payload.course_id, action="billing.estimate")
        if payload.course_id
        else None
    )
    return Status(
        201,
        services.issue_estimate(
            actor=request.auth,
            patient=patient,
            course=course,
            protocol_code=payload.protocol,
            start_date=payload.start_date,
        ),
    )


@router.get("/estimates/{estimate_id}", response=IssuedEstimateOut)
def get_estimate(request, estimate_id: UUID):
    return queries.access_estimate(request.auth, estimate_id)


@router.get("/estimates/{estimate_id}/pdf")
def estimate_pdf(request, estimate_id: UUID):
    estimate = queries.access_estimate(request.auth, estimate_id)
    content = pdf.estimate_pdf(superbill.estimate_document(estimate))
    return _pdf(content, f"good-faith-estimate-{estimate.created_at:%Y%m%d}.pdf")


# --- charges and payments ----------------------------------------------------------------------


@router.get(PATIENT + "/charges", response=list[ChargeOut])
def list_charges(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    return list(queries.charges_of(request.auth, patient))


@router.post(PATIENT + "/charges", response={201: ChargeOut})
def add_charge(request, patient_id: UUID, payload: ChargeIn):
    patient = queries.access_billing_patient(request.auth, patient_id, action="billing.charge")
    provider = None
    if payload.rendering_provider_id:
        # a service already given: its provider may have left since
        staff = staff_here(request.auth.clinic_id, active_only=False)
        provider = staff.filter(pk=payload.rendering_provider_id).first()
        if provider is None:
            raise InvalidInput(
                "No such member of staff.", fields={"rendering_provider_id": "unknown"}
            )
    data = payload.dict(exclude={"rendering_provider_id"})
    return Status(
        201,
        charges.add_charge(
            actor=request.auth, patient=patient, rendering_provider=provider, **data
        ),
    )


@router.post("/sessions/{session_id}/charges", response={201: list[ChargeOut]})
def charge_session(request, session_id: UUID):
    session = queries.access_session(request.auth, session_id, action="billing.charge")
    return Status(201, charges.charge_session(actor=request.auth, session=session))


@router.post("/charges/from-completed-sessions", response=BatchOut)
def charge_completed(request):
    """Charge every completed session of the clinic that has no charge yet."""
    result = charges.charge_completed_sessions(actor=request.auth)
    return {
        "charged_sessions": len(result.charged),
        "charges": [c for _, rows in result.charged for c in rows],
        "skipped": [{"session_id": str(s.id), "reason": r} for s, r in result.skipped],
    }


@router.post("/charges/{charge_id}/void", response=ChargeOut)
def void_charge(request, charge_id: UUID, payload: VoidIn):
    charge = queries.access_charge(request.auth, charge_id, action="billing.charge")
    return services.void_charge(actor=request.auth, charge=charge, reason=payload.reason)


@router.get(PATIENT + "/payments", response=list[PaymentOut])
def list_payments(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    return list(queries.payments_of(request.auth, patient))


@router.post(PATIENT + "/payments", response={201: PaymentOut})
def record_payment(request, patient_id: UUID, payload: PaymentIn):
    patient = queries.access_billing_patient(request.auth, patient_id, action="billing.payment")
    return Status(
        201, services.record_payment(actor=request.auth, patient=patient, **payload.dict())
    )


@router.post("/payments/{payment_id}/void", response=PaymentOut)
def void_payment(request, payment_id: UUID, payload: VoidIn):
    payment = queries.access_payment(request.auth, payment_id, action="billing.payment")
    return services.void_payment(actor=request.auth, payment=payment, reason=payload.reason)


@router.get(PATIENT + "/account", response=AccountOut)
def account(request, patient_id: UUID):
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    return queries.account_of(patient)


# --- superbills and reports --------------------------------------------------------------------


@router.get(PATIENT + "/superbill")
def patient_superbill(request, patient_id: UUID, period: Query[BillingPeriod]):
    """Superbill of a period (`from`, `to`, inclusive) as PDF, or `format=json`."""
    patient = queries.access_billing_patient(request.auth, patient_id, record_view=True)
    period = _checked(period)
    data = superbill.superbill(patient, period.date_from, period.date_to)
    if period.format == "json":
        return data
    return _pdf(
        pdf.superbill_pdf(data),
        f"superbill-{patient.mrn}-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}.pdf",
    )


@router.get("/sessions/{session_id}/superbill")
def session_superbill(request, session_id: UUID, params: Query[Format]):
    """Superbill of one session."""
    session = queries.access_session(request.auth, session_id)
    data = superbill.superbill(
        session.patient, session.scheduled_date, session.scheduled_date, session=session
    )
    if params.format == "json":
        return data
    return _pdf(pdf.superbill_pdf(data), f"superbill-{session.id}.pdf")


@router.get("/reports/billing")
def billing_report(request, period: Query[BillingPeriod]):
    """Revenue, discounts and outstanding balances (JSON)."""
    period = _checked(period)
    return reports.billing_report(request.auth, period.date_from, period.date_to)
