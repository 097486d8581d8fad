"""Filter form of the audit log page."""

from django import forms


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=80, help_text="e.g. patient.viewed")
    patient = forms.UUIDField(required=False, label="Patient id")
    actor = forms.CharField(required=False, max_length=150, label="User")
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
