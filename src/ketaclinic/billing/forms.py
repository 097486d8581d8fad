"""Forms of the billing pages (rules stay in the services; forms only parse input)."""

from decimal import Decimal

from django import forms

from ketaclinic.core.calendar import WorkingDateField

from .definitions import DIAGNOSES, SERVICES
from .models import BillingSettings, PaymentMethod
from .poverty_guidelines import REGIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount ($)", min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    received_on = forms.DateField(label="Received on", widget=DATE)
    reference = forms.CharField(
        required=False, max_length=100, help_text="Card slip, check number or receipt."
    )


class SlidingScaleForm(forms.Form):
    household_size = forms.IntegerField(label="People in the household", min_value=1, max_value=30)
    annual_income = forms.DecimalField(label="Household income per year ($)", **MONEY)
    effective_from = forms.DateField(
        label="Applies from",
        widget=DATE,
        help_text="Charges dated on or after this day get the discount.",
    )
    documentation = forms.CharField(
        required=False, max_length=300, help_text="What was seen, e.g. a tax return or pay stubs."
    )


class ChargeForm(forms.Form):
    service = forms.ChoiceField(choices=[(s.key, s.label) for s in SERVICES.values()])
    service_date = forms.DateField(label="Date of service", widget=DATE)
    quantity = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=9, decimal_places=2, initial=1
    )


class DiagnosisForm(forms.Form):
    code = forms.CharField(
        label="ICD-10-CM code",
        max_length=8,
        help_text="F32.x or F33.x, e.g. F33.2.",
        widget=forms.TextInput(attrs={"list": "icd10-codes"}),
    )
    description = forms.CharField(
        required=False, max_length=200, help_text="Filled in for codes in the list."
    )

    codes = DIAGNOSES


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=300)


class EstimateForm(forms.Form):
    """A protocol and start date, for an estimate before a course exists."""

    protocol = forms.ChoiceField()
    start_date = WorkingDateField(label="Expected start", widget=DATE)

    def __init__(self, *args, protocols=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = list(protocols)


class PeriodForm(forms.Form):
    date_from = WorkingDateField(label="From", widget=DATE)
    date_to = WorkingDateField(label="To", widget=DATE)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "On or after the start.")
        return cleaned


class FeeScheduleForm(forms.Form):
    """A new fee schedule: one code, price and discount flag per service."""

    name = forms.CharField(max_length=120)
    effective_from = forms.DateField(label="In force from", widget=DATE)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        for service in SERVICES.values():
            price = current.get(service.key)
            self.fields[f"code_{service.key}"] = forms.CharField(
                label=f"{service.label}: code",
                required=False,
                max_length=20,
                initial=price.code if price else service.default_code,
            )
            self.fields[f"price_{service.key}"] = forms.DecimalField(
                label=f"{service.label}: price per {service.unit} ($)",
                required=False,
                initial=price.unit_price if price else None,
                **MONEY,
            )
            self.fields[f"discount_{service.key}"] = forms.BooleanField(
                label="Sliding-scale discount applies",
                required=False,
                initial=price.discountable if price else service.discountable,
            )

    def rows(self):
        return [
            (s, self[f"code_{s.key}"], self[f"price_{s.key}"], self[f"discount_{s.key}"])
            for s in SERVICES.values()
        ]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "service": s.key,
                "code": data[f"code_{s.key}"],
                "unit_price": data[f"price_{s.key}"],
                "discountable": data[f"discount_{s.key}"],
            }
            for s in SERVICES.values()
            if data.get(f"price_{s.key}") is not None
        ]


BAND_ROWS = 6


class SlidingTableForm(forms.Form):
    """A new sliding-scale table: up to six bands; the last filled band has no upper limit."""

    name = forms.CharField(max_length=120, initial="Sliding fee scale")
    effective_from = forms.DateField(label="In force from", widget=DATE)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, BAND_ROWS + 1):
            self.fields[f"max_{i}"] = forms.DecimalField(
                label=f"Band {i}: income at or below (% of guideline)",
                required=False,
                max_digits=6,
                decimal_places=2,
                min_value=Decimal("0.01"),
            )
            self.fields[f"discount_{i}"] = forms.DecimalField(
                label=f"Band {i}: discount (%)",
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
            )

    def rows(self):
        return [(i, self[f"max_{i}"], self[f"discount_{i}"]) for i in range(1, BAND_ROWS + 1)]

    def clean(self):
        data = super().clean()
        # A band with a limit and no discount would be left out, and its households would get
        # the next band's discount: ask for it instead.
        for i in range(1, BAND_ROWS + 1):
            missing = data.get(f"max_{i}") is not None and data.get(f"discount_{i}") is None
            if missing and f"discount_{i}" not in self.errors:
                self.add_error(f"discount_{i}", "Give this band's discount (0 for none).")
        return data

    def bands(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {"max_percent": data[f"max_{i}"], "discount_percent": data[f"discount_{i}"]}
            for i in range(1, BAND_ROWS + 1)
            if data.get(f"discount_{i}") is not None
        ]


class GuidelineForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    region = forms.ChoiceField(choices=REGIONS)
    first_person = forms.DecimalField(label="One person ($)", **MONEY)
    each_additional = forms.DecimalField(label="Each additional person ($)", **MONEY)
    source = forms.CharField(
        max_length=300, help_text="e.g. the Federal Register notice of the year."
    )


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = list(BillingSettings.EDITABLE_FIELDS)
        help_texts = {
            "dispute_threshold": "No Surprises Act: $400 (45 CFR 149.620).",
            "infusion_push_max_minutes": "15 or less is an IV push, not 96365 (CPT).",
            "infusion_additional_more_than_minutes": "96366 needs more than 30 minutes "
            "beyond the last full hour (CPT; verify with each payer).",
            "esketamine_low_dose_max_mg": "G2082 up to this dose, G2083 above.",
            "charge_at_discharge": "Automatic charges the session when the patient leaves.",
        }
