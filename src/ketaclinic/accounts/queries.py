"""Reads of the accounts app: the clinic's staff, memberships, the sign-in policy, a user's
two-factor state."""

import uuid

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.core.errors import NotFound
from ketaclinic.core.models import Clinic
from ketaclinic.core.permissions import CLINIC_ROLES, NETWORK_ROLES, can, require

from . import rules
from .models import ApiToken, ClinicSecurity, Membership, User


def security_policy(clinic_id) -> ClinicSecurity:
    """The clinic's sign-in policy; the defaults (MFA required) when none was saved."""
    policy = ClinicSecurity.objects.filter(clinic_id=clinic_id).first()
    return policy if policy is not None else ClinicSecurity(clinic_id=clinic_id)


def clinic_security_policy(actor) -> ClinicSecurity:
    """The actor's clinic policy, for its administrators."""
    require(actor, "staff.view")
    return security_policy(actor.clinic_id)


def mfa_required_for(user, policy: ClinicSecurity | None = None) -> bool:
    """Must this user sign in with a second factor under their clinic's policy?"""
    if user.clinic_id is None:
        return False
    policy = policy or security_policy(user.clinic_id)
    return rules.mfa_required(
        user.role, required=policy.mfa_required, required_for_all=policy.mfa_required_for_all
    )


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_mfa(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """A user who enrolled always signs in with a code; others when their role requires it."""
    return has_mfa(user) or mfa_required_for(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def holds_network_role(user) -> bool:
    """Whether the person acts for the organization anywhere (a network role at home or at
    any location)."""
    if user.role in NETWORK_ROLES:
        return True
    return Membership.objects.filter(
        user_id=user.pk, is_active=True, role__in=list(NETWORK_ROLES)
    ).exists()


def active_membership(user, clinic_id) -> Membership | None:
    """The user's active membership at a clinic, with the clinic; None if they have none."""
    if user is None or clinic_id is None:
        return None
    try:
        clinic_id = uuid.UUID(str(clinic_id))
    except ValueError:  # a malformed id (a form or a session) is no clinic of theirs
        return None
    return (
        Membership.objects.select_related("clinic")
        .filter(user_id=user.pk, clinic_id=clinic_id, is_active=True)
        .first()
    )


def clinics_of(user) -> list[Membership]:
    """The user's active memberships (the clinic switcher's choices), by clinic name."""
    return list(
        Membership.objects.select_related("clinic")
        .filter(user_id=user.pk, is_active=True)
        .order_by("clinic__name")
    )


def clinical_locations(user) -> set:
    """The clinics where the user holds a clinic role (not a network role): those whose records
    they may open, so whose figures a network report must count as known to them."""
    home = User.objects.filter(pk=user.pk).values_list("clinic_id", "role").first()
    places = set(
        Membership.objects.filter(
            user_id=user.pk, is_active=True, role__in=list(CLINIC_ROLES)
        ).values_list("clinic_id", flat=True)
    )
    if home and home[0] is not None and home[1] in CLINIC_ROLES:
        places.add(home[0])
    return places


def staff_here(clinic_id, roles=None, *, active_only: bool = True):
    """Active users who work at the clinic: its own staff, and members from other locations of
    the organization with an active membership here. With `roles` (a role or several), only
    those who hold one of them here: the home role for its own staff, the membership's role
    for the others. Each has `role_here`. `active_only=False`: also those who worked here
    (an inactive account or membership), e.g. the provider of a service already given."""
    if isinstance(roles, str):
        roles = [roles]
    here = Membership.objects.filter(user=OuterRef("pk"), clinic_id=clinic_id)
    if active_only:
        here = here.filter(is_active=True)
    home = Q(clinic_id=clinic_id)
    visiting = Exists(here if roles is None else here.filter(role__in=list(roles)))
    if roles is not None:
        home &= Q(role__in=list(roles))
    users = User.objects.filter(is_active=True) if active_only else User.objects.all()
    return users.filter(home | (visiting & ~Q(clinic_id=clinic_id))).annotate(
        role_here=Case(
            When(clinic_id=clinic_id, then=F("role")),
            default=Subquery(here.values("role")[:1]),
            output_field=CharField(),
        )
    )


def staff_of_clinic(actor):
    """Everyone who works or worked at the actor's clinic: its own staff (home clinic) and
    members of other locations who hold a role here. Each has `role_here`, `active_here`
    and `mfa_enrolled`; clinic administrators only."""
    require(actor, "staff.view")
    clinic_id = actor.clinic_id
    here = Membership.objects.filter(user=OuterRef("pk"), clinic_id=clinic_id)
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    home = Q(clinic_id=clinic_id)
    return (
        User.objects.filter(home | Exists(here))
        .select_related("clinic")
        .annotate(
            mfa_enrolled=Exists(enrolled),
            role_here=Case(
                When(home, then=F("role")),
                default=Subquery(here.values("role")[:1]),
                output_field=CharField(),
            ),
            active_here=Case(
                When(home, then=F("is_active")),
                # Deactivated by their home clinic: they can no longer sign in anywhere.
                When(is_active=False, then=Value(False)),
                default=Coalesce(
                    Subquery(here.values("is_active")[:1]), False, output_field=BooleanField()
                ),
                output_field=BooleanField(),
            ),
        )
        .order_by("-active_here", "last_name", "first_name", "username")
    )


def access_staff_member(actor, user_id, *, action: str = "staff.view") -> User:
    """One member of the actor's clinic; 404 for unknown ids and for other clinics' users."""
    require(actor, action)
    member = staff_of_clinic(actor).filter(pk=user_id).first()
    if member is None:
        raise NotFound("No such staff member.")
    return member


def tokens_visible_to(actor):
    """The actor's own tokens, or all of the clinic's for a clinic admin."""
    tokens = ApiToken.objects.filter(clinic_id=actor.clinic_id).select_related("user")
    if can(actor, "token.manage_clinic"):
        return tokens
    require(actor, "token.manage_own")
    return tokens.filter(user=actor)


def organization_member(actor, username: str) -> User:
    """An active member of staff whose home clinic is in the actor's organization, for a
    network administrator; NotFound for anyone else (as for an unknown username)."""
    require(actor, "network.manage_staff")
    member = (
        User.objects.select_related("clinic")
        .filter(
            username=username,
            is_active=True,
            clinic__organization_id=actor.clinic.organization_id,
        )
        .first()
    )
    if member is None:
        raise NotFound("No such member of staff in your organization.")
    return member


def organization_clinic(actor, slug: str) -> Clinic:
    """A location of the actor's organization by slug; NotFound otherwise."""
    require(actor, "network.manage_staff")
    clinic = Clinic.objects.filter(slug=slug, organization_id=actor.clinic.organization_id).first()
    if clinic is None:
        raise NotFound("No such location in your organization.")
    return clinic
