"""Coverage pages: the chart's Coverage tab, an authorization, its packet, a course's coverage,
the clinic's work queue, and the payer checklists."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError, Forbidden, NotFound
from ketaclinic.core.permissions import can, require
from ketaclinic.core.views import clinic_view, run_service

from . import course_facts, packet, queries, services
from .definitions import EXAMPLE_PAYER_NAME, NOTHING_SENT
from .forms import (
    AuthorizationForm,
    BenefitsCheckForm,
    CopyExampleForm,
    CoverageForm,
    CriterionForm,
    DetailsForm,
    EndCoverageForm,
    LinkCourseForm,
    SettingsForm,
    StatusForm,
)


def _submit(request, form, call, *, message, then, failed):
    """Run a valid form's service call (given a copy of the cleaned data): on success say
    `message` (text, or made from the result) and go on with `then(result)`; otherwise
    `failed(form)`, the form carrying the service's errors."""
    if form.is_valid():
        done = run_service(form, lambda: call(dict(form.cleaned_data)))
        if done is not None:
            messages.success(request, message(done) if callable(message) else message)
            return then(done)
    return failed(form)


def _apply(request, call, message: str) -> None:
    """Run a service call that has no form: its error, or `message`, is flashed."""
    try:
        call()
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, message)


def _targets(user, overview) -> list[tuple[str, str]]:
    targets = []
    course = overview.current_course
    if course is not None:
        targets.append(
            (
                f"course:{course.id}",
                f"Course: {course.protocol_name}, from {course.start_date.isoformat()} "
                f"({course.planned_count} sessions planned)",
            )
        )
    for choice in course_facts.protocol_choices(user):
        targets.append((f"protocol:{choice.code}", f"Before a course: {choice.name}"))
    return targets


def _tab_context(request, patient, **bound):
    user = request.user
    today = queries.clinic_today(patient.clinic)
    overview = queries.patient_overview(user, patient, today)
    manage = can(user, "authorization.manage")
    context = {
        "patient": patient,
        "active_tab": "coverage",
        "today": today,
        "overview": overview,
        "can_manage": manage,
        "can_packet": can(user, "authorization.packet"),
        "nothing_sent": NOTHING_SENT,
    }
    if manage:
        context |= {
            "coverage_form": bound.get("coverage_form")
            or CoverageForm(prefix="coverage", initial={"effective_from": today}),
            "benefits_form": bound.get("benefits_form")
            or BenefitsCheckForm(
                prefix="benefits",
                coverages=overview.coverages,
                initial={"checked_on": today},
            ),
            "authorization_form": bound.get("authorization_form")
            or AuthorizationForm(
                prefix="pa",
                targets=_targets(user, overview),
                coverages=overview.coverages,
            ),
        }
    return context


@clinic_view
def coverage_tab(request, patient_id):
    patient = queries.access_coverage_patient(request.user, patient_id, record_view=True)
    return render(request, "authorizations/tab.html", _tab_context(request, patient))


def _back(patient):
    return redirect("authorizations:tab", patient_id=patient.id)


def _rerender(request, patient, key):
    def failed(form):
        context = _tab_context(request, patient, **{key: form})
        return render(request, "authorizations/tab.html", context, status=422)

    return failed


@require_POST
@clinic_view
def add_coverage(request, patient_id):
    patient = queries.access_coverage_patient(
        request.user, patient_id, action="authorization.manage"
    )
    return _submit(
        request,
        CoverageForm(request.POST, prefix="coverage"),
        lambda data: services.add_coverage(actor=request.user, patient=patient, **data),
        message=lambda done: f"Coverage recorded: {done}.",
        then=lambda done: _back(patient),
        failed=_rerender(request, patient, "coverage_form"),
    )


@require_POST
@clinic_view
def end_coverage(request, patient_id, coverage_id):
    patient = queries.access_coverage_patient(
        request.user, patient_id, action="authorization.manage"
    )
    coverage = queries.access_coverage(request.user, coverage_id, action="authorization.manage")
    if coverage.patient_id != patient.id:
        raise NotFound("No such coverage.")

    def failed(form):
        messages.error(request, "Coverage not changed: " + _errors(form))
        return _back(patient)

    return _submit(
        request,
        EndCoverageForm(request.POST),
        lambda data: services.update_coverage(actor=request.user, coverage=coverage, **data),
        message=lambda done: f"Coverage ends on {done.effective_to.isoformat()}.",
        then=lambda done: _back(patient),
        failed=failed,
    )


def _errors(form) -> str:
    return "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())


@require_POST
@clinic_view
def add_benefits_check(request, patient_id):
    patient = queries.access_coverage_patient(
        request.user, patient_id, action="authorization.manage"
    )
    coverages = list(queries.coverages_of(request.user, patient))

    def record(data):
        coverage = next(c for c in coverages if str(c.id) == data.pop("coverage_id"))
        return services.record_benefits_check(
            actor=request.user, patient=patient, coverage=coverage, **data
        )

    return _submit(
        request,
        BenefitsCheckForm(request.POST, prefix="benefits", coverages=coverages),
        record,
        message="Benefits check recorded.",
        then=lambda done: _back(patient),
        failed=_rerender(request, patient, "benefits_form"),
    )


