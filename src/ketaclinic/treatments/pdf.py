"""The REMS Patient Monitoring Form as a document: one template for the print page and the PDF."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from ketaclinic.core.formats import document_value
from ketaclinic.core.pdf import html_to_pdf

TEMPLATE = "treatments/rems_form_document.html"
# Fields whose value is an identifier: printed whole on one line, never split.
IDENTIFIER_FIELDS = frozenset({"lot_number", "monitoring_provider_telephone"})


def rems_context(session, form: dict) -> dict:
    """What the document prints: every field of the form, times in the clinic's time zone."""
    tz = session.patient.clinic.tz
    sections = []
    for section in form["sections"]:
        fields = []
        for item in section["fields"]:
            fields.append(
                {
                    "label": item["label"],
                    "value": document_value(item["value"], tz),
                    "identifier": item["key"] in IDENTIFIER_FIELDS,
                }
            )
        sections.append({"title": section["title"], "fields": fields})
    submitted = form.get("submitted_at")
    return {
        "session_id": str(session.id),
        "source": form["source"],
        "deadline": document_value(form.get("deadline"), tz) or "-",
        "status": f"Submitted {document_value(submitted, tz)}" if submitted else "Not submitted",
        "confirmation": form.get("confirmation") or "",
        "sections": sections,
        "problems": form["problems"],
        "missing": form["missing_labels"],
    }


def rems_html(session, form: dict, *, for_pdf: bool, request=None) -> str:
    """The form as one HTML document: the print page and the PDF's source."""
    context = {"form": rems_context(session, form), "for_pdf": for_pdf}
    if not for_pdf:
        context |= {
            "back_url": reverse("treatments:session", args=[session.id]),
            "back_label": "Back to the session",
            "pdf_url": reverse("treatments:rems_pdf", args=[session.id]),
        }
    return render_to_string(TEMPLATE, context, request=request)


def rems_pdf(session, form: dict) -> bytes:
    """The form as a PDF: every field, the deadline and what is still missing."""
    return html_to_pdf(rems_html(session, form, for_pdf=True))
