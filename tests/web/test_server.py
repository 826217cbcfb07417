"""`wezmp web` in a real Chromium (driven through chromedriver), against a real daemon: the
page loads, the dashboard shows live agents, keys reach the app, and nothing opens without
the token or from another address."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from wezmp_tui.paths import Paths

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
NO_BROWSER = (
    "no chromium/chromedriver: browser tests skip (apt-get install chromium chromium-driver)"
)

# Everything the page's WebSocket receives (the app's screen as terminal output), kept where
# the test can read it: the terminal draws on a canvas, with no text in the page.
RECORDER = """
(() => {
  const Native = window.WebSocket;
  window.__received = "";
  window.WebSocket = function (url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (e) => {
      window.__received += typeof e.data === "string" ? e.data : new TextDecoder().decode(e.data);
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
})();
"""
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def wezmp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


@pytest.fixture
def served(daemon: Paths) -> Iterator[str]:
    """`wezmp web` on a free port; yields the URL it printed (with its token)."""
    proc = subprocess.Popen(wezmp_argv("web", "--port", "0"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    lines: list[str] = []

    def gather() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=gather, daemon=True)
    reader.start()
    try:
        found = wait_until(lambda: re.search(r"http://\S+", "".join(lines)), timeout=60)
        yield found.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        reader.join(timeout=5)


def request(url: str, path: str, headers: dict[str, str] | None = None) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


def test_refused_without_the_token_or_from_elsewhere(served: str) -> None:
    parts = urlsplit(served)
    assert parts.hostname == "127.0.0.1"
    token = parts.query.removeprefix("token=")
    assert request(served, "/") == 403
    assert request(served, "/?token=wrong") == 403
    assert request(served, f"/?token={token}") == 200
    assert request(served, f"/?token={token}", {"Host": f"evil.example:{parts.port}"}) == 403
    assert request(served, f"/?token={token}", {"Origin": "http://evil.example"}) == 403
    ws = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip
    assert request(served, "/ws", ws) == 403
    assert request(served, f"/ws?token={token}", {**ws, "Origin": "http://evil.example"}) == 403
    assert request(served, "/static/js/textual.js", {"Cookie": f"wezmp_token={token}"}) == 200
    assert request(served, "/static/js/textual.js") == 403


def browser() -> Any:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip(NO_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,900", f"--user-data-dir={Path(os.environ['HOME'], 'chr')}"):
        options.add_argument(arg)  # fmt: skip
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    return driver


def screen(driver: Any) -> str:
    return ESCAPES.sub("", str(driver.execute_script("return window.__received")))


def test_the_control_center_in_chromium(served: str, tmp_path: Path) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text("name: webhelper\ncommand: [sleep, '120']\nworkspace: webws\n")
    assert wezmp("agent", "define", str(spec)).returncode == 0
    assert wezmp("agent", "start", "webhelper").returncode == 0
    driver = browser()
    from selenium.webdriver.common.by import By

    try:
        parts = urlsplit(served)
        driver.get(f"http://127.0.0.1:{parts.port}/")  # no token: refused
        assert "refused" in driver.page_source
        driver.get(served)
        assert driver.find_element(By.ID, "terminal").get_attribute("data-session-websocket-url")
        wait_until(lambda: "webhelper" in screen(driver), timeout=60)
        # Live: a change in the daemon reaches the page.
        before = len(screen(driver))
        assert wezmp("agent", "stop", "webhelper").returncode == 0
        wait_until(lambda: "stopped" in screen(driver)[before:], timeout=30)
        # A key typed in the page reaches the app: `2` opens the board.
        assert "Backlog" not in screen(driver)
        driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys("2")
        wait_until(lambda: "Backlog" in screen(driver), timeout=30)
    finally:
        driver.quit()