@require_POST
@clinic_view
def add_authorization(request, patient_id):
    patient = queries.access_coverage_patient(
        request.user, patient_id, action="authorization.manage"
    )
    overview = queries.patient_overview(request.user, patient)

    def create(data):
        kind, _, value = data.pop("target").partition(":")
        coverage_id = data.pop("coverage_id")
        coverage = next((c for c in overview.coverages if str(c.id) == coverage_id), None)
        target = {"course_id": value} if kind == "course" else {"protocol_code": value}
        return services.create_authorization(
            actor=request.user, patient=patient, coverage=coverage, **target, **data
        )

    return _submit(
        request,
        AuthorizationForm(
            request.POST,
            prefix="pa",
            targets=_targets(request.user, overview),
            coverages=overview.coverages,
        ),
        create,
        message="Prior authorization started (draft).",
        then=lambda done: _to_detail(patient, done),
        failed=_rerender(request, patient, "authorization_form"),
    )


# --- one authorization -------------------------------------------------------------------------


def _authorization(request, patient_id, authorization_id, *, action="authorization.view"):
    patient = queries.access_coverage_patient(
        request.user, patient_id, action=action, record_view=action == "authorization.view"
    )
    authorization = queries.access_authorization(request.user, authorization_id, action=action)
    if authorization.patient_id != patient.id:
        raise NotFound("No such prior authorization.")
    return patient, authorization


def _detail_context(request, patient, authorization, **bound):
    user = request.user
    view = queries.authorization_view(user, authorization)
    today = queries.clinic_today(patient.clinic)
    manage = can(user, "authorization.manage")
    current = course_facts.current_course_for(patient) if authorization.course_id is None else None
    context = {
        "patient": patient,
        "active_tab": "coverage",
        "a": authorization,
        "view": view,
        "checklist": queries.checklist_for(authorization),
        "can_manage": manage,
        "can_packet": can(user, "authorization.packet"),
        "nothing_sent": NOTHING_SENT,
        "linkable": current if current is not None and current.drug == authorization.drug else None,
    }
    if manage and view.next_statuses:
        context["status_form"] = bound.get("status_form") or StatusForm(
            prefix="status", allowed=view.next_statuses, initial={"on": today}
        )
    if manage:
        context["details_form"] = bound.get("details_form") or DetailsForm(
            prefix="details",
            coverages=queries.coverages_of(user, patient),
            checklists=queries.checklists(user),
            initial={
                "coverage_id": str(authorization.coverage_id or ""),
                "checklist_id": str(authorization.checklist_id or ""),
                "payer_reference": authorization.payer_reference,
                "requested_units": authorization.requested_units,
                "note": authorization.note,
            },
        )
    return context


@clinic_view
def authorization_page(request, patient_id, authorization_id):
    patient, authorization = _authorization(request, patient_id, authorization_id)
    return render(
        request, "authorizations/detail.html", _detail_context(request, patient, authorization)
    )


def _to_detail(patient, authorization):
    return redirect(
        "authorizations:detail", patient_id=patient.id, authorization_id=authorization.id
    )


def _detail_failed(request, patient, authorization, key):
    def failed(form):
        context = _detail_context(request, patient, authorization, **{key: form})
        return render(request, "authorizations/detail.html", context, status=422)

    return failed


@require_POST
@clinic_view
def change_status(request, patient_id, authorization_id):
    patient, authorization = _authorization(
        request, patient_id, authorization_id, action="authorization.manage"
    )
    allowed = queries.authorization_view(request.user, authorization).next_statuses
    return _submit(
        request,
        StatusForm(request.POST, prefix="status", allowed=allowed),
        lambda data: services.change_status(
            actor=request.user, authorization=authorization, **data
        ),
        message=lambda done: f"Status recorded: {done.get_status_display().lower()}.",
        then=lambda done: _to_detail(patient, done),
        failed=_detail_failed(request, patient, authorization, "status_form"),
    )


@require_POST
@clinic_view
def update_details(request, patient_id, authorization_id):
    patient, authorization = _authorization(
        request, patient_id, authorization_id, action="authorization.manage"
    )
    coverages = list(queries.coverages_of(request.user, patient))
    checklists = list(queries.checklists(request.user))

    def update(data):
        coverage_id, checklist_id = data.pop("coverage_id"), data.pop("checklist_id")
        data["coverage"] = next((c for c in coverages if str(c.id) == coverage_id), None)
        data["checklist"] = next((c for c in checklists if str(c.id) == checklist_id), None)
        return services.update_authorization(
            actor=request.user, authorization=authorization, **data
        )

    return _submit(
        request,
        DetailsForm(request.POST, prefix="details", coverages=coverages, checklists=checklists),
        update,
        message="Details saved.",
        then=lambda done: _to_detail(patient, done),
        failed=_detail_failed(request, patient, authorization, "details_form"),
    )


