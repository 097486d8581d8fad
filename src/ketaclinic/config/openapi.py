"""The published API contract: error answers on every operation, decimals as patterned strings.

- Every operation declares the error answers it can give, each with the `ErrorOut` schema:
  401 and 403 when it needs authentication (no or expired credentials; a role or a read-only
  token that may not do this), 404 and 422 when it takes input (a record named in the input that
  is not in the user's clinic; input that breaks a rule), 400 when it takes a body (a body that is
  not JSON), and 409 when it changes something (not allowed in the record's current state)
  or reads as of a day or a period (e.g. no sliding-scale table in force on that day).
- A decimal is published as a string with a pattern: in answers, plain fixed-point notation
  (`"12.50"`, never `"1.25E+1"`), which `DecimalJSONRenderer` guarantees; in requests, a number or
  a string in the syntax the field accepts, with its `max_digits` and `decimal_places`.
"""

from decimal import Decimal
from http.client import responses as reasons

import ninja.openapi.schema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import NinjaGenerateJsonSchema

from ketaclinic.core.schemas import ErrorOut

# What a decimal in an answer looks like: plain fixed-point notation.
DECIMAL_ANSWER_PATTERN = r"^-?\d+(\.\d+)?$"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
ERROR_SCHEMA_NAME = ErrorOut.__name__
ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA_NAME}"


class ContractJsonSchema(NinjaGenerateJsonSchema):
    """Decimals are strings with a pattern (see the module docstring)."""

    def get_decimal_pattern(self, schema):
        if self.mode == "serialization":
            return DECIMAL_ANSWER_PATTERN
        return self.build_decimal_pattern(schema)


# django-ninja builds every schema of the published document with this generator.
ninja.openapi.schema.NinjaGenerateJsonSchema = ContractJsonSchema


class DecimalJSONEncoder(NinjaJSONEncoder):
    """Decimals in fixed-point notation: `Decimal("1E+1")` is `"10"`, `Decimal("0E-8")` is
    `"0.00000000"` (str() would give the exponent forms)."""

    def default(self, o):
        if isinstance(o, Decimal) and o.is_finite():
            return format(o, "f")
        return super().default(o)


class DecimalJSONRenderer(JSONRenderer):
    encoder_class = DecimalJSONEncoder


def error_statuses(method: str, operation: dict) -> list[int]:
    """The error answers an operation can give (see the module docstring), in order."""
    statuses = set()
    has_body = "requestBody" in operation
    if operation.get("security"):
        statuses |= {401, 403}
    if operation.get("parameters") or has_body:
        statuses |= {404, 422}
    if has_body:
        statuses.add(400)
    takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if method in WRITE_METHODS or takes_query:
        statuses.add(409)
    return sorted(statuses)


def declare_error_answers(schema: dict) -> dict:
    """Add the error answers to every operation of a generated document, and `ErrorOut`."""
    error_json = ErrorOut.model_json_schema(
        ref_template="#/components/schemas/{model}",
        schema_generator=ContractJsonSchema,
        mode="serialization",
    )
    schema["components"]["schemas"].update(error_json.pop("$defs", {}))
    schema["components"]["schemas"][ERROR_SCHEMA_NAME] = error_json
    for path_item in schema["paths"].values():
        for method, operation in path_item.items():
            # One key per status: an operation's own answers may have int keys (422), and
            # a document with "422" twice is refused by YAML readers such as Swagger UI's.
            answers = {str(key): value for key, value in operation.get("responses", {}).items()}
            operation["responses"] = answers
            for status in error_statuses(method, operation):
                # An operation's own description of an error answer is kept; the body is
                # always the error schema.
                answer = answers.setdefault(str(status), {"description": reasons[status]})
                answer.setdefault("content", {"application/json": {"schema": {"$ref": ERROR_REF}}})
    return schema


def error_body(detail: str, code: str, **extra) -> dict:
    """An `ErrorOut` answer's body."""
    return {"detail": detail, "code": code, **extra}
