"""Intake forms: history, trials, checklist, decision, consent, referral and import."""

from django import forms
from django.utils import timezone

from . import rules
from .fhir_import import max_bundle_bytes
from .models import (
    Adherence,
    ConsentType,
    SignerRelationship,
    TreatmentHistory,
    TrialOutcome,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HistoryForm(forms.ModelForm):
    class Meta:
        model = TreatmentHistory
        fields = list(TreatmentHistory.EDITABLE_FIELDS)
        widgets = {
            "episode_onset": DATE,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in ("augmentation_notes", "psychotherapy_notes", "ect_notes", "tms_notes")
            },
        }
        # Django would capitalise the field names to "Ect notes"; the treatments are acronyms.
        labels = {"ect_notes": "ECT notes", "tms_notes": "TMS notes"}
        help_texts = {
            "episode_onset": "Start of the current depressive episode (Maudsley duration).",
            "augmentation_notes": "e.g. aripiprazole 5 mg, lithium",
        }


class TrialForm(forms.Form):
    drug = forms.CharField(
        max_length=120,
        help_text="Generic name (e.g. sertraline); brand names are recognised. Free text is "
        "accepted for drugs outside the dose table.",
        widget=forms.TextInput(attrs={"list": "antidepressant-names", "autocomplete": "off"}),
    )
    daily_dose_mg = forms.DecimalField(
        label="Daily dose (mg)", required=False, min_value=0, max_digits=8, decimal_places=2
    )
    weeks = forms.DecimalField(
        label="Duration (weeks)",
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=1,
        help_text="Leave empty to compute it from the start and end dates.",
    )
    started_on = forms.DateField(required=False, widget=DATE)
    ended_on = forms.DateField(required=False, widget=DATE)
    adherence = forms.ChoiceField(choices=Adherence.choices, initial=Adherence.UNKNOWN)
    outcome = forms.ChoiceField(
        choices=[("", "— not known yet —"), *TrialOutcome.choices], required=False
    )
    current_episode = forms.BooleanField(
        required=False, initial=True, label="In the current episode"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChecklistForm(forms.Form):
    """One yes / no / unknown question per contraindication or caution."""

    note = forms.CharField(
        required=False,
        max_length=300,
        label="Note (source of the answers, e.g. 'patient and GP letter')",
    )

    def __init__(self, *args, answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        for question in rules.QUESTIONS:
            label = question.label + (
                " — contraindicates esketamine" if question.esketamine_absolute else ""
            )
            self.fields[question.key] = forms.ChoiceField(
                label=label,
                choices=[(a.value, a.value.capitalize()) for a in rules.Answer],
                widget=forms.RadioSelect,
                initial=answers.get(question.key, "unknown"),
            )

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[q.key] for q in rules.QUESTIONS}


class DecisionForm(forms.Form):
    protocol = forms.CharField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when approving against the recommendation.",
    )


class ConsentForm(forms.Form):
    consent_type = forms.ChoiceField(choices=ConsentType.choices)
    signer_name = forms.CharField(max_length=200)
    signer_relationship = forms.ChoiceField(
        choices=SignerRelationship.choices, initial=SignerRelationship.PATIENT
    )
    witness_name = forms.CharField(max_length=200)
    signed_on = forms.DateField(widget=DATE, initial=timezone.localdate)


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason for revocation")


class ReferralForm(forms.Form):
    mrn = forms.CharField(label="Patient MRN", max_length=20)
    referred_on = forms.DateField(required=False, widget=DATE, initial=timezone.localdate)
    referring_clinician = forms.CharField(required=False, max_length=200)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="FHIR Bundle file (.json)",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,application/json,application/fhir+json"}
        ),
    )
    text = forms.CharField(
        required=False,
        label="…or paste the Bundle JSON",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = max_bundle_bytes()
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; Bundles up to "
                f"{limit / 1024 / 1024:g} MB can be imported."
            )
        return upload

    def clean(self):
        data = super().clean()
        nothing = not data.get("file") and not (data.get("text") or "").strip()
        if nothing and not self.errors.get("file"):
            raise forms.ValidationError("Choose a file or paste the Bundle.")
        return data

    def raw(self) -> bytes:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        return self.cleaned_data["text"].encode()
