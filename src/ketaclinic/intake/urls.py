"""URLs of the intake pages."""

from django.urls import path

from . import views

app_name = "intake"
P = "patients/<uuid:patient_id>/intake/"
urlpatterns = [
    path(P, views.intake_chart, name="chart"),
    path(P + "history/", views.save_history, name="history"),
    path(P + "trials/", views.add_trial, name="trial_add"),
    path(P + "trials/<uuid:trial_id>/confirm/", views.confirm_trial, name="trial_confirm"),
    path(P + "trials/<uuid:trial_id>/remove/", views.remove_trial, name="trial_remove"),
    path(P + "checklist/", views.save_checklist, name="checklist"),
    path(P + "decision/", views.decide, name="decide"),
    path(P + "consents/", views.add_consent, name="consent_add"),
    path(P + "consents/<uuid:consent_id>/revoke/", views.revoke_consent, name="consent_revoke"),
    path("intake/waiting-list/", views.waiting_list, name="waiting_list"),
    path("intake/waiting-list/add/", views.add_referral, name="referral_add"),
    path("intake/import/", views.import_referral, name="import"),
]
