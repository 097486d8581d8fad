"""Outcomes API: the clinic's outcome summary and equity breakdown (aggregates only)."""

from ninja import Query, Router

from ketaclinic.outcomes import equity as equity_rules
from ketaclinic.outcomes import queries
from ketaclinic.outcomes.definitions import SMALL_CELL_MIN
from ketaclinic.outcomes.schemas import EquityOut, OutcomeFilter, SummaryOut
from ketaclinic.outcomes.summary import definition_dict

router = Router(tags=["outcomes"])


@router.get("/outcomes/summary", response=SummaryOut)
def outcome_summary(request, filters: Query[OutcomeFilter]):
    """Patients, courses, sessions and every rate with its numerator and denominator.

    Courses are selected by start date, sessions by their date. Response: 50% or more below
    the course baseline at the last score; remission: the instrument's cut-off at the last
    score; by_session: at the first score after session k.
    """
    result, selection = queries.summary(
        request.auth, protocol=filters.protocol, start=filters.start, end=filters.end
    )
    return result.as_dict(selection.as_dict())


@router.get("/outcomes/equity", response=EquityOut)
def outcome_equity(request, filters: Query[OutcomeFilter]):
    """Course outcomes by race, ethnicity, sex, age band, payer and income band; counts under
    11 (and cells that would reveal them) come back as null with "suppressed": true."""
    dimensions, selection, definition, _ = queries.equity(
        request.auth, protocol=filters.protocol, start=filters.start, end=filters.end
    )
    return {
        "filters": selection.as_dict(),
        "definition": definition_dict(definition),
        "minimum_cell": SMALL_CELL_MIN,
        "dimensions": equity_rules.as_dict(dimensions),
    }
