"""Writes of the accounts app: API tokens, staff administration, passwords, the clinic's sign-in
policy. Each in one transaction with its audit event."""

from datetime import datetime

from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ketaclinic.core.permissions import CLINIC_ROLES, Role, can, require

from . import mfa, queries, rules, signin
from .models import ApiToken, ClinicSecurity, Membership, User
from .tokens import hash_token, new_token

# --- API tokens -------------------------------------------------------------------------------


def create_api_token(
    *,
    actor,
    user: User,
    name: str = "",
    days: int | None = None,
    read_only: bool = False,
    mfa_verified_at: datetime | None = None,
    by_token: bool = False,
) -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the row and the plaintext (shown once, never stored).

    `actor` None means the command line (the operator of the machine). Otherwise the actor
    must be signed in interactively (`by_token` False) and, if they have or need two-factor
    authentication, have passed it within the last 15 minutes (`mfa_verified_at`)."""
    now = timezone.now()
    if actor is not None:
        require(actor, "token.manage_own")
        if actor.pk != user.pk:
            raise NotFound("No such user.")
        if by_token:
            raise Forbidden(
                "An API token cannot create API tokens: create one on the API tokens page "
                "(signed in, after two-factor authentication) or with the command "
                "`ketaclinic create_api_token`.",
                code="token_cannot_create_tokens",
            )
        if queries.needs_second_factor(user):
            if not queries.has_mfa(user):
                raise Forbidden(
                    "Set up two-factor authentication before creating an API token.",
                    code="mfa_required",
                )
            if not rules.recently_verified(mfa_verified_at, now):
                raise Forbidden(
                    "Confirm a code from your authenticator app first: a token can be created "
                    "within 15 minutes of a two-factor check.",
                    code="mfa_recent_required",
                )
    if user.clinic_id is None or not user.is_active or not user.role:
        raise InvalidInput(
            f"User {user.username!r} has no active role in a clinic; a token would be useless.",
            fields={"user": "must be an active member of a clinic"},
        )
    if len(name) > 100:
        raise InvalidInput("The token name is too long.", fields={"name": "at most 100 characters"})
    try:
        expires_at = rules.token_expiry(now, max_days=settings.TOKEN_DAYS, days=days)
    except ValueError as exc:
        raise InvalidInput(
            f"A token lives between 1 and {settings.TOKEN_DAYS} days.",
            fields={"days": str(exc)},
        ) from exc
    plaintext = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            clinic_id=user.clinic_id,
            user=user,
            name=name,
            token_hash=hash_token(plaintext),
            prefix=plaintext[:10],
            created_at=now,
            expires_at=expires_at,
            read_only=read_only,
        )
        record_event(
            actor=actor,
            action="token.created",
            clinic=user.clinic,
            obj=token,
            changes={
                "user": user.username,
                "name": name,
                "expires_at": expires_at.isoformat(),
                "read_only": read_only,
            },
        )
    return token, plaintext


def revoke_api_token(*, actor, token_id) -> ApiToken:
    """Revoke a token: its owner or the clinic admin may; anyone else gets a 404."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(clinic_id=actor.clinic_id, pk=token_id)
            .select_related("user")
            .first()
        )
        own = token is not None and token.user_id == actor.pk and can(actor, "token.manage_own")
        if token is None or not (own or can(actor, "token.manage_clinic")):
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor
            token.save(update_fields=["revoked_at", "revoked_by"])
            record_event(
                actor=actor,
                action="token.revoked",
                obj=token,
                changes={"user": token.user.username},
            )
    return token


# --- staff ------------------------------------------------------------------------------------


def _password_problem(password: str, user: User) -> str | None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _clean_identifiers(npi: str, dea_number: str) -> dict[str, str]:
    problems = {}
    # The NPI is a 10-position numeric identifier (45 CFR 162.406).
    if npi and not (len(npi) == 10 and npi.isdigit()):
        problems["npi"] = "must be 10 digits"
    if dea_number and not (
        len(dea_number) == 9 and dea_number[:2].isalpha() and dea_number[2:].isdigit()
    ):
        problems["dea_number"] = "must be two letters followed by seven digits"
    return problems


