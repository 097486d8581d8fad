"""DEA record reports for any date range, as rows, CSV, a print page and PDF.

Dispensing log (21 CFR 1304.22(c)), receipts log, distributions to other registrants
(1304.22(a)(2)(vii)), initial/biennial inventory (1304.11), DEA Form 41 (destruction) and
Form 106 (theft or loss) data.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from ketaclinic.audit.services import record_event
from ketaclinic.core.errors import InvalidInput
from ketaclinic.core.formats import document_value, local_moment
from ketaclinic.core.pdf import html_to_pdf
from ketaclinic.core.permissions import require
from ketaclinic.inventory import definitions as d
from ketaclinic.inventory import rules
from ketaclinic.inventory.models import EntryType, LedgerEntry, LossFiling
from ketaclinic.inventory.queries import head_facts, unreconciled_sessions

THOUSANDTH = Decimal("0.001")
MANNER = {
    EntryType.ADMINISTRATION: "administered",
    EntryType.WASTE: "wasted",
    EntryType.DESTRUCTION: "destroyed",
    EntryType.LOSS: "lost or stolen",
    EntryType.DISTRIBUTION: "distributed",
}
MONEY = Decimal("0.01")

INVENTORY_FIELDS = (
    ("date", "Date"),
    ("inventory", "Inventory"),
    ("timing", "Opening or close of business"),
    ("substance", "Name of the substance"),
    ("finished_form", "Finished form and units per container"),
    ("ndc", "NDC"),
    ("lot", "Lot"),
    ("location", "Location"),
    ("counted", "Quantity counted"),
    ("unit", "Unit"),
    ("containers", "Containers"),
    ("estimated", "Estimated (opened container)"),
    ("counted_by", "Counted by"),
    ("entry_sequence", "Ledger entry"),
)
FORM_41_FIELDS = (
    ("date", "Date destroyed"),
    ("ndc", "NDC"),
    ("substance", "Name"),
    ("strength", "Strength"),
    ("finished_form", "Form"),
    ("lot", "Lot"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("containers", "Containers"),
    ("method", "Method of destruction"),
    ("reason", "Reason"),
    ("destroyed_by", "Destroyed by"),
    ("witness_1", "Witness 1"),
    ("witness_2", "Witness 2"),
    ("entry_sequence", "Ledger entry"),
)
FORM_106_FIELDS = (
    ("discovered_on", "Date discovered"),
    ("loss_type", "Type of loss"),
    ("ndc", "NDC"),
    ("substance", "Name"),
    ("finished_form", "Form and units per container"),
    ("lot", "Lot"),
    ("quantity", "Quantity"),
    ("unit", "Unit"),
    ("circumstances", "Circumstances"),
    ("police_report", "Police report"),
    ("thefts_losses_24_months", "Number of thefts or losses in the past 24 months"),
    ("purchase_value", "Purchase value to the registrant of the substances taken (USD)"),
    ("notice_due", "Notice due (1 business day)"),
    ("notice_sent", "Notice sent"),
    ("notice_state", "Notice"),
    ("form_106_due", "Form 106 due (45 days)"),
    ("form_106_filed", "Form 106 filed"),
    ("form_106_state", "Form 106"),
    ("recorded_by", "Recorded by"),
    ("entry_sequence", "Ledger entry"),
)
OPEN_SESSION_FIELDS = (
    ("session_date", "Session date"),
    ("patient", "Patient"),
    ("mrn", "MRN"),
    ("lot", "Lot"),
    ("unit", "Unit"),
    ("drawn", "Drawn"),
    ("administered", "Administered"),
    ("wasted", "Wasted"),
    ("returned", "Returned"),
    ("unaccounted", "Not accounted for"),
    ("deadline", "To be closed by"),
    ("entry_sequences", "Ledger entries"),
)


@dataclass
class Report:
    code: str
    title: str
    source: str
    columns: tuple[tuple[str, str], ...]
    rows: list[dict] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    clinic: object = None
    head: str = ""
    head_sequence: int = 0
    head_at: dt.datetime | None = None


REPORTS = {
    "dispensing": ("Dispensing log", d.DISPENSING_LOG_SOURCE, d.DISPENSING_LOG_FIELDS),
    "receipts": ("Receipts log", d.RECEIPTS_LOG_SOURCE, d.RECEIPTS_LOG_FIELDS),
    "inventory": ("Initial and biennial inventory", d.INVENTORY_SOURCE, INVENTORY_FIELDS),
    "distributions": (
        "Distributions to other registrants (returns to the supplier, reverse distributors)",
        d.DISTRIBUTION_SOURCE,
        d.DISTRIBUTIONS_LOG_FIELDS,
    ),
    "form41": (
        "DEA Form 41 data: controlled substances destroyed",
        "DEA Form 41 (OMB 1117-0007): NDC, name, strength, form, quantity, date and method of "
        "destruction, two authorized employee witnesses (21 CFR part 1317)",
        FORM_41_FIELDS,
    ),
    "open_sessions": (
        "Session drug records not closed by the end of the clinic day",
        "Complete and accurate records of each substance dispensed (21 CFR 1304.21(a), "
        "1304.22(c)); a difference that stays unexplained is reported as a theft or "
        "significant loss (21 CFR 1301.76(b))",
        OPEN_SESSION_FIELDS,
    ),
    "form106": (
        "DEA Form 106 data: theft or significant loss",
        "; ".join(
            (
                d.LOSS_NOTICE_BUSINESS_DAYS.source,
                d.FORM_106_FILING_DAYS.source,
                d.FORM_106_HISTORY_MONTHS.source,
                d.FORM_106_PURCHASE_VALUE_SOURCE,
            )
        ),
        FORM_106_FIELDS,
    ),
}


def _quantity(entry) -> str:
    return rules.canonical_decimal(entry.quantity)


def _local(entry, tz) -> dt.datetime:
    """When the entry was written, in the clinic's time (CSV and documents format it)."""
    return timezone.localtime(entry.occurred_at, tz)


