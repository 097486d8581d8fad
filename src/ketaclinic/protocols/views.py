"""Protocol pages: the clinic's protocols with every value and source."""

from django.shortcuts import render

from ketaclinic.core.views import clinic_view
from ketaclinic.protocols import queries
from ketaclinic.protocols.editing import to_data
from ketaclinic.protocols.rules import max_dose_note


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
            "data": to_data(row.definition),
            "max_dose_note": max_dose_note(row.definition),
        },
    )
