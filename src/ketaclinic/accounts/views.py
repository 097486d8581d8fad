"""Sign-in, sign-out and API-token pages."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import DomainError
from ketaclinic.core.permissions import can

from . import services
from .forms import TokenCreateForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def tokens(request):
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.create_api_token(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    rows = services.tokens_visible_to(request.user) if request.user.clinic_id else []
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": rows,
            "new_token": new_token,
            "sees_clinic": can(request.user, "token.manage_clinic"),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        token = services.revoke_api_token(actor=request.user, token_id=token_id)
        messages.success(request, f"Token {token.prefix}… revoked.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:tokens")
