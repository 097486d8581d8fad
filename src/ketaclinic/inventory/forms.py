"""Forms of the ledger pages: shapes only; every rule is checked by the services."""

from django import forms
from django.utils import timezone

from ketaclinic.core.calendar import WorkingDateField
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import queries
from ketaclinic.inventory.models import Drug, LocationKind, ProductForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY_HELP = "mg for solutions (to 0.001 mg), whole devices for nasal sprays"


def _quantity(label="Quantity", help_text=QUANTITY_HELP, **extra):
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=3, help_text=help_text, **extra
    )


class ScopedForm(forms.Form):
    """A form whose choices are the user's clinic's lots and locations."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if name in ("location", "from_location", "to_location"):
                field.queryset = queries.locations(user, active_only=True)
            elif name == "lot":
                field.queryset = queries.lots(user)
            elif name == "product":
                field.queryset = queries.products(user, active_only=True)
            elif name in ("discovered_on", "distributed_on"):
                # The clinic's own date, not the server's: late in the evening they differ.
                field.initial = timezone.localdate(timezone.now(), user.clinic.tz)


class ReceiptForm(ScopedForm):
    product = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None, label="Received into")
    lot_number = forms.CharField(max_length=60)
    expires_on = WorkingDateField(widget=DATE, label="Expiry date")
    containers = forms.IntegerField(min_value=1, max_value=100000, label="Containers received")
    supplier_name = forms.CharField(max_length=200)
    supplier_address = forms.CharField(max_length=400)
    supplier_dea = forms.CharField(max_length=20, label="Supplier DEA number")
    invoice = forms.CharField(max_length=100, required=False)


class DrawForm(ScopedForm):
    lot = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None, label="From")
    quantity = _quantity()
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Needed for a draw above the signed order (beyond the vial or device size).",
    )


class SessionLotForm(forms.Form):
    """Administration: the lot is asked only when the session holds several."""

    quantity = _quantity()
    lot = forms.ChoiceField(required=False, choices=())

    def __init__(self, *args, lots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].choices = [("", "the lot drawn")] + [
            (str(lot.pk), str(lot)) for lot in lots
        ]
        if len(lots) <= 1:
            self.fields["lot"].widget = forms.HiddenInput()


class AdministerForm(SessionLotForm):
    prefix = "give"


class WasteForm(SessionLotForm):
    prefix = "waste"
    method = forms.CharField(max_length=200, initial="Expelled into drug disposal container")
    witness_username = forms.CharField(max_length=150, label="Witness username")
    witness_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        label="Witness password",
        help_text="Typed by the witness, not by you.",
    )


class ReturnForm(SessionLotForm):
    prefix = "ret"
    location = forms.ModelChoiceField(queryset=None, label="Back into")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = queries.locations(user, active_only=True)


class TransferForm(ScopedForm):
    lot = forms.ModelChoiceField(queryset=None)
    from_location = forms.ModelChoiceField(queryset=None, label="From")
    to_location = forms.ModelChoiceField(queryset=None, label="To")
    quantity = _quantity()
    reason = forms.CharField(max_length=2000, required=False)


class DestructionForm(ScopedForm):
    lot = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None, label="From")
    quantity = _quantity()
    method = forms.CharField(max_length=200)
    reason = forms.CharField(max_length=2000, help_text="e.g. expired, vial cracked")
    witness1_username = forms.CharField(max_length=150, label="First witness username")
    witness1_password = forms.CharField(widget=forms.PasswordInput, label="First witness password")
    witness2_username = forms.CharField(max_length=150, label="Second witness username")
    witness2_password = forms.CharField(widget=forms.PasswordInput, label="Second witness password")


class LossForm(ScopedForm):
    lot = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None)
    quantity = _quantity()
    loss_type = forms.ChoiceField(
        choices=[
            ("theft", "Theft"),
            ("significant_loss", "Significant loss"),
            ("lost_in_transit", "Lost in transit"),
        ]
    )
    discovered_on = WorkingDateField(widget=DATE)
    circumstances = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    police_report = forms.CharField(max_length=200, required=False)
    purchase_value = forms.DecimalField(
        label="Purchase value (USD)",
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="What the clinic paid for what was taken (DEA Form 106 asks for it). "
        "Leave empty if not known yet: it can be given with the Form 106 filing.",
    )


class DistributionForm(ScopedForm):
    """Stock leaving for another registrant: every field 21 CFR 1304.22(a)(2)(vii) asks."""

    kind = forms.ChoiceField(
        label="Distribution",
        choices=[(k.value, label) for k, label in d.DISTRIBUTION_KIND_LABELS.items()],
    )
    lot = forms.ModelChoiceField(queryset=None)
    location = forms.ModelChoiceField(queryset=None, label="From")
    quantity = _quantity()
    recipient_name = forms.CharField(max_length=200, label="Recipient registrant name")
    recipient_address = forms.CharField(max_length=400, label="Recipient address")
    recipient_dea = forms.CharField(
        max_length=20,
        label="Recipient DEA registration number",
        help_text="Two letters and seven digits, as on the recipient's DEA registration.",
    )
    distributed_on = WorkingDateField(widget=DATE, label="Date distributed", required=False)
    reference = forms.CharField(
        max_length=100, required=False, label="Invoice or shipping reference"
    )
    reason = forms.CharField(max_length=2000, required=False, help_text="e.g. expired, recalled")


class ResolveForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What was found, and what was done about it.",
    )


class FilingForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("notice", "Written notice sent"), ("form_106", "Form 106 filed")]
    )
    filed_on = WorkingDateField(widget=DATE)
    reference = forms.CharField(max_length=200, required=False)


class ProductCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    drug = forms.ChoiceField(choices=Drug.choices)
    ndc = forms.CharField(max_length=20, label="NDC")
    form = forms.ChoiceField(choices=ProductForm.choices)
    concentration = forms.DecimalField(
        max_digits=9, decimal_places=3, help_text="mg per mL, or mg per device"
    )
    units_per_container = forms.DecimalField(
        max_digits=9, decimal_places=3, help_text="mL per vial, or devices per pack"
    )


class LocationCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=LocationKind.choices)
    description = forms.CharField(max_length=200, required=False)


class RangeForm(forms.Form):
    date_from = WorkingDateField(widget=DATE, label="From", required=False)
    date_to = WorkingDateField(widget=DATE, label="To", required=False)


class ReportForm(RangeForm):
    report = forms.ChoiceField(
        choices=[
            ("dispensing", "Dispensing log (21 CFR 1304.22(c))"),
            ("receipts", "Receipts log"),
            ("distributions", "Distributions to other registrants"),
            ("inventory", "Initial / biennial inventory"),
            ("form41", "Form 41 data (destruction)"),
            ("form106", "Form 106 data (theft or loss)"),
            ("open_sessions", "Session drug records not closed by the end of the clinic day"),
        ]
    )
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("pdf", "PDF"), ("print", "Print view (web page)")]
    )


class EntryFilterForm(RangeForm):
    lot = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = queries.lots(user)
