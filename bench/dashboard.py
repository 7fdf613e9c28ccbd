"""Benchmark: how fast each dashboard page renders on the default demo workspace.

Two measures per page and language:

* **server**: the time to answer ``GET /ui/<page>`` (read the stored runs, build the page,
  render the HTML), median and worst of ``--repeat`` requests through an in-process client;
* **browser**: in Debian's Chromium (headless), from navigation to the page loaded and its
  last chart drawn (one SVG per chart), median of ``--repeat`` visits.

The viewer account sees every page; the customers page is measured as an analyst with a
search and with one customer's 360 view, the voice page with a verbatim filter and the
journeys page with an on-demand funnel. The demo workspace (50,000 customers, as ``make
demo`` builds) is built once into ``bench/_data/dashboard-demo`` unless ``--workspace`` is
given. Prints a Markdown table; nothing is written to ``bench/RESULTS.md``. Example::

    python bench/dashboard.py
    python bench/dashboard.py --workspace demo-workspace --repeat 5
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from emptychair import Workspace
from emptychair.accounts import add_account
from emptychair.api.app import create_app
from emptychair.demo.service import build_demo
from emptychair.web.pages import PAGES

DATA = Path(__file__).resolve().parent / "_data" / "dashboard-demo"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def demo_workspace(customers: int) -> tuple[Path, str]:
    """The benchmark's demo workspace (built on first use) and a customer worth showing."""
    marker = DATA / "example_customer.txt"
    if not marker.exists():
        shutil.rmtree(DATA, ignore_errors=True)
        report = build_demo(DATA / "ws", customers=customers, seed=0, show_progress=True)
        marker.write_text(report.example_customer, encoding="utf-8")
    return DATA / "ws", marker.read_text(encoding="utf-8")


def sign_in(client: TestClient, account: str, token: str) -> None:
    form = client.get("/ui/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None, "no sign-in form"
    answer = client.post(
        "/ui/login",
        data={"account": account, "token": token, "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, f"sign-in failed: {answer.status_code}"


def visits(example: str) -> list[tuple[str, str, str]]:
    """(label, who, path) of every measured page view."""
    views = [
        (key, "viewer", "/ui/" if key == "overview" else f"/ui/{key}")
        for key in PAGES
        if key != "customers"
    ]
    views += [
        ("customers: search", "analyst", f"/ui/customers?q={example}"),
        ("customers: 360 view", "analyst", f"/ui/customers/{example}"),
        ("voice: negative verbatims", "viewer", "/ui/voice?label=negative"),
        ("journeys: funnel", "viewer", "/ui/journeys?steps=web:visit,web:cart,web:checkout"),
    ]
    return views


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def server_times(folder: Path, tokens: dict[str, str], example: str, repeat: int) -> dict:
    results = {}
    with TestClient(create_app(folder)) as viewer, TestClient(create_app(folder)) as analyst:
        sign_in(viewer, "viewer", tokens["viewer"])
        sign_in(analyst, "analyst", tokens["analyst"])
        clients = {"viewer": viewer, "analyst": analyst}
        for label, who, path in visits(example):
            for language in ("fr", "en"):
                url = f"{path}{'&' if '?' in path else '?'}lang={language}"
                client = clients[who]
                client.get(url)  # first visit: caches warm, as for a reader's second page

                def get(client: TestClient = client, url: str = url) -> None:
                    answer = client.get(url)
                    assert answer.status_code == 200, (url, answer.status_code)

                results[(label, language)] = timed(get, repeat)
    return results


def browser_times(folder: Path, tokens: dict[str, str], example: str, repeat: int) -> dict:
    import uvicorn
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(folder), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    base = f"http://127.0.0.1:{port}"
    results = {}
    chromium = shutil.which("chromium") or os.environ.get("EMPTYCHAIR_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        pages = {}
        for who in ("viewer", "analyst"):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/ui/login")
            page.fill("#account", who)
            page.fill("#token", tokens[who])
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/ui/$"))
            pages[who] = page
        for label, who, path in visits(example):
            for language in ("fr", "en"):
                url = f"{base}{path}{'&' if '?' in path else '?'}lang={language}"
                page = pages[who]

                def visit(page: object = page, url: str = url) -> None:
                    page.goto(url, wait_until="load")  # type: ignore[attr-defined]
                    charts = page.locator("figure.chart")  # type: ignore[attr-defined]
                    for index in range(charts.count()):
                        charts.nth(index).locator("svg").first.wait_for(timeout=30_000)

                visit()
                results[(label, language)] = timed(visit, repeat)
        browser.close()
    server.should_exit = True
    thread.join(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="A demo workspace (default: build one).")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="Measure the server only.")
    args = parser.parse_args()
    if args.workspace is not None:
        source, example = args.workspace, ""
    else:
        source, example = demo_workspace(args.customers)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "ws"
        shutil.copytree(source, folder)
        with Workspace(folder) as workspace:
            tokens = {who: add_account(workspace, who, who)[1] for who in ("viewer", "analyst")}
            if not example:
                from emptychair.demo.service import example_customer

                example = example_customer(workspace)
            customers = workspace.count("customers")
        server = server_times(folder, tokens, example, args.repeat)
        browser = None if args.no_browser else browser_times(folder, tokens, example, args.repeat)
    load = os.getloadavg()
    print(
        f"{customers:,} customer records; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load[0]:.1f} / {load[1]:.1f} at the end; {args.repeat} repeats\n"
    )
    print("| page | language | server median (ms) | server worst (ms) | browser median (ms) |")
    print("|---|---|---:|---:|---:|")
    for (label, language), times in server.items():
        drawn = "" if browser is None else f"{statistics.median(browser[(label, language)]):.0f}"
        print(
            f"| {label} | {language} | {statistics.median(times):.0f} | {max(times):.0f} "
            f"| {drawn} |"
        )


if __name__ == "__main__":
    main()
