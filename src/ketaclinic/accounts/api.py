"""Accounts API: who am I, API tokens (own; a clinic admin sees all of the clinic's), staff
administration and the clinic's sign-in policy (clinic administrators)."""

from uuid import UUID

from ninja import Router, Status

from . import queries, services, signin
from .schemas import (
    MembershipIn,
    MembershipOut,
    MeOut,
    PasswordResetIn,
    RoleIn,
    SecurityPolicyIn,
    SecurityPolicyOut,
    StaffCreateIn,
    StaffOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
)

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut)
def me(request):
    user = request.auth
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "clinic": user.clinic.name,
    }


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    return list(queries.tokens_visible_to(request.auth))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request, payload: TokenCreateIn):
    """Create a token for yourself. Needs a signed-in browser session (not a token) that passed
    two-factor authentication within the last 15 minutes, if you have it."""
    by_token = getattr(request, "api_token", None) is not None
    token, plaintext = services.create_api_token(
        actor=request.auth,
        user=request.auth,
        name=payload.name,
        days=payload.days,
        read_only=payload.read_only,
        mfa_verified_at=None if by_token else signin.verified_at(request),
        by_token=by_token,
    )
    token.token = plaintext
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: UUID):
    return services.revoke_api_token(actor=request.auth, token_id=token_id)


@router.get("/staff", response=list[StaffOut])
def list_staff(request):
    return list(queries.staff_of_clinic(request.auth))


@router.post("/staff", response={201: StaffOut})
def add_staff(request, payload: StaffCreateIn):
    member = services.add_staff_member(actor=request.auth, clinic=None, **payload.dict())
    return Status(201, queries.access_staff_member(request.auth, member.pk))


def _staff_after(request, user_id, service, **values):
    """Act on a member of staff, then answer with the member as they now are."""
    service(actor=request.auth, user_id=user_id, **values)
    return queries.access_staff_member(request.auth, user_id)


@router.get("/staff/{user_id}", response=StaffOut)
def get_staff(request, user_id: UUID):
    return queries.access_staff_member(request.auth, user_id)


@router.post("/staff/{user_id}/role", response=StaffOut)
def change_role(request, user_id: UUID, payload: RoleIn):
    return _staff_after(request, user_id, services.change_role, role=payload.role)


@router.post("/staff/{user_id}/deactivate", response=StaffOut)
def deactivate_staff(request, user_id: UUID):
    """Deactivate: the member's open sessions end and their tokens are revoked, at once."""
    return _staff_after(request, user_id, services.deactivate_staff_member)


@router.post("/staff/{user_id}/reactivate", response=StaffOut)
def reactivate_staff(request, user_id: UUID):
    return _staff_after(request, user_id, services.reactivate_staff_member)


@router.post("/staff/{user_id}/password", response=StaffOut)
def reset_password(request, user_id: UUID, payload: PasswordResetIn):
    """Set a temporary password; the member chooses their own at the next sign-in."""
    return _staff_after(request, user_id, services.reset_password, password=payload.password)


@router.post("/staff/{user_id}/mfa-reset", response=StaffOut)
def reset_mfa(request, user_id: UUID):
    """Remove the member's authenticator and recovery codes; they enroll again."""
    return _staff_after(request, user_id, services.reset_mfa)


@router.get("/security-policy", response=SecurityPolicyOut)
def get_security_policy(request):
    return queries.clinic_security_policy(request.auth)


@router.put("/security-policy", response=SecurityPolicyOut)
def set_security_policy(request, payload: SecurityPolicyIn):
    return services.set_security_policy(
        actor=request.auth, clinic=None, mfa_required_for_all=payload.mfa_required_for_all
    )


@router.post("/network/memberships", response={201: MembershipOut})
def grant_membership(request, payload: MembershipIn):
    """Give a member of staff a role at another location of the organization (network
    administrators)."""
    actor = request.auth
    member = queries.organization_member(actor, payload.username)
    clinic = queries.organization_clinic(actor, payload.clinic)
    membership = services.grant_membership(
        actor=actor, user=member, clinic=clinic, role=payload.role
    )
    return Status(201, membership)
