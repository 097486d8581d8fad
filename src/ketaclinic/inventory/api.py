"""Ledger API: entries, balances, verification, one POST per movement, reports and signals."""

from datetime import date, timedelta
from uuid import UUID

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.pagination import MAX_PAGE, paginate
from ketaclinic.core.permissions import require
from ketaclinic.core.schemas import WorkingDate
from ketaclinic.inventory import diversion, queries, reports, rules, services
from ketaclinic.inventory.schemas import (
    AdministrationIn,
    BalanceOut,
    ClosureOut,
    CountIn,
    CountOut,
    DestructionIn,
    DistributionIn,
    DiversionOut,
    DrawIn,
    EntryOut,
    EntryPage,
    FilingIn,
    FilingOut,
    LocationIn,
    LocationOut,
    LossIn,
    LotOut,
    ProductIn,
    ProductOut,
    ReceiptIn,
    ResolutionIn,
    ReturnIn,
    SessionRecordOut,
    TransferIn,
    VerifyOut,
    WasteIn,
    WitnessIn,
)
from ketaclinic.inventory.witness import WitnessCredentials

router = Router(tags=["ledger"])


def _witness(value: WitnessIn | None) -> WitnessCredentials | None:
    if value is None:
        return None
    return WitnessCredentials(username=value.username, password=value.password, token=value.token)


class EntryFilter(Schema):
    lot: UUID | None = None
    session: UUID | None = None
    type: str | None = Field(None, max_length=20)
    since: WorkingDate | None = Field(None, alias="from")
    until: WorkingDate | None = Field(None, alias="to")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class RangeFilter(Schema):
    since: WorkingDate | None = Field(None, alias="from")
    until: WorkingDate | None = Field(None, alias="to")


