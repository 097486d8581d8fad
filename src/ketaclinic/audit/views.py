"""The audit log page: read-only, filterable, paginated."""

from django.shortcuts import render

from ketaclinic.core.pagination import paginate
from ketaclinic.core.views import clinic_view

from .forms import AuditFilterForm
from .queries import audit_events_for


@clinic_view
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events_for(
        request.user,
        patient_id=filters.get("patient"),
        action=filters.get("action") or None,
        actor_username=filters.get("actor") or None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = paginate(events, request.GET.get("page"), per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
