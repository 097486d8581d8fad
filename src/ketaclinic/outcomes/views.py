"""Outcome pages: the clinic dashboard and the equity view (server-side SVG charts)."""

from django.shortcuts import render
from django.utils.safestring import mark_safe

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.permissions import require
from ketaclinic.core.views import clinic_view

from . import charts, pk_learning, present, queries
from .definitions import (
    AGE_TOP_SOURCE,
    MILESTONE_SOURCE,
    OUTCOME_INSTRUMENT_SOURCE,
    RESPONSE_PERCENT_SOURCE,
    SMALL_CELL_MIN,
    SMALL_CELL_SOURCE,
)
from .forms import OutcomeFilterForm
from .summary import definition_dict

SOURCES = {
    "instrument": OUTCOME_INSTRUMENT_SOURCE,
    "response": RESPONSE_PERCENT_SOURCE,
    "milestones": MILESTONE_SOURCE,
    "suppression": SMALL_CELL_SOURCE,
    "age": AGE_TOP_SOURCE,
}


def _filtered(request):
    """The filter form and the data it selects; a bad filter shows its error and no data."""
    require(request.user, "outcomes.view")
    names = queries.protocol_names(request.user.clinic_id)
    form = OutcomeFilterForm(request.GET or None, names=names)
    filters = form.filters() if request.GET else {}
    if request.GET and not form.is_valid():
        return form, names, None
    return form, names, filters


@clinic_view
def dashboard(request):
    form, names, filters = _filtered(request)
    context = {"form": form, "sources": SOURCES, "active": "dashboard"}
    if filters is not None:
        try:
            result, selection = queries.summary(request.user, names=names, **filters)
        except InvalidInput as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else "end", message)
            return render(request, "outcomes/dashboard.html", context, status=422)
        many = len(result.by_protocol) > 1 and selection.protocol is None
        context.update(
            summary=result,
            overall=result.overall,
            selection=selection,
            definition=definition_dict(result.definition),
            protocols=list(result.by_protocol.values()),
            weekly_svg=mark_safe(present.weekly_chart(result)),  # noqa: S308 (escaped SVG)
            milestone_svg=mark_safe(present.milestone_chart(result.overall)),  # noqa: S308
            protocol_svg=mark_safe(present.protocol_chart(result)) if many else None,  # noqa: S308
            km_svg=mark_safe(present.km_figure(result, per_protocol=many)),  # noqa: S308
            rate_text=present.rate_text,
        )
    return render(
        request, "outcomes/dashboard.html", context, status=200 if filters is not None else 422
    )


@clinic_view
def equity(request):
    form, names, filters = _filtered(request)
    context = {
        "form": form,
        "sources": SOURCES,
        "minimum": SMALL_CELL_MIN,
        "active": "equity",
    }
    if filters is not None:
        try:
            dimensions, selection, definition, _ = queries.equity(
                request.user, names=names, **filters
            )
        except InvalidInput as exc:
            for field, message in exc.fields.items():
                form.add_error(field if field in form.fields else "end", message)
            return render(request, "outcomes/equity.html", context, status=422)
        tables = present.equity_tables(dimensions)
        for table in tables:
            table["svg"] = mark_safe(table["svg"])  # noqa: S308 (escaped SVG)
        context.update(
            tables=tables,
            selection=selection,
            definition=definition_dict(definition),
            suppressed=sum(d.suppressed_cells for d in dimensions),
        )
    return render(
        request, "outcomes/equity.html", context, status=200 if filters is not None else 422
    )


EXPOSURE_LIMIT = 500  # the most recent discharged sessions simulated for the page


@clinic_view
def exposure(request):
    """Predicted exposure of the clinic's sessions against readiness to leave and dissociation."""
    require(request.user, "outcomes.view")
    rows = queries.sessions_for_prediction(request.user, limit=EXPOSURE_LIMIT)
    present_routes = pk_learning.routes_present(rows)
    chosen = request.GET.get("route", "")
    route = chosen if chosen in present_routes else (present_routes[0] if present_routes else "")
    context = {
        "active": "exposure",
        "confidence": round(pk_learning.CONFIDENCE * 100),
        "min_points": pk_learning.MIN_POINTS,
        "limit": EXPOSURE_LIMIT,
        "limit_reached": len(rows) == EXPOSURE_LIMIT,
        "routes": [(r, pk_learning.DRUG_OF_ROUTE[r]) for r in present_routes],
        "learning": None,
    }
    if route:
        learning = pk_learning.learn(rows, route)
        panels = []
        for relation in learning.relations:
            fit = relation.fit
            ident = f"{relation.x}-{relation.y}"
            svg = charts.scatter_chart(
                ident,
                f"{relation.y_label} against {relation.x_label.lower()}",
                relation.points,
                x_label=relation.x_label,
                y_label=relation.y_label,
                line=list(zip(fit.band_x, fit.band_mean, strict=True)) if fit else (),
                band=list(zip(fit.band_x, fit.band_low, fit.band_high, strict=True)) if fit else (),
            )
            panels.append(
                {"ident": ident, "relation": relation, "svg": mark_safe(svg)}  # noqa: S308
            )
        context.update(
            learning=learning,
            panels=panels,
            skipped=sorted(learning.skipped.items()),
        )
    return render(request, "outcomes/exposure.html", context)
