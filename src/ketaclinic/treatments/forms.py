"""Forms of the session page; rules stay in the services, forms only parse what was typed."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from ketaclinic.core.numbers import number_problem
from ketaclinic.protocols.definitions import CONCOMITANT_MEDICATION_CLASSES
from ketaclinic.treatments import codes as c
from ketaclinic.treatments.models import PreCheck

TIME_HELP = "Clock time today; leave empty for now. A time later than now means yesterday."
YES_NO = (("", "—"), ("yes", "Yes"), ("no", "No"))


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def yes_no_field(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, required=False, help_text=help_text)


def at_clock(value: datetime.time | None, tz, now: datetime.datetime | None = None):
    """A clock time typed at the chairside as an aware datetime (today, or yesterday if later)."""
    if value is None:
        return None
    now = now or timezone.now()
    local_now = timezone.localtime(now, tz)
    moment = datetime.datetime.combine(local_now.date(), value, tzinfo=tz)
    if moment > local_now + datetime.timedelta(minutes=1):
        moment -= datetime.timedelta(days=1)
    return moment


def clock(label: str, required: bool = False, help_text: str = TIME_HELP) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class ClockForm(forms.Form):
    """Forms with clock-time fields convert them to aware datetimes in the clinic's zone."""

    clock_fields: tuple[str, ...] = ()

    def moments(self, tz) -> dict:
        data = dict(self.cleaned_data)
        for name in self.clock_fields:
            data[name] = at_clock(data.get(name), tz)
        return data


class CheckInForm(ClockForm):
    chair = forms.CharField(label="Chair", max_length=20, required=False)
    at = clock("Arrived at")
    clock_fields = ("at",)


class VitalsFields(forms.Form):
    systolic = forms.IntegerField(label="Systolic", required=False, min_value=0, max_value=400)
    diastolic = forms.IntegerField(label="Diastolic", required=False, min_value=0, max_value=300)
    heart_rate = forms.IntegerField(label="Heart rate", required=False, min_value=0, max_value=400)
    spo2 = forms.IntegerField(label="SpO2 %", required=False, min_value=0, max_value=100)
    resp_rate = forms.IntegerField(
        label="Respiratory rate", required=False, min_value=0, max_value=120
    )
    temperature_c = forms.DecimalField(
        label="Temperature °C", required=False, max_digits=4, decimal_places=1
    )

    def vitals(self) -> dict:
        names = ("systolic", "diastolic", "heart_rate", "spo2", "resp_rate", "temperature_c")
        return {n: self.cleaned_data[n] for n in names if self.cleaned_data.get(n) is not None}


class VitalsForm(VitalsFields, ClockForm):
    measured_at = clock("Measured at")
    clock_fields = ("measured_at",)


class PreCheckForm(VitalsFields, ClockForm):
    last_food_at = clock("Last food at", help_text="Clock time (yesterday if later than now).")
    last_liquid_at = clock("Last liquids at", help_text="Clock time (yesterday if later than now).")
    nasal_products_at = clock(
        "Nasal steroid / decongestant at", help_text="Only if used today; leave empty otherwise."
    )
    escort_confirmed = forms.BooleanField(label="Escort / ride home confirmed", required=False)
    escort_name = forms.CharField(label="Escort name", max_length=200, required=False)
    escort_phone = forms.CharField(label="Escort phone", max_length=40, required=False)
    prescriber_on_site = forms.BooleanField(
        label="A prescriber is on site during administration and monitoring", required=False
    )
    rems_patient_enrolled = yes_no_field(
        "Patient enrolled in the SPRAVATO REMS (confirmed)",
        help_text="Asked by the REMS Patient Monitoring Form at the first treatment.",
    )
    medications_reviewed = forms.BooleanField(
        label="Concomitant medications reviewed", required=False
    )
    medication_classes = forms.MultipleChoiceField(
        label="Taking now (for the REMS form)",
        choices=CONCOMITANT_MEDICATION_CLASSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measures_done = forms.BooleanField(label="Pre-session measures done", required=False)
    pregnancy_test = forms.ChoiceField(
        label="Pregnancy test",
        choices=[("", "—"), *c.PREGNANCY_TEST_RESULTS],
        required=False,
    )
    vitals_at = clock("Pre-dose vitals measured at")
    clock_fields = ("last_food_at", "last_liquid_at", "nasal_products_at", "vitals_at")

    NOTHING_ENTERED = "Nothing entered: fill in at least one pre-check before saving."

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(value in (None, "", False, []) for value in cleaned.values()):
            # An empty submit would otherwise be "saved" and change nothing.
            raise forms.ValidationError(self.NOTHING_ENTERED, code="empty")
        return cleaned

    def answers(self, tz) -> tuple[dict, dict | None]:
        data = self.moments(tz)
        answers = {n: data[n] for n in PreCheck.ANSWERS}
        answers["rems_patient_enrolled"] = yes_no(data.get("rems_patient_enrolled", ""))
        vitals = self.vitals()
        if vitals and data.get("vitals_at"):
            vitals["measured_at"] = data["vitals_at"]
        return answers, (vitals or None)


class GoNoGoForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=c.DECISIONS)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 2}))


