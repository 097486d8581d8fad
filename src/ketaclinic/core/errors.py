"""Domain errors that services raise and the API and pages turn into clear answers."""


class DomainError(Exception):
    """A request the clinic's rules refuse. `fields` maps a field name to what is wrong."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str = ""):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def as_dict(self) -> dict:
        body: dict = {"detail": self.message, "code": self.code}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule (422)."""

    status = 422
    code = "invalid_input"


class Conflict(DomainError):
    """The action is not allowed in the record's current state (409)."""

    status = 409
    code = "conflict"


class Forbidden(DomainError):
    """The acting user's role may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such record in the acting user's clinic (404); never says whether it exists elsewhere."""

    status = 404
    code = "not_found"


def raise_invalid(errors: dict[str, str]) -> None:
    """Refuse input with every field's problem at once; nothing when `errors` is empty."""
    if errors:
        raise InvalidInput("Please correct: " + ", ".join(sorted(errors)) + ".", fields=errors)
