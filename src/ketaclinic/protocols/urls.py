"""URLs of the protocol pages."""

from django.urls import path

from . import views

app_name = "protocols"
urlpatterns = [
    path("protocols/", views.protocol_list, name="list"),
    path("protocols/<slug:code>/", views.protocol_detail, name="detail"),
]
