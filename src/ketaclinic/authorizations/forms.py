"""Forms of the coverage and authorization pages (they parse input; services hold the rules)."""

from decimal import Decimal

from django import forms

from . import rules
from .definitions import COVERAGE_ORDERS, SUBSCRIBER_RELATIONSHIPS, YES_NO_UNKNOWN
from .models import AuthorizationUnit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"required": False, "min_value": Decimal("0"), "max_digits": 10, "decimal_places": 2}


class CoverageForm(forms.Form):
    order = forms.TypedChoiceField(choices=COVERAGE_ORDERS, coerce=int, initial=1)
    payer_name = forms.CharField(label="Payer", max_length=200)
    plan_name = forms.CharField(label="Plan", max_length=200, required=False)
    member_id = forms.CharField(label="Member ID", max_length=60)
    group_number = forms.CharField(max_length=60, required=False)
    subscriber_name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty when the patient is the subscriber."
    )
    subscriber_relationship = forms.ChoiceField(
        label="Patient's relationship to the subscriber",
        choices=SUBSCRIBER_RELATIONSHIPS,
        initial="self",
    )
    effective_from = forms.DateField(widget=DATE)
    effective_to = forms.DateField(widget=DATE, required=False, help_text="Empty: open-ended.")


class EndCoverageForm(forms.Form):
    effective_to = forms.DateField(label="Last day covered", widget=DATE)


class BenefitsCheckForm(forms.Form):
    coverage_id = forms.ChoiceField(label="Coverage checked")
    checked_on = forms.DateField(widget=DATE)
    covered = forms.ChoiceField(label="Treatment covered", choices=YES_NO_UNKNOWN)
    prior_authorization_required = forms.ChoiceField(
        label="Prior authorization required", choices=YES_NO_UNKNOWN
    )
    deductible_remaining = forms.DecimalField(label="Deductible remaining ($)", **MONEY)
    out_of_pocket_remaining = forms.DecimalField(label="Out-of-pocket remaining ($)", **MONEY)
    payer_reference = forms.CharField(
        label="Payer's reference (call or case number)", max_length=100, required=False
    )
    summary = forms.CharField(
        label="What was learned", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, coverages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage_id"].choices = [(str(c.id), str(c)) for c in coverages]


class AuthorizationForm(forms.Form):
    target = forms.ChoiceField(
        label="Covers",
        help_text="The patient's course, or a protocol when no course is planned yet.",
    )
    coverage_id = forms.ChoiceField(label="Coverage", required=False)
    unit = forms.ChoiceField(choices=AuthorizationUnit.choices, initial="session")
    requested_units = forms.IntegerField(min_value=1, max_value=500, required=False)
    payer_reference = forms.CharField(max_length=100, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, targets=(), coverages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(targets)
        self.fields["coverage_id"].choices = [("", "—")] + [(str(c.id), str(c)) for c in coverages]


STATUS_CHOICES = [(s.value, rules.LABELS[s]) for s in rules.Status if s != rules.Status.DRAFT]


class StatusForm(forms.Form):
    to = forms.ChoiceField(label="New status", choices=STATUS_CHOICES)
    on = forms.DateField(label="On", widget=DATE)
    payer_reference = forms.CharField(label="Payer's reference", max_length=100, required=False)
    approved_units = forms.IntegerField(min_value=1, max_value=500, required=False)
    approved_dose_mg = forms.DecimalField(
        label="Approved dose per session (mg)",
        required=False,
        min_value=Decimal("0.1"),
        max_digits=5,
        decimal_places=1,
    )
    approved_units_per_session = forms.IntegerField(min_value=1, max_value=20, required=False)
    valid_from = forms.DateField(widget=DATE, required=False)
    valid_to = forms.DateField(label="Valid to (expiry)", widget=DATE, required=False)
    reason = forms.CharField(
        label="Denial reason", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s.value, rules.LABELS[s]) for s in allowed]


class LinkCourseForm(forms.Form):
    course_id = forms.UUIDField(widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    site_rems_certified = forms.NullBooleanField(label="Certified in the Spravato REMS")
    site_rems_reference = forms.CharField(
        label="Certification reference", max_length=100, required=False
    )
    site_rems_certified_on = forms.DateField(label="Certified on", widget=DATE, required=False)
    expiry_warning_days = forms.IntegerField(
        label="Warn this many days before an approval expires", min_value=1, max_value=120
    )


class CopyExampleForm(forms.Form):
    payer_name = forms.CharField(label="Payer", max_length=200)


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k.value, v) for k, v in rules.KIND_LABELS.items()])
    label = forms.CharField(max_length=300, help_text="As the payer's policy words it.")
    min_trials = forms.IntegerField(min_value=1, max_value=50, required=False)
    min_classes = forms.IntegerField(min_value=1, max_value=50, required=False)
    current_episode_only = forms.BooleanField(required=False)
    codes = forms.CharField(
        label="Codes",
        required=False,
        help_text="Diagnosis code prefixes (e.g. F32, F33) or scales (e.g. PHQ-9, MADRS), "
        "comma-separated.",
    )
    min_scores = forms.IntegerField(min_value=1, max_value=50, required=False)

    def params(self) -> dict:
        """The parameters the chosen kind takes, from the fields filled in."""
        data = self.cleaned_data
        codes = [c.strip() for c in (data.get("codes") or "").split(",") if c.strip()]
        values = {
            "min_trials": data.get("min_trials"),
            "min_classes": data.get("min_classes"),
            "current_episode_only": bool(data.get("current_episode_only")),
            "code_prefixes": codes or None,
            "instruments": [rules.instrument_code(c) for c in codes] or None,
            "min_scores": data.get("min_scores") or 1,
        }
        wanted = rules.PARAMS[rules.Kind(data["kind"])]
        return {k: values[k] for k in wanted if values[k] is not None}


class DetailsForm(forms.Form):
    coverage_id = forms.ChoiceField(label="Coverage", required=False)
    checklist_id = forms.ChoiceField(
        label="Payer checklist",
        required=False,
        help_text="Empty: the checklist named like the coverage's payer, if the clinic keeps one.",
    )
    payer_reference = forms.CharField(max_length=100, required=False)
    requested_units = forms.IntegerField(min_value=1, max_value=500, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, coverages=(), checklists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage_id"].choices = [("", "—")] + [(str(c.id), str(c)) for c in coverages]
        self.fields["checklist_id"].choices = [("", "—")] + [
            (str(c.id), c.payer_name) for c in checklists
        ]
