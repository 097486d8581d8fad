"""Home page: what the signed-in user can do today, and what waits for them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ketaclinic.core.ui import work_items_for


@login_required
def home(request):
    items = work_items_for(request.user) if request.user.clinic_id else []
    return render(request, "web/home.html", {"work_items": items})
