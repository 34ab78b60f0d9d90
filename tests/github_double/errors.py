"""The error answers of the double, shaped like GitHub's (basic-error, validation-error)."""

from __future__ import annotations

from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """Raised by any layer of the double; the WSGI app turns it into a JSON answer."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def error(status: int, message: str, **extra: Any) -> ApiError:
    """A basic-error answer: message, documentation_url and the status as a string."""
    body = {"message": message, "documentation_url": DOCS, "status": str(status), **extra}
    return ApiError(status, body)


def not_found() -> ApiError:
    return error(404, "Not Found")


def bad_credentials() -> ApiError:
    return error(401, "Bad credentials")


def forbidden_integration() -> ApiError:
    return error(403, "Resource not accessible by integration")


def validation_failed(*errors: dict[str, Any], message: str = "Validation Failed") -> ApiError:
    """422 with the object-shaped `errors` GitHub sends for most validation failures."""
    return error(422, message, errors=list(errors))


def invalid_field(resource: str, field: str, code: str = "invalid") -> ApiError:
    return validation_failed({"resource": resource, "field": field, "code": code})


def custom_error(resource: str, message: str, field: str | None = None) -> ApiError:
    item = {"resource": resource, "code": "custom", "message": message}
    if field:
        item["field"] = field
    return validation_failed(item)


def unprocessable(*messages: str) -> ApiError:
    """422 with string `errors`, the validation-error-simple shape used by reviews."""
    return error(422, "Unprocessable Entity", errors=list(messages))


def invalid_request(detail: str) -> ApiError:
    """422 for a body that does not match the operation's schema."""
    return error(422, f"Invalid request.\n\n{detail}")


BODY_LIMIT = 65536


def check_body_length(resource: str, body: str | None, simple: bool = False) -> None:
    """422 for a body over 65,536 characters (string errors where the endpoint uses them)."""
    if body is None or len(body) <= BODY_LIMIT:
        return
    message = f"body is too long (maximum is {BODY_LIMIT} characters)"
    if simple:
        raise unprocessable(message[0].upper() + message[1:])
    raise custom_error(resource, message, field="body")
