"""URLs of the PDMP pages."""

from django.urls import path

from . import views

app_name = "pdmp"
urlpatterns = [
    path("patients/<uuid:patient_id>/pdmp/", views.pdmp_tab, name="tab"),
    path("patients/<uuid:patient_id>/pdmp/checks/", views.record_check, name="record"),
    path("patients/<uuid:patient_id>/pdmp/log/", views.older_checks, name="older_checks"),
    path(
        "patients/<uuid:patient_id>/pdmp/checks/<uuid:check_id>/correct/",
        views.correct_check,
        name="correct",
    ),
    path("pdmp/rules/", views.rule_table, name="rules"),
    path("pdmp/rules/practice-state/", views.confirm_state, name="practice_state"),
    path("pdmp/rules/<str:state>/", views.edit_rule, name="edit_rule"),
    path("pdmp/report/", views.report, name="report"),
]