def _day(value, fallback=""):
    """A date the user gave with the entry (ISO in its data), else the fallback."""
    if not value:
        return fallback
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


def _address(patient) -> str:
    if patient is None:
        return ""
    parts = [
        patient.address_line,
        patient.city,
        " ".join(p for p in (patient.region, patient.postal_code) if p),
    ]
    return ", ".join(p for p in parts if p)


def _product_cells(entry) -> dict:
    product = entry.lot.product
    return {
        "substance": product.name,
        "finished_form": product.container_label,
        "ndc": product.ndc,
        "lot": entry.lot.lot_number,
        "unit": entry.unit,
    }


def build_report(user, code: str, date_from: dt.date, date_to: dt.date) -> Report:
    """One report's rows for the clinic-local date range (inclusive)."""
    require(user, "ledger.report")
    if code not in REPORTS:
        raise InvalidInput("Unknown report.", fields={"report": "one of " + ", ".join(REPORTS)})
    if date_to < date_from:
        raise InvalidInput("The range ends before it starts.", fields={"to": "before from"})
    title, source, columns = REPORTS[code]
    clinic = user.clinic
    tz = clinic.tz
    start = dt.datetime.combine(date_from, dt.time.min, tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tz)
    base = (
        LedgerEntry.objects.visible_to(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .select_related("lot__product", "patient", "location")
        .order_by("sequence")
    )
    sequence, head_hash, head_at = head_facts(clinic.pk)
    report = Report(
        code, title, source, columns, [], date_from, date_to, clinic, head_hash, sequence, head_at
    )
    builder = {
        "dispensing": _dispensing,
        "receipts": _receipts,
        "distributions": _distributions,
        "inventory": _inventory,
        "form41": _form41,
        "form106": _form106,
        "open_sessions": None,
    }[code]
    report.rows = _open_sessions(user, start, end) if code == "open_sessions" else builder(base, tz)
    return report


def _recipient_cells(entry) -> dict:
    if entry.entry_type != EntryType.DISTRIBUTION:
        return {}
    return {
        "recipient_name": entry.data.get("recipient_name", ""),
        "recipient_address": entry.data.get("recipient_address", ""),
        "recipient_dea": entry.data.get("recipient_dea", ""),
    }


def _distribution_kind(entry) -> str:
    kind = entry.data.get("kind", "")
    try:
        return d.DISTRIBUTION_KIND_LABELS[d.DistributionKind(kind)]
    except ValueError:
        return kind


def _dispensing(base, tz) -> list[dict]:
    rows = []
    for e in base.filter(entry_type__in=list(MANNER)):
        manner = MANNER[e.entry_type]
        if e.entry_type in (EntryType.WASTE, EntryType.DESTRUCTION):
            manner = f"{manner}: {e.data.get('method', '')}"
        elif e.entry_type == EntryType.LOSS:
            manner = f"{manner}: {e.data.get('loss_type', '')}"
        elif e.entry_type == EntryType.DISTRIBUTION:
            manner = f"{manner}: {_distribution_kind(e).lower()}"
        rows.append(
            {
                "date": _local(e, tz),
                **_product_cells(e),
                "entry_type": e.get_entry_type_display(),
                "quantity": _quantity(e),
                "patient_name": e.patient.full_name if e.patient else "",
                "patient_address": _address(e.patient),
                "administered_by": e.actor_name,
                "manner": manner,
                "witnesses": "; ".join(n for n in (e.witness_name, e.second_witness_name) if n),
                **_recipient_cells(e),
                "entry_sequence": e.sequence,
            }
        )
    return rows


def _receipts(base, tz) -> list[dict]:
    return [
        {
            "date": _day(e.data.get("received_on"), _local(e, tz)),
            **_product_cells(e),
            "containers": e.data.get("containers", ""),
            "quantity": _quantity(e),
            "supplier_name": e.data.get("supplier_name", ""),
            "supplier_address": e.data.get("supplier_address", ""),
            "supplier_dea": e.data.get("supplier_dea", ""),
            "invoice": e.data.get("invoice", ""),
            "received_by": e.actor_name,
            "entry_sequence": e.sequence,
        }
        for e in base.filter(entry_type=EntryType.RECEIPT)
    ]


def _distributions(base, tz) -> list[dict]:
    return [
        {
            "date": _day(e.data.get("distributed_on"), _local(e, tz)),
            "kind": _distribution_kind(e),
            **_product_cells(e),
            "containers": e.data.get("containers", ""),
            "quantity": _quantity(e),
            **_recipient_cells(e),
            "reference": e.data.get("reference", ""),
            "distributed_by": e.actor_name,
            "entry_sequence": e.sequence,
        }
        for e in base.filter(entry_type=EntryType.DISTRIBUTION)
    ]


def _inventory(base, tz) -> list[dict]:
    rows = []
    counts = base.filter(entry_type=EntryType.COUNT, data__kind__in=["initial", "biennial"])
    for e in counts:
        per = e.lot.product.quantity_per_container
        rows.append(
            {
                "date": _local(e, tz),
                "inventory": e.data.get("kind", ""),
                "timing": {"opening": "opening of business", "close": "close of business"}.get(
                    e.data.get("timing", ""), ""
                ),
                **_product_cells(e),
                "location": e.location.name if e.location else "",
                "counted": _quantity(e),
                "containers": rules.canonical_decimal((e.quantity / per).quantize(THOUSANDTH)),
                "estimated": "yes" if e.data.get("estimated") else "no",
                "counted_by": e.actor_name,
                "entry_sequence": e.sequence,
            }
        )
    return rows


def _form41(base, tz) -> list[dict]:
    rows = []
    for e in base.filter(entry_type=EntryType.DESTRUCTION):
        form = e.data.get("form_41", {})
        rows.append(
            {
                "date": _day(form.get("destroyed_on"), _local(e, tz)),
                **_product_cells(e),
                "strength": form.get("strength", ""),
                "quantity": _quantity(e),
                "containers": form.get("containers", ""),
                "method": e.data.get("method", ""),
                "reason": e.reason,
                "destroyed_by": e.actor_name,
                "witness_1": e.witness_name,
                "witness_2": e.second_witness_name,
                "entry_sequence": e.sequence,
            }
        )
    return rows


def _form106(base, tz) -> list[dict]:
    losses = list(base.filter(entry_type=EntryType.LOSS))
    filings = {
        (f.loss_id, f.kind): f for f in LossFiling.objects.filter(loss__in=[e.pk for e in losses])
    }
    today = timezone.localdate(timezone.now(), tz)
    history = _loss_history(losses)
    rows = []
    for e in losses:
        notice = filings.get((e.pk, "notice"))
        form = filings.get((e.pk, "form_106"))
        discovered = dt.date.fromisoformat(e.data["discovered_on"])
        notice_due = dt.date.fromisoformat(e.data["notice_due"])
        form_due = dt.date.fromisoformat(e.data["form_106_due"])
        rows.append(
            {
                "discovered_on": discovered,
                "loss_type": e.data.get("loss_type", ""),
                **_product_cells(e),
                "quantity": _quantity(e),
                "circumstances": e.reason,
                "police_report": e.data.get("police_report", ""),
                "thefts_losses_24_months": rules.thefts_and_losses_before(
                    (discovered, e.sequence), history
                ),
                "purchase_value": _purchase_value(e, form),
                "notice_due": notice_due,
                "notice_sent": notice.filed_on if notice else "",
                "notice_state": rules.deadline_state(
                    notice_due, today, notice.filed_on if notice else None
                ),
                "form_106_due": form_due,
                "form_106_filed": form.filed_on if form else "",
                "form_106_state": rules.deadline_state(
                    form_due, today, form.filed_on if form else None
                ),
                "recorded_by": e.actor_name,
                "entry_sequence": e.sequence,
            }
        )
    return rows


def _loss_history(losses) -> list[tuple[dt.date, int]]:
    """Every theft or loss of the clinic (not only those in the report's period), by the
    clinic-local date it was discovered, for Form 106's "in the past 24 months"."""
    if not losses:
        return []
    rows = LedgerEntry.objects.filter(
        clinic_id=losses[0].clinic_id, entry_type=EntryType.LOSS
    ).values_list("data", "sequence")
    return [(dt.date.fromisoformat(data["discovered_on"]), sequence) for data, sequence in rows]


def _purchase_value(entry, form_106) -> str:
    """The value on the Form 106 filing if given there, else the one given with the loss."""
    value = form_106.purchase_value if form_106 is not None else None
    if value is None and entry.data.get("purchase_value") is not None:
        value = Decimal(entry.data["purchase_value"])
    return "not entered" if value is None else str(value.quantize(MONEY))


def audit_export(user, report: Report, fmt: str) -> None:
    record_event(
        actor=user,
        action="ledger.report_exported",
        clinic=user.clinic,
        changes={
            "report": report.code,
            "from": report.date_from.isoformat(),
            "to": report.date_to.isoformat(),
            "format": fmt,
            "rows": len(report.rows),
        },
    )


def head_when(report: Report) -> str:
    """When the chain head's entry was written, in clinic time."""
    return local_moment(report.head_at, report.clinic.tz) if report.head_at else "no entry yet"


def filename(report: Report, ext: str) -> str:
    return f"{report.clinic.slug}-{report.code}-{report.date_from}-{report.date_to}.{ext}"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _key, label in report.columns])
    for row in report.rows:
        writer.writerow([_csv_safe(row.get(key, "")) for key, _label in report.columns])
    return out.getvalue()


