"""Shared response shapes of API.md."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

import orjson
from fastapi import FastAPI
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, field_validator
from pydantic.json_schema import models_json_schema
from pydantic_core.core_schema import ValidationInfo

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


OpenAPISchema = dict[str, Any]
_REF = "#/components/schemas/{model}"


def errors_as_error_objects(schema: OpenAPISchema) -> None:
    """Document what invalid input really gets: FastAPI lists a 422 ``HTTPValidationError`` on every
    route with parameters, but the validation handler answers 400 with the error object."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorObject" not in components:
        _, defs = models_json_schema([(ErrorObject, "serialization")], ref_template=_REF)
        components.update(defs.get("$defs", {}))
    bad_request = {
        "description": "Bad request: invalid parameters or body (see `errors`).",
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorObject")}}},
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if isinstance(responses, dict) and responses.pop("422", None) is not None:
                responses.setdefault("400", bad_request)
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"{_REF.format(model=name)}"' not in orjson.dumps(schema).decode():
            components.pop(name, None)


def install_openapi(app: FastAPI, fixups: list[Callable[[OpenAPISchema], None]]) -> None:
    """Have ``/openapi.json`` pass through ``errors_as_error_objects`` and the given fixups, once."""
    generate = app.openapi

    def openapi() -> OpenAPISchema:
        if app.openapi_schema is None:
            schema = generate()
            for fixup in (errors_as_error_objects, *fixups):
                fixup(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# -- request bodies -------------------------------------------------------------------------------------

# C0 control characters: NUL is refused by PostgreSQL text columns (a 500) and the rest only ever arrive
# by mistake or to spoof logs and UIs. Multi-line fields keep tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first C0 control character in ``text`` as its code point, e.g. ``U+001B`` (None when clean):
    for text that does not come through a ``RequestBody`` (forms)."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


class RequestBody(BaseModel):
    """Base of every JSON request body: unknown fields are refused, and so is any text (also inside
    lists) carrying a C0 control character, as the query strings already are. ``multiline`` names the
    fields where tab and line breaks belong (notes, descriptions)."""

    model_config = ConfigDict(extra="forbid")
    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in cls.multiline
        for text in _strings(value):
            if (found := control_character(text, multiline=multiline)) is not None:
                raise ValueError(f"must not contain control characters ({found} found)")
        return value


# JSON has true and false: 0, 1, "yes" or "false" are refused rather than guessed at.
Flag = StrictBool

# No card, price or purchase predates Magic.
EARLIEST_DATE = date(1993, 1, 1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    # pydantic would otherwise read 0 as 1970-01-01 (a Unix time) or take a datetime's day.
    raise ValueError("must be a date written YYYY-MM-DD")


def _not_before_magic(value: date) -> date:
    if value < EARLIEST_DATE:
        raise ValueError(f"must be {EARLIEST_DATE.isoformat()} or later")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only), AfterValidator(_not_before_magic)]
"""A calendar day written ``YYYY-MM-DD``, from 1993 on: for query parameters and body fields."""
