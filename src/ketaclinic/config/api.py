"""The root API at /api/v1/: authentication, error shapes, health, and every app's router."""

import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

import ketaclinic
from ketaclinic.accounts.auth import api_auth
from ketaclinic.core.discovery import app_modules
from ketaclinic.core.errors import DomainError, InvalidInput

from .openapi import DecimalJSONRenderer, declare_error_answers, error_body


class ContractAPI(NinjaAPI):
    """The API whose published schema declares every operation's error answers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_error_answers(schema)


api = ContractAPI(
    title="ketaclinic API",
    version="1",
    description="The API of ketaclinic. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `ketaclinic create_api_token USERNAME` or on your account page).",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=DecimalJSONRenderer(),
)


def _nul_fields(value, name: str = "") -> list[str]:
    """The names of the strings inside `value` that hold a NUL character."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, str):
        return [name or "__all__"] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append(name or "__all__")
            found += _nul_fields(item, f"{name}.{key}" if name else str(key))
        return found
    if isinstance(value, list | tuple | set | frozenset):
        return [field for item in value for field in _nul_fields(item, name)]
    return []


def refuse_nul_characters(view):
    """A NUL character in any text input is refused (422 naming the field): no form or label
    holds one, and PostgreSQL cannot store or even compare it (a query would fail with a 500)."""

    @functools.wraps(view)
    def checked(request, **values):
        fields = []
        for key, value in values.items():
            # Body and query models ("payload", "filters") name their own fields.
            fields += _nul_fields(value, "" if isinstance(value, BaseModel) else key)
        if fields:
            raise InvalidInput(
                "Invalid input: " + ", ".join(sorted(set(fields))),
                fields=dict.fromkeys(sorted(set(fields)), "must not contain a NUL character"),
            )
        return view(request, **values)

    return checked


api.add_decorator(refuse_nul_characters, mode="operation")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(OverflowError)
def out_of_range(request, exc: OverflowError):
    # A date or number so far out that arithmetic on it fails (a year near 9999): the inputs
    # that plan or report refuse such dates by name; this answers for any other.
    return api.create_response(
        request,
        error_body(
            "A date or number in the request is out of the range this system computes with "
            f"({exc}).",
            "out_of_range",
        ),
        status=422,
    )


@api.exception_handler(DjangoValidationError)
def django_validation_error(request, exc: DjangoValidationError):
    fields = (
        {k: " ".join(v) for k, v in exc.message_dict.items()}
        if hasattr(exc, "message_dict")
        else {"__all__": " ".join(exc.messages)}
    )
    return api.create_response(
        request, error_body("Invalid input.", "invalid_input", fields=fields), status=422
    )


@api.exception_handler(ValidationError)
def schema_validation_error(request, exc: ValidationError):
    # Name every bad field: "body.weight_kg" -> "weight_kg".
    fields = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        fields[".".join(loc) or "__all__"] = error.get("msg", "invalid")
    return api.create_response(
        request,
        {
            "detail": "Invalid input: " + ", ".join(sorted(fields)),
            "code": "invalid_input",
            "fields": fields,
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request,
        error_body(
            "Authentication required: send 'Authorization: Bearer <token>'.", "unauthenticated"
        ),
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # django-ninja's own refusals, e.g. a request body that is not JSON (400).
    code = {400: "bad_request", 403: "forbidden", 429: "too_many_requests"}.get(
        exc.status_code, "error"
    )
    return api.create_response(request, error_body(str(exc), code), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("Not found.", "not_found"), status=404)


class HealthOut(Schema):
    status: str
    database: str
    version: str


@api.get("/health", auth=None, response=HealthOut, tags=["health"])
def health(request):
    """Liveness and database check; needs no authentication."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "version": ketaclinic.__version__}


for module in app_modules("api"):
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router("/", router)
