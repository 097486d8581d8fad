"""API shapes of the outcomes app: filters, rates with numerator/denominator, the summary."""

from datetime import date

from ninja import Schema
from pydantic import ConfigDict, Field


class OutcomeFilter(Schema):
    """?protocol=&from=&to= (dates inclusive; courses by start date, sessions by date)."""

    model_config = ConfigDict(populate_by_name=True)

    protocol: str = Field("", max_length=60, description="A protocol code; empty = all.")
    start: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD.")
    end: date | None = Field(None, alias="to", description="Last day, YYYY-MM-DD.")


class RateOut(Schema):
    numerator: int
    denominator: int
    rate: float | None = Field(description="numerator / denominator; null when it is 0")


class PerHundredOut(Schema):
    numerator: int = Field(description="events")
    denominator: int = Field(description="dosed sessions")
    per_100_sessions: float | None


class MilestoneOut(Schema):
    response_rate: float | None
    response: RateOut
    remission_rate: float | None
    remission: RateOut


class CurvePoint(Schema):
    day: int
    at_risk: int
    responses: int
    censored: int
    responded: float = Field(description="Kaplan-Meier cumulative proportion responded")
    lower: float
    upper: float


class TimeToResponse(Schema):
    courses: int
    responses: int
    median_days: int | None
    curve: list[CurvePoint]


class OutcomesOut(Schema):
    patients: int
    courses: int
    sessions: int
    active_patients: int
    active_courses: int
    courses_with_baseline: int
    evaluable_courses: int
    response_rate: float | None
    response: RateOut
    remission_rate: float | None
    remission: RateOut
    completion_rate: float | None
    completion: RateOut
    dropout_rate: float | None
    dropout: RateOut
    adverse_events_per_100_sessions: float | None
    adverse_events: PerHundredOut
    severe_adverse_events_per_100_sessions: float | None
    severe_adverse_events: PerHundredOut
    safety_alerts_per_100_sessions: float | None
    safety_alerts: PerHundredOut
    bp_alerts_per_100_sessions: float | None
    bp_alerts: PerHundredOut
    by_session: dict[str, MilestoneOut]
    time_to_response: TimeToResponse


class ProtocolOutcomesOut(OutcomesOut):
    name: str


class DefinitionOut(Schema):
    instrument: str
    instrument_name: str
    response: str
    remission: str
    milestone_sessions: list[int]


class WeekOut(Schema):
    week: date
    sessions: int


class SummaryOut(OutcomesOut):
    filters: dict[str, str | None]
    definition: DefinitionOut
    sessions_per_week: list[WeekOut]
    by_protocol: dict[str, ProtocolOutcomesOut]


class CellOut(Schema):
    value: int | None
    suppressed: bool


class RateCellOut(Schema):
    numerator: int | None
    denominator: int | None
    rate: float | None
    suppressed: bool


class GroupOut(Schema):
    group: str
    label: str
    courses: CellOut
    response: RateCellOut
    remission: RateCellOut
    completion: RateCellOut
    dropout: RateCellOut


class DimensionOut(Schema):
    title: str
    groups: list[GroupOut]


class EquityOut(Schema):
    filters: dict[str, str | None]
    definition: DefinitionOut
    minimum_cell: int
    dimensions: dict[str, DimensionOut]
