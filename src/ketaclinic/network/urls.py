"""URLs of the network views."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("network/", views.home, name="home"),
    path("network/compliance/", views.compliance, name="compliance"),
    path("network/outcomes/", views.outcomes, name="outcomes"),
]
