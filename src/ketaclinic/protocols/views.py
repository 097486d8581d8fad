"""Protocol pages: the clinic's protocols with every value and source."""

from django.shortcuts import render

from ketaclinic.core.views import clinic_view
from ketaclinic.protocols import queries
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import max_dose_note
from ketaclinic.protocols.shapes import DOSE_FIELD_LABELS, WORDS, in_words


def _dose_facts(dose: dict) -> list[tuple[str, object]]:
    """The dose rule's set fields as (label, value) in the prescriber's words."""
    facts = []
    for key, value in dose.items():
        if value is None or value == "" or not value:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and value in WORDS:
            value = in_words(value)
        facts.append((DOSE_FIELD_LABELS.get(key, in_words(key)), value))
    return facts


@clinic_view
def protocol_list(request):
    return render(request, "protocols/list.html", {"rows": queries.protocols_for(request.user)})


@clinic_view
def protocol_detail(request, code):
    row = queries.access_protocol(request.user, code)
    return render(
        request,
        "protocols/detail.html",
        {
            "row": row,
            "d": row.definition,
            "dose_facts": _dose_facts(to_data(row.definition)["dose"]),
            "consent": in_words(row.definition.consent_type),
            "observed_from": in_words(row.definition.observation.measured_from),
            "max_dose_note": max_dose_note(row.definition),
        },
    )
