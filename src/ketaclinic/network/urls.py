"""URLs of the network views."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("network/", views.home, name="home"),
    path("network/compliance/", views.compliance, name="compliance"),
    path("network/outcomes/", views.outcomes, name="outcomes"),
    path("network/equity/", views.equity, name="equity"),
    path("network/capacity/", views.capacity, name="capacity"),
    path("network/diversion/", views.diversion, name="diversion"),
    path("patients/<uuid:patient_id>/earlier-care/", views.earlier_care, name="earlier_care"),
]
