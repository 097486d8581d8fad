"""Capacity pages: the clinic's chairs, opening hours, staffing rules and staff shifts."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service

from . import planner, planning, queries, services
from .forms import (
    ApplyForm,
    ChairEditForm,
    ChairForm,
    HoursForm,
    PlanForm,
    ShiftForm,
    StaffingForm,
    WeekForm,
)
from .models import WEEKDAYS, ShiftRole


def _resources(request, *, chair_form=None, hours_form=None, staffing_form=None, status=200):
    user = request.user
    rules = queries.staffing_rules(user)
    hours = queries.opening_hours(user)
    return render(
        request,
        "capacity/resources.html",
        {
            "active": "resources",
            "chairs": queries.chairs(user),
            "rules": rules,
            "week": [(number, name, hours.get(number)) for number, name in WEEKDAYS],
            "can_manage": can(user, "capacity.manage"),
            "chair_form": chair_form or ChairForm(),
            "hours_form": hours_form or HoursForm(),
            "staffing_form": staffing_form
            or StaffingForm(
                initial={name: getattr(rules, name) for name in StaffingForm.base_fields}
            ),
        },
        status=status,
    )


@clinic_view
def resources(request):
    require(request.user, "capacity.view")
    return _resources(request)


def _to_resources(done):
    return redirect("capacity:resources")


def _submit(request, form, call, *, message, failed, then=_to_resources):
    """Run a valid form's service call (given the cleaned data): on success say the message
    made from the result and go on with `then(result)`; otherwise `failed()`, the form
    carrying the service's errors."""
    if form.is_valid():
        done = run_service(form, lambda: call(form.cleaned_data))
        if done is not None:
            messages.success(request, message(done))
            return then(done)
    return failed()


@require_POST
@clinic_view
def add_chair(request):
    require(request.user, "capacity.manage")
    form = ChairForm(request.POST)
    return _submit(
        request,
        form,
        lambda data: services.add_chair(actor=request.user, **data),
        message=lambda chair: f"Chair {chair.name} added.",
        failed=lambda: _resources(request, chair_form=form, status=422),
    )


@clinic_view
def edit_chair(request, chair_id):
    chair = queries.access_chair(request.user, chair_id, action="capacity.manage")

    def page(form, status):
        context = {"active": "resources", "chair": chair, "form": form}
        return render(request, "capacity/chair_edit.html", context, status=status)

    if request.method != "POST":
        return page(
            ChairEditForm(initial={f: getattr(chair, f) for f in services.CHAIR_FIELDS}), 200
        )
    form = ChairEditForm(request.POST)
    return _submit(
        request,
        form,
        lambda data: services.update_chair(actor=request.user, chair=chair, **data),
        message=lambda done: f"Chair {done.name} saved.",
        failed=lambda: page(form, 422),
    )


@require_POST
@clinic_view
def set_hours(request):
    require(request.user, "capacity.manage")
    form = HoursForm(request.POST)
    if form.is_valid() and form.cleaned_data["closed"]:
        weekday = form.cleaned_data["weekday"]
        services.close_weekday(actor=request.user, weekday=weekday)
        messages.success(request, f"{dict(WEEKDAYS)[weekday]}: closed.")
        return redirect("capacity:resources")
    return _submit(
        request,
        form,
        lambda data: services.set_opening_hours(
            actor=request.user, weekday=data["weekday"], opens=data["opens"], closes=data["closes"]
        ),
        message=lambda done: (
            f"{dict(WEEKDAYS)[done.weekday]}: open {done.opens:%H:%M}-{done.closes:%H:%M}."
        ),
        failed=lambda: _resources(request, hours_form=form, status=422),
    )


@require_POST
@clinic_view
def update_staffing(request):
    require(request.user, "capacity.manage")
    form = StaffingForm(request.POST)
    return _submit(
        request,
        form,
        lambda data: services.update_staffing_rules(actor=request.user, **data),
        message=lambda done: "Staffing rules saved.",
        failed=lambda: _resources(request, staffing_form=form, status=422),
    )


def _week_start(request) -> dt.date:
    form = WeekForm(request.GET or None)
    chosen = form.cleaned_data.get("week") if form.is_bound and form.is_valid() else None
    return queries.week_of(chosen or request.user.clinic.today())


def _shifts(request, week_start, form=None, status=200):
    user = request.user
    rows = list(queries.shifts_in_week(user, week_start))
    days = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        on_day = [s for s in rows if s.date == day]
        days.append(
            (
                day,
                [s for s in on_day if s.role == ShiftRole.NURSE],
                [s for s in on_day if s.role == ShiftRole.PRESCRIBER],
            )
        )
    return render(
        request,
        "capacity/shifts.html",
        {
            "active": "shifts",
            "week_start": week_start,
            "previous_week": week_start - dt.timedelta(days=7),
            "next_week": week_start + dt.timedelta(days=7),
            "days": days,
            "can_manage": can(user, "capacity.manage"),
            "form": form
            or ShiftForm(staff=queries.schedulable_staff(user), initial={"date": week_start}),
        },
        status=status,
    )


