"""Capacity API: plan a week (with an optional what-if) and apply a plan."""

from __future__ import annotations

import datetime

from ninja import Router, Schema
from pydantic import Field

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.schemas import WallClockTime, WorkingDate

from . import planner, planning, services

router = Router(tags=["capacity"])


class NurseShiftIn(Schema):
    date: datetime.date
    start: WallClockTime
    end: WallClockTime


class WhatIfIn(Schema):
    extra_chairs: int = Field(0, ge=0, le=10)
    extra_nurse_shift: NurseShiftIn | None = None
    open_earlier_min: int = Field(0, ge=0, le=240)
    close_later_min: int = Field(0, ge=0, le=240)


class PlanIn(Schema):
    week_start: WorkingDate
    what_if: WhatIfIn | None = None


class ApplyIn(Schema):
    token: str = Field(min_length=1)
    confirm: bool = False


class AppliedOut(Schema):
    week_start: datetime.date
    sessions: int
    changed: int


def _change(week_start: datetime.date, asked: WhatIfIn | None) -> planning.Change | None:
    if asked is None:
        return None
    shift = None
    if asked.extra_nurse_shift is not None:
        s = asked.extra_nurse_shift
        if not week_start <= s.date < week_start + datetime.timedelta(days=7):
            raise InvalidInput(
                "The extra nurse shift must fall in the planned week.",
                fields={"what_if.extra_nurse_shift.date": "a day of the planned week"},
            )
        if s.end <= s.start:
            raise InvalidInput(
                "The extra nurse shift must end after it starts.",
                fields={"what_if.extra_nurse_shift.end": "after the start"},
            )
        shift = (s.date, s.start, s.end)
    return planning.Change(
        extra_chairs=asked.extra_chairs,
        nurse_shift=shift,
        open_earlier_min=asked.open_earlier_min,
        close_later_min=asked.close_later_min,
    )


@router.post("/capacity/plan")
def plan_week(request, payload: PlanIn):
    """Plan the week with CP-SAT beside the first-fit baseline. Nothing is scheduled: apply
    the answer's `apply_token` with `POST /capacity/apply` to schedule its sessions."""
    try:
        return planning.plan(
            request.auth, payload.week_start, _change(payload.week_start, payload.what_if)
        )
    except planner.PlanningRefused as exc:
        raise InvalidInput(exc.message, fields=exc.fields) from None


@router.post("/capacity/apply", response=AppliedOut)
def apply_plan(request, payload: ApplyIn):
    """Schedule a plan's course sessions (administrators; `confirm` must be true)."""
    return services.apply_plan(actor=request.auth, token=payload.token, confirm=payload.confirm)
