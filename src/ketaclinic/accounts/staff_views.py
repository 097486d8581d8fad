"""Staff administration pages (clinic administrators): list, add, change role, deactivate,
reactivate, reset a password or two-factor authentication; the clinic's sign-in policy."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput
from ketaclinic.core.permissions import can
from ketaclinic.core.views import clinic_view, run_service

from . import queries, services
from .forms import RoleForm, SecurityPolicyForm, StaffCreateForm, TemporaryPasswordForm


@clinic_view
def staff_list(request):
    members = list(queries.staff_of_clinic(request.user))
    policy = queries.clinic_security_policy(request.user)
    policy_form = SecurityPolicyForm(initial={"mfa_required_for_all": policy.mfa_required_for_all})
    return render(
        request,
        "accounts/staff_list.html",
        {
            "members": members,
            "policy": policy,
            "policy_form": policy_form,
            "can_manage": can(request.user, "staff.manage"),
        },
    )


@clinic_view
@require_POST
def security_policy(request):
    form = SecurityPolicyForm(request.POST)
    if form.is_valid():
        policy = services.set_security_policy(
            actor=request.user,
            clinic=None,
            mfa_required_for_all=form.cleaned_data["mfa_required_for_all"],
        )
        messages.success(
            request,
            "Two-factor authentication is now required for every role."
            if policy.mfa_required_for_all
            else "Two-factor authentication is required for the roles the clinic's policy names.",
        )
    return redirect("accounts:staff")


@clinic_view
def staff_add(request):
    if not can(request.user, "staff.manage"):
        raise Forbidden("Your role may not add staff.")
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = run_service(
            form,
            lambda: services.add_staff_member(actor=request.user, clinic=None, **form.cleaned_data),
        )
        if member is not None:
            messages.success(
                request,
                f"Added {member.display_name} as {member.role_label}. Give them the temporary "
                "password: they choose their own at the first sign-in.",
            )
            return redirect("accounts:staff-member", user_id=member.pk)
    return render(request, "accounts/staff_form.html", {"form": form})


def _detail(request, member, **forms):
    context = {
        "member": member,
        "role_form": forms.get("role_form") or RoleForm(initial={"role": member.role_here}),
        "password_form": forms.get("password_form") or TemporaryPasswordForm(),
        "is_self": member.pk == request.user.pk,
        "can_manage": can(request.user, "staff.manage"),
        "tokens": member.api_tokens.filter(revoked_at__isnull=True).count(),
    }
    return render(request, "accounts/staff_detail.html", context)


@clinic_view
def staff_member(request, user_id):
    return _detail(request, queries.access_staff_member(request.user, user_id))


DONE = {
    "deactivate": "{name} is deactivated: their sessions ended and their API tokens are revoked.",
    "reactivate": "{name} can sign in again (earlier API tokens stay revoked).",
    "mfa-reset": "Two-factor authentication of {name} was reset: they set it up again at the "
    "next sign-in.",
}


@clinic_view
@require_POST
def staff_action(request, user_id, action):
    member = queries.access_staff_member(request.user, user_id, action="staff.manage")
    actor = request.user
    if action == "role":
        form = RoleForm(request.POST)
        if form.is_valid():
            role = form.cleaned_data["role"]
            done = run_service(
                form, lambda: services.change_role(actor=actor, user_id=user_id, role=role)
            )
            if done is not None:
                messages.success(request, f"{done.display_name} is now {done.role_label}.")
                return redirect("accounts:staff-member", user_id=user_id)
        return _detail(request, member, role_form=form)
    if action == "password":
        form = TemporaryPasswordForm(request.POST)
        if form.is_valid():
            password = form.cleaned_data["password"]
            done = run_service(
                form,
                lambda: services.reset_password(actor=actor, user_id=user_id, password=password),
            )
            if done is not None:
                messages.success(
                    request,
                    f"Temporary password set for {done.display_name}: they choose their own "
                    "at the next sign-in.",
                )
                return redirect("accounts:staff-member", user_id=user_id)
        return _detail(request, member, password_form=form)
    services_by_action = {
        "deactivate": services.deactivate_staff_member,
        "reactivate": services.reactivate_staff_member,
        "mfa-reset": services.reset_mfa,
    }
    if action not in services_by_action:
        raise Http404("No such action.")
    try:
        done = services_by_action[action](actor=actor, user_id=user_id)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, DONE[action].format(name=done.display_name))
    return redirect("accounts:staff-member", user_id=user_id)
