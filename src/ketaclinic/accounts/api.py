"""API tokens: list, create and revoke (own tokens; a clinic admin sees all of the clinic's)."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import Field

from . import services

router = Router(tags=["accounts"])


class TokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username


class TokenCreateIn(Schema):
    name: str = Field("", max_length=100)


class TokenCreatedOut(TokenOut):
    token: str


class MeOut(Schema):
    id: UUID
    username: str
    display_name: str
    role: str
    clinic: str


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
    return list(services.tokens_visible_to(request.auth))


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request, payload: TokenCreateIn):
    token, plaintext = services.create_api_token(
        actor=request.auth, user=request.auth, name=payload.name
    )
    token.token = plaintext
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: UUID):
    return services.revoke_api_token(actor=request.auth, token_id=token_id)
