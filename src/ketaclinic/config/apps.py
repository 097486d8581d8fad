"""App config for the root: the project's own management commands (seed_demo, create_clinic).

The root sits above every app, so the commands that drive several apps live here rather than
in core (which imports no app). Discovery skips it: its api.py and urls.py are the root API
and URL configuration themselves, not an app's router and pages.
"""

from django.apps import AppConfig


class RootConfig(AppConfig):
    name = "ketaclinic.config"
    label = "config"
    verbose_name = "Root: settings, URLs, the API, project commands"
    # Read by core.discovery: never discover this app's api.py / urls.py / demo.py.
    discoverable = False
