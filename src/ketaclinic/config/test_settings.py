"""Settings for the test suite: production settings, served over plain HTTP, fast hashing."""

from .settings import *  # noqa: F403

# The suite talks plain HTTP to Django's test client and live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Argon2 stays the production hasher (asserted in tests/accounts); tests need speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Enqueued background tasks run at once, inside the test.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The development tools (the synthetic registry generator) are tested too; production
# settings never install them.
INSTALLED_APPS = [*INSTALLED_APPS, "ketaclinic_devtools"]  # noqa: F405
