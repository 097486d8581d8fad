"""Protocols API: protocols and their versions, schedule previews, open days, dose calculations."""

from ninja import Router, Status

from ketaclinic.core.permissions import require
from ketaclinic.protocols import queries, services
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import InfusionCalculation, max_dose_note, rounding_text

from .schemas import (
    DoseCalculationIn,
    DoseCalculationOut,
    OpenDaysIn,
    ProtocolChangeIn,
    ProtocolCopyIn,
    ProtocolOut,
    SchedulePreviewIn,
    SchedulePreviewOut,
)

router = Router(tags=["protocols"])


# What the answer reads from the clinic's version row, then from its definition.
ROW_FIELDS = ("code", "base_code", "version", "is_builtin")
DEFINITION_FIELDS = ("name", "drug", "route", "consent_type", "jurisdiction", "summary")


def protocol_out(row: queries.ProtocolRow) -> dict:
    d = row.definition
    return {
        **{name: getattr(row, name) for name in ROW_FIELDS},
        **{name: getattr(d, name) for name in DEFINITION_FIELDS},
        "configured": d.configured,
        "needs_configuration": list(d.needs_configuration),
        "definition": to_data(d),
    }


@router.get("/protocols", response=list[ProtocolOut])
def list_protocols(request):
    return [protocol_out(row) for row in queries.protocols_for(request.auth)]


@router.get("/protocols/{code}", response=ProtocolOut)
def get_protocol(request, code: str):
    return protocol_out(queries.access_protocol(request.auth, code))


@router.post("/protocols/{code}/versions", response={201: ProtocolOut})
def change_protocol(request, code: str, payload: ProtocolChangeIn):
    queries.access_protocol(request.auth, code)
    services.change_protocol(
        actor=request.auth, code=code, changes=payload.changes, note=payload.note
    )
    return Status(201, protocol_out(queries.access_protocol(request.auth, code)))


@router.post("/protocols/{code}/copies", response={201: ProtocolOut})
def copy_protocol(request, code: str, payload: ProtocolCopyIn):
    queries.access_protocol(request.auth, code)
    copy = payload.dict()
    services.copy_protocol(actor=request.auth, source_code=code, new_code=copy.pop("code"), **copy)
    return Status(201, protocol_out(queries.access_protocol(request.auth, payload.code)))


@router.post("/protocols/{code}/schedule-preview", response=SchedulePreviewOut)
def schedule_preview(request, code: str, payload: SchedulePreviewIn):
    """The planned sessions of a course starting on `start_date`; nothing is saved."""
    plan = services.preview_schedule(actor=request.auth, code=code, **payload.dict())
    return {"protocol": code, "sessions": plan.sessions, "warnings": plan.warnings}


@router.put("/clinic/open-days", response=OpenDaysIn)
def set_open_days(request, payload: OpenDaysIn):
    calendar = services.set_open_weekdays(actor=request.auth, weekdays=payload.weekdays)
    return {"weekdays": calendar.open_weekdays}


@router.post("/dose-calculations", response=DoseCalculationOut)
def dose_calculation(request, payload: DoseCalculationIn):
    """Dose, volumes and pump rate (IV) or devices (esketamine); nothing is saved.

    The answer says what the maximum is (the clinic's choice, or that none is set) and how
    every number was rounded: always down, so the drawn dose never exceeds its ceiling.
    """
    require(request.auth, "dose.calculate")
    data = payload.dict()
    code = data.pop("protocol")
    definition, calc = services.calculate_dose(actor=request.auth, code=code, **data)
    answer = {
        "protocol": code,
        "jurisdiction": definition.jurisdiction,
        "dose_mg": calc.dose_mg,
        "max_dose_mg": calc.max_dose_mg,
        "max_dose_note": max_dose_note(definition),
        "rounding": rounding_text(definition),
    }
    if isinstance(calc, InfusionCalculation):
        answer |= {
            name: getattr(calc, name)
            for name in (
                "calculated_dose_mg",
                "dose_mg_per_kg",
                "clinic_max_dose_mg",
                "weight_kg",
                "dosing_weight_kg",
                "dosing_weight_basis",
                "dosing_weight_source",
                "ideal_body_weight_kg",
                "concentration_mg_per_ml",
                "draw_volume_ml",
                "infusion_volume_ml",
                "duration_min",
                "rate_ml_per_h",
                "actual_duration_min",
            )
        } | {"warnings": list(calc.warnings)}
    else:
        answer |= {
            "devices": calc.devices,
            "device_mg": calc.device_mg,
            "allowed_doses_mg": list(calc.allowed_doses_mg),
            "rest_between_devices_min": calc.rest_between_devices_min,
        }
    return answer
