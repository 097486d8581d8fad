"""Find optional per-app modules (api.py, urls.py, demo.py) of ketaclinic's own apps."""

import importlib
import importlib.util
from types import ModuleType

from django.apps import apps


def project_apps() -> list[str]:
    """Dotted names of ketaclinic's own apps, in INSTALLED_APPS order.

    An app whose AppConfig sets `discoverable = False` (the root, ketaclinic.config, whose
    api.py and urls.py are the site's own) is left out.
    """
    return [
        c.name
        for c in apps.get_app_configs()
        if c.name.startswith("ketaclinic.") and getattr(c, "discoverable", True)
    ]


def app_modules(submodule: str) -> list[ModuleType]:
    """Import `<app>.<submodule>` for every project app that has one.

    A module that exists but fails to import raises: a broken app must never be skipped
    silently.
    """
    found = []
    for app in project_apps():
        name = f"{app}.{submodule}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found
