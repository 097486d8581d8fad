"""docs/permissions.md shows exactly the matrix the code enforces."""

from pathlib import Path

from ketaclinic.core import permissions
from ketaclinic.core.management.commands.permissions_doc import render_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_the_permission_document_matches_the_code():
    current = DOC.read_text()
    assert render_document(current) == current, "run `ketaclinic permissions_doc`"


def test_front_desk_has_no_clinical_action():
    clinical = [a for a in permissions.actions() if a.code == "clinical.view"]
    assert clinical and permissions.Role.FRONT_DESK not in clinical[0].roles


def test_every_action_names_at_least_one_role():
    assert all(action.roles for action in permissions.actions())
