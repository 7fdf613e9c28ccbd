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

import pytest

from emptychair import Workspace
from emptychair.accounts.tables import ensure_account_tables
from emptychair.accounts.users import add_account
from emptychair.demo.service import DemoReport
from emptychair.scorecard import run_scorecard
from emptychair.web.pages import PAGES

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
    yield {"url": f"http://127.0.0.1:{port}", "account": "director", "token": token}
    running.should_exit = True
    thread.join(timeout=30)


def test_every_page_in_both_languages(server: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.goto(server["url"] + "/")
        assert page.url.endswith("/ui/login")
        page.fill("#account", server["account"])
        page.fill("#token", server["token"])
        page.keyboard.press("Enter")  # the form works from the keyboard
        page.wait_for_url(re.compile(r".*/ui/$"))
        for language, overview in (("fr", "La chaise vide"), ("en", "The empty chair")):
            for key in PAGES:
                path = "/ui/" if key == "overview" else f"/ui/{key}"
                started = time.monotonic()
                page.goto(f"{server['url']}{path}?lang={language}")
                page.wait_for_load_state("networkidle")
                assert page.locator("html").get_attribute("lang") == language
                charts = page.locator("figure.chart")
                for index in range(charts.count()):
                    charts.nth(index).locator("svg").first.wait_for(timeout=15_000)
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
