"""URLs for bench/bench_serve.py: the whole site plus /bench/bare (a bare Django JSON view)."""

from django.http import JsonResponse
from django.urls import path

from ketaclinic.config.urls import urlpatterns as site_urlpatterns


def bare(request):
    """No database, no authentication: what the server and Django's middleware cost alone."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
