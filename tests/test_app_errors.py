"""Every error leaves as the JSON error object of API.md, with the request id; never HTML or a trace."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel

from mtg_tracker.kit.errors import Conflict
from mtg_tracker.main import create_app
from support import make_settings


class Body(BaseModel):
    name: str
    quantity: int


def _test_router() -> APIRouter:
    router = APIRouter()

    @router.post("/_test/echo")
    async def echo(body: Body) -> Body:
        return body

    @router.get("/_test/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    @router.get("/_test/conflict")
    async def conflict() -> None:
        raise Conflict("That name is taken.")

    return router


@pytest.fixture
async def err_client(tmp_path: Any, sqlite_template: Any) -> Any:
    import shutil

    db = tmp_path / "t.db"
    shutil.copyfile(sqlite_template, db)
    settings = make_settings(f"sqlite+aiosqlite:///{db}", tmp_path, http={"max_body_bytes": 2048})
    app = create_app(settings)
    app.include_router(_test_router())
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            yield c


def _assert_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["object"] == "error"
    assert body["status"] == status
    assert body["code"] == code
    assert body["details"]
    assert body["request_id"] == resp.headers["x-request-id"]
    return body  # type: ignore[no-any-return]


async def test_unknown_route_is_404_error_object(err_client: httpx.AsyncClient) -> None:
    body = _assert_error(await err_client.get("/nope"), 404, "not_found")
    assert "/nope" in body["details"]


async def test_wrong_method_is_405(err_client: httpx.AsyncClient) -> None:
    _assert_error(await err_client.delete("/health"), 405, "method_not_allowed")


async def test_malformed_json_is_400_with_errors(err_client: httpx.AsyncClient) -> None:
    resp = await err_client.post("/_test/echo", content=b"{not json", headers={"content-type": "application/json"})
    body = _assert_error(resp, 400, "bad_request")
    assert body["errors"] and {"field", "message"} <= set(body["errors"][0])


async def test_invalid_fields_are_listed(err_client: httpx.AsyncClient) -> None:
    body = _assert_error(await err_client.post("/_test/echo", json={"quantity": "many"}), 400, "bad_request")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"body.name", "body.quantity"}


async def test_body_too_large_is_413(err_client: httpx.AsyncClient) -> None:
    _assert_error(await err_client.post("/_test/echo", content=b"x" * 5000), 413, "payload_too_large")


async def test_streamed_body_too_large_is_413(err_client: httpx.AsyncClient) -> None:
    async def chunks() -> Any:
        for _ in range(10):
            yield b"y" * 1000

    resp = await err_client.post("/_test/echo", content=chunks(), headers={"content-type": "application/json"})
    _assert_error(resp, 413, "payload_too_large")


async def test_app_error_keeps_its_status(err_client: httpx.AsyncClient) -> None:
    body = _assert_error(await err_client.get("/_test/conflict"), 409, "conflict")
    assert body["details"] == "That name is taken."


async def test_unexpected_exception_is_500_and_logged_once(
    err_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    resp = await err_client.get("/_test/boom")
    body = _assert_error(resp, 500, "internal_error")
    assert "secret internal detail" not in resp.text
    assert "Traceback" not in resp.text
    records = [r for r in caplog.records if "unhandled_exception" in r.getMessage()]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert body["request_id"]


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("abc12345-trace.id:7", True),
        ("short", False),
        ("bad id with spaces!!", False),
        ("x" * 200, False),
    ],
)
async def test_request_id_accepted_only_when_well_formed(
    err_client: httpx.AsyncClient, sent: str, echoed: bool
) -> None:
    resp = await err_client.get("/health", headers={"X-Request-ID": sent})
    assert (resp.headers["x-request-id"] == sent) is echoed
    assert len(resp.headers["x-request-id"]) >= 8


async def test_security_headers_on_every_response(err_client: httpx.AsyncClient) -> None:
    for resp in (await err_client.get("/health"), await err_client.get("/nope")):
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["x-frame-options"] == "DENY"
        assert "referrer-policy" in resp.headers
        assert "strict-transport-security" not in resp.headers  # off unless configured


async def test_openapi_documents_every_route(err_client: httpx.AsyncClient) -> None:
    spec = (await err_client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    for path, ops in spec["paths"].items():
        if path.startswith("/_test"):
            continue
        for op in ops.values():
            assert op.get("description") or op.get("summary"), f"{path} lacks a description"


async def test_nul_in_query_string_is_a_400_not_a_500(client: Any) -> None:
    for q in ("%00", "abc%00def", "t%3Agoblin%00"):
        resp = await client.get(f"/api/v1/cards/search?q={q}")
        assert resp.status_code == 400, resp.text
        assert resp.json()["object"] == "error" and "NUL" in resp.json()["details"]


_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/collections", {"GET", "POST"}),
        ("PUT", f"/api/v1/collections/{_ID}", {"GET", "PATCH", "DELETE"}),
        ("POST", f"/api/v1/collections/{_ID}/entries/1", {"PATCH", "DELETE"}),
        ("DELETE", "/api/v1/alerts/events", {"GET"}),
        ("PATCH", "/api/v1/alerts", {"GET", "POST"}),
        ("POST", f"/api/v1/alerts/{_ID}", {"GET", "DELETE"}),
        ("PUT", "/api/v1/users/me", {"GET", "PATCH"}),
    ],
)
async def test_405_allow_lists_every_method_of_the_path(
    err_client: httpx.AsyncClient, method: str, path: str, allow: set[str]
) -> None:
    resp = await err_client.request(method, path)
    _assert_error(resp, 405, "method_not_allowed")
    assert set(resp.headers["allow"].split(", ")) - {"HEAD"} == allow


async def test_alert_routes_take_only_uuids(err_client: httpx.AsyncClient) -> None:
    # "events" is not an alert id: it is the events resource, whatever the method.
    _assert_error(await err_client.delete("/api/v1/alerts/events"), 405, "method_not_allowed")
    _assert_error(await err_client.get(f"/api/v1/alerts/{_ID.upper()}"), 401, "unauthorized")
    _assert_error(await err_client.delete("/api/v1/alerts/not-an-id"), 404, "not_found")


async def test_huge_ids_and_cursors_are_400_not_500(client: Any, db: Any) -> None:
    from accounts import login_headers
    from collectiontools import new_collection
    from mtg_tracker.account import service as account_service

    email = "huge-ids@example.com"
    auth = await login_headers(client, email)
    async with db.session_scope() as session:  # an administrator, to reach the audit log's cursor
        user = await account_service.get_user_by_email(session, email)
        assert user is not None
        user.role = "admin"
    cid = await new_collection(client, auth)
    huge = "99999999999999999999"
    for method, path in [
        ("PATCH", f"/api/v1/collections/{cid}/entries/{huge}"),
        ("DELETE", f"/api/v1/collections/{cid}/entries/{2**31}"),
        ("GET", f"/api/v1/alerts/events?before={huge}"),
        ("GET", f"/api/v1/admin/audit?before={huge}"),
    ]:
        resp = await client.request(method, path, headers=auth, json={"quantity": 1} if method == "PATCH" else None)
        assert resp.status_code == 400, (method, path, resp.text)
        assert resp.json()["object"] == "error"
    assert (await client.get(f"/api/v1/alerts/events?before={2**31 - 1}", headers=auth)).status_code == 200


async def test_openapi_documents_the_400_error_object_not_422(err_client: httpx.AsyncClient) -> None:
    spec = (await err_client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in str(spec) and "ValidationError" not in spec["components"]["schemas"]
    validated = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "422" not in op["responses"], (method, path)
            if op.get("parameters") or op.get("requestBody"):
                validated += 1
                ref = op["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorObject", (method, path)
    assert validated > 30
    # and that is what a validation error gets
    _assert_error(await err_client.get("/api/v1/prices/movers", params={"limit": "many"}), 400, "bad_request")


async def test_openapi_password_lengths_are_the_configured_policy(tmp_path: Any, sqlite_template: Any) -> None:
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path}/p.db", tmp_path, auth={"password_min_length": 14, "password_max_length": 200}
    )
    schemas = create_app(settings).openapi()["components"]["schemas"]
    for model, field in (("RegisterRequest", "password"), ("PasswordChange", "new_password")):
        prop = schemas[model]["properties"][field]
        assert (prop["minLength"], prop["maxLength"]) == (14, 200), model
