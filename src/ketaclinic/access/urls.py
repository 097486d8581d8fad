"""URLs of the access pages."""

from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("patients/<uuid:patient_id>/access/", views.access_tab, name="tab"),
    path("patients/<uuid:patient_id>/access/barriers/", views.record_barrier, name="barrier"),
    path("access/barriers/<uuid:barrier_id>/resolve/", views.resolve_barrier, name="resolve"),
    path("access/", views.waiting_list, name="waiting_list"),
    path("access/at-risk/", views.at_risk, name="at_risk"),
    path("access/report/", views.report, name="report"),
]
