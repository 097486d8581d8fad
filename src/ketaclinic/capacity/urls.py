"""URLs of the capacity pages."""

from django.urls import path

from . import views

app_name = "capacity"
urlpatterns = [
    path("capacity/", views.resources, name="resources"),
    path("capacity/chairs/", views.add_chair, name="add_chair"),
    path("capacity/chairs/<uuid:chair_id>/", views.edit_chair, name="edit_chair"),
    path("capacity/hours/", views.set_hours, name="set_hours"),
    path("capacity/staffing/", views.update_staffing, name="staffing"),
    path("capacity/plan/", views.week_plan, name="plan"),
    path("capacity/plan/apply/", views.apply_plan, name="apply_plan"),
    path("capacity/shifts/", views.shifts, name="shifts"),
    path("capacity/shifts/add/", views.add_shift, name="add_shift"),
    path("capacity/shifts/<uuid:shift_id>/remove/", views.remove_shift, name="remove_shift"),
]
