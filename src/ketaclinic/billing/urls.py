"""URLs of the billing pages."""

from django.urls import path

from . import views

app_name = "billing"
P = "patients/<uuid:patient_id>/billing/"
urlpatterns = [
    path(P, views.billing_tab, name="tab"),
    path(P + "payments/", views.record_payment, name="payment"),
    path(P + "history/charges/", views.older_charges, name="older_charges"),
    path(P + "history/payments/", views.older_payments, name="older_payments"),
    path(P + "sliding-scale/", views.apply_sliding_scale, name="apply_scale"),
    path(P + "charges/", views.add_charge, name="charge"),
    path(P + "charge-sessions/", views.charge_sessions, name="charge_sessions"),
    path(P + "diagnosis/", views.set_diagnosis, name="diagnosis"),
    path(P + "estimates/", views.issue_estimate, name="issue_estimate"),
    path(P + "superbill.pdf", views.superbill_pdf, name="superbill"),
    path(P + "superbill/", views.superbill_print, name="superbill_print"),
    path("billing/", views.overview, name="overview"),
    path("billing/charge-completed/", views.charge_all, name="charge_all"),
    path("billing/fee-schedule/", views.fee_schedule_page, name="fee_schedule"),
    path("billing/sliding-scale/", views.sliding_scale_page, name="sliding_scale"),
    path("billing/settings/", views.settings_page, name="settings"),
    path("billing/reports/", views.report_page, name="report"),
    path("billing/estimates/<uuid:estimate_id>.pdf", views.estimate_pdf, name="estimate_pdf"),
    path("billing/estimates/<uuid:estimate_id>/", views.estimate_print, name="estimate_print"),
    path(
        "billing/charges/<uuid:row_id>/void/",
        views.void_row,
        {"kind": "charge"},
        name="void_charge",
    ),
    path(
        "billing/payments/<uuid:row_id>/void/",
        views.void_row,
        {"kind": "payment"},
        name="void_payment",
    ),
]
