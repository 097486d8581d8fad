"""One registry of audit action codes: every code the code writes is defined and documented."""

import ast
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from ketaclinic.audit.codes import CODES, UnknownAuditCode
from ketaclinic.audit.services import record_event

SRC = Path(__file__).resolve().parents[2] / "src" / "ketaclinic"


def literal_codes():
    """(code, where) of every record_event(action="...") and action argument in the source."""
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "record_event":
                continue
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "action" and isinstance(value, ast.Constant):
                    yield value.value, f"{path.relative_to(SRC)}:{node.lineno}"


def test_every_literal_action_code_is_in_the_registry():
    undefined = [f"{where}: {code}" for code, where in literal_codes() if code not in CODES]
    assert undefined == []


@pytest.mark.django_db
def test_an_undefined_code_is_refused_and_nothing_is_written(clinic):
    from ketaclinic.audit.models import AuditEvent

    with pytest.raises(UnknownAuditCode, match=r"patient\.peeked"):
        record_event(actor=None, action="patient.peeked", clinic=clinic)
    assert not AuditEvent.objects.exists()


def test_docs_audit_md_lists_every_code():
    out = io.StringIO()
    call_command("audit_doc", "--check", stdout=out)
    text = (SRC.parents[1] / "docs" / "audit.md").read_text()
    assert all(f"`{code}`" in text for code in CODES)
