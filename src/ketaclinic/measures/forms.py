"""Forms of the measures pages; scoring and validation stay in rules.py via the services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext

from .instruments import INSTRUMENTS, PATIENT
from .models import Delivery, Frequency

SELF_REPORT_CHOICES = [(c, i.name) for c, i in INSTRUMENTS.items() if i.completed_by == PATIENT]


class InstrumentForm(forms.Form):
    """One radio group per item of a DisplayInstrument; required-ness is checked by the rules."""

    def __init__(self, display, *args, with_time: bool = False, tz=None, **kwargs):
        kwargs.setdefault("prefix", display.code)
        super().__init__(*args, **kwargs)
        self.display = display
        for item in display.items:
            label = item.text or item.label
            # A CharField, not a ChoiceField: the scoring rules name every bad item themselves.
            self.fields[item.key] = forms.CharField(
                label=f"{item.key}. {label}",
                widget=forms.RadioSelect(choices=[(str(v), text) for v, text in item.options]),
                required=False,
                help_text=_help_text(item),
            )
        if with_time:
            now = timezone.localtime(timezone.now(), tz)
            self.fields["administered_at"] = forms.DateTimeField(
                label="Administered at",
                required=False,
                initial=now.strftime("%Y-%m-%dT%H:%M"),
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
                help_text="Clinic time; leave as is for now.",
            )

    def raw_answers(self) -> dict:
        """The posted values by item key, before the rules parse and validate them."""
        return {
            item.key: self.data.get(self.add_prefix(item.key), "") for item in self.display.items
        }

    def add_item_errors(self, fields: dict[str, str], prefix: str) -> None:
        for name, message in fields.items():
            if name.startswith(prefix):
                key = name[len(prefix) :]
                self.add_error(key if key in self.fields else None, message)
            elif name == "administered_at" and "administered_at" in self.fields:
                self.add_error("administered_at", message)


def _help_text(item) -> str:
    # In the active language: the patient's on the self-report page, English for staff.
    if item.either_or:
        pair = gettext(" or question ").join(item.either_or)
        return gettext("Answer question %(pair)s: one of them is enough.") % {"pair": pair}
    if item.asked_if:
        return gettext("Only if item %(item)s is yes") % {"item": item.asked_if}
    return "" if item.required else gettext("Optional")


class SendLinkForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        choices=SELF_REPORT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["phq9"],
        label="Questionnaires",
    )
    delivery = forms.ChoiceField(
        choices=Delivery.choices, widget=forms.RadioSelect, initial=Delivery.LINK
    )


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(choices=[(c, i.name) for c, i in INSTRUMENTS.items()])
    frequency = forms.ChoiceField(choices=Frequency.choices)
    interval_days = forms.IntegerField(
        min_value=1, max_value=365, required=False, help_text="For 'every N days': 7 = weekly."
    )
    starts_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Default: today",
    )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="e.g. C-SSRS completed, safety plan made, emergency referral.",
    )
