"""URLs of the treatment pages."""

from django.urls import path

from . import views

app_name = "treatments"
urlpatterns = [
    path("treatments/board/", views.board, name="board"),
    path("treatments/board/rows/", views.board_rows, name="board_rows"),
    path("treatments/sessions/<uuid:session_id>/", views.session_page, name="session"),
    path(
        "treatments/sessions/<uuid:session_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.acknowledge_alert,
        name="acknowledge",
    ),
    path(
        "treatments/sessions/<uuid:session_id>/events/<uuid:event_id>/",
        views.resolve_event,
        name="resolve_event",
    ),
    path("treatments/sessions/<uuid:session_id>/rems.pdf", views.rems_pdf, name="rems_pdf"),
    path("treatments/sessions/<uuid:session_id>/arrive/", views.arrive, name="arrive"),
    path("treatments/sessions/<uuid:session_id>/rems/", views.rems_print, name="rems_print"),
    path(
        "treatments/sessions/<uuid:session_id>/<slug:action>/",
        views.session_action,
        name="action",
    ),
    path("treatments/rems/", views.rems_due, name="rems_due"),
    path("treatments/settings/", views.settings_page, name="settings"),
    path("patients/<uuid:patient_id>/treatment/", views.chart_tab, name="chart"),
    path("patients/<uuid:patient_id>/courses/start/", views.start_course, name="start_course"),
]
