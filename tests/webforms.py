"""Form helpers for web page tests: the CSRF token of a page, registering through the form."""

from __future__ import annotations

import re
import uuid

import httpx

from accounts import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    resp = await client.get(path)
    assert resp.status_code == 200, resp.text
    return csrf_of(resp.text)


async def register(client: httpx.AsyncClient, email: str | None = None) -> str:
    """Register through the form (which logs in); the email used."""
    email = email or f"web-{uuid.uuid4().hex[:10]}@example.com"
    token = await form_token(client, "/login")
    resp = await client.post("/register", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/account"
    return email
