"""Shared response shapes of API.md."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Integer row ids are 32-bit on PostgreSQL and a larger number overflows SQLite's driver: id and cursor
# parameters stop here, so a huge number is a 400, never a 500.
MAX_ROW_ID = 2**31 - 1


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorObject(BaseModel):
    """Every 4xx/5xx response body."""

    model_config = ConfigDict(extra="allow")

    object: Literal["error"] = "error"
    code: str = Field(examples=["not_found"])
    status: int = Field(examples=[404])
    details: str = Field(examples=["No card found with the given id."])
    warnings: list[str] | None = None
    errors: list[ErrorItem] | None = None
    request_id: str | None = None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error object for the given statuses."""
    descriptions = {
        400: "Bad request: invalid parameters or body (see `errors`).",
        401: "Missing or invalid credentials.",
        403: "Authenticated but not allowed.",
        404: "Not found.",
        409: "Conflict with the current state.",
        413: "Request body too large.",
        429: "Rate limited; see `Retry-After`.",
        503: "A dependency is unavailable.",
    }
    return {s: {"model": ErrorObject, "description": descriptions.get(s, "Error.")} for s in statuses}
