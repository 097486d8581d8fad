"""The patient registration and edit form (validation of rules stays in the service)."""

from django import forms

from .models import Patient


class PatientForm(forms.ModelForm):
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
