"""Clinical dates are the clinic's local dates: no code asks for the server's date.

`date.today()`, `timezone.localdate()` without a time zone and `timezone.now().date()` all give
the server's (UTC) date, which is the wrong day for a US clinic every evening. Code uses
`clinic.today()` (or `timezone.localdate(now, clinic.tz)`) instead; tests do the same, and move
the clock with the fixtures in tests/clock.py when a story needs a time of day.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = [ROOT / "src" / "ketaclinic", ROOT / "tests"]

# path (relative to the repository) -> why the server's date is right there
ALLOWED: dict[str, str] = {}


def _server_date_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        target = node.func.value
        if name == "today" and not node.args and _dotted(target).endswith("date"):
            yield node.lineno, f"{_dotted(target)}.today()"
        elif name in {"localdate", "localtime"} and not node.args and not node.keywords:
            yield node.lineno, f"{_dotted(target)}.{name}()"
        elif (
            name == "date"
            and not node.args
            and isinstance(target, ast.Call)
            and isinstance(target.func, ast.Attribute)
            and target.func.attr == "now"
            and not target.args
        ):
            yield node.lineno, f"{_dotted(target.func.value)}.now().date()"


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def test_no_code_takes_the_servers_date_for_a_clinical_date():
    found = []
    for base in SCANNED:
        for path in sorted(base.rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED or "/migrations/" in relative:
                continue
            tree = ast.parse(path.read_text(), filename=relative)
            found += [f"{relative}:{line}: {call}" for line, call in _server_date_calls(tree)]
    assert found == [], "Use clinic.today() or timezone.localdate(now, clinic.tz):\n" + "\n".join(
        found
    )
