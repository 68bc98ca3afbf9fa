"""/docs works offline: Swagger UI's files come from the package, and "Authorize" logs in with email and
password through the OAuth2 password flow."""

from __future__ import annotations

import re

import httpx

from mtg_tracker.kit.docs import SWAGGER_DIR


async def test_docs_reference_only_local_assets_and_they_are_served(client: httpx.AsyncClient) -> None:
    resp = await client.get("/docs")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    html = resp.text
    assert "cdn." not in html and "https://" not in html and "http://" not in html
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}
    for url in assets:
        assert url.startswith("/docs/static/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content == (SWAGGER_DIR / url.rsplit("/", 1)[-1]).read_bytes()
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200
    assert (SWAGGER_DIR / "LICENSE").is_file()
    assert (await client.get("/redoc")).status_code == 404  # no second UI that would load from a CDN


async def test_openapi_declares_the_password_flow(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    (name,) = [n for n, s in schemes.items() if s["type"] == "oauth2"]
    assert schemes[name]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert "/api/v1/auth/token" in spec["paths"]
    assert {name: []} in spec["paths"]["/api/v1/users/me"]["get"]["security"]


async def test_the_password_flow_token_works_as_bearer(client: httpx.AsyncClient) -> None:
    """What Swagger UI does after "Authorize": POST the form to tokenUrl, send the access token."""
    email, password = "swagger@example.com", "a long enough passphrase for tests"
    assert (await client.post("/api/v1/auth/register", json={"email": email, "password": password})).status_code == 201
    form = {"grant_type": "password", "username": email, "password": password, "scope": ""}
    token = (await client.post("/api/v1/auth/token", data=form)).json()
    assert token["token_type"] == "bearer"
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == email
