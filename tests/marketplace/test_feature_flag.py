"""The marketplace flag is a kill switch: off, every marketplace route answers 404 as if it did not exist."""

from __future__ import annotations

from pathlib import Path

import httpx

from support import app_factory, error_body


async def test_marketplace_routes_404_while_the_flag_is_off(database_url: str, tmp_path: Path) -> None:
    async with app_factory(database_url, tmp_path) as make:
        for value, listing_status in (("on", 200), ("off", 404)):
            app = await make(features={"marketplace": value})
            transport = httpx.ASGITransport(app=app, client=("203.0.113.50", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                resp = await client.get("/api/v1/listings")
                assert resp.status_code == listing_status, (value, resp.text)
                if listing_status == 404:
                    error_body(resp, 404)
                    error_body(await client.post("/api/v1/orders", json={"lines": []}), 404)
                    error_body(await client.get("/api/v1/admin/integrity"), 404)
                # The rest of the API does not notice.
                assert (await client.get("/api/v1/cards/search", params={"q": "t:goblin"})).status_code in (200, 404)
