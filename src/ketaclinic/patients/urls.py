"""URLs of the patient pages."""

from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_register, name="register"),
    path("patients/<uuid:patient_id>/", views.patient_chart, name="chart"),
    path("patients/<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("patients/<uuid:patient_id>/transfer/", views.patient_transfer, name="transfer"),
]
