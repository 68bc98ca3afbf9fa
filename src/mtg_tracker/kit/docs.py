"""The interactive API documentation at /docs, served from files inside the package.

FastAPI's default page loads Swagger UI from a CDN, which leaves /docs blank offline or behind a strict
proxy, so the assets are vendored (``mtg_tracker/static/swagger``, with their licence) and served here.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_DIR = Path(__file__).resolve().parent.parent / "static" / "swagger"
DOCS_URL = "/docs"
ASSETS_URL = "/docs/static"


def install_docs(app: FastAPI, *, openapi_url: str = "/openapi.json") -> None:
    """``/docs`` (Swagger UI), its assets and the OAuth2 redirect page; call with ``docs_url=None``."""
    app.mount(ASSETS_URL, StaticFiles(directory=SWAGGER_DIR), name="swagger-assets")
    redirect_url = f"{DOCS_URL}/oauth2-redirect"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API documentation",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
            oauth2_redirect_url=redirect_url,
            # validatorUrl null: Swagger UI would otherwise send the spec to validator.swagger.io.
            swagger_ui_parameters={"persistAuthorization": True, "validatorUrl": None},
        )

    @app.get(redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