def add_staff_member(
    *,
    actor,
    clinic,
    username: str,
    role: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    credentials: str = "",
    npi: str = "",
    dea_number: str = "",
) -> User:
    """Create a user with one role in one clinic. `actor` None means the command line.

    Added by an administrator, the user must replace the password at their first sign-in."""
    if actor is not None:
        require(actor, "staff.manage")
        clinic = actor.clinic
    username = (username or "").strip()
    dea_number = dea_number.strip().upper()
    problems = _clean_identifiers(npi.strip(), dea_number)
    allowed = Role.values if actor is None else [r.value for r in Role if r in CLINIC_ROLES]
    if role not in allowed:
        problems["role"] = f"must be one of {', '.join(allowed)}"
    if not username or User.objects.filter(username__iexact=username).exists():
        problems["username"] = "is empty or already taken"
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            problems["username"] = " ".join(exc.messages)
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = "is not a valid email address"
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if problem := _password_problem(password, candidate):
        problems["password"] = problem
    if problems:
        raise InvalidInput(
            "Cannot add the staff member: " + ", ".join(sorted(problems)), fields=problems
        )
    with transaction.atomic():
        candidate.clinic = clinic
        candidate.role = role
        candidate.credentials = credentials
        candidate.npi = npi.strip()
        candidate.dea_number = dea_number
        candidate.must_change_password = actor is not None
        candidate.set_password(password)
        candidate.save()
        Membership.objects.create(clinic=clinic, user=candidate, role=role)
        record_event(
            actor=actor,
            action="staff.added",
            clinic=clinic,
            obj=candidate,
            changes={"username": username, "role": role},
        )
    return candidate


def _locked_member(actor, user_id) -> User:
    """The staff member, row-locked, for an administrator's change; never the actor."""
    member = queries.access_staff_member(actor, user_id, action="staff.manage")
    if member.pk == actor.pk:
        raise Conflict(
            "Administrators cannot change their own account here: another administrator "
            "can, and your password is changed on your account page.",
            code="own_account",
        )
    if queries.holds_network_role(member) and not can(actor, "network.manage_staff"):
        # A clinic's administrator never resets, demotes or deactivates someone who acts for
        # the whole organization: that would hand them the organization.
        raise Forbidden(
            "This member holds a network role: a network administrator manages their account.",
            code="network_role",
        )
    return User.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=member.pk)


def _revoke_all_tokens(actor, user: User, *, clinic_id=None) -> int:
    """Revoke the user's tokens (only those bound to `clinic_id`, if given)."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if clinic_id is not None:
        tokens = tokens.filter(clinic_id=clinic_id)
    return tokens.update(revoked_at=timezone.now(), revoked_by=actor)


def _membership_here(actor, member: User) -> Membership:
    """The member's membership at the actor's clinic, row-locked (made for a home clinic that
    has none yet)."""
    here = Membership.objects.select_for_update().filter(
        clinic_id=actor.clinic_id, user_id=member.pk
    )
    return here.first() or Membership.objects.create(
        clinic_id=actor.clinic_id, user=member, role=member.role, is_active=member.is_active
    )


def _update_several_clinics(user: User) -> None:
    several = Membership.objects.filter(user_id=user.pk, is_active=True).count() > 1
    User.objects.filter(pk=user.pk).update(works_at_several_clinics=several)
    user.works_at_several_clinics = several


def change_role(*, actor, user_id, role: str) -> User:
    """Give a member another role. If the new role needs two-factor authentication and the
    member has none, their sessions end and their tokens are revoked: they enroll at the next
    sign-in, and new tokens are issued only after that."""
    allowed = [r.value for r in Role if r in CLINIC_ROLES]
    if role not in allowed:
        raise InvalidInput("Unknown role.", fields={"role": f"must be one of {', '.join(allowed)}"})
    with transaction.atomic():
        member = _locked_member(actor, user_id)
        here = _membership_here(actor, member)
        before = here.role
        here.role = role
        here.save(update_fields=["role"])
        if member.clinic_id == actor.clinic_id:
            member.role = role
            member.save(update_fields=["role"])
        # The two-factor rule of this clinic's policy, for the role held here.
        as_here = User(pk=member.pk, clinic=actor.clinic, role=role)
        ended = queries.mfa_required_for(as_here) and not queries.has_mfa(member)
        revoked = 0
        if ended:
            member.end_all_sessions()
            revoked = _revoke_all_tokens(actor, member)
        record_event(
            actor=actor,
            action="staff.role_changed",
            clinic=actor.clinic,
            obj=member,
            changes={
                "role": {"from": before, "to": role},
                "sessions_ended": ended,
                "tokens_revoked": revoked,
            },
        )
    return member


def deactivate_staff_member(*, actor, user_id) -> User:
    """Deactivate a member: their open sessions end and their tokens are revoked, at once."""
    with transaction.atomic():
        member = _locked_member(actor, user_id)
        here = _membership_here(actor, member)
        if not here.is_active:
            raise Conflict("This staff member is already deactivated.", code="inactive")
        here.is_active = False
        here.save(update_fields=["is_active"])
        if member.clinic_id == actor.clinic_id:  # their home clinic: they sign in nowhere
            member.is_active = False
            member.save(update_fields=["is_active"])
            member.end_all_sessions()
            revoked = _revoke_all_tokens(actor, member)
        else:  # a member of another location: only their access here ends
            revoked = _revoke_all_tokens(actor, member, clinic_id=actor.clinic_id)
        _update_several_clinics(member)
        record_event(
            actor=actor,
            action="staff.deactivated",
            clinic=actor.clinic,
            obj=member,
            changes={"tokens_revoked": revoked},
        )
    return member


def reactivate_staff_member(*, actor, user_id) -> User:
    """Let a deactivated member sign in again (their old tokens stay revoked)."""
    with transaction.atomic():
        member = _locked_member(actor, user_id)
        here = _membership_here(actor, member)
        if here.is_active:
            raise Conflict("This staff member is already active.", code="active")
        here.is_active = True
        here.save(update_fields=["is_active"])
        if member.clinic_id == actor.clinic_id:
            member.is_active = True
            member.save(update_fields=["is_active"])
        _update_several_clinics(member)
        record_event(actor=actor, action="staff.reactivated", clinic=actor.clinic, obj=member)
    return member


def _home_member(actor, user_id) -> User:
    """`_locked_member`, for what only the member's home clinic may do (their credentials)."""
    member = _locked_member(actor, user_id)
    if member.clinic_id != actor.clinic_id:
        raise Conflict(
            "This member's sign-in belongs to their home clinic, "
            f"{member.clinic.name}: its administrators reset passwords and authenticators.",
            code="home_clinic_only",
        )
    return member


