"""Forms of the access pages."""

from django import forms

from ketaclinic.core.calendar import WorkingDateField

from .models import BarrierKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BarrierForm(forms.Form):
    kind = forms.ChoiceField(label="Barrier", choices=BarrierKind.choices)
    detail = forms.CharField(
        required=False,
        max_length=300,
        help_text="What the patient said, e.g. no driver on weekdays.",
    )
    distance_miles = forms.DecimalField(
        label="Distance (miles)", required=False, min_value=0, max_value=9999, decimal_places=1
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        max_length=300, help_text="e.g. volunteer driver arranged, sliding scale applied."
    )


class PeriodForm(forms.Form):
    date_from = WorkingDateField(label="Referred from", widget=DATE)
    date_to = WorkingDateField(label="Referred to", widget=DATE)