@require_POST
@clinic_view
def link_course(request, patient_id, authorization_id):
    patient, authorization = _authorization(
        request, patient_id, authorization_id, action="authorization.manage"
    )
    form = LinkCourseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the course to link.")
        return _to_detail(patient, authorization)
    _apply(
        request,
        lambda: services.update_authorization(
            actor=request.user,
            authorization=authorization,
            course_id=form.cleaned_data["course_id"],
        ),
        "Course linked: its sessions now count against the units.",
    )
    return _to_detail(patient, authorization)


# --- the packet --------------------------------------------------------------------------------


def _packet(request, patient_id, authorization_id, what: str):
    require(request.user, "authorization.packet")
    _, authorization = _authorization(request, patient_id, authorization_id)
    built = packet.build_packet(request.user, authorization)
    services.record_packet_prepared(actor=request.user, authorization=authorization, what=what)
    return built


@clinic_view
def packet_page(request, patient_id, authorization_id):
    built = _packet(request, patient_id, authorization_id, "print")
    return HttpResponse(packet.render_html(built, for_pdf=False, request=request))


@clinic_view
def packet_pdf(request, patient_id, authorization_id):
    built = _packet(request, patient_id, authorization_id, "pdf")
    response = HttpResponse(packet.render_pdf(built), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{packet.filename(built, "pdf")}"'
    return response


# --- a course, the work queue, configuration -----------------------------------------------------


@clinic_view
def course_page(request, course_id):
    picture = queries.course_picture(request.user, course_id)
    patient = queries.access_coverage_patient(
        request.user, picture.course.patient_id, record_view=True
    )
    return render(
        request,
        "authorizations/course.html",
        {"patient": patient, "active_tab": "coverage", "picture": picture},
    )


@clinic_view
def work_queue(request):
    items = queries.warnings_for_clinic(request.user)
    return render(request, "authorizations/work_queue.html", {"items": items})


def _settings_context(request, **bound):
    user = request.user
    settings_row = queries.settings_for(user.clinic)
    configure = can(user, "authorization.configure")
    context = {
        "checklists": list(queries.checklists(user)),
        "settings": settings_row,
        "can_configure": configure,
        "example_name": EXAMPLE_PAYER_NAME,
    }
    if configure:
        context |= {
            "settings_form": bound.get("settings_form")
            or SettingsForm(
                prefix="site",
                initial={
                    name: getattr(settings_row, name)
                    for name in (
                        "site_rems_certified",
                        "site_rems_reference",
                        "site_rems_certified_on",
                        "expiry_warning_days",
                    )
                },
            ),
            "copy_form": bound.get("copy_form") or CopyExampleForm(prefix="copy"),
            "criterion_form": bound.get("criterion_form") or CriterionForm(prefix="criterion"),
        }
    return context


@clinic_view
def settings_page(request):
    require(request.user, "authorization.view")
    return render(request, "authorizations/settings.html", _settings_context(request))


def _configure_failed(request, key):
    def failed(form):
        context = _settings_context(request, **{key: form})
        return render(request, "authorizations/settings.html", context, status=422)

    return failed


def _to_settings(done):
    return redirect("authorizations:settings")


@require_POST
@clinic_view
def save_settings(request):
    require(request.user, "authorization.configure")
    return _submit(
        request,
        SettingsForm(request.POST, prefix="site"),
        lambda data: services.update_settings(actor=request.user, **data),
        message="Settings saved.",
        then=_to_settings,
        failed=_configure_failed(request, "settings_form"),
    )


@require_POST
@clinic_view
def copy_example(request):
    require(request.user, "authorization.configure")
    return _submit(
        request,
        CopyExampleForm(request.POST, prefix="copy"),
        lambda data: services.copy_example_checklist(
            actor=request.user, payer_name=data["payer_name"]
        ),
        message=lambda done: f"Checklist for {done.payer_name} started from the example.",
        then=_to_settings,
        failed=_configure_failed(request, "copy_form"),
    )


def _save_criteria(request, checklist, criteria):
    """Save the checklist as it is but for its criteria, given as rows."""
    return services.save_checklist(
        actor=request.user,
        checklist=checklist,
        payer_name=checklist.payer_name,
        source=checklist.source,
        note=checklist.note,
        criteria=[
            c if isinstance(c, dict) else {"kind": c.kind, "label": c.label, "params": c.params}
            for c in criteria
        ],
    )


@require_POST
@clinic_view
def add_criterion(request, checklist_id):
    checklist = queries.access_checklist(
        request.user, checklist_id, action="authorization.configure"
    )
    form = CriterionForm(request.POST, prefix="criterion")

    def add(data):
        row = {"kind": data["kind"], "label": data["label"], "params": form.params()}
        return _save_criteria(request, checklist, [*checklist.criteria.all(), row])

    return _submit(
        request,
        form,
        add,
        message="Criterion added.",
        then=_to_settings,
        failed=_configure_failed(request, "criterion_form"),
    )


@require_POST
@clinic_view
def remove_criterion(request, checklist_id, position):
    checklist = queries.access_checklist(
        request.user, checklist_id, action="authorization.configure"
    )
    rows = [r for r in checklist.criteria.all() if r.position != position]
    _apply(request, lambda: _save_criteria(request, checklist, rows), "Criterion removed.")
    return redirect("authorizations:settings")