def reset_password(*, actor, user_id, password: str) -> User:
    """Set a temporary password: the member's sessions end, a lockout is lifted, and they must
    choose their own password at the next sign-in."""
    with transaction.atomic():
        member = _home_member(actor, user_id)
        if problem := _password_problem(password, member):
            raise InvalidInput("The temporary password is too weak.", fields={"password": problem})
        member.set_password(password)
        member.must_change_password = True
        member.save(update_fields=["password", "must_change_password"])
        member.end_all_sessions()
        reset_lockouts(username=member.username)
        record_event(actor=actor, action="staff.password_reset", obj=member)
    return member


def reset_mfa(*, actor, user_id) -> User:
    """Remove a member's authenticator and recovery codes (e.g. a lost phone); their sessions
    end, and they enroll again at the next sign-in if their role needs it."""
    with transaction.atomic():
        member = _home_member(actor, user_id)
        removed = mfa.remove_devices(member)
        member.end_all_sessions()
        record_event(
            actor=actor,
            action="staff.mfa_reset",
            obj=member,
            changes={"authenticators_removed": removed},
        )
    return member


# --- memberships: staff across the locations of an organization -------------------------------


def grant_membership(*, actor, user: User, clinic, role: str) -> Membership:
    """Give a member of staff a role at another location of their organization (or change it
    there, or restore it). `actor` None means the command line; otherwise a network
    administrator of that organization."""
    if actor is not None:
        require(actor, "network.manage_staff")
        if clinic.organization_id != actor.clinic.organization_id:
            raise NotFound("No such clinic.")
    problems = {}
    if role not in Role.values:
        problems["role"] = f"must be one of {', '.join(Role.values)}"
    if user.clinic_id is None or not user.is_active:
        problems["user"] = "is not an active member of staff"
    elif user.clinic.organization_id != clinic.organization_id:
        problems["clinic"] = (
            f"belongs to another organization than {user.username}'s home clinic, "
            f"{user.clinic.name}"
        )
    if problems:
        raise InvalidInput("Cannot give the role: " + ", ".join(sorted(problems)), fields=problems)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not Membership.objects.filter(clinic_id=locked.clinic_id, user=locked).exists():
            Membership.objects.create(clinic_id=locked.clinic_id, user=locked, role=locked.role)
        membership = Membership.objects.select_for_update().filter(clinic=clinic, user=locked)
        membership = membership.first() or Membership(clinic=clinic, user=locked)
        before = {"role": membership.role, "active": membership.is_active} if membership.pk else {}
        membership.role, membership.is_active = role, True
        membership.save()
        if locked.clinic_id == clinic.pk and locked.role != role:
            locked.role = role
            locked.save(update_fields=["role"])
        _update_several_clinics(locked)
        # As for a role changed by the clinic: a role that needs a second factor there, held
        # without one, ends the person's sessions and revokes their tokens (they enroll first).
        as_there = User(pk=locked.pk, clinic=clinic, role=role)
        ended = queries.mfa_required_for(as_there) and not queries.has_mfa(locked)
        revoked = 0
        if ended:
            locked.end_all_sessions()
            revoked = _revoke_all_tokens(actor, locked)
        record_event(
            actor=actor,
            action="staff.membership_granted",
            clinic=clinic,
            obj=locked,
            changes={
                "role": role,
                "before": before,
                "home_clinic": str(locked.clinic_id),
                "sessions_ended": ended,
                "tokens_revoked": revoked,
            },
        )
    user.works_at_several_clinics = locked.works_at_several_clinics
    return membership


