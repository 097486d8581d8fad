"""Forms of the accounts pages: tokens, two-factor codes, passwords, staff administration."""

from django import forms
from django.conf import settings

from ketaclinic.core.permissions import CLINIC_ROLES, Role


def _temporary_password(help_text: str) -> forms.CharField:
    """A password an administrator sets for someone, who replaces it at their next sign-in."""
    return forms.CharField(
        label="Temporary password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What the token is for, e.g. 'pump integration'.",
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=settings.TOKEN_DAYS,
        required=False,
        help_text=f"At most {settings.TOKEN_DAYS} days; empty means {settings.TOKEN_DAYS}.",
    )
    read_only = forms.BooleanField(
        label="Read-only", required=False, help_text="The token may only read (GET), never change."
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


class EnrollForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from the app",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password, not all digits, not like your "
        "name or username.",
    )
    new_password_again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "must repeat the new password exactly")
        return data


# A clinic administrator gives the clinic's own roles; network roles come from the network.
ROLE_CHOICES = [(r.value, r.label) for r in Role if r in CLINIC_ROLES]


class StaffCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    credentials = forms.CharField(max_length=40, required=False, help_text="e.g. MD, NP, RN")
    npi = forms.CharField(label="NPI", max_length=10, required=False, help_text="10 digits")
    dea_number = forms.CharField(
        label="DEA number",
        max_length=20,
        required=False,
        help_text="Prescribers: two letters and seven digits",
    )
    password = _temporary_password(
        "Give it to the person; they choose their own at the first sign-in."
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class TemporaryPasswordForm(forms.Form):
    password = _temporary_password("The person chooses their own at the next sign-in.")


class SecurityPolicyForm(forms.Form):
    mfa_required_for_all = forms.BooleanField(
        label="Require two-factor authentication for every role (nurses and front desk too)",
        required=False,
    )
