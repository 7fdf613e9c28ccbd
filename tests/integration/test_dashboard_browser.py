"""The dashboard in a real browser (Debian's Chromium, headless): sign in, every page in both
languages, no console error, no failed request, charts drawn, screenshots kept."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emptychair import Workspace
from emptychair.accounts.tables import ensure_account_tables
from emptychair.accounts.users import add_account
from emptychair.demo.service import DemoReport
from emptychair.scorecard import run_scorecard
from emptychair.web.pages import PAGES

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = shutil.which("chromium") or os.environ.get("EMPTYCHAIR_CHROMIUM")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (make test installs it)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    company: DemoReport, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    import uvicorn

    from emptychair.api.app import create_app

    folder = tmp_path_factory.mktemp("dashboard") / "ws"
    shutil.copytree(company.workspace, folder)
    with Workspace(folder) as ws:
        ensure_account_tables(ws)
        _, token = add_account(ws, "director", "viewer")
        _, analyst = add_account(ws, "analyst", "analyst")
        run_scorecard(ws)
    port = _free_port()
    app = create_app(folder)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running.started, "the server did not start"
    yield {
        "url": f"http://127.0.0.1:{port}",
        "account": "director",
        "token": token,
        "analyst": analyst,
        "customer": company.example_customer,
    }
    running.should_exit = True
    thread.join(timeout=30)


def _watch(page: Page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
    )


def _sign_in(page: Page, server: dict[str, str], account: str, token: str) -> None:
    page.goto(server["url"] + "/")
    assert page.url.endswith("/ui/login")
    page.fill("#account", account)
    page.fill("#token", token)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(re.compile(r".*/ui/$"))


def _charts_drawn(page: Page) -> None:
    charts = page.locator("figure.chart")
    for index in range(charts.count()):
        charts.nth(index).locator("svg").first.wait_for(timeout=15_000)


def test_every_page_in_both_languages(server: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _watch(page, problems)
        _sign_in(page, server, server["account"], server["token"])
        # Keyboard: the first Tab reaches the skip link, which takes the focus to the content;
        # the next Tabs walk the navigation.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.goto(server["url"] + "/ui/")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('nav') !== null")
        for language, overview in (("fr", "La chaise vide"), ("en", "The empty chair")):
            for key in PAGES:
                path = "/ui/" if key == "overview" else f"/ui/{key}"
                started = time.monotonic()
                page.goto(f"{server['url']}{path}?lang={language}")
                page.wait_for_load_state("networkidle")
                assert page.locator("html").get_attribute("lang") == language
                _charts_drawn(page)
                page.screenshot(path=str(ARTIFACTS / f"{key}-{language}.png"), full_page=True)
                assert time.monotonic() - started < 30
            page.goto(f"{server['url']}/ui/?lang={language}")
            assert overview in page.locator("h1").inner_text()
        # The language choice is remembered, and French numbers are written the French way.
        page.goto(f"{server['url']}/ui/value")
        assert page.locator("html").get_attribute("lang") == "en"
        page.goto(f"{server['url']}/ui/value?lang=fr")
        assert re.search(r"\d\u00a0%", page.locator("main").inner_text())
        # On a phone the navigation still fits and the tables scroll inside their region.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{server['url']}/ui/scorecard")
        page.screenshot(path=str(ARTIFACTS / "scorecard-phone.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400
        page.click("text=Se déconnecter")
        page.wait_for_url(re.compile(r".*/ui/login$"))
        browser.close()
    assert not problems, problems


def test_an_analyst_searches_filters_and_asks_for_a_funnel(server: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _watch(page, problems)
        _sign_in(page, server, "analyst", server["analyst"])
        # Customers: search, open the 360 view, personal fields masked for an analyst.
        page.goto(f"{server['url']}/ui/customers?lang=en")
        page.fill("#customers-q", server["customer"])
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        page.click(f"a[href='/ui/customers/{server['customer']}']")
        page.wait_for_url(re.compile(rf".*/ui/customers/{server['customer']}.*"))
        main = page.locator("main").inner_text()
        assert f"Customer {server['customer']}" in main
        assert "Timeline" in main and "masked for your role" in main
        page.screenshot(path=str(ARTIFACTS / "customer-en.png"), full_page=True)
        # Voice: the verbatim filters narrow the list to negative ones.
        page.goto(f"{server['url']}/ui/voice?lang=en")
        before = page.locator("h2", has_text="Verbatims").inner_text()
        page.select_option("#voice-label", "negative")
        page.locator("form", has=page.locator("#voice-label")).locator("button").click()
        page.wait_for_url(re.compile(r".*label=negative.*"))
        _charts_drawn(page)
        after = page.locator("h2", has_text="Verbatims").inner_text()
        assert after != before
        sentiments = page.locator("section.table", has_text="Verbatims").locator("td:nth-child(5)")
        assert sentiments.count() > 0
        assert set(sentiments.all_inner_texts()) == {"negative"}
        page.screenshot(path=str(ARTIFACTS / "voice-filtered-en.png"), full_page=True)
        # Journeys: a funnel drawn on demand.
        page.goto(f"{server['url']}/ui/journeys?lang=en")
        page.fill("#journeys-steps", "web:visit, web:cart, web:checkout")
        page.click("form[aria-label='Funnel'] button")
        page.wait_for_url(re.compile(r".*steps=.*"))
        _charts_drawn(page)
        assert "from the previous step" in page.locator("main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "funnel-en.png"), full_page=True)
        # Simulator: a scenario from the form, its changes with intervals, the tree redrawn.
        page.goto(f"{server['url']}/ui/simulator?lang=fr")
        _charts_drawn(page)
        page.select_option("#simulator-lever", "retention")
        page.fill("#simulator-change", "+2pt")
        page.click("form[aria-label='Scénario'] button")
        page.wait_for_url(re.compile(r".*lever=retention.*"))
        _charts_drawn(page)
        result = page.locator("section.table", has_text="ce qui change").inner_text()
        assert "Valeur vie" in result and "€" in result
        page.screenshot(path=str(ARTIFACTS / "simulator-fr.png"), full_page=True)
        browser.close()
    assert not problems, problems
