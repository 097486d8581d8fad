"""Who is acting and through which channel, without passing the request into services."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionContext:
    """How the current action reached the system: web page, API, command line or a task."""

    via: str = "system"
    ip_address: str | None = None


_current: contextvars.ContextVar[ActionContext] = contextvars.ContextVar(
    "ketaclinic_action_context",
    default=ActionContext(),  # noqa: B039 (frozen dataclass: immutable)
)


def current() -> ActionContext:
    return _current.get()


@contextmanager
def acting(via: str, ip_address: str | None = None):
    """Mark everything inside the block as done through `via` (and from `ip_address`)."""
    token = _current.set(ActionContext(via=via, ip_address=ip_address))
    try:
        yield
    finally:
        _current.reset(token)
