"""The Good Faith Estimate and the superbill as documents: one template each serves the print
page and the PDF (rendered by core.pdf)."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string

from ketaclinic.core.pdf import html_to_pdf

SUPERBILL_TEMPLATE = "billing/superbill_document.html"
ESTIMATE_TEMPLATE = "billing/estimate_document.html"


def _dollars(value) -> str:
    return f"${Decimal(str(value)):,.2f}"


def _provider_text(provider: dict) -> dict:
    name = provider["name"] + (f", {provider['credentials']}" if provider["credentials"] else "")
    return {"name": name, "npi": provider["npi"] or "not recorded"}


def _clinic(clinic: dict) -> dict:
    return clinic | {"address": clinic["address"].replace("\n", ", ")}


def superbill_context(data: dict) -> dict:
    """The superbill's contents with amounts in dollars."""
    totals = data["totals"]
    return {
        "period": data["period"],
        "clinic": _clinic(data["clinic"]),
        "providers": [_provider_text(p) for p in data["providers"]],
        "patient": data["patient"],
        "diagnosis": data["diagnosis"],
        "lines": [
            line
            | {
                "fee": _dollars(line["fee"]),
                "discount": _dollars(line["discount"]),
                "net": _dollars(line["net"]),
            }
            for line in data["lines"]
        ],
        "payments": [p | {"amount": _dollars(p["amount"])} for p in data["payments"]],
        "totals": [
            ("Total fees", _dollars(totals["fees"])),
            ("Discounts", _dollars(totals["discounts"])),
            ("Net charges", _dollars(totals["net"])),
            ("Paid in this period", _dollars(totals["paid"])),
            ("Account balance today", _dollars(totals["account_balance"])),
        ],
    }


def estimate_context(data: dict) -> dict:
    """The Good Faith Estimate's contents with amounts in dollars."""
    return {
        "id": data["id"],
        "issued_on": data["issued_on"],
        "issued_by": data["issued_by"],
        "source": data["source"],
        "clinic": _clinic(data["clinic"]),
        "patient": data["patient"],
        "provider": _provider_text(data["provider"]) if data["provider"] else None,
        "service": data["service"],
        "diagnosis": data["diagnosis"],
        "lines": [
            line | {"unit_price": _dollars(line["unit_price"]), "total": _dollars(line["total"])}
            for line in data["lines"]
        ],
        "totals": [
            ("Subtotal", _dollars(data["subtotal"])),
            ("Sliding-scale discount", _dollars(data["discount"])),
            ("Total estimated cost", _dollars(data["total"])),
        ],
        "discount_rule": data["discount_rule"],
        "warnings": data["warnings"],
        "disclaimers": data["disclaimers"],
    }


def _render(template: str, document: dict, *, for_pdf: bool, request, links: dict) -> str:
    context = {"d": document, "for_pdf": for_pdf} | ({} if for_pdf else links)
    return render_to_string(template, context, request=request)


def superbill_html(data: dict, *, for_pdf: bool, request=None, **links) -> str:
    """The superbill as one HTML document; `links` are the print page's back and PDF links."""
    return _render(
        SUPERBILL_TEMPLATE, superbill_context(data), for_pdf=for_pdf, request=request, links=links
    )


def estimate_html(data: dict, *, for_pdf: bool, request=None, **links) -> str:
    """The Good Faith Estimate as one HTML document."""
    return _render(
        ESTIMATE_TEMPLATE, estimate_context(data), for_pdf=for_pdf, request=request, links=links
    )


def superbill_pdf(data: dict) -> bytes:
    """A superbill the patient can submit to an insurer."""
    return html_to_pdf(superbill_html(data, for_pdf=True))


def estimate_pdf(data: dict) -> bytes:
    """The Good Faith Estimate in the form self-pay patients are owed before services."""
    return html_to_pdf(estimate_html(data, for_pdf=True))
