"""The session page's pharmacokinetics panel: what treatments.views adds to the page context.

The order form's preview is a GET form on the session page itself (pk_dose, pk_duration,
pk_compare): no script needed; htmx, when present, swaps only the preview.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from ketaclinic.core.permissions import can
from ketaclinic.treatments import pk_chart
from ketaclinic.treatments import queries as q
from ketaclinic.treatments.models import SessionStatus

ORDERING = (SessionStatus.CHECKED_IN, SessionStatus.PRE_CHECKS_DONE)


class PreviewForm(forms.Form):
    pk_dose = forms.DecimalField(
        label="Dose (mg)", min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=1
    )
    pk_duration = forms.IntegerField(label="Over (min)", min_value=0, max_value=600, required=False)
    pk_compare = forms.DecimalField(
        label="Compare with (mg)",
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        decimal_places=1,
        required=False,
    )


def _planned_mg(session, definition) -> Decimal | None:
    if definition.dose.basis == "fixed_mg":
        return session.planned_dose_mg
    weight = session.weight_kg or session.patient.weight_kg
    if session.planned_dose_mg_per_kg and weight:
        return (session.planned_dose_mg_per_kg * weight).quantize(Decimal("0.1"))
    return session.planned_dose_mg


def _preview(request, session, state, order) -> dict:
    definition = state.definition
    iv = definition.route == "intravenous"
    initial = {
        "pk_dose": order.dose_mg if order else _planned_mg(session, definition),
        "pk_duration": (order.duration_min if order else None)
        or definition.dose.default_duration_min,
    }
    asked = "pk_dose" in request.GET
    form = PreviewForm(request.GET if asked else None, initial=initial, auto_id="%s")
    values = form.cleaned_data if asked and form.is_valid() else (None if asked else initial)
    chart, reason = None, None
    if values is not None and values.get("pk_dose"):
        chart, reason = pk_chart.preview(
            session,
            definition,
            dose_mg=float(values["pk_dose"]),
            duration_min=values.get("pk_duration") if iv else None,
            compare_mg=float(values["pk_compare"]) if values.get("pk_compare") else None,
            weight_kg=order.weight_kg if order else None,
        )
    elif values is not None:
        reason = "Give the dose in mg to preview it."
    return {"form": form, "chart": chart, "reason": reason, "iv": iv}


def panel(request, session, state, order) -> dict | None:
    """The panel's context, or None when the user may not simulate or no model applies."""
    if not can(request.user, "pk.simulate") or pk_chart.model_code(state.definition) is None:
        return None
    context: dict = {"may_configure": can(request.user, "treatments.settings")}
    threshold = None
    if session.status in ORDERING:
        context["preview"] = _preview(request, session, state, order)
    if session.dose_started_at is not None and order is not None:
        given_mg, _ = q.ledger_administration(session)
        threshold = q.pk_threshold(session.clinic_id)
        chart, reason = pk_chart.overlay(
            session, state, order, given_mg=given_mg, threshold=threshold
        )
        context["overlay"] = chart
        context["overlay_reason"] = reason
        context["ledger_mg"] = given_mg
    return context


class ThresholdForm(forms.Form):
    pk_threshold_ng_per_ml = forms.DecimalField(
        label="Plasma concentration threshold (ng/mL)",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("10000"),
        decimal_places=1,
        help_text=(
            "The session page predicts when the plasma concentration falls below this figure. "
            "Leave empty for no prediction. No published threshold for leaving the clinic "
            "exists: the figure is the clinic's own choice, and decision support only."
        ),
    )
