"""The Good Faith Estimate and the superbill as printable PDFs (fpdf2, core fonts only)."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _text(value) -> str:
    # Core PDF fonts are Latin-1: replace anything else rather than fail on a name.
    return str(value if value is not None else "").encode("latin-1", "replace").decode("latin-1")


def _dollars(value) -> str:
    return f"${Decimal(str(value)):,.2f}"


class _Doc(FPDF):
    def __init__(self, title: str):
        super().__init__(format="Letter")
        self.doc_title = title
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_author("ketaclinic")
        self.alias_nb_pages()
        self.add_page()

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 7)
        self.cell(0, 5, _text(f"{self.doc_title} - page {self.page_no()} of {{nb}}"), align="C")

    def heading(self, text: str, size: int = 15):
        self.set_font("Helvetica", "B", size)
        self.cell(0, 9, _text(text), **NEXT)

    def section(self, text: str):
        self.ln(1)
        self.set_font("Helvetica", "B", 10)
        self.set_fill_color(230, 236, 242)
        self.cell(0, 6, _text(text), fill=True, **NEXT)

    def pairs(self, rows: list[tuple[str, str]]):
        for label, value in rows:
            self.set_font("Helvetica", "", 9)
            self.cell(45, 5, _text(label))
            self.set_font("Helvetica", "B", 9)
            self.multi_cell(0, 5, _text(value or "-"), **NEXT)

    def table(self, header: list[str], widths: list[int], rows: list[list[str]], aligns: str):
        self.set_font("Helvetica", "B", 8)
        for text, width in zip(header, widths, strict=True):
            self.cell(width, 6, _text(text), border="B")
        self.ln()
        self.set_font("Helvetica", "", 8)
        for row in rows:
            for text, width, align in zip(row, widths, aligns, strict=True):
                self.cell(width, 5.5, _text(text), align=align)
            self.ln()

    def paragraph(self, text: str, size: int = 8):
        self.set_font("Helvetica", "", size)
        self.multi_cell(0, 4, _text(text), **NEXT)


def _clinic_rows(clinic: dict) -> list[tuple[str, str]]:
    return [
        ("Clinic", clinic["name"]),
        ("Address", clinic["address"].replace("\n", ", ")),
        ("Phone", clinic["phone"]),
        ("Billing NPI", clinic["billing_npi"]),
        ("Tax ID (EIN)", clinic["tax_id"]),
    ]


def _patient_rows(patient: dict) -> list[tuple[str, str]]:
    return [
        ("Patient", patient["name"]),
        ("Date of birth", patient["date_of_birth"]),
        ("MRN", patient["mrn"]),
        ("Address", patient["address"]),
    ]


def _diagnosis_rows(diagnosis: dict | None) -> list[tuple[str, str]]:
    if not diagnosis:
        return [("Diagnosis (ICD-10)", "not recorded")]
    return [("Diagnosis (ICD-10)", f"{diagnosis['code']} {diagnosis['description']}")]


def _provider_text(provider: dict) -> str:
    name = provider["name"] + (f", {provider['credentials']}" if provider["credentials"] else "")
    return f"{name} - NPI {provider['npi'] or 'not recorded'}"


def superbill_pdf(data: dict) -> bytes:
    """A superbill the patient can submit to an insurer."""
    doc = _Doc("Superbill")
    doc.heading("Superbill")
    doc.paragraph(
        f"Services from {data['period']['from']} to {data['period']['to']}. "
        "Itemized statement for submission to your insurer."
    )
    doc.section("Provider")
    doc.pairs(_clinic_rows(data["clinic"]))
    doc.pairs([("Place of service", data["clinic"]["place_of_service"])])
    for provider in data["providers"]:
        doc.pairs([("Rendering provider", _provider_text(provider))])
    doc.section("Patient")
    doc.pairs(_patient_rows(data["patient"]) + _diagnosis_rows(data["diagnosis"]))
    doc.section("Services")
    doc.table(
        ["Date", "POS", "Code", "Description", "Units", "Fee", "Discount", "Net"],
        [20, 10, 16, 70, 13, 20, 20, 20],
        [
            [
                line["date"],
                line["place_of_service"],
                line["code"] or "-",
                line["description"][:48],
                line["units"],
                _dollars(line["fee"]),
                _dollars(line["discount"]),
                _dollars(line["net"]),
            ]
            for line in data["lines"]
        ]
        or [["", "", "", "No services in this period.", "", "", "", ""]],
        "LLLLRRRR",
    )
    doc.section("Payments")
    doc.table(
        ["Date", "Method", "Reference", "Amount"],
        [25, 50, 60, 30],
        [
            [p["date"], p["method"], p["reference"] or "-", _dollars(p["amount"])]
            for p in data["payments"]
        ]
        or [["", "No payments in this period.", "", ""]],
        "LLLR",
    )
    totals = data["totals"]
    doc.section("Totals")
    doc.pairs(
        [
            ("Total fees", _dollars(totals["fees"])),
            ("Discounts", _dollars(totals["discounts"])),
            ("Net charges", _dollars(totals["net"])),
            ("Paid in this period", _dollars(totals["paid"])),
            ("Account balance today", _dollars(totals["account_balance"])),
        ]
    )
    doc.paragraph("Generated by ketaclinic from the clinic's billing records.", size=7)
    return bytes(doc.output())


def estimate_pdf(data: dict) -> bytes:
    """The Good Faith Estimate in the form self-pay patients are owed before services."""
    doc = _Doc("Good Faith Estimate")
    doc.heading("Good Faith Estimate")
    doc.paragraph(
        f"Estimate {data['id']} issued {data['issued_on']} by {data['issued_by']}. "
        f"({data['source']})"
    )
    doc.section("Patient")
    doc.pairs(_patient_rows(data["patient"]))
    doc.section("Provider and location")
    doc.pairs(_clinic_rows(data["clinic"]))
    if data["provider"]:
        doc.pairs([("Prescriber", _provider_text(data["provider"]))])
    doc.section("Primary service")
    service = data["service"]
    doc.pairs(
        [
            ("Treatment", service["protocol"]),
            ("Expected start", service["start_date"]),
            ("Expected sessions", str(service["sessions"])),
            *_diagnosis_rows(data["diagnosis"]),
        ]
    )
    doc.section("Itemized expected charges")
    doc.table(
        ["Phase", "Code", "Description", "Qty", "Unit price", "Total"],
        [28, 16, 76, 14, 24, 30],
        [
            [
                line["phase_name"],
                line["code"] or "-",
                line["description"][:52],
                line["quantity"],
                _dollars(line["unit_price"]),
                _dollars(line["total"]),
            ]
            for line in data["lines"]
        ],
        "LLLRRR",
    )
    doc.ln(1)
    doc.pairs(
        [
            ("Subtotal", _dollars(data["subtotal"])),
            ("Sliding-scale discount", _dollars(data["discount"])),
            ("Total estimated cost", _dollars(data["total"])),
        ]
    )
    if data["discount_rule"]:
        doc.paragraph("Discount rule: " + data["discount_rule"])
    for warning in data["warnings"]:
        doc.paragraph("Note: " + warning)
    doc.section("Disclaimer")
    for text in data["disclaimers"]:
        doc.paragraph(text)
        doc.ln(1)
    return bytes(doc.output())
