"""Forms of the capacity pages."""

from django import forms

from ketaclinic.core.calendar import WorkingDateField
from ketaclinic.core.permissions import Role

from .models import WEEKDAYS
from .services import MAX_CHAIRS_PER_NURSE, MAX_TIMING_MIN

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ChairForm(forms.Form):
    name = forms.CharField(max_length=20, help_text="As staff call it, e.g. 3 or Window 2.")
    location = forms.CharField(max_length=100, required=False, help_text="Room or area.")
    iv_infusion = forms.BooleanField(label="IV infusion", required=False)
    esketamine = forms.BooleanField(label="Esketamine nasal spray", required=False)


class ChairEditForm(ChairForm):
    active = forms.BooleanField(
        required=False, help_text="Inactive chairs stay on record but are not planned."
    )


def _minutes(label: str, low: int, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=low, max_value=MAX_TIMING_MIN, help_text=help_text
    )


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    opens = forms.TimeField(required=False, widget=TIME)
    closes = forms.TimeField(required=False, widget=TIME)
    closed = forms.BooleanField(label="Closed on this weekday", required=False)

    def clean(self):
        data = super().clean()
        if not data.get("closed"):
            for name, what in (("opens", "opening"), ("closes", "closing")):
                if data.get(name) is None:
                    self.add_error(name, f"Give the {what} time, or tick closed.")
        return data


class StaffingForm(forms.Form):
    chairs_per_nurse = forms.IntegerField(
        label="Chairs per nurse",
        required=False,
        min_value=1,
        max_value=MAX_CHAIRS_PER_NURSE,
        help_text="How many occupied chairs one nurse may watch at once: your clinic's policy. "
        "Planning needs this number; none is assumed.",
    )
    prescriber_for_esketamine = forms.BooleanField(
        label="Prescriber on site during esketamine dosing and observation",
        required=False,
        help_text="Spravato REMS: a healthcare provider is on site during administration and "
        "monitoring.",
    )
    prescriber_for_iv = forms.BooleanField(
        label="Prescriber on site during IV infusions and observation",
        required=False,
        help_text="Your clinic's policy.",
    )
    arrival_min = _minutes(
        "Arrival and pre-checks (minutes)",
        0,
        "From arrival to the start of the dose. Planning a week needs it.",
    )
    turnover_min = _minutes(
        "Chair turnover (minutes)",
        0,
        "Cleaning the chair after a patient leaves. Planning a week needs it.",
    )
    observation_min = _minutes(
        "Observation when the protocol sets no minimum (minutes)",
        1,
        "Only where the protocol leaves observation to the clinic (IV ketamine: "
        "after the infusion ends). Never shortens a protocol's or the label's minimum.",
    )


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=None, label="Nurse or prescriber")
    date = WorkingDateField(widget=DATE)
    starts_at = forms.TimeField(label="From", widget=TIME)
    ends_at = forms.TimeField(label="To", widget=TIME)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        # The role held at this clinic (a member from another location may hold another).
        self.fields["staff"].label_from_instance = lambda u: (
            f"{u.display_name} ({Role(u.role_here).label})"
        )


class WeekForm(forms.Form):
    week = WorkingDateField(widget=DATE, required=False)


WHAT_IF_CHOICES = (
    ("", "No change"),
    ("chair", "One more chair (IV and esketamine)"),
    ("hours", "Open 1 hour earlier and close 1 hour later"),
)


class PlanForm(forms.Form):
    week = WorkingDateField(widget=DATE, help_text="Any day of the week to plan.")
    what_if = forms.ChoiceField(label="Compare with", choices=WHAT_IF_CHOICES, required=False)


class ApplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label="Schedule these sessions (date, start time, chair)",
        help_text="Waiting patients' first sessions are shown only: their course is started by "
        "a prescriber.",
    )
