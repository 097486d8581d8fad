"""Audit log API: read-only, filterable; there is no write, edit or delete endpoint."""

from datetime import date, datetime
from uuid import UUID

from ninja import Query, Router, Schema
from pydantic import Field

from ketaclinic.core.pagination import MAX_PAGE, paginate

from .queries import audit_events_for

router = Router(tags=["audit"])


class AuditFilter(Schema):
    patient: UUID | None = None
    action: str | None = Field(None, max_length=80)
    actor: str | None = Field(None, max_length=150)
    since: date | None = Field(None, alias="from")
    until: date | None = Field(None, alias="to")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    patient_id: UUID | None
    via: str
    ip_address: str | None
    changes: dict

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label


class AuditPage(Schema):
    items: list[AuditEventOut]
    count: int
    page: int
    pages: int


@router.get("/audit-events", response=AuditPage)
def list_audit_events(request, filters: Query[AuditFilter]):
    events = audit_events_for(
        request.auth,
        patient_id=filters.patient,
        action=filters.action,
        actor_username=filters.actor,
        since=filters.since,
        until=filters.until,
    )
    page = paginate(events, filters.page, per_page=50)
    return {"items": page.items, "count": page.count, "page": page.page, "pages": page.pages}
