"""Intake pages: the guided intake tab of the chart, the waiting list and referral import."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.core.pagination import paginate
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view, confirm_step, confirmed, run_service
from ketaclinic.patients.queries import access_patient, patient_by_mrn, patients_by_id

from . import fhir_import, present, queries, services
from .forms import (
    ChecklistForm,
    ConsentForm,
    DecisionForm,
    HistoryForm,
    ImportForm,
    ReferralForm,
    RevokeForm,
    TrialForm,
)
from .models import ReferralStatus


def _eligibility(patient, protocol):
    try:
        return queries.eligibility_for(patient, protocol)
    except InvalidInput:
        return queries.eligibility_for(patient, None)


def _chart_context(request, patient, protocol=None, **bound):
    user = request.user
    view = _eligibility(patient, protocol or request.GET.get("protocol"))
    code = view.protocol.code
    table = queries.dose_table_for(patient.clinic)
    answers = view.answers
    return {
        "patient": patient,
        "active_tab": "intake",
        "referral": queries.referral_of(patient),
        "protocol_code": code,
        "protocol_choices": queries.protocol_choices(user),
        "eligibility": present.eligibility_dict(view, patient),
        "result": view.result,
        "history": view.history,
        "history_form": bound.get("history_form")
        or HistoryForm(instance=view.history, prefix="history"),
        "trial_rows": present.trial_rows(patient),
        "trial_form": bound.get("trial_form") or TrialForm(prefix="trial"),
        "drug_names": sorted(table),
        "checklist_rows": present.answer_rows(patient, answers),
        "checklist_form": bound.get("checklist_form")
        or ChecklistForm(prefix="check", answers={k: a.answer for k, a in answers.items()}),
        "decisions": queries.decisions_named(patient),
        "decision_form": bound.get("decision_form")
        or DecisionForm(prefix="decision", initial={"protocol": code}),
        "consents": list(queries.consents_of(patient)),
        "documents": queries.consent_documents(patient.clinic),
        "consent_form": bound.get("consent_form")
        or ConsentForm(
            prefix="consent",
            initial={
                "consent_type": view.protocol.consent_type,
                "signer_name": patient.full_name,
            },
        ),
        "items": list(queries.referral_items_of(patient)),
        "can_record": can(user, "intake.record"),
        "can_confirm": can(user, "intake.confirm_trial"),
        "can_decide": can(user, "intake.decide"),
        "can_consent": can(user, "consent.record"),
    }


def _back(patient, protocol=None, anchor=""):
    url = reverse("intake:chart", kwargs={"patient_id": patient.id})
    if protocol:
        url += "?" + urlencode({"protocol": protocol})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _render_chart(request, patient, **bound):
    return render(request, "intake/chart.html", _chart_context(request, patient, **bound))


def _post_chart_form(
    request, patient, form, *, key, anchor, save, message, protocol=None, protocol_of=None
):
    """A form of the chart posted: run `save(data)` on the valid form, then back to the form's
    section (under `protocol_of(saved)`) with `message(saved)`; else the chart again (under
    `protocol`), `form` (under `key`) showing its errors."""
    if form.is_valid():
        data = form.cleaned_data
        saved = run_service(form, lambda: save(data))
        if saved is not None:
            messages.success(request, message(saved))
            return _back(patient, protocol_of and protocol_of(saved), anchor=anchor)
    return _render_chart(request, patient, protocol=protocol, **{key: form})


@clinic_view
def intake_chart(request, patient_id):
    patient = access_patient(request.user, patient_id, action="intake.view", record_view=True)
    context = _chart_context(request, patient)
    if request.htmx and request.GET.get("panel") == "eligibility":
        return render(request, "intake/chart.html#eligibility", context)
    return render(request, "intake/chart.html", context)


@clinic_view
@require_POST
def save_history(request, patient_id):
    patient = access_patient(request.user, patient_id, action="intake.record")
    form = HistoryForm(request.POST, instance=queries.history_of(patient), prefix="history")
    return _post_chart_form(
        request,
        patient,
        form,
        key="history_form",
        anchor="history",
        save=lambda data: services.update_history(
            actor=request.user, patient=patient, **{name: data[name] for name in form.changed_data}
        ),
        message=lambda _: "Treatment history saved.",
    )


def _chart_adder(action, form_class, prefix, anchor, record, message):
    """A view that posts `form_class` (under `prefix`) on the intake chart and adds the row to
    the patient's record through the service `record`."""

    @clinic_view
    @require_POST
    def view(request, patient_id):
        patient = access_patient(request.user, patient_id, action=action)
        return _post_chart_form(
            request,
            patient,
            form_class(request.POST, prefix=prefix),
            key=f"{prefix}_form",
            anchor=anchor,
            save=lambda data: record(actor=request.user, patient=patient, **data),
            message=message,
        )

    return view


add_trial = _chart_adder(
    "intake.record",
    TrialForm,
    "trial",
    "trials",
    services.record_trial,
    lambda trial: f"Trial of {trial.drug} recorded.",
)


