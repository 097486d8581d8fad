"""Forms of the PDMP pages; the services hold the rules, forms only parse what was typed."""

from django import forms

from ketaclinic.core.calendar import WorkingDateField

from . import rules
from .models import STATE_CHOICES, Finding, Frequency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Shown on the form: what is kept, and why the report itself is not.
NO_REPORT = (
    "Do not paste, upload or summarise the PDMP report here: the programs' terms of use "
    "commonly forbid keeping a copy. Record only the transaction or report id and your finding."
)


class CheckForm(forms.Form):
    state = forms.ChoiceField(label="State PDMP", choices=STATE_CHOICES)
    checked_at = forms.DateTimeField(
        label="Checked at", widget=DATETIME, help_text="Clinic time of the query."
    )
    transaction_id = forms.CharField(
        label="PDMP transaction or report id",
        max_length=100,
        help_text="The id the PDMP shows for this query.",
    )
    finding = forms.ChoiceField(choices=Finding.choices, widget=forms.RadioSelect)
    concern_note = forms.CharField(
        label="Concern",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required with a concern: what it is, in your own words.",
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, prescribers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if prescribers is not None:
            # A nurse records as the delegate of a named prescriber.
            self.fields["prescriber"] = forms.ChoiceField(
                label="Checked on behalf of",
                choices=[("", "—")] + [(str(p.pk), p.display_name) for p in prescribers],
                help_text="The prescriber whose delegate you are for this check.",
            )
            self.order_fields(["prescriber"])


class CorrectionForm(CheckForm):
    reason = forms.CharField(
        label="What was wrong",
        max_length=300,
        help_text="Kept with the correction; the wrong entry stays in the log, marked replaced.",
    )
    entered_in_error = forms.BooleanField(
        label="The entry should not exist (e.g. the wrong patient): replace it with nothing",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["reason", "entered_in_error"])
        if self.data.get(self.add_prefix("entered_in_error")):
            for name in ("state", "checked_at", "transaction_id", "finding"):
                self.fields[name].required = False


class RuleForm(forms.Form):
    before_prescribing = forms.BooleanField(label="Before prescribing", required=False)
    before_administering = forms.BooleanField(label="Before administering", required=False)
    frequency = forms.ChoiceField(label="How recent", choices=Frequency.choices)
    window_days = forms.IntegerField(
        label="Within (days)",
        required=False,
        min_value=1,
        max_value=rules.MAX_WINDOW_DAYS,
        help_text="With 'within a number of days': 1 means the 24 hours before the event.",
    )
    source = forms.CharField(
        max_length=300,
        required=False,
        help_text="The statute or regulation cited; left empty it reads 'clinic-entered'.",
    )
    scope = forms.CharField(
        label="Drugs covered and exemptions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    last_reviewed_on = forms.DateField(label="Last reviewed", widget=DATE)


class PracticeStateForm(forms.Form):
    practice_state = forms.ChoiceField(
        label="The clinic practises in", choices=[("", "—"), *STATE_CHOICES]
    )


class PeriodForm(forms.Form):
    date_from = WorkingDateField(label="Checked from", widget=DATE)
    date_to = WorkingDateField(label="Checked to", widget=DATE)