def _csv_safe(value) -> str:
    # A cell starting with = + - @ is a formula in spreadsheet programs (CSV injection).
    text = _csv_text(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _csv_text(value) -> str:
    """Spreadsheet-friendly text: moments as 'YYYY-MM-DD HH:MM' clinic time, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# Cells printed whole on one line: identifiers and numbers (never split, never hyphenated).
IDENTIFIER_KEYS = frozenset(
    {
        "ndc",
        "lot",
        "mrn",
        "recipient_dea",
        "supplier_dea",
        "invoice",
        "reference",
        "police_report",
        "entry_sequence",
        "quantity",
        "counted",
        "containers",
        "drawn",
        "administered",
        "wasted",
        "returned",
        "unaccounted",
        "purchase_value",
        "thefts_losses_24_months",
    }
)
DOCUMENT_TEMPLATE = "inventory/report_document.html"


def _cell(key: str, value, tz) -> dict:
    """One cell of the document: its text, and the pieces that must stay on one line."""
    text = document_value(value, tz)
    if isinstance(value, dt.datetime):
        # "2 Mar 2026, 14:05 EST": the date and the time may go on two lines, each stays whole.
        day, _, time = text.partition(", ")
        return {"parts": [day + ",", time], "identifier": False}
    if isinstance(value, dt.date) or key in IDENTIFIER_KEYS:
        return {"parts": [text], "identifier": True}
    return {"parts": [text], "identifier": False}


def document_context(report: Report) -> dict:
    """What the print page and the PDF show: registrant, period, cells and the ledger head."""
    clinic = report.clinic
    tz = clinic.tz
    return {
        "report": report,
        "code": report.code,
        "clinic": clinic,
        "dea_registration": clinic.dea_registration_number or "not recorded",
        "address": clinic.address or "not recorded",
        "period_from": document_value(report.date_from, tz),
        "period_to": document_value(report.date_to, tz),
        "generated": local_moment(timezone.now(), tz),
        "rows": [
            [_cell(key, row.get(key, ""), tz) for key, _label in report.columns]
            for row in report.rows
        ],
        "head_when": head_when(report),
    }


def to_html(report: Report, *, for_pdf: bool, request=None, **links) -> str:
    """The report as one HTML document: the print page and the PDF's source."""
    context = document_context(report) | {"for_pdf": for_pdf} | ({} if for_pdf else links)
    return render_to_string(DOCUMENT_TEMPLATE, context, request=request)


def to_pdf(report: Report) -> bytes:
    """A landscape PDF: registrant header, the table, the source and the ledger head."""
    return html_to_pdf(to_html(report, for_pdf=True))


def _open_sessions(user, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Sessions of the period whose drug record was still open at the end of their day."""
    tz = user.clinic.tz
    found = [
        row
        for row in unreconciled_sessions(user, now=timezone.now())
        if start <= row.deadline - dt.timedelta(days=1) < end
    ]
    ids = [i for row in found for i in row.entry_ids]
    sequences = dict(
        LedgerEntry.objects.visible_to(user).filter(id__in=ids).values_list("id", "sequence")
    )
    rows = []
    for row in found:
        for line in row.record.lines:
            b = line.balance
            rows.append(
                {
                    "session_date": row.session.scheduled_date,
                    "patient": row.session.patient_name,
                    "mrn": row.session.patient_mrn,
                    "lot": line.lot.lot_number,
                    "unit": line.unit,
                    "drawn": rules.canonical_decimal(b.drawn),
                    "administered": rules.canonical_decimal(b.administered),
                    "wasted": rules.canonical_decimal(b.wasted),
                    "returned": rules.canonical_decimal(b.returned),
                    "unaccounted": rules.canonical_decimal(b.in_hand),
                    "deadline": timezone.localtime(row.deadline, tz),
                    "entry_sequences": " ".join(
                        str(sequences[i]) for i in row.entry_ids if i in sequences
                    ),
                }
            )
    return rows