class PlainNumbersForm(forms.Form):
    """Refuses "1e3", NaN and Infinity as typed (Django's DecimalField would take "1e3")."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            raw = self.data.get(name)
            if isinstance(field, forms.DecimalField) and raw not in (None, ""):
                problem = number_problem(str(raw))
                if problem:
                    self.add_error(name, problem)
        return cleaned


class OrderForm(PlainNumbersForm):
    dose_mg = forms.DecimalField(label="Dose (mg)", required=False, max_digits=7, decimal_places=1)
    dose_mg_per_kg = forms.DecimalField(
        label="Dose (mg/kg)", required=False, max_digits=5, decimal_places=3
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)", required=False, max_digits=5, decimal_places=1
    )
    concentration_mg_per_ml = forms.DecimalField(
        label="Concentration (mg/mL)", required=False, max_digits=7, decimal_places=2
    )
    bag_volume_ml = forms.DecimalField(
        label="Bag volume (mL)", required=False, max_digits=7, decimal_places=2
    )
    duration_min = forms.IntegerField(label="Duration (min)", required=False, min_value=1)
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text="Needed when the protocol doses by ideal or adjusted body weight.",
    )


class SecondCheckForm(forms.Form):
    # The lots on hand are offered by the page (see `with_lots`); the service checks the pick.
    lot = forms.UUIDField(label="Product and lot (on hand in the ledger)", widget=forms.Select)
    calculation_confirmed = forms.BooleanField(label="I re-checked the calculation", required=False)


def with_lots(form: SecondCheckForm, lots) -> SecondCheckForm:
    """The second-check form offering the lots on hand (LotOnHand rows)."""
    form.fields["lot"].widget.choices = [("", "Pick the lot in hand")] + [
        (str(row.lot.pk), row.label) for row in lots
    ]
    return form


class AtForm(ClockForm):
    at = clock("At")
    clock_fields = ("at",)


class ScaleForm(ClockForm):
    scale = forms.ChoiceField(choices=[*c.SCALES, ("aldrete", "Modified Aldrete")])
    score = forms.IntegerField(label="MOAA/S (0-5)", required=False, min_value=0, max_value=5)
    measured_at = clock("Measured at")
    clock_fields = ("measured_at",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, len(c.CADSS6_ITEMS) + 1):
            self.fields[f"cadss_{n}"] = forms.IntegerField(
                label=f"CADSS-6 item {n}", required=False, min_value=0, max_value=c.CADSS6_ITEM_MAX
            )
        for name in (
            "activity",
            "respiration",
            "circulation",
            "consciousness",
            "oxygen_saturation",
        ):
            self.fields[f"aldrete_{name}"] = forms.IntegerField(
                label=name.replace("_", " ").capitalize(), required=False, min_value=0, max_value=2
            )

    def payload(self, tz) -> dict:
        data = self.moments(tz)
        scale = data["scale"]
        payload = {"scale": scale, "measured_at": data["measured_at"]}
        if scale == "moaas":
            payload["score"] = data.get("score")
        elif scale == "cadss6":
            payload["items"] = [data.get(f"cadss_{n}") for n in range(1, len(c.CADSS6_ITEMS) + 1)]
        else:
            payload["items"] = {
                name[len("aldrete_") :]: value
                for name, value in data.items()
                if name.startswith("aldrete_") and value is not None
            }
        return payload


class AcknowledgeForm(forms.Form):
    intervention = forms.ChoiceField(label="Intervention", choices=c.INTERVENTIONS)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdverseEventForm(ClockForm):
    code = forms.ChoiceField(label="Event", choices=c.ADVERSE_EVENTS)
    description = forms.CharField(label="Description", max_length=300, required=False)
    severity = forms.ChoiceField(label="Severity", choices=c.SEVERITIES)
    action = forms.ChoiceField(label="Action", choices=c.ADVERSE_EVENT_ACTIONS)
    outcome = forms.ChoiceField(label="Outcome", choices=c.ADVERSE_EVENT_OUTCOMES)
    onset_at = clock("Onset at")
    resolved_at = clock("Resolved at")
    clock_fields = ("onset_at", "resolved_at")


class ResolveEventForm(ClockForm):
    outcome = forms.ChoiceField(label="Outcome", choices=c.ADVERSE_EVENT_OUTCOMES)
    resolved_at = clock("Resolved at")
    clock_fields = ("resolved_at",)


class DischargeForm(ClockForm):
    escort_present = forms.BooleanField(label="Escort present", required=False)
    ready_to_leave_at = clock(
        "Would have been ready to leave at",
        help_text="For the REMS form (reported in minutes from the start of administration); "
        "leave empty to use the time recorded by the flowsheet.",
    )
    pulse_oximetry_monitored = yes_no_field(
        "Pulse oximetry monitored during observation",
        help_text="For the REMS form; leave empty to use the SpO2 readings charted.",
    )
    override_note = forms.CharField(
        label="Prescriber override note (only to discharge with unmet criteria)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    clock_fields = ("ready_to_leave_at",)

    def payload(self, tz) -> dict:
        data = self.moments(tz)
        data["pulse_oximetry_monitored"] = yes_no(data.get("pulse_oximetry_monitored", ""))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 6}))


class RemsSubmittedForm(forms.Form):
    confirmation = forms.CharField(label="Confirmation number", max_length=100, required=False)
