"""``emptychair demo`` ends by serving the dashboard on 127.0.0.1 with a printed sign-in."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_demo_serves_the_dashboard_and_prints_how_to_sign_in(tmp_path: Path) -> None:
    port = _free_port()
    command = [str(Path(sys.executable).with_name("emptychair")), "demo", str(tmp_path / "ws")]
    command += ["--customers", "300", "--port", str(port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Dashboard:" in line:
                break
        shown = "".join(lines)
        found = re.search(
            r"Dashboard:\s*(http://127\.0\.0\.1:\d+/ui/)\s+\(account (\w+), token (ec_\S+);", shown
        )
        assert found is not None, shown[-2000:]
        url, account, token = found.groups()
        assert url == f"http://127.0.0.1:{port}/ui/"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            for _ in range(200):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            form = client.get("/ui/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf is not None
            signed = client.post(
                "/ui/login",
                data={"account": account, "token": token, "csrf": csrf.group(1)},
            )
            assert signed.status_code == 200 and "The empty chair" in signed.text
            actions = client.get("/ui/actions", params={"lang": "en"})
            assert "Recommended actions" in actions.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
