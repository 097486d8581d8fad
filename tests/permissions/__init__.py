"""The permission tables: every endpoint and page of an app x every role (see conftest.py)."""

from ketaclinic.core.permissions import Role

# The columns of every table: the five roles of the clinic, and another clinic's administrator.
P, N, F, A, C, OUT = (
    Role.PRESCRIBER,
    Role.NURSE,
    Role.FRONT_DESK,
    Role.AUDITOR,
    Role.CLINIC_ADMIN,
    "outsider",
)
EVERYONE = (P, N, F, A, C)


def fill(value, ids: dict):
    """A path or body of a table row with the world's ids put in ("{patient}" -> its id)."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def call(client, method: str, path: str, body):
    """One API request of a table row, through an `api(user)` client."""
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body)
