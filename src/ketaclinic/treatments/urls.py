"""URLs of the treatment pages."""

from django.urls import path

from . import views

app_name = "treatments"
SESSION = "treatments/sessions/<uuid:session_id>/"
PATIENT = "patients/<uuid:patient_id>/"
# (route, view, name), in matching order: the session's named pages before its actions.
PAGES = (
    ("treatments/board/", views.board, "board"),
    ("treatments/board/rows/", views.board_rows, "board_rows"),
    (SESSION, views.session_page, "session"),
    (SESSION + "alerts/<uuid:alert_id>/acknowledge/", views.acknowledge_alert, "acknowledge"),
    (SESSION + "events/<uuid:event_id>/", views.resolve_event, "resolve_event"),
    (SESSION + "rems.pdf", views.rems_pdf, "rems_pdf"),
    (SESSION + "arrive/", views.arrive, "arrive"),
    (SESSION + "rems/", views.rems_print, "rems_print"),
    (SESSION + "<slug:action>/", views.session_action, "action"),
    ("treatments/rems/", views.rems_due, "rems_due"),
    ("treatments/settings/", views.settings_page, "settings"),
    (PATIENT + "treatment/", views.chart_tab, "chart"),
    (PATIENT + "treatment/sessions/", views.older_sessions, "older_sessions"),
    (PATIENT + "courses/start/", views.start_course, "start_course"),
)
urlpatterns = [path(route, view, name=name) for route, view, name in PAGES]
