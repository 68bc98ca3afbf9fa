"""Accounts through the HTTP API on SQLite and PostgreSQL: registration, tokens, rotation and re-use,
key rotation, API keys and scopes, roles, brute force, audit."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager

from accounts import PASSWORD, api_key_headers, login_headers
from mtg_tracker.main import create_app
from support import OPS_HEADERS, error_body, make_settings

KEY_A = "ka:" + "a" * 40
KEY_B = "kb:" + "b" * 40


async def _token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


async def _register(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/v1/auth/register", json={"email": email, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_token_me_refresh_rotation_and_reuse(client: httpx.AsyncClient) -> None:
    resp = await _register(client, "  Jace@Example.COM ")
    assert resp.status_code == 201, resp.text
    assert resp.json()["email"] == "jace@example.com" and resp.json()["role"] == "user"
    error_body(await _register(client, "jace@example.com"), 409)

    resp = await _token(client, "JACE@example.com")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    pair = resp.json()
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    me = await client.get("/api/v1/users/me", headers=_bearer(pair["access_token"]))
    assert me.status_code == 200 and me.json()["email"] == "jace@example.com"

    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != pair["refresh_token"]
    assert (await client.get("/api/v1/users/me", headers=_bearer(rotated["access_token"]))).status_code == 200

    # The old refresh token again: re-use → 401, and the whole family (the rotated tokens too) is revoked.
    error_body(await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401)
    error_body(await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}), 401)
    error_body(await client.get("/api/v1/users/me", headers=_bearer(rotated["access_token"])), 401)
    # Another login (another family) is untouched.
    assert (await _token(client, "jace@example.com")).status_code == 200


async def test_logout_revokes_the_session(client: httpx.AsyncClient) -> None:
    await _register(client, "liliana@example.com")
    pair = (await _token(client, "liliana@example.com")).json()
    headers = _bearer(pair["access_token"])
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    error_body(await client.get("/api/v1/users/me", headers=headers), 401)
    error_body(await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401)
    error_body(await client.post("/api/v1/auth/logout"), 401)


async def test_logout_by_refresh_token_refuses_a_token_never_issued(client: httpx.AsyncClient) -> None:
    await _register(client, "chandra@example.com")
    pair = (await _token(client, "chandra@example.com")).json()
    for garbage in ("garbage", "x" * 200, pair["refresh_token"][:-2] + "zz"):
        error_body(await client.post("/api/v1/auth/logout", json={"refresh_token": garbage}), 401)
    # the session those attempts named nothing of is still alive
    assert (await client.get("/api/v1/users/me", headers=_bearer(pair["access_token"]))).status_code == 200
    logout = {"refresh_token": pair["refresh_token"]}
    assert (await client.post("/api/v1/auth/logout", json=logout)).status_code == 204
    error_body(await client.get("/api/v1/users/me", headers=_bearer(pair["access_token"])), 401)
    # a genuine token of a session already logged out: idempotent
    assert (await client.post("/api/v1/auth/logout", json=logout)).status_code == 204


@pytest.mark.parametrize(
    "body",
    [
        {"display_name": "Jace\x00Beleren"},
        {"display_name": "line\nbreak"},
        {"display_name": "bell\x07"},
        {"email": "x\x00@example.com"},
    ],
)
async def test_control_characters_in_json_text_are_400(client: httpx.AsyncClient, body: dict[str, str]) -> None:
    headers = await login_headers(client)
    resp = error_body(await client.patch("/api/v1/users/me", json=body, headers=headers), 400)
    assert "control characters" in resp["details"]
    register = {"email": "nul@example.com", "password": PASSWORD, **body}
    error_body(await client.post("/api/v1/auth/register", json=register), 400)
    assert (await client.patch("/api/v1/users/me", json={"display_name": "Jace"}, headers=headers)).status_code == 200


async def test_admin_flags_are_json_booleans(client: httpx.AsyncClient, db: Any) -> None:
    admin = await login_headers(client, "nissa@example.com")
    await _make_admin(db, "nissa@example.com")
    await login_headers(client, "gideon@example.com")
    users = (await client.get("/api/v1/admin/users", headers=admin)).json()["data"]
    gideon = next(u for u in users if u["email"] == "gideon@example.com")
    for flag in (0, 1, "false", "no"):
        resp = await client.patch(f"/api/v1/admin/users/{gideon['id']}", json={"is_active": flag}, headers=admin)
        error_body(resp, 400)
    resp = await client.patch(f"/api/v1/admin/users/{gideon['id']}", json={"is_active": False}, headers=admin)
    assert resp.status_code == 200 and resp.json()["is_active"] is False


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short", "at least 12"),
        ("x" * 300, "at most 256"),
        ("password123456", "too common"),
        ("Dragon1234567!", "too common"),
        ("aaaaaaaaaaaaaaa", "easy to guess"),
        ("123456789012345", "easy to guess"),
        ("abcdefghijklmnop", "easy to guess"),
    ],
)
async def test_password_policy(client: httpx.AsyncClient, password: str, fragment: str) -> None:
    body = error_body(await _register(client, "chandra@example.com", password), 400)
    assert fragment in body["details"], body
    assert body["errors"][0]["field"] == "password"
    # nothing was written
    error_body(await _token(client, "chandra@example.com", password), 401)


@pytest.mark.parametrize(
    "email", ["nul\x00@example.com", "no-at-sign", "a@b", "two@@example.com", "spaces in@example.com", ""]
)
async def test_invalid_email(client: httpx.AsyncClient, email: str) -> None:
    error_body(await _register(client, email), 400)


def _forge(payload: dict[str, Any], *, key: bytes, kid: str = "ka", alg: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_key_rotation_and_rejected_tokens(settings: Any, tmp_path: Any) -> None:
    """Tokens signed by the previous key verify while it is listed; alg none, tampered, wrong aud, expired → 401."""
    old = make_settings(settings.database_url, tmp_path, auth={"signing_keys": [KEY_A]})
    app = create_app(old)
    async with (
        LifespanManager(app) as m,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://t") as c,
    ):
        await _register(c, "nissa@example.com")
        pair = (await _token(c, "nissa@example.com")).json()
    token = pair["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == "ka"
    claims = jwt.decode(token, options={"verify_signature": False})

    rotated = make_settings(settings.database_url, tmp_path, auth={"signing_keys": [KEY_B, KEY_A]})
    app = create_app(rotated)
    async with (
        LifespanManager(app) as m,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://t") as c,
    ):
        assert (await c.get("/api/v1/users/me", headers=_bearer(token))).status_code == 200
        fresh = (await _token(c, "nissa@example.com")).json()["access_token"]
        assert jwt.get_unverified_header(fresh)["kid"] == "kb"

        secret_a = KEY_A.split(":", 1)[1].encode()
        header, body, sig = token.split(".")
        none_token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'ka'})}.{body}."
        tampered = f"{header}.{_b64({**claims, 'role': 'admin', 'sub': str(uuid.uuid4())})}.{sig}"
        bad_sig = f"{header}.{body}.{sig[:-4]}AAAA"
        wrong_aud = _forge({**claims, "aud": "someone-else"}, key=secret_a)
        wrong_iss = _forge({**claims, "iss": "evil"}, key=secret_a)
        expired = _forge({**claims, "exp": int(time.time()) - 5}, key=secret_a)
        unknown_kid = _forge(claims, key=secret_a, kid="zz")
        no_jti = _forge({k: v for k, v in claims.items() if k != "jti"}, key=secret_a)
        hs512 = _forge(claims, key=secret_a * 2, alg="HS512")
        for bad in (
            none_token,
            tampered,
            bad_sig,
            wrong_aud,
            wrong_iss,
            expired,
            unknown_kid,
            no_jti,
            hs512,
            "garbage",
        ):
            error_body(await c.get("/api/v1/users/me", headers=_bearer(bad)), 401)

    # Once the old key is dropped from the ring its tokens stop verifying.
    dropped = make_settings(settings.database_url, tmp_path, auth={"signing_keys": [KEY_B]})
    app = create_app(dropped)
    async with (
        LifespanManager(app) as m,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://t") as c,
    ):
        error_body(await c.get("/api/v1/users/me", headers=_bearer(token)), 401)
        assert (await c.get("/api/v1/users/me", headers=_bearer(fresh))).status_code == 200


async def test_api_keys_scopes_and_revocation(client: httpx.AsyncClient) -> None:
    headers = await login_headers(client, "karn@example.com")
    read = await api_key_headers(client, headers, ("read",))
    write = await api_key_headers(client, headers, ("read", "write"))
    assert read["X-API-Key"].startswith("mtg_")
    assert (await client.get("/api/v1/users/me", headers=read)).status_code == 200
    # a read key cannot write
    body = error_body(await client.patch("/api/v1/users/me", json={"display_name": "K"}, headers=read), 403)
    assert "write" in body["details"]
    assert (await client.patch("/api/v1/users/me", json={"display_name": "K"}, headers=write)).json()[
        "display_name"
    ] == "K"

    listed = (await client.get("/api/v1/users/me/api-keys", headers=headers)).json()
    assert listed["total"] == 2 and all("key" not in k for k in listed["data"])
    read_id = next(k["id"] for k in listed["data"] if k["scopes"] == ["read"])
    assert read["X-API-Key"].startswith(next(k["prefix"] for k in listed["data"] if k["id"] == read_id))

    # another user cannot see or revoke it
    other = await login_headers(client, "teferi@example.com")
    error_body(await client.delete(f"/api/v1/users/me/api-keys/{read_id}", headers=other), 404)

    assert (await client.delete(f"/api/v1/users/me/api-keys/{read_id}", headers=headers)).status_code == 204
    error_body(await client.get("/api/v1/users/me", headers=read), 401)
    error_body(await client.get("/api/v1/users/me", headers={"X-API-Key": "mtg_not-a-real-key"}), 401)
    error_body(
        await client.post(
            "/api/v1/users/me/api-keys", json={"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, headers=headers
        ),
        400,
    )
    error_body(
        await client.post("/api/v1/users/me/api-keys", json={"name": "x", "scopes": ["root"]}, headers=headers), 400
    )


async def test_expired_api_key(client: httpx.AsyncClient, db: Any) -> None:
    from sqlalchemy import update

    from mtg_tracker.account.models import ApiKey
    from mtg_tracker.kit.db import utcnow

    headers = await login_headers(client)
    key = await api_key_headers(client, headers, ("read",))
    async with db.session_scope() as session:
        await session.execute(update(ApiKey).values(expires_at=utcnow()))
    error_body(await client.get("/api/v1/users/me", headers=key), 401)


async def test_brute_force_lockout_and_identical_messages(client: httpx.AsyncClient) -> None:
    await _register(client, "gideon@example.com")
    unknown = error_body(await _token(client, "nobody@example.com", "wrong password here"), 401)
    wrong = error_body(await _token(client, "gideon@example.com", "wrong password here"), 401)
    assert unknown["details"] == wrong["details"] == "Incorrect email or password."
    for _ in range(4):  # five failures in all for gideon (limit 5)
        error_body(await _token(client, "gideon@example.com", "wrong password here"), 401)
    locked = error_body(await _token(client, "gideon@example.com"), 429)  # even the right password now
    assert int((await _token(client, "gideon@example.com")).headers["retry-after"]) >= 1
    assert locked["code"] == "rate_limited"
    # an unknown email locks the same way (no enumeration through the lock either)
    for _ in range(4):  # the earlier attempt plus four: five failures
        error_body(await _token(client, "nobody@example.com", "wrong password here"), 401)
    error_body(await _token(client, "nobody@example.com", "wrong password here"), 429)


async def test_lockout_per_address(settings: Any, tmp_path: Any) -> None:
    s = make_settings(settings.database_url, tmp_path, auth={"login_max_failures_per_address": 3})
    app = create_app(s)
    async with LifespanManager(app) as m:
        t = httpx.ASGITransport(app=m.app, client=("198.51.100.9", 1))
        async with httpx.AsyncClient(transport=t, base_url="http://t") as c:
            for i in range(3):
                error_body(await _token(c, f"spray{i}@example.com", "wrong password here"), 401)
            error_body(await _token(c, "spray9@example.com", "wrong password here"), 429)
        other = httpx.ASGITransport(app=m.app, client=("198.51.100.10", 1))
        async with httpx.AsyncClient(transport=other, base_url="http://t") as c:
            error_body(await _token(c, "spray9@example.com", "wrong password here"), 401)


async def test_a_stranger_cannot_lock_the_owner_out(settings: Any, tmp_path: Any, db: Any) -> None:
    """Failures from address A lock (account, A) only; the owner at address B still logs in, and the
    audit log records every failure and lock."""
    app = create_app(settings)
    async with LifespanManager(app) as m:
        attacker = httpx.ASGITransport(app=m.app, client=("198.51.100.66", 1))
        owner = httpx.ASGITransport(app=m.app, client=("203.0.113.20", 1))
        async with (
            httpx.AsyncClient(transport=attacker, base_url="http://t") as a,
            httpx.AsyncClient(transport=owner, base_url="http://t") as b,
        ):
            assert (await _register(b, "nissa@example.com")).status_code == 201
            wrong = [error_body(await _token(a, "nissa@example.com", "wrong password here"), 401) for _ in range(5)]
            locked = error_body(await _token(a, "nissa@example.com"), 429)  # locked for the attacker's address
            assert locked["details"].startswith("Too many failed logins")
            assert {w["details"] for w in wrong} == {"Incorrect email or password."}
            assert (await _token(b, "nissa@example.com")).status_code == 200  # the owner is not locked out
            # a wrong password from the owner's address still gets the same message as before
            assert error_body(await _token(b, "nissa@example.com", "wrong password here"), 401)["details"] == (
                "Incorrect email or password."
            )
            # the owner's success does not forgive the attacker's address
            error_body(await _token(a, "nissa@example.com"), 429)
    from sqlalchemy import func, select

    from mtg_tracker.account.models import AuditEvent

    async with db.session_scope() as session:
        counts = dict(
            (
                await session.execute(
                    select(AuditEvent.action, func.count())
                    .where(AuditEvent.action.startswith("login."))
                    .group_by(AuditEvent.action)
                )
            ).all()
        )
    assert counts["login.failure"] == 6 and counts["login.locked"] == 2 and counts["login.success"] == 1


async def test_account_wide_ceiling_stops_a_distributed_guess(settings: Any, tmp_path: Any) -> None:
    s = make_settings(settings.database_url, tmp_path, auth={"login_max_failures_per_account": 6})
    app = create_app(s)
    async with LifespanManager(app) as m:
        for i in range(3):  # three addresses, two failures each: under the per-address limit of five
            t = httpx.ASGITransport(app=m.app, client=(f"198.51.100.{i + 1}", 1))
            async with httpx.AsyncClient(transport=t, base_url="http://t") as c:
                if i == 0:
                    await _register(c, "teferi@example.com")
                for _ in range(2):
                    error_body(await _token(c, "teferi@example.com", "wrong password here"), 401)
        fresh = httpx.ASGITransport(app=m.app, client=("198.51.100.99", 1))
        async with httpx.AsyncClient(transport=fresh, base_url="http://t") as c:
            error_body(await _token(c, "teferi@example.com"), 429)  # the ceiling holds for every address


async def _make_admin(db: Any, email: str) -> None:
    from mtg_tracker.account import service

    async with db.session_scope() as session:
        user = await service.get_user_by_email(session, email)
        assert user is not None
        user.role = "admin"


async def test_roles_disable_and_audit(client: httpx.AsyncClient, db: Any) -> None:
    admin_headers = await login_headers(client, "ajani@example.com")
    user_headers = await login_headers(client, "sorin@example.com")
    user_key = await api_key_headers(client, user_headers, ("read", "write"))
    error_body(await client.get("/api/v1/admin/users", headers=admin_headers), 403)  # not an admin yet
    await _make_admin(db, "ajani@example.com")

    users = (await client.get("/api/v1/admin/users", headers=admin_headers)).json()
    assert users["total"] == 2
    sorin = next(u for u in users["data"] if u["email"] == "sorin@example.com")
    error_body(await client.get("/api/v1/admin/users", headers=user_headers), 403)
    error_body(await client.get(f"/api/v1/admin/users/{uuid.uuid4()}", headers=admin_headers), 404)

    resp = await client.patch(f"/api/v1/admin/users/{sorin['id']}", json={"role": "api_client"}, headers=admin_headers)
    assert resp.json()["role"] == "api_client"
    resp = await client.patch(f"/api/v1/admin/users/{sorin['id']}", json={"is_active": False}, headers=admin_headers)
    assert resp.json()["is_active"] is False
    # tokens and keys stop at once; the right password now gets "disabled"
    error_body(await client.get("/api/v1/users/me", headers=user_headers), 401)
    error_body(await client.get("/api/v1/users/me", headers=user_key), 403)
    error_body(await _token(client, "sorin@example.com"), 403)
    error_body(
        await client.patch(f"/api/v1/admin/users/{sorin['id']}", json={"role": "god"}, headers=admin_headers), 400
    )

    me = (await client.get("/api/v1/users/me", headers=admin_headers)).json()
    body = error_body(
        await client.patch(f"/api/v1/admin/users/{me['id']}", json={"role": "user"}, headers=admin_headers), 409
    )
    assert "last active administrator" in body["details"]

    audit = (await client.get("/api/v1/admin/audit", headers=admin_headers)).json()
    actions = [e["action"] for e in audit["data"]]
    for expected in (
        "user.created",
        "login.success",
        "api_key.created",
        "user.role_changed",
        "user.disabled",
        "login.disabled",
    ):
        assert expected in actions, actions
    role_change = next(e for e in audit["data"] if e["action"] == "user.role_changed")
    assert role_change["actor_id"] == me["id"] and role_change["target"] == sorin["id"]
    assert role_change["details"] == {"new": "api_client", "old": "user"} and role_change["address"] == "203.0.113.7"
    text = json.dumps(audit)
    assert PASSWORD not in text and user_key["X-API-Key"] not in text
    logins = (await client.get("/api/v1/admin/audit", params={"action": "login"}, headers=admin_headers)).json()
    assert logins["data"] and all(e["action"].startswith("login.") for e in logins["data"])


async def test_password_change_revokes_other_sessions(client: httpx.AsyncClient) -> None:
    await _register(client, "elspeth@example.com")
    a = (await _token(client, "elspeth@example.com")).json()
    b = (await _token(client, "elspeth@example.com")).json()
    error_body(
        await client.post(
            "/api/v1/users/me/password",
            json={"current_password": "not the password", "new_password": "an entirely new passphrase"},
            headers=_bearer(a["access_token"]),
        ),
        401,
    )
    resp = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "an entirely new passphrase"},
        headers=_bearer(a["access_token"]),
    )
    assert resp.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=_bearer(a["access_token"]))).status_code == 200
    error_body(await client.get("/api/v1/users/me", headers=_bearer(b["access_token"])), 401)
    error_body(await client.post("/api/v1/auth/refresh", json={"refresh_token": b["refresh_token"]}), 401)
    error_body(await _token(client, "elspeth@example.com"), 401)
    assert (await _token(client, "elspeth@example.com", "an entirely new passphrase")).status_code == 200


async def test_missing_and_malformed_credentials(client: httpx.AsyncClient) -> None:
    body = error_body(await client.get("/api/v1/users/me"), 401)
    assert body["code"] == "unauthorized"
    error_body(await client.get("/api/v1/users/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    error_body(await client.post("/api/v1/auth/token", data={"username": "x"}), 400)
    error_body(await client.post("/api/v1/auth/refresh", json={"refresh_token": "mtgr_nope"}), 401)
    error_body(await client.post("/api/v1/auth/refresh", json={}), 400)


async def test_registration_closed(settings: Any, tmp_path: Any) -> None:
    app = create_app(make_settings(settings.database_url, tmp_path, auth={"registration_open": False}))
    async with (
        LifespanManager(app) as m,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=m.app), base_url="http://t") as c,
    ):
        error_body(await _register(c, "someone@example.com"), 403)


async def test_metrics_count_tokens_and_failures(client: httpx.AsyncClient) -> None:
    await login_headers(client)
    await _token(client, "nobody-here@example.com", "wrong password here")
    text = (await client.get("/metrics", headers=OPS_HEADERS)).text
    assert "jwt_tokens_issued_total" in text
    assert 'authentication_failures_total{reason="bad_credentials"}' in text


async def test_control_characters_in_the_login_form_are_not_a_500(client: httpx.AsyncClient) -> None:
    for username, password in (("nul\x00@example.com", PASSWORD), ("someone@example.com", "pass\x00word")):
        resp = await client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert "control characters" in error_body(resp, 400)["details"]
