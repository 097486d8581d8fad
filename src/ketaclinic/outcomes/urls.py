"""URLs of the outcome pages."""

from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.dashboard, name="dashboard"),
    path("outcomes/equity/", views.equity, name="equity"),
    path("outcomes/exposure/", views.exposure, name="exposure"),
]
