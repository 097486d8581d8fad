"""URLs of the capacity pages."""

from django.urls import path

from . import views

app_name = "capacity"
C = "capacity/"
# (route, view, name)
ROUTES = (
    (C, views.resources, "resources"),
    (C + "chairs/", views.add_chair, "add_chair"),
    (C + "chairs/<uuid:chair_id>/", views.edit_chair, "edit_chair"),
    (C + "hours/", views.set_hours, "set_hours"),
    (C + "staffing/", views.update_staffing, "staffing"),
    (C + "plan/", views.week_plan, "plan"),
    (C + "plan/apply/", views.apply_plan, "apply_plan"),
    (C + "shifts/", views.shifts, "shifts"),
    (C + "shifts/add/", views.add_shift, "add_shift"),
    (C + "shifts/<uuid:shift_id>/remove/", views.remove_shift, "remove_shift"),
)
urlpatterns = [path(route, view, name=name) for route, view, name in ROUTES]
