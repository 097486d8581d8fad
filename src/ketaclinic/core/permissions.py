"""The permission matrix: which role may do which action. Apps declare actions in permissions.py.

Services call `require(actor, "patient.register")`; pages and templates call `can(...)`.
docs/permissions.md is generated from this registry (`ketaclinic permissions_doc`) and a test
checks that the document matches the code.
"""

from dataclasses import dataclass

from django.db import models

from .errors import Forbidden


class Role(models.TextChoices):
    PRESCRIBER = "prescriber", "Prescriber"
    NURSE = "nurse", "Nurse"
    FRONT_DESK = "front_desk", "Front desk"
    AUDITOR = "auditor", "Auditor"
    CLINIC_ADMIN = "clinic_admin", "Clinic administrator"
    # Network roles: held at one location of an organization, they reach every location of it
    # for the network actions only (no patient's chart, no clinical action anywhere).
    NETWORK_ADMIN = "network_admin", "Network administrator"
    NETWORK_COMPLIANCE = "network_compliance", "Network compliance officer"
    NETWORK_ANALYST = "network_analyst", "Network analyst"


NETWORK_ROLES = frozenset({Role.NETWORK_ADMIN, Role.NETWORK_COMPLIANCE, Role.NETWORK_ANALYST})
# Every role of a clinic's own staff (the network roles are not among them).
ALL_ROLES = frozenset(Role) - NETWORK_ROLES
CLINIC_ROLES = ALL_ROLES
CLINICAL_READERS = frozenset({Role.PRESCRIBER, Role.NURSE, Role.AUDITOR, Role.CLINIC_ADMIN})
CLINICAL_STAFF = frozenset({Role.PRESCRIBER, Role.NURSE})


@dataclass(frozen=True)
class Action:
    code: str
    description: str
    roles: frozenset[str]
    area: str


_REGISTRY: dict[str, Action] = {}


def define(code: str, description: str, roles, *, area: str = "") -> Action:
    """Declare an action and the roles allowed to perform it (idempotent for re-imports)."""
    roles = frozenset(Role(r) for r in roles)
    action = Action(
        code=code, description=description, roles=roles, area=area or code.split(".")[0]
    )
    existing = _REGISTRY.get(code)
    if existing is not None and existing != action:
        raise ValueError(f"Action {code!r} is declared twice with different roles")
    _REGISTRY[code] = action
    return action


def define_table(rows, *, area: str = "") -> list[Action]:
    """Declare several actions from rows of (code, description, roles): an app's
    permissions.py reads as the table it is."""
    return [define(code, description, roles, area=area) for code, description, roles in rows]


def actions() -> list[Action]:
    return sorted(_REGISTRY.values(), key=lambda a: (a.area, a.code))


def get(code: str) -> Action:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise KeyError(f"Unknown action {code!r}: declare it in an app's permissions.py") from None


def user_role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if getattr(user, "clinic_id", None) is None:
        return None
    return user.role


def can(user, code: str) -> bool:
    role = user_role(user)
    return role is not None and role in get(code).roles


def require(user, code: str) -> None:
    """Raise Forbidden unless the user's role may perform the action."""
    if not can(user, code):
        action = get(code)
        raise Forbidden(
            f"Your role may not {action.description[:1].lower()}{action.description[1:]}.",
            code="forbidden",
        )


def matrix_markdown() -> str:
    """The role x action table for docs/permissions.md."""
    roles = list(Role)
    header = "| area | action | what it allows | " + " | ".join(r.label for r in roles) + " |"
    rule = "|---|---|---|" + "---|" * len(roles)
    lines = [header, rule]
    for action in actions():
        cells = " | ".join("yes" if r in action.roles else "-" for r in roles)
        lines.append(f"| {action.area} | `{action.code}` | {action.description} | {cells} |")
    return "\n".join(lines)
