"""URLs of the web shell."""

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("work-counts/", views.work_counts, name="work_counts"),
]
