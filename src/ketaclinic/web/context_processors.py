"""Template context: navigation items allowed for the user's role, and the clinic switcher's
choices (read only when the page shows the switcher: for staff of several clinics)."""

from django.utils.functional import SimpleLazyObject

from ketaclinic.accounts.queries import clinics_of
from ketaclinic.core.ui import nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": nav_items_for(user),
        "my_clinics": SimpleLazyObject(lambda: clinics_of(user)),
    }