@clinic_view
def shifts(request):
    require(request.user, "capacity.view")
    return _shifts(request, _week_start(request))


@require_POST
@clinic_view
def add_shift(request):
    require(request.user, "capacity.manage")
    form = ShiftForm(request.POST, staff=queries.schedulable_staff(request.user))

    def failed():
        week = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
        return _shifts(request, queries.week_of(week or request.user.clinic.today()), form, 422)

    return _submit(
        request,
        form,
        lambda data: services.add_shift(
            actor=request.user,
            staff_id=data["staff"].pk,
            date=data["date"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        ),
        message=lambda shift: f"Shift added for {shift.staff.display_name}.",
        then=_to_week_of,
        failed=failed,
    )


@require_POST
@clinic_view
def remove_shift(request, shift_id):
    shift = queries.access_shift(request.user, shift_id, action="capacity.manage")
    services.remove_shift(actor=request.user, shift=shift)
    messages.success(request, f"Shift of {shift.staff.display_name} on {shift.date} removed.")
    return _to_week_of(shift)


def _to_week_of(shift):
    """The shifts page of the week the shift is in."""
    return redirect(f"{reverse('capacity:shifts')}?week={queries.week_of(shift.date).isoformat()}")


# --- the week plan -----------------------------------------------------------------------------

GRID_MIN = 5


def _day_rows(plan: dict, week_start: dt.date, chair_names: list[str]) -> list[dict]:
    """Per day: the hour headings and, per chair, cells spanning the sessions (a table)."""
    by_day: dict = {}
    for s in plan["sessions"]:
        start = dt.datetime.fromisoformat(s["start"])
        free = dt.datetime.fromisoformat(s["chair_free"])
        by_day.setdefault(start.date(), []).append((start, free, s))
    days = []
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        placed = by_day.get(day)
        if not placed:
            continue
        first = min(p[0] for p in placed).replace(minute=0)
        last = max(p[1] for p in placed)
        if last.minute:
            last = last.replace(minute=0) + dt.timedelta(hours=1)
        slots = int((last - first).total_seconds() // 60 // GRID_MIN)
        hours = [
            (first + dt.timedelta(hours=h)).strftime("%H:%M") for h in range(slots * GRID_MIN // 60)
        ]
        rows = []
        for name in chair_names:
            cells, at = [], 0
            for start, free, s in sorted(
                (p for p in placed if p[2]["chair"] == name), key=lambda p: p[0]
            ):
                begin = int((start - first).total_seconds() // 60 // GRID_MIN)
                end = int((free - first).total_seconds() // 60 // GRID_MIN)
                if begin > at:
                    cells.append({"span": begin - at, "session": None})
                cells.append({"span": max(1, end - max(begin, at)), "session": s})
                at = max(end, at + 1)
            if at < slots:
                cells.append({"span": slots - at, "session": None})
            rows.append({"chair": name, "cells": cells})
        days.append({"day": day, "hours": hours, "rows": rows})
    return days


def _percent(use: dict) -> int:
    return round(100 * use["fraction"])


@clinic_view
def week_plan(request):
    require(request.user, "capacity.plan")
    form = PlanForm(request.GET or None)
    context = {"active": "plan", "form": form, "plan": None}
    status = 200
    if form.is_bound and form.is_valid():
        week_start = queries.week_of(form.cleaned_data["week"])
        change = {
            "chair": planning.Change(extra_chairs=1),
            "hours": planning.Change(open_earlier_min=60, close_later_min=60),
        }.get(form.cleaned_data["what_if"])
        try:
            plan = planning.plan(request.user, week_start, change)
        except planner.PlanningRefused as exc:
            context["refused"] = exc
            status = 422
        else:
            chairs = [c.name for c in queries.chairs(request.user, include_inactive=False)]
            context.update(
                plan=plan,
                week_start=week_start,
                days=_day_rows(plan, week_start, chairs),
                chair_use=[
                    (name, use, _percent(use))
                    for name, use in plan["utilisation"]["chairs"].items()
                ],
                can_apply=can(request.user, "capacity.apply"),
                apply_form=ApplyForm(initial={"token": plan["apply_token"]}),
                course_sessions=sum(1 for s in plan["sessions"] if "session_id" in s),
            )
    elif form.is_bound:
        status = 422
    return render(request, "capacity/plan.html", context, status=status)


@require_POST
@clinic_view
def apply_plan(request):
    require(request.user, "capacity.apply")
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Tick the confirmation to schedule the plan's sessions.")
        return redirect("capacity:plan")
    try:
        done = services.apply_plan(
            actor=request.user, token=form.cleaned_data["token"], confirm=True
        )
    except DomainError as exc:
        messages.error(request, f"The plan was not applied: {exc.message}")
        return redirect("capacity:plan")
    messages.success(
        request,
        f"Plan applied: {done['changed']} of {done['sessions']} sessions scheduled or moved "
        f"(the others were already in their slot).",
    )
    return redirect(f"{reverse('capacity:plan')}?week={done['week_start'].isoformat()}")
