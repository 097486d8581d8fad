"""The filter form of the outcome pages: protocol and date range (GET)."""

from django import forms


class OutcomeFilterForm(forms.Form):
    protocol = forms.ChoiceField(label="Protocol", required=False)
    start = forms.DateField(
        label="Courses and sessions from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data, *, names: dict[str, str]):
        super().__init__(data)
        by_name = sorted(names.items(), key=lambda kv: kv[1])
        self.fields["protocol"].choices = [("", "All protocols"), *by_name]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "protocol": self.cleaned_data["protocol"] or None,
            "start": self.cleaned_data["start"],
            "end": self.cleaned_data["end"],
        }
