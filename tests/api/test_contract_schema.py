"""The published OpenAPI schema is exact: one class per component name, every operation's
error answers declared, decimals as strings with a pattern."""

import json
import re
from collections import defaultdict
from decimal import Decimal

import ninja.openapi.schema
import pytest
from ninja import Schema

from ketaclinic.config.api import api
from ketaclinic.config.openapi import DECIMAL_ANSWER_PATTERN, ContractJsonSchema, error_statuses

ERROR_REF = "#/components/schemas/ErrorOut"
METHODS = ("get", "put", "post", "patch", "delete")


def recording(published):
    """The published schema's generator, noting which class each component name comes from
    (pydantic's reference to a class names its module: two classes never share one)."""

    class Recording(ContractJsonSchema):
        def _build_definitions_remapping(self):
            remapping = super()._build_definitions_remapping()
            for (core_ref, _mode), defs_ref in self.core_to_defs_refs.items():
                if defs_ref in self.definitions:
                    name = remapping.defs_remapping.get(defs_ref, defs_ref)
                    published[name].add(core_ref.split(":")[0])
            return remapping

    return Recording


def published_classes(monkeypatch):
    """Component name -> the schema classes published under it, seen while the schema is built."""
    published = defaultdict(set)
    monkeypatch.setattr(ninja.openapi.schema, "NinjaGenerateJsonSchema", recording(published))
    components = api.get_openapi_schema(path_prefix="api/v1/")["components"]["schemas"]
    return components, published


def test_every_component_name_is_published_by_one_class(monkeypatch):
    components, published = published_classes(monkeypatch)
    assert published, "the recording saw no schema: the check would prove nothing"
    clashes = {name: sorted(classes) for name, classes in published.items() if len(classes) > 1}
    assert clashes == {}
    assert "SignalOut" not in components and "ProtocolOut" in components
    assert {"DiversionSignalOut", "AccessSignalOut", "IntakeProtocolOut"} <= set(components)


def test_the_clash_check_sees_two_classes_with_one_name(monkeypatch):
    first = type("TwinOut", (Schema,), {"__annotations__": {"a": int}, "__module__": "one"})
    second = type("TwinOut", (Schema,), {"__annotations__": {"b": str}, "__module__": "two"})
    holder_one = type("HolderOne", (Schema,), {"__annotations__": {"twin": first}})
    holder_two = type("HolderTwo", (Schema,), {"__annotations__": {"twin": second}})
    published = defaultdict(set)
    for holder in (holder_one, holder_two):
        holder.model_json_schema(schema_generator=recording(published))
    assert sorted(published["TwinOut"]) == ["one.TwinOut", "two.TwinOut"]


def operations():
    schema = api.get_openapi_schema(path_prefix="api/v1/")
    return [
        (path, method, item[method])
        for path, item in sorted(schema["paths"].items())
        for method in METHODS
        if method in item
    ]


def test_every_operation_declares_its_error_answers_with_the_error_schema():
    missing = []
    for path, method, operation in operations():
        expected = error_statuses(method, operation)
        for status in expected:
            answer = operation["responses"].get(status) or operation["responses"].get(str(status))
            schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema")
            if schema != {"$ref": ERROR_REF}:
                missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/health", "get", []),
        ("/api/v1/patients", "get", [401, 403, 404, 409, 422]),
        ("/api/v1/sliding-scale/lookup", "get", [401, 403, 404, 409, 422]),
        ("/api/v1/me", "get", [401, 403]),
        ("/api/v1/patients", "post", [400, 401, 403, 404, 409, 422]),
        ("/api/v1/patients/{patient_id}", "get", [401, 403, 404, 422]),
    ],
)
def test_error_answers_follow_what_an_operation_takes(path, method, statuses):
    operation = next(op for p, m, op in operations() if (p, m) == (path, method))
    declared = sorted(int(status) for status in operation["responses"] if int(status) >= 400)
    assert declared == statuses


def test_the_error_schema_names_detail_and_code():
    schema = api.get_openapi_schema(path_prefix="api/v1/")
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"detail", "code"}
    assert set(error["properties"]) == {"detail", "code", "fields", "errors"}


def _decimal_fields(components):
    """(schema, field, property) for every property that a Decimal made (a patterned string)."""
    for name, component in sorted(components.items()):
        for field, prop in sorted(component.get("properties", {}).items()):
            variants = prop.get("anyOf", [prop])
            if any("pattern" in v and "[eE]" in v["pattern"] for v in variants) or any(
                v.get("pattern") == DECIMAL_ANSWER_PATTERN for v in variants
            ):
                yield name, field, prop


def test_decimals_are_strings_with_a_pattern():
    components = api.get_openapi_schema(path_prefix="api/v1/")["components"]["schemas"]
    answer = components["ChargeOut"]["properties"]["amount"]
    assert answer == {"type": "string", "pattern": DECIMAL_ANSWER_PATTERN, "title": "Amount"}
    request = components["FeeItemIn"]["properties"]["unit_price"]
    string = next(v for v in request["anyOf"] if v["type"] == "string")
    # max_digits=10, decimal_places=2: 8 digits before the point, 2 after.
    assert re.match(string["pattern"], "12345678.90")
    assert not re.match(string["pattern"], "123456789.00")
    assert not re.match(string["pattern"], "1.234")
    # No decimal is left a bare string or a bare number.
    assert len(list(_decimal_fields(components))) > 50
    for component in components.values():
        for prop in component.get("properties", {}).values():
            if prop.get("title") in ("Amount", "Unit Price", "Discount Percent"):
                variants = prop.get("anyOf", [prop])
                assert any("pattern" in v for v in variants), prop


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("12.50"), "12.50"), (Decimal("1E+1"), "10"), (Decimal("0E-8"), "0.00000000")],
)
def test_decimals_in_answers_are_plain_fixed_point(value, text):
    body = api.renderer.render(None, {"amount": value}, response_status=200)
    assert body == f'{{"amount": "{text}"}}'
    assert re.match(DECIMAL_ANSWER_PATTERN, text)


@pytest.mark.django_db
def test_the_published_document_has_no_key_twice_so_yaml_readers_accept_it(client):
    # given the published document as Swagger UI reads it (a YAML reader refuses duplicates)
    twice = []

    def pairs_hook(pairs):
        keys = [key for key, _ in pairs]
        twice.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    # when it is parsed keeping every key
    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs_hook)
    # then no object holds a key twice
    assert twice == []
