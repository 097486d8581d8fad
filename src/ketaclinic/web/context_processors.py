"""Template context: navigation items allowed for the user's role."""

from ketaclinic.core.ui import nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_items_for(user)}