@clinic_view
@require_POST
def confirm_trial(request, patient_id, trial_id):
    patient = access_patient(request.user, patient_id, action="intake.confirm_trial")
    trial = queries.access_trial(request.user, patient, trial_id, action="intake.confirm_trial")
    try:
        services.confirm_trial(
            actor=request.user, trial=trial, dose_adequate=request.POST.get("dose_adequate") == "1"
        )
        messages.success(request, f"Trial of {trial.drug} confirmed.")
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
    return _back(patient, anchor="trials")


@clinic_view
@require_POST
def remove_trial(request, patient_id, trial_id):
    sure = confirmed(request)
    patient = access_patient(request.user, patient_id, action="intake.record", record_view=not sure)
    trial = queries.access_trial(request.user, patient, trial_id, action="intake.record")
    if not sure:
        return confirm_step(
            request,
            title="Remove this antidepressant trial?",
            question=f"The trial of {trial.drug} will be removed from {patient.full_name}'s "
            "treatment history, and the removal recorded in the audit log.",
            confirm_label=f"Remove the trial of {trial.drug}",
            cancel_url=reverse("intake:chart", kwargs={"patient_id": patient.id}) + "#trials",
        )
    services.remove_trial(actor=request.user, trial=trial)
    messages.success(request, f"Trial of {trial.drug} removed.")
    return _back(patient, anchor="trials")


@clinic_view
@require_POST
def save_checklist(request, patient_id):
    patient = access_patient(request.user, patient_id, action="intake.record")
    form = ChecklistForm(request.POST, prefix="check")
    return _post_chart_form(
        request,
        patient,
        form,
        key="checklist_form",
        anchor="checklist",
        save=lambda data: services.record_contraindications(
            actor=request.user, patient=patient, answers=form.answers(), note=data["note"]
        ),
        message=lambda _: "Contraindication checklist saved.",
    )


@clinic_view
@require_POST
def decide(request, patient_id):
    patient = access_patient(request.user, patient_id, action="intake.decide")
    return _post_chart_form(
        request,
        patient,
        DecisionForm(request.POST, prefix="decision"),
        key="decision_form",
        anchor="eligibility",
        save=lambda data: services.decide_eligibility(
            actor=request.user,
            patient=patient,
            protocol_code=data["protocol"],
            outcome=data["outcome"],
            note=data["note"],
            justification=data["justification"],
        ),
        message=lambda decision: (
            f"Eligibility for {decision.drug} "
            + ("approved." if decision.outcome == "approve" else "declined.")
        ),
        protocol=request.POST.get("decision-protocol"),
        protocol_of=lambda decision: decision.protocol_code,
    )


add_consent = _chart_adder(
    "consent.record",
    ConsentForm,
    "consent",
    "consent",
    services.record_consent,
    lambda consent: f"Signed consent recorded (version {consent.version}).",
)


@clinic_view
@require_POST
def revoke_consent(request, patient_id, consent_id):
    patient = access_patient(request.user, patient_id, action="consent.record")
    consent = queries.access_consent(request.user, patient, consent_id, action="consent.record")
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_consent(
                actor=request.user, consent=consent, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "Consent revoked.")
        except Conflict as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Give a reason for the revocation.")
    return _back(patient, anchor="consent")


# --- waiting list and import --------------------------------------------------------------------


@clinic_view
def waiting_list(request):
    status = request.GET.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    q = request.GET.get("q", "")[:200]
    page = paginate(queries.waiting_list(request.user, status, q), request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "q": q,
        "query": urlencode({"status": status, "q": q}),
        "statuses": ReferralStatus.choices,
        "can_add": can(request.user, "referral.create"),
        "can_import": can(request.user, "intake.import_fhir"),
        "can_open": can(request.user, "intake.view"),
        "form": ReferralForm(),
    }
    return render(request, "intake/waiting_list.html", context)


@clinic_view
def add_referral(request):
    if not can(request.user, "referral.create"):
        raise Forbidden("Your role may not put patients on the waiting list.")
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = patient_by_mrn(request.user, form.cleaned_data["mrn"])
        if patient is None:
            form.add_error("mrn", "No patient with this MRN in your clinic.")
        else:
            referral = run_service(
                form,
                lambda: services.create_referral(
                    actor=request.user,
                    patient=patient,
                    referred_on=form.cleaned_data["referred_on"],
                    referring_clinician=form.cleaned_data["referring_clinician"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if referral is not None:
                messages.success(request, f"{patient.full_name} is on the waiting list.")
                return redirect("intake:waiting_list")
    return render(request, "intake/referral_form.html", {"form": form})


@clinic_view
def import_referral(request):
    if not can(request.user, "intake.import_fhir"):
        raise Forbidden("Your role may not import referrals.")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = run_service(
            form,
            lambda: fhir_import.import_fhir_bundle(actor=request.user, raw=form.raw()),
        )
        if result is not None:
            result["patient"] = patients_by_id(request.user, [result["patient_id"]]).get(
                result["patient_id"]
            )
    return render(request, "intake/import.html", {"form": form, "result": result})
