"""App config for authorizations."""

from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "ketaclinic.authorizations"
    label = "authorizations"
    verbose_name = "Coverage and prior authorizations"
