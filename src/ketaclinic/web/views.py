"""Home page: today's work of the signed-in user, by section; and the navigation's counts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketaclinic.core.ui import nav_counts, nav_items_for, work_groups_for


@login_required
def home(request):
    groups = work_groups_for(request.user) if request.user.clinic_id else []
    return render(request, "web/home.html", {"work_groups": groups})


@login_required
@require_GET
def work_counts(request):
    """The number waiting behind each navigation link, swapped into the header after the page
    has loaded (so that no page pays for the work queue's reads)."""
    groups = work_groups_for(request.user) if request.user.clinic_id else []
    counts = nav_counts(groups)
    shown = [(item, counts.get(item.url_name, 0)) for item in nav_items_for(request.user)]
    response = render(request, "web/_nav_counts.html", {"shown": shown})
    response["Cache-Control"] = "no-store"
    return response
