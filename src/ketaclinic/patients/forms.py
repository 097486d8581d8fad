"""The patient registration and edit form (validation of rules stays in the service)."""

from django import forms

from .models import Patient, PreferredLanguage

OPTIONAL_CHOICES = ("race", "ethnicity", "payer_type", "income_band")


class PatientForm(forms.ModelForm):
    """Registration and edit form; the self-reported equity fields may be left as unknown, the
    questionnaire language as English."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPTIONAL_CHOICES:
            self.fields[name].required = False
        self.fields["preferred_language"].required = False

    def clean(self):
        cleaned = super().clean()
        for name in OPTIONAL_CHOICES:
            if not cleaned.get(name):
                cleaned[name] = "unknown"
        if not cleaned.get("preferred_language"):
            cleaned["preferred_language"] = PreferredLanguage.ENGLISH
        return cleaned

    class Meta:
        model = Patient
        fields = list(Patient.EDITABLE_FIELDS)
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"weight_kg": "Used for weight-based doses."}


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search patients",
        required=False,
        max_length=200,
        help_text="Name, MRN or date of birth (YYYY-MM-DD or MM/DD/YYYY)",
    )


class TransferForm(forms.Form):
    """Transfer a patient to another location of the organization."""

    to_clinic = forms.ChoiceField(label="Receiving location")
    consent_note = forms.CharField(
        label="The patient's consent",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the patient agreed to the transfer: e.g. signed consent form, or verbal "
        "consent with a witness.",
    )

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_clinic"].choices = [(str(c.pk), c.name) for c in destinations]
