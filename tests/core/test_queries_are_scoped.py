"""Every read in an app's queries goes through its clinic: no unscoped `.objects` read.

The test reads the source of every `queries` module and follows each `Model.objects...` chain
of a clinic-scoped model. A chain is scoped when it calls `visible_to(user)` or
`of_clinic(clinic)`, or filters on the clinic (`clinic=`, `clinic_id=`, `clinic_id__in=`).
Anything else must be in ALLOWED with the reason it is safe; a new unscoped read fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

import ketaclinic

SRC = Path(ketaclinic.__file__).parent
SCOPING_METHODS = {"visible_to", "of_clinic"}
SCOPING_KEYWORDS = {"clinic", "clinic_id", "clinic_id__in", "clinic__in"}

# (module, function, model): why the read needs no clinic filter.
ALLOWED = {
    ("inventory.queries", "access_product", "Product"): "handed to _access, which scopes it",
    ("inventory.queries", "access_location", "StorageLocation"): "handed to _access, which "
    "scopes it",
    ("inventory.queries", "access_entry", "LedgerEntry"): "handed to _access, which scopes it",
    ("inventory.queries", "stock_balance", "LedgerEntry"): "the lot was read through the "
    "user's clinic and is held under its row lock by the caller",
    ("inventory.queries", "session_lot_balance", "LedgerEntry"): "the session and lot were "
    "read through the user's clinic by the caller",
    ("inventory.queries", "session_drug_balance", "LedgerEntry"): "the session was read "
    "through the user's clinic by the caller",
    ("inventory.queries", "session_net_drawn", "LedgerEntry"): "the session was read "
    "through the user's clinic by the drawing service",
    ("inventory.queries", "session_administrations", "LedgerEntry"): "the session was read "
    "through the user's clinic by the caller (the REMS form)",
    ("inventory.queries", "session_drug_balance", "Lot"): "only the lots of that session's "
    "own entries",
    ("inventory.queries", "session_drug_balance", "SessionDrugClosure"): "the closure of that "
    "session",
    ("inventory.queries", "ledger_heads", "LedgerChainHead"): "every clinic's head, for the "
    "operator's backup and restore commands (no user)",
    ("inventory.queries", "ledger_heads", "LedgerEntry"): "every clinic with a ledger, for the "
    "operator's backup and restore commands (no user)",
    ("accounts.queries", "clinics_of", "Membership"): "the user's own memberships, at every "
    "clinic (the clinic switcher's choices)",
    ("accounts.queries", "holds_network_role", "Membership"): "one person's memberships at "
    "every location: whether they act for the organization anywhere",
    ("accounts.queries", "staff_of_clinic", "User"): "filtered on the clinic in a Q object: "
    "home clinic here, or a membership here",
    ("accounts.queries", "staff_here", "User"): "filtered on the clinic in a Q object: home "
    "clinic here, or a membership here (as staff_of_clinic)",
    ("accounts.queries", "clinical_locations", "User"): "the user's own row: their home clinic "
    "and role there",
    ("accounts.queries", "clinical_locations", "Membership"): "the user's own memberships, "
    "at every clinic (which locations' records they may open)",
    ("accounts.queries", "organization_member", "User"): "a network administrator's reach: "
    "home clinics of the actor's organization (clinic__organization_id)",
    ("measures.queries", "request_for_token", "MeasureRequest"): "a patient's link has no "
    "user: the hash of its secret token is the key",
    ("treatments.queries.sessions", "with_rows", "VitalSignsEntry"): "prefetched under "
    "sessions the caller has scoped",
    ("treatments.queries.sessions", "with_rows", "ScaleEntry"): "prefetched under sessions "
    "the caller has scoped",
    ("treatments.queries.sessions", "with_rows", "SessionAlert"): "prefetched under sessions "
    "the caller has scoped",
    ("treatments.queries.sessions", "with_rows", "DoseOrder"): "prefetched under sessions "
    "the caller has scoped",
}


def _queries_modules():
    for path in sorted(SRC.glob("*/queries.py")) + sorted(SRC.glob("*/queries/*.py")):
        yield ".".join(path.relative_to(SRC).with_suffix("").parts), path


def _scoped_models() -> set[str]:
    names = set()
    for model in apps.get_models():
        if model.__module__.startswith("ketaclinic.") and any(
            field.name == "clinic" for field in model._meta.get_fields()
        ):
            names.add(model.__name__)
    return names


def _enclosing_function(node, parents) -> str:
    while node is not None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
        node = parents.get(node)
    return "<module>"


def unscoped_reads(source: str, module: str, scoped: set[str]) -> list[tuple[str, str, str, int]]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in scoped
        ):
            continue
        methods, keywords, current = set(), set(), node
        while True:
            parent = parents.get(current)
            if isinstance(parent, ast.Attribute) and parent.value is current:
                methods.add(parent.attr)
            elif isinstance(parent, ast.Call) and parent.func is current:
                keywords.update(k.arg for k in parent.keywords if k.arg)
                for argument in parent.args:  # Q(clinic_id=...) | Q(...)
                    for inner in ast.walk(argument):
                        if isinstance(inner, ast.Call) and getattr(inner.func, "id", "") == "Q":
                            keywords.update(k.arg for k in inner.keywords if k.arg)
            else:
                break
            current = parent
        if methods & SCOPING_METHODS or keywords & SCOPING_KEYWORDS:
            continue
        function = _enclosing_function(node, parents)
        found.append((module, function, node.value.id, node.lineno))
    return found


def test_every_clinic_scoped_read_in_queries_is_scoped():
    scoped = _scoped_models()
    problems = []
    for module, path in _queries_modules():
        for module_name, function, model, line in unscoped_reads(path.read_text(), module, scoped):
            if (module_name, function, model) not in ALLOWED:
                problems.append(f"{module_name}.{function} line {line}: {model}.objects")
    assert not problems, "unscoped reads of clinic-scoped models:\n" + "\n".join(problems)


def test_every_allowance_is_still_needed():
    scoped = _scoped_models()
    used = {
        (module, function, model)
        for module, path in _queries_modules()
        for module, function, model, _ in unscoped_reads(path.read_text(), module, scoped)
    }
    assert not set(ALLOWED) - used, "remove allowances that no longer match a read"


def test_an_unscoped_read_is_caught_and_a_scoped_one_is_not():
    source = (
        "def leak(patient):\n"
        "    return Course.objects.filter(patient=patient)\n"
        "def fine(user, patient):\n"
        "    return Course.objects.visible_to(user).filter(patient=patient)\n"
        "def also_fine(patient):\n"
        "    return Course.objects.select_related('x').filter(clinic_id=patient.clinic_id)\n"
    )
    assert unscoped_reads(source, "treatments.queries", {"Course"}) == [
        ("treatments.queries", "leak", "Course", 2)
    ]
