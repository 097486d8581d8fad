"""The dose order: the prescriber signs it with its calculation; a second person checks it."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ketaclinic.core.errors import Conflict, InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.inventory import queries as ledger_queries
from ketaclinic.pdmp import services as pdmp_services
from ketaclinic.protocols import services as protocol_services
from ketaclinic.protocols.definitions import FIXED_MG
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import max_dose_note
from ketaclinic.treatments.models import (
    PRE_DOSE_STATUSES,
    DoseOrder,
    TreatmentSession,
)
from ketaclinic.treatments.queries.orders import previous_signed_order_at
from ketaclinic.treatments.services.common import audit, locked, moment
from ketaclinic.treatments.state import definition_for


def sign_order(
    *,
    actor,
    session,
    dose_mg: Decimal | None = None,
    dose_mg_per_kg: Decimal | None = None,
    weight_kg: Decimal | None = None,
    concentration_mg_per_ml: Decimal | None = None,
    bag_volume_ml: Decimal | None = None,
    duration_min: int | None = None,
    height_cm: Decimal | None = None,
    at=None,
) -> TreatmentSession:
    """The prescriber signs the dose order; the calculation is stored with it.

    The order goes through the same calculation as the calculator: the clinic's plausible
    weight range, the protocol's dosing weight, label doses and strengths, and the maximum
    per session. Anything outside them answers 422 naming the field; nothing is saved.
    """
    require(actor, "session.prescribe")
    now = timezone.now()
    with transaction.atomic():
        row = locked(session, *PRE_DOSE_STATUSES, doing="sign the order")
        # Charted later (a paper order entered after the fact) it keeps its own time.
        signed_at = moment(
            at, field="at", now=now, not_before=row.checked_in_at, not_before_label="check-in"
        )
        definition = definition_for(row)
        patient = row.patient
        # The state's PDMP rule (docs/pdmp.md): refused (422, pdmp_check) without a recent check.
        pdmp_services.require_recent_check(
            prescriber=actor,
            patient=patient,
            event="administering",
            at=now,
            previous_order_at=previous_signed_order_at(row, before=now),
        )
        if definition.dose.basis == FIXED_MG:
            calc = protocol_services.calculate(
                definition,
                clinic=row.clinic_id,
                dose_mg=dose_mg if dose_mg is not None else row.planned_dose_mg,
                age_years=patient.age_on(row.scheduled_date),
            )
            fields = {"dose_mg": calc.dose_mg, "devices": calc.devices}
        else:
            weight = next(
                (w for w in (weight_kg, row.weight_kg, patient.weight_kg) if w is not None), None
            )
            if weight is None:
                raise InvalidInput(
                    "The order cannot be calculated: weight_kg.",
                    fields={"weight_kg": "is required (or record it at check-in)"},
                )
            calc = protocol_services.calculate(
                definition,
                clinic=row.clinic_id,
                weight_kg=weight,
                concentration_mg_per_ml=concentration_mg_per_ml,
                bag_volume_ml=bag_volume_ml,
                dose_mg_per_kg=dose_mg_per_kg or row.planned_dose_mg_per_kg,
                duration_min=duration_min,
                height_cm=height_cm,
                sex=patient.sex,
            )
            fields = {name: getattr(calc, name) for name in DoseOrder.INFUSION_FIELDS}
        DoseOrder.objects.filter(session=row).delete()
        order = DoseOrder.objects.create(
            clinic_id=row.clinic_id,
            session=row,
            calculation=to_data(calc) | {"max_dose_note": max_dose_note(definition)},
            ordered_by=actor,
            signed_at=signed_at,
            **fields,
        )
        audit(actor, "session.order_signed", order, fields, patient=patient)
    return row


def second_check(*, actor, session, lot, calculation_confirmed: bool) -> TreatmentSession:
    """A second person confirms the calculation and picks the lot from the ledger.

    The lot must be one of the clinic's lots of the session's drug, unexpired and on hand:
    the order (and the REMS form after it) carries the ledger's lot, never a typed one.
    """
    require(actor, "session.second_check")
    errors = {}
    if lot in (None, ""):
        errors["lot_id"] = "required"
    if not calculation_confirmed:
        errors["calculation_confirmed"] = "confirm the calculation"
    if errors:
        raise InvalidInput("Please complete the second check.", fields=errors)
    with transaction.atomic():
        row = locked(session, *PRE_DOSE_STATUSES, doing="record the second check")
        order = getattr(row, "order", None)
        if order is None:
            raise Conflict("There is no signed order to check.", code="no_order")
        if order.ordered_by_id == actor.pk:
            raise Conflict(
                "The second check must be done by someone other than the prescriber who signed.",
                code="same_person",
            )
        picked = ledger_queries.lot_for_order(
            actor,
            lot,
            drug=definition_for(row).drug,
            day=timezone.localdate(timezone.now(), row.patient.clinic.tz),
        )
        order.lot = picked
        order.product, order.lot_number = picked.product.name, picked.lot_number
        order.checked_by, order.checked_at = actor, timezone.now()
        order.save()
        audit(
            actor,
            "session.second_check",
            order,
            {
                "lot": str(picked.pk),
                "product": order.product,
                "lot_number": order.lot_number,
            },
            patient=row.patient,
        )
    return row
