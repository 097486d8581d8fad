"""URLs of the measures pages, including the public self-report link (no login)."""

from django.urls import path

from . import public_views, views

app_name = "measures"
urlpatterns = [
    path("patients/<uuid:patient_id>/measures/", views.chart, name="chart"),
    path("patients/<uuid:patient_id>/measures/scores/", views.older_scores, name="older_scores"),
    path(
        "patients/<uuid:patient_id>/measures/record/<slug:instrument>/",
        views.record,
        name="record",
    ),
    path(
        "patients/<uuid:patient_id>/measures/responses/<uuid:response_id>/",
        views.response_detail,
        name="response",
    ),
    path(
        "patients/<uuid:patient_id>/measures/responses/<uuid:response_id>/confirm-referral/",
        views.confirm_referral,
        name="confirm_referral",
    ),
    path("patients/<uuid:patient_id>/measures/send/", views.send_link, name="send"),
    path("patients/<uuid:patient_id>/measures/schedules/", views.add_schedule, name="schedule_add"),
    path("measures/schedules/<uuid:schedule_id>/stop/", views.stop_schedule, name="schedule_stop"),
    path("measures/alerts/", views.alert_list, name="alerts"),
    path("measures/alerts/<uuid:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("measures/due/", views.due, name="due"),
    path("measures/settings/", views.instrument_settings, name="settings"),
    path("r/done/", public_views.thanks, name="thanks"),
    path("r/<str:token>/", public_views.self_report, name="self_report"),
]