class VerifyFilter(Schema):
    head: str | None = Field(None, min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")
    full: bool = False


def _range(user, filters: RangeFilter, default_days: int = 30) -> tuple[date, date]:
    today = timezone.localdate(timezone.now(), user.clinic.tz)
    until = filters.until or today
    since = filters.since or until - timedelta(days=default_days - 1)
    if until < since:
        raise InvalidInput("The range ends before it starts.", fields={"to": "before from"})
    return since, until


# --- reads -----------------------------------------------------------------------------------


@router.get("/ledger/entries", response=EntryPage)
def list_entries(request, filters: Query[EntryFilter]):
    rows = queries.entries(
        request.auth,
        lot=filters.lot,
        session=filters.session,
        entry_type=filters.type,
        date_from=filters.since,
        date_to=filters.until,
    )
    page = paginate(rows, filters.page, per_page=100)
    return {"items": page.items, "count": page.count, "page": page.page, "pages": page.pages}


@router.get("/ledger/balances", response=list[BalanceOut])
def list_balances(request):
    return [
        {
            "lot_id": row.lot.pk,
            "lot_number": row.lot.lot_number,
            "expires_on": row.lot.expires_on,
            "product_id": row.product.pk,
            "product": row.product.name,
            "ndc": row.product.ndc,
            "location_id": row.location.pk,
            "location": row.location.name,
            "quantity": row.quantity,
            "unit": row.unit,
            "volume_ml": rules.ml_from_mg(row.quantity, row.product.concentration)
            if row.unit == "mg"
            else None,
        }
        for row in queries.balances(request.auth)
    ]


@router.get("/ledger/verify", response=VerifyOut)
def verify(request, filters: Query[VerifyFilter]):
    verdict = queries.verify_ledger(request.auth, saved_head=filters.head, full=filters.full)
    body = {
        "valid": verdict.valid,
        "entries": verdict.entries,
        "head": verdict.head,
        "mode": verdict.mode,
        "from_sequence": verdict.from_sequence,
        "audit_events_checked": verdict.audit_events_checked,
        "audit_events_without_entry": len(verdict.missing_entries),
    }
    if verdict.checkpoint is not None:
        check = verdict.checkpoint
        body["checkpoint"] = {
            "id": check.id,
            "taken_at": check.taken_at,
            "sequence": check.sequence,
            "hash": check.hash,
            "valid": check.valid,
            "reason": check.reason,
        }
    if verdict.first_bad is not None:
        bad = verdict.first_bad
        body["first_bad_entry"] = {
            "sequence": bad.sequence,
            "id": bad.entry_id,
            "kind": str(bad.kind),
            "reason": bad.reason,
        }
    return body


@router.get("/ledger/products", response=list[ProductOut])
def list_products(request):
    return list(queries.products(request.auth))


@router.post("/ledger/products", response={201: ProductOut})
def create_product(request, payload: ProductIn):
    return Status(201, services.create_product(actor=request.auth, **payload.dict()))


@router.get("/ledger/locations", response=list[LocationOut])
def list_locations(request):
    return list(queries.locations(request.auth))


@router.post("/ledger/locations", response={201: LocationOut})
def create_location(request, payload: LocationIn):
    return Status(201, services.create_location(actor=request.auth, **payload.dict()))


@router.get("/ledger/lots", response=list[LotOut])
def list_lots(request):
    return list(queries.lots(request.auth))


@router.get("/ledger/discrepancies", response=list[EntryOut])
def list_open_discrepancies(request):
    return list(queries.open_discrepancies(request.auth))


@router.get("/ledger/sessions/{session_id}", response=SessionRecordOut)
def session_record(request, session_id: UUID):
    session = queries.access_session(request.auth, session_id)
    record = queries.session_drug_balance(session)
    return {
        "session_id": session.pk,
        "balanced": record.balanced,
        "closed": record.closed,
        "closed_at": record.closure.closed_at if record.closure else None,
        "lines": [
            {
                "lot_id": line.lot.pk,
                "lot_number": line.lot.lot_number,
                "unit": line.unit,
                "drawn": line.balance.drawn,
                "administered": line.balance.administered,
                "wasted": line.balance.wasted,
                "returned": line.balance.returned,
                "in_hand": line.balance.in_hand,
                "balanced": line.balance.balanced,
            }
            for line in record.lines
        ],
    }


@router.get("/ledger/diversion", response=DiversionOut)
def diversion_signals(request, filters: Query[RangeFilter]):
    require(request.auth, "ledger.diversion")
    since, until = _range(request.auth, filters)
    report = diversion.diversion_report(request.auth, date_from=since, date_to=until)
    return {
        "date_from": report.date_from,
        "date_to": report.date_to,
        "threshold": report.threshold,
        "signals": [s.__dict__ for s in report.signals],
    }


class ReportFilter(RangeFilter):
    format: str = Field("csv", pattern="^(csv|pdf)$")


@router.get("/ledger/reports/{report}")
def export_report(request, report: str, filters: Query[ReportFilter]):
    require(request.auth, "ledger.report")
    since, until = _range(request.auth, filters, default_days=365)
    built = reports.build_report(request.auth, report, since, until)
    reports.audit_export(request.auth, built, filters.format)
    if filters.format == "pdf":
        response = HttpResponse(reports.to_pdf(built), content_type="application/pdf")
    else:
        response = HttpResponse(reports.to_csv(built), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{reports.filename(built, filters.format)}"'
    )
    return response


# --- movements -------------------------------------------------------------------------------


def _post_movement(path, name, payload_type, service, response=EntryOut, extras=None, answer=None):
    """Publish POST `path` as operation `name` for one ledger movement: the payload's fields go
    to `services.<service>` (`lot_id` as `lot`, ...), with `extras(request, payload)` for those
    that need converting; 201 with what the service returns (through `answer` when given)."""

    def endpoint(request, payload):
        data = {field.removesuffix("_id"): value for field, value in payload.dict().items()}
        if extras is not None:
            data |= extras(request, payload)
        result = getattr(services, service)(actor=request.auth, **data)
        return Status(201, result if answer is None else answer(result))

    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__annotations__ = {"payload": payload_type}
    router.post(path, response={201: response})(endpoint)


def _waste_extras(request, payload: WasteIn) -> dict:
    return {"witness": _witness(payload.witness), "request": request}


def _destruction_extras(request, payload: DestructionIn) -> dict:
    return {"witnesses": [_witness(w) for w in payload.witnesses], "request": request}


def _count_answer(outcome) -> dict:
    return {"count": outcome.count, "discrepancy": outcome.discrepancy}


for _path, _name, _payload_type, _service, *_options in (
    ("/ledger/receipts", "post_receipt", ReceiptIn, "receive_stock"),
    ("/ledger/draws", "post_draw", DrawIn, "draw_for_session"),
    ("/ledger/administrations", "post_administration", AdministrationIn, "administer"),
    ("/ledger/wastes", "post_waste", WasteIn, "record_waste", EntryOut, _waste_extras),
    ("/ledger/returns", "post_return", ReturnIn, "return_to_stock"),
    ("/ledger/transfers", "post_transfer", TransferIn, "transfer_stock"),
    ("/ledger/counts", "post_count", CountIn, "count_stock", CountOut, None, _count_answer),
    (
        "/ledger/destructions",
        "post_destruction",
        DestructionIn,
        "destroy_stock",
        EntryOut,
        _destruction_extras,
    ),
    ("/ledger/losses", "post_loss", LossIn, "record_loss"),
    ("/ledger/distributions", "post_distribution", DistributionIn, "distribute_stock"),
):
    _post_movement(_path, _name, _payload_type, _service, *_options)


@router.post("/ledger/losses/{loss_id}/filings", response={201: FilingOut})
def post_loss_filing(request, loss_id: UUID, payload: FilingIn):
    filing = services.record_loss_filing(actor=request.auth, loss=loss_id, **payload.dict())
    return Status(201, filing)


@router.post("/ledger/discrepancies/{entry_id}/resolution", response={201: EntryOut})
def post_resolution(request, entry_id: UUID, payload: ResolutionIn):
    entry = services.resolve_discrepancy(
        actor=request.auth, discrepancy=entry_id, reason=payload.reason
    )
    return Status(201, entry)


@router.post("/ledger/sessions/{session_id}/close", response={201: ClosureOut})
def post_close_session(request, session_id: UUID):
    return Status(201, services.close_session_drug_record(actor=request.auth, session=session_id))
