"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
application = get_wsgi_application()

# Import every app's views and API while a server worker boots, not on its first request
# (a couple of seconds that would otherwise land on a user after each worker restart).
get_resolver().url_patterns  # noqa: B018
