"""The ownership check every owned route must pass: another user's private resource is a 404 error object."""

from __future__ import annotations

from typing import Any

import httpx

from support import error_body


async def assert_hidden_from(
    client: httpx.AsyncClient, other_headers: dict[str, str], routes: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Each (method, path, httpx kwargs) answers 404 to ``other_headers`` — never 403, never the resource."""
    assert routes, "no routes given: the check would pass vacuously"
    for method, path, kwargs in routes:
        headers = {**kwargs.pop("headers", {}), **other_headers}
        resp = await client.request(method, path, headers=headers, **kwargs)
        body = error_body(resp, 404)
        assert body["code"] == "not_found", (method, path, body)
