"""Sign-in (password, then the second factor), sign-out, your account: password, two-factor
authentication and API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError, NotFound
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view, confirm_step, confirmed, run_service

from . import mfa, queries, rules, services, signin
from .forms import CodeForm, EnrollForm, PasswordChangeForm, TokenCreateForm


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("web:home")


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Said in minutes, from the setting that ends an idle session.
        minutes = max(1, round(settings.SESSION_COOKIE_AGE / 60))
        return super().get_context_data(**kwargs) | {"idle_minutes": minutes}

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if queries.needs_second_factor(user):
            # Signed in, but confined to the two-factor step by the middleware until it is done.
            signin.mark_pending(self.request)
            return redirect(_with_next(reverse("accounts:two-factor"), self.get_success_url()))
        signin.mark_not_required(self.request)
        return response


class LogoutView(auth_views.LogoutView):
    pass


@never_cache  # shows the secret key and the recovery codes
@login_required
def two_factor(request):
    """Check a code (or a recovery code), or set up the authenticator if there is none yet."""
    user = request.user
    next_url = _next_url(request)
    pending = signin.state(request) == signin.PENDING
    if pending and not queries.needs_second_factor(user):
        # The requirement was lifted (or the authenticator reset) since the password step.
        signin.mark_not_required(request)
        return redirect(next_url)
    if queries.has_mfa(user):
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            code = form.cleaned_data["code"]
            kind = run_service(form, lambda: mfa.verify_second_factor(actor=user, code=code))
            if kind is not None:
                signin.mark_verified(request)
                if kind == "recovery_code":
                    left = queries.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {left} left. Each works once: "
                        "replace them on your account page when few are left.",
                    )
                return redirect(next_url)
        return render(
            request,
            "accounts/two_factor.html",
            {"mode": "verify", "form": form, "pending": pending, "next": next_url},
        )
    device = mfa.begin_enrollment(user)
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        codes = run_service(
            form, lambda: mfa.confirm_enrollment(actor=user, device=device, code=code)
        )
        if codes is not None:
            update_session_auth_hash(request, user)  # this session goes on; the others ended
            signin.mark_verified(request)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
    return render(
        request,
        "accounts/two_factor.html",
        {
            "mode": "enroll",
            "form": form,
            "pending": pending,
            "required": queries.mfa_required_for(user),
            "qr_svg": mfa.qr_svg(device),
            "secret": mfa.secret_text(device),
            "next": next_url,
        },
    )


@never_cache
@clinic_view
def account(request):
    """Your account: password, two-factor authentication, recovery codes."""
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        codes = run_service(form, lambda: mfa.replace_recovery_codes(actor=user, code=code))
        if codes is not None:
            signin.mark_verified(request)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": reverse("accounts:account")},
            )
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "has_mfa": queries.has_mfa(user),
            "mfa_required": queries.mfa_required_for(user),
            "codes_left": queries.recovery_codes_left(user),
        },
    )


@never_cache
@login_required
def password_change(request):
    """Change your own password (also the forced step after an administrator set one)."""
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = run_service(
            form,
            lambda: services.change_own_password(
                actor=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            ),
        )
        if changed is not None:
            # Keep this session; every other session of the user ends with the old password.
            update_session_auth_hash(request, changed)
            messages.success(request, "Your password was changed.")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/password.html",
        {"form": form, "forced": user.must_change_password, "next": _next_url(request)},
    )


@never_cache  # shows a new token once
@login_required
def tokens(request):
    user = request.user
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.create_api_token(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                read_only=form.cleaned_data["read_only"],
                mfa_verified_at=signin.verified_at(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    rows = queries.tokens_visible_to(user) if user.clinic_id else []
    needs_check = queries.has_mfa(user) and not rules.recently_verified(
        signin.verified_at(request), timezone.now()
    )
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": rows,
            "new_token": new_token,
            "sees_clinic": can(user, "token.manage_clinic"),
            "needs_check": needs_check,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    if not confirmed(request):
        try:
            token = queries.tokens_visible_to(request.user).filter(pk=token_id).first()
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:tokens")
        if token is None:
            messages.error(request, "No such token.")
            return redirect("accounts:tokens")
        named = f" ({token.name})" if token.name else ""
        return confirm_step(
            request,
            title="Revoke this API token?",
            question=f"Token {token.prefix}…{named} of {token.user.display_name} will stop "
            "working at once; programs using it will be refused. This cannot be undone.",
            confirm_label=f"Revoke token {token.prefix}…",
            cancel_url=reverse("accounts:tokens"),
        )
    try:
        token = services.revoke_api_token(actor=request.user, token_id=token_id)
        messages.success(request, f"Token {token.prefix}… revoked.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:tokens")


@clinic_view
@require_POST
def switch_clinic(request):
    """The clinic switcher: work at another of your clinics from now on in this session."""
    clinic_id = request.POST.get("clinic", "")
    try:
        membership = services.switch_clinic(actor=request.user, clinic_id=clinic_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
        return redirect("web:home")
    request.session[signin.ACTIVE_CLINIC] = str(membership.clinic_id)
    messages.success(
        request, f"You are now working at {membership.clinic.name} as {membership.role_label}."
    )
    return redirect("web:home")
