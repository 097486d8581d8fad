"""Site URLs: the API, then every app's urls.py (discovered), each app choosing its paths."""

from django.urls import include, path

from ketaclinic.core.discovery import app_modules

from .api import api

urlpatterns = [path("api/v1/", api.urls)]

for module in app_modules("urls"):
    urlpatterns.append(path("", include(module)))