def switch_clinic(*, actor, clinic_id) -> Membership:
    """Check that the actor may work at `clinic_id` now and record the switch (the caller keeps
    the choice in the session). 404 for a clinic they are not an active member of; refused
    while that clinic requires a second factor for their role and they have none."""
    membership = queries.active_membership(actor, clinic_id)
    if membership is None or not actor.is_active:
        raise NotFound("No such clinic among yours.")
    as_there = User(pk=actor.pk, clinic=membership.clinic, role=membership.role)
    if queries.mfa_required_for(as_there) and not queries.has_mfa(actor):
        raise Conflict(
            f"{membership.clinic.name} requires two-factor authentication for your role: "
            "set up an authenticator first (your account page).",
            code="mfa_required",
        )
    record_event(
        actor=actor,
        action="clinic.switched",
        clinic=membership.clinic,
        obj=membership,
        changes={"from": str(actor.clinic_id), "to": str(membership.clinic_id)},
    )
    return membership


def change_own_password(*, actor, old_password: str, new_password: str) -> User:
    """A user replaces their own password (the current one is required)."""
    require(actor, "account.manage_own")
    problems = {}
    if not actor.check_password(old_password):
        problems["old_password"] = "is not your current password"
    elif new_password == old_password:
        problems["new_password"] = "must differ from the current password"
    elif problem := _password_problem(new_password, actor):
        problems["new_password"] = problem
    if problems:
        raise InvalidInput("The password was not changed.", fields=problems)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.must_change_password = False
        actor.save(update_fields=["password", "must_change_password"])
        record_event(actor=actor, action="account.password_changed", obj=actor)
    return actor


def set_password(*, actor, user: User, password: str) -> None:
    """Set a user's password (operator and demo use; audited, the password is never logged)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(actor=actor, action="user.password_set", clinic=user.clinic, obj=user)


# --- the clinic's sign-in policy --------------------------------------------------------------


def _members_here(clinic) -> list[tuple[User, bool]]:
    """The clinic's active staff as (user acting at this clinic with the role held here,
    whether it is their home clinic): its home staff, then the members from other locations
    of the organization."""
    members = [(user, True) for user in User.objects.filter(clinic=clinic, is_active=True)]
    visiting = Membership.objects.filter(
        clinic=clinic, is_active=True, user__is_active=True
    ).exclude(user__clinic=clinic)
    for membership in visiting.select_related("user", "clinic"):
        signin.act_at(membership.user, membership)
        members.append((membership.user, False))
    return members


def set_security_policy(
    *, actor, clinic, mfa_required: bool | None = None, mfa_required_for_all: bool | None = None
) -> ClinicSecurity:
    """Change who must sign in with a second factor. Administrators may require it for every
    role; switching the base requirement off is for the operator (`actor` None) only.

    Members who become subject to two-factor authentication without having enrolled are
    signed out and their tokens revoked, so that they enroll at the next sign-in."""
    if actor is not None:
        require(actor, "staff.security_policy")
        clinic = actor.clinic
        if mfa_required is not None:
            raise Forbidden(
                "Only the operator can change the base two-factor requirement "
                "(`ketaclinic set_mfa_policy`).",
                code="operator_only",
            )
    with transaction.atomic():
        policy, _ = ClinicSecurity.objects.select_for_update().get_or_create(clinic=clinic)
        before = {"mfa_required": policy.mfa_required, "all": policy.mfa_required_for_all}
        members = _members_here(clinic)
        needed_before = {m.pk for m, _ in members if queries.mfa_required_for(m, policy)}
        if mfa_required is not None:
            policy.mfa_required = mfa_required
        if mfa_required_for_all is not None:
            policy.mfa_required_for_all = mfa_required_for_all
        policy.save()
        ended = []
        for member, home in members:
            newly = member.pk not in needed_before and queries.mfa_required_for(member, policy)
            if newly and not queries.has_mfa(member):
                # Signed out everywhere: switching back here is refused until they enroll.
                member.end_all_sessions()
                _revoke_all_tokens(actor, member, clinic_id=None if home else clinic.pk)
                ended.append(member.username)
        record_event(
            actor=actor,
            action="clinic.mfa_policy_changed",
            clinic=clinic,
            obj=policy,
            changes={
                "mfa_required": {"from": before["mfa_required"], "to": policy.mfa_required},
                "mfa_required_for_all": {"from": before["all"], "to": policy.mfa_required_for_all},
                "signed_out": ended,
            },
        )
    return policy
