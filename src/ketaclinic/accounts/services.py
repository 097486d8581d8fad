"""Writes of the accounts app: API tokens. Each in one transaction with its audit event."""

from django.db import transaction
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import InvalidInput, NotFound
from ketaclinic.core.permissions import can, require

from .models import ApiToken, User
from .tokens import hash_token, new_token


def create_api_token(*, actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for `user`; returns the row and the plaintext (shown once, never stored).

    `actor` None means the command line (the operator of the machine)."""
    if actor is not None:
        require(actor, "token.manage_own")
        if actor.pk != user.pk:
            raise NotFound("No such user.")
    if user.clinic_id is None or not user.is_active or not user.role:
        raise InvalidInput(
            f"User {user.username!r} has no active role in a clinic; a token would be useless.",
            fields={"user": "must be an active member of a clinic"},
        )
    if len(name) > 100:
        raise InvalidInput("The token name is too long.", fields={"name": "at most 100 characters"})
    plaintext = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            clinic_id=user.clinic_id,
            user=user,
            name=name,
            token_hash=hash_token(plaintext),
            prefix=plaintext[:10],
        )
        record_event(
            actor=actor,
            action="token.created",
            clinic=user.clinic,
            obj=token,
            changes={"user": user.username, "name": name},
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


def tokens_visible_to(actor):
    """The actor's own tokens, or all of the clinic's for a clinic admin."""
    tokens = ApiToken.objects.filter(clinic_id=actor.clinic_id).select_related("user")
    if can(actor, "token.manage_clinic"):
        return tokens
    require(actor, "token.manage_own")
    return tokens.filter(user=actor)


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
    """Create a user with one role in one clinic. `actor` None means the command line."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from ketaclinic.core.permissions import Role

    problems = {}
    if role not in Role.values:
        problems["role"] = f"must be one of {', '.join(Role.values)}"
    if not username or User.objects.filter(username=username).exists():
        problems["username"] = "is empty or already taken"
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        problems["password"] = " ".join(exc.messages)
    if problems:
        raise InvalidInput(
            "Cannot add the staff member: " + ", ".join(sorted(problems)), fields=problems
        )
    with transaction.atomic():
        candidate.clinic = clinic
        candidate.role = role
        candidate.credentials = credentials
        candidate.npi = npi
        candidate.dea_number = dea_number
        candidate.set_password(password)
        candidate.save()
        record_event(
            actor=actor,
            action="user.created",
            clinic=clinic,
            obj=candidate,
            changes={"username": username, "role": role},
        )
    return candidate


def set_password(*, actor, user: User, password: str) -> None:
    """Set a user's password (audited; the password itself is never logged)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(actor=actor, action="user.password_set", clinic=user.clinic, obj=user)
