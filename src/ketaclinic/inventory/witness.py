"""Witness authentication: a second user proves who they are at the moment they witness."""

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.http import HttpRequest

from ketaclinic.accounts.auth import user_for_token
from ketaclinic.accounts.queries import active_membership
from ketaclinic.accounts.signin import act_at
from ketaclinic.core import context
from ketaclinic.core.permissions import can, get


class WitnessRefused(Exception):
    """The witness could not be accepted; the message says why (never which part was wrong)."""


@dataclass(frozen=True)
class WitnessCredentials:
    """What a witness types at the moment: their username with their password, or a token."""

    username: str = ""
    password: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never print secrets in logs or tracebacks
        return f"WitnessCredentials(username={self.username!r})"


def _request_for_lockout(request) -> HttpRequest:
    """The real request, or a stand-in so django-axes still counts failures and locks out.

    Witness passwords are guessable through this form like through the login page, so the
    same lockout must apply even when a service is called without a request (CLI, tasks).
    """
    if request is not None:
        return request
    stand_in = HttpRequest()
    stand_in.method = "POST"
    stand_in.path = stand_in.path_info = "/ledger/witness"
    stand_in.META["REMOTE_ADDR"] = context.current().ip_address or "127.0.0.1"
    stand_in.META["HTTP_USER_AGENT"] = "ketaclinic witness check"
    return stand_in


def authenticate_witness(
    *, actor, credentials: WitnessCredentials | None, action: str, request=None
):
    """The witnessing user, authenticated now; raises WitnessRefused otherwise.

    The witness must be another active member of the actor's clinic whose role may perform
    `action` (e.g. ledger.witness_waste), proving it with their own password or API token.
    """
    if credentials is None or not (credentials.password or credentials.token):
        raise WitnessRefused("a second user must witness and sign with their password or token")
    username = (credentials.username or "").strip()
    if username and username == actor.username:
        raise WitnessRefused("a witness cannot be the actor")
    if credentials.token:
        user = user_for_token(credentials.token)
        if user is None or (username and user.username != username):
            raise WitnessRefused("the witness's token is not valid")
    else:
        if not username:
            raise WitnessRefused("the witness's username is required with a password")
        user = authenticate(
            _request_for_lockout(request), username=username, password=credentials.password
        )
        if user is None:
            raise WitnessRefused("the witness's username or password is not correct")
    if user.pk == actor.pk:
        raise WitnessRefused("a witness cannot be the actor")
    if not credentials.token and user.clinic_id != actor.clinic_id and user.is_active:
        # A member from another location witnesses with the role they hold here (with their
        # password: a token is bound to the one clinic it was created for).
        membership = active_membership(user, actor.clinic_id)
        if membership is None:
            raise WitnessRefused("the witness's username or password is not correct")
        act_at(user, membership)
    if user.clinic_id != actor.clinic_id or not user.is_active:
        raise WitnessRefused("the witness's username or password is not correct")
    if not can(user, action):
        description = get(action).description.lower()
        raise WitnessRefused(f"{user.username}'s role may not {description}")
    return user
