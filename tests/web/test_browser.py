"""The end-to-end flow in Debian's Chromium (Playwright), on the real 2019 catalog and real daily prices.

register → log out → log in → search `t:goblin c:r` → open a card → add it to a new collection → import the
real ManaBox export with its dry-run step → see value and chart → create an alert → log out. Every page
gets an axe-core run (no serious or critical violations) and a screenshot in var/screenshots/ (CI keeps
them); first contentful paint is printed for docs/BENCHMARKS.md (never asserted: timings are not tests).

Chromium comes from Debian (`apt-get install chromium`), never from Playwright's downloader. Under CI
(MTG_TEST_DATABASE_URL set) a missing Chromium fails the test; on a laptop without it the test skips.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.config import Settings
from mtg_tracker.kit import migrations
from mtg_tracker.kit.db import Database
from mtg_tracker.price.backfill import import_csv
from support import make_settings, shared_data

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PASSWORD = "a long enough passphrase for the browser"


def _chromium() -> str:
    for candidate in (os.environ.get("MTG_TEST_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    reason = "Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("MTG_TEST_DATABASE_URL"):
        pytest.fail(f"{reason}; CI must run the browser test", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on a real port, over the real 2019 catalog and the real daily prices."""
    import uvicorn

    from mtg_tracker.main import create_app

    cards_file = shared_data("cards", "scryfall-default-cards-2019.json.gz")
    prices_file = shared_data("prices", "daily-usd-2026-01-19_2026-02-14.csv.xz")
    tmp = tmp_path_factory.mktemp("browser")
    url = f"sqlite+aiosqlite:///{tmp / 'site.db'}"
    settings: Settings = make_settings(url, tmp, price={"webhook_allow_networks": ["127.0.0.1/32"]})
    migrations.upgrade(settings)

    async def load() -> None:
        db = Database(settings)
        try:
            await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
            await import_cards(db, cards_file)
            await import_csv(db, prices_file)
        finally:
            await db.dispose()

    asyncio.run(load())
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    # localhost, not 127.0.0.1: browsers treat it as a secure context, so the Secure cookies are kept.
    yield f"http://localhost:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class Visit:
    """Checks every page the flow reaches: axe-core, CSP violations, a screenshot, first paint."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.csp_errors: list[str] = []
        self.paints: dict[str, float] = {}
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        fcp = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null")
        if fcp is not None:
            self.paints[name] = round(float(fcp), 1)
        # evaluate() runs through the DevTools protocol, outside the page's CSP (which would refuse an
        # injected script tag, as it should).
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target)})); }"
        )
        assert result == [], f"{name}: accessibility violations {json.dumps(result, indent=1)}"
        assert self.csp_errors == [], f"{name}: CSP violations {self.csp_errors}"


def test_end_to_end_flow(site: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    manabox = shared_data("collections", "manabox-collection.csv.gz")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    email = f"browser-{int(time.time())}@example.com"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        visit = Visit(page)

        page.goto(f"{site}/")
        visit.check("01-home")

        page.goto(f"{site}/login")
        visit.check("02-login")
        page.fill("#reg-email", email)
        page.fill("#reg-password", PASSWORD)
        page.click("text=Create account")
        expect(page.locator("h1")).to_have_text("Account")
        visit.check("03-account")

        page.click("header >> text=Log out")
        expect(page.locator("header")).to_contain_text("Log in or register")
        page.goto(f"{site}/login")
        page.fill("#login-email", email)
        page.fill("#login-password", PASSWORD)
        page.click("form[action='/login'] button")
        expect(page.locator("header")).to_contain_text("Collections")

        page.fill("#top-q", "t:goblin c:r")
        page.press("#top-q", "Enter")
        expect(page.locator(".count")).to_contain_text("cards")
        visit.check("04-search")
        assert page.locator(".tile").count() > 20

        # A goblin that has real daily prices, so the card page draws a real chart.
        hrefs = [page.locator(".tile a").nth(i).get_attribute("href") for i in range(page.locator(".tile a").count())]
        chart_found = False
        for href in hrefs[:80]:
            page.goto(f"{site}{href}")
            if page.locator("figure.chart polyline").count():
                chart_found = True
                break
        assert chart_found, "no red goblin of the first results has daily prices"
        card_name = page.locator("h1").inner_text().split("\n")[0].strip()
        visit.check("05-card")

        page.select_option("#add-collection", "new")
        page.fill("#new-name", "Browser binder")
        page.fill("#add-qty", "2")
        page.click("text=Add to collection")
        expect(page.locator("h1")).to_contain_text("Browser binder")
        expect(page.locator("table.entries")).to_contain_text(card_name.split(" ▲")[0].split(" ▼")[0])
        visit.check("06-collection")

        page.click("text=Import a file")
        visit.check("07-import")
        page.set_input_files("#file", str(manabox))
        page.click("text=Upload and check")
        expect(page.locator("#report-title")).to_contain_text("Dry run")
        expect(page.locator("dl.facts")).to_contain_text("manabox")
        visit.check("08-dry-run")
        page.click("form[action$='/import/confirm'] button")
        expect(page.locator(".notice")).to_contain_text("Import done")
        expect(page.locator("figure.chart polyline").first).to_be_visible()
        visit.check("09-collection-imported")

        page.goto(f"{site}/collections")
        visit.check("10-collections")

        page.go_back()
        page.locator("table.entries a").first.click()
        page.click("text=Alert me about this price")
        page.fill("#a-threshold", "100")
        page.fill("#a-hook", "http://127.0.0.1:9/hook")
        page.click("text=Create alert")
        expect(page.locator(".notice")).to_contain_text("Alert created")
        visit.check("11-alerts")

        page.goto(f"{site}/movers")
        visit.check("12-movers")
        page.goto(f"{site}/search/syntax")
        visit.check("13-syntax")

        page.click("header >> text=Log out")
        expect(page.locator("header")).to_contain_text("Log in or register")
        page.goto(f"{site}/account")
        expect(page).to_have_url(f"{site}/login?next=/account")

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        small = phone.new_page()
        small_visit = Visit(small)
        small.goto(f"{site}/search?q=t%3Agoblin+c%3Ar")
        small_visit.check("14-search-phone")
        phone.close()
        browser.close()
    print("first contentful paint (ms):", json.dumps(visit.paints | small_visit.paints))
