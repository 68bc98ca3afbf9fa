"""One error base for the whole service, rendered as the error object of API.md.

Expected failures are raised as ``AppError`` subclasses and become 4xx/503 responses; anything else
is a bug, logged once with its traceback and answered with a bare 500 error object.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        warnings: list[str] | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.warnings = warnings
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class ValidationFailed(BadRequest):
    code = "bad_request"
    default_message = "The request is not valid; see errors."


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    default_message = "Authentication is required."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    default_message = "Nothing was found here."


class MethodNotAllowed(AppError):
    status_code = 405
    code = "method_not_allowed"
    default_message = "This method is not allowed on this resource."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests; slow down."


class Unavailable(AppError):
    status_code = 503
    code = "unavailable"
    default_message = "A dependency is unavailable; try again shortly."


STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "bad_request",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


def error_body(
    *,
    status: int,
    details: str,
    request_id: str | None,
    code: str | None = None,
    warnings: list[str] | None = None,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The error object of API.md; ``extra`` carries Scryfall's optional fields such as ``type``."""
    body: dict[str, Any] = {
        "object": "error",
        "code": code or STATUS_CODES.get(status, "error"),
        "status": status,
        "details": details,
    }
    if extra:
        body.update(extra)
    if warnings:
        body["warnings"] = warnings
    if errors is not None:
        body["errors"] = errors
    body["request_id"] = request_id
    return body
