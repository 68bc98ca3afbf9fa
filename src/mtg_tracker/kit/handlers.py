"""Exception handlers: every error leaves as the error object of API.md, with the request id."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from mtg_tracker.kit.db import unavailable_reason
from mtg_tracker.kit.errors import AppError, error_body
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.middleware import request_id_var

log = get_logger("mtg_tracker.errors")

# How long a client should wait before retrying after the database failed it.
DATABASE_RETRY_AFTER_SECONDS = 2


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def app_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    body = error_body(
        status=exc.status_code,
        code=exc.code,
        details=exc.message,
        request_id=request_id_var.get(),
        warnings=exc.warnings,
        errors=exc.errors,
        extra=exc.extra,
    )
    return _json(exc.status_code, body, exc.headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    body = error_body(
        status=400,
        details=f"The request is not valid: {summary}" if summary else "The request is not valid.",
        request_id=request_id_var.get(),
        errors=errors,
    )
    return _json(400, body)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    default_phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != default_phrase else None
    if status == 404 and detail is None:
        detail = f"No endpoint matches {request.method} {request.url.path}."
    elif status == 405 and detail is None:
        detail = f"{request.method} is not allowed on {request.url.path}."
    body = error_body(status=status, details=detail or default_phrase, request_id=request_id_var.get())
    headers = dict(exc.headers) if exc.headers else {}
    if status == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return _json(status, body, headers or None)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes on this path.

    Starlette answers 405 with the ``Allow`` of the first route whose path matched, but FastAPI makes
    one route per method, so ``PUT /collections`` would claim only GET is allowed when POST is too.
    """
    path: str = request.scope["path"]
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.router.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """An unreachable, missing, locked or un-migrated database is a 503 the client may retry; other
    database errors are bugs and go on to the 500 handler."""
    reason = unavailable_reason(exc)
    if reason is None:
        raise exc
    log.warning("database_unavailable", path=request.url.path, error=str(exc).splitlines()[0][:300])
    body = error_body(status=503, details=reason, request_id=request_id_var.get())
    return _json(503, body, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)})


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(SQLAlchemyError, database_error_handler)
