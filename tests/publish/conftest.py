"""Fixtures for the publishing tests: the corpus database served in-process, and (for the
browser tests) served by a real `datasette` process and driven by headless Chromium.

The published database is the bundled corpus plus two documents in fixtures/extra/:
- `norfolk_ilacs_inspection.txt`, an inspection report (manifest `kind: report`): Norfolk is a
  council with documents but no plan, so topic questions must answer "no plan", never "no";
- `leeds_unsafe_text_plan.txt`, a plan whose text carries `<script>`, `<img onerror>` and
  `javascript:` links (its manifest entry too, in the title and source URL): every page must
  show them as text.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.ingest import ingest
from pipeline.publish import datasette_args, make_datasette

ROOT = Path(__file__).resolve().parents[2]
EXTRA = Path(__file__).parent / "fixtures" / "extra"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Screenshots go to build/ on every run; UPDATE_SCREENSHOTS=1 (`make screenshots`) refreshes the
# committed ones in docs/screenshots/ on purpose.
SCREENSHOTS = ROOT / ("docs/screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else "build/screenshots")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end test in headless Chromium (select with -m browser)")


@pytest.fixture(scope="session")
def publish_db_path(corpus_db_path, tmp_path_factory) -> Path:
    """The bundled corpus plus fixtures/extra (a council with no plan, a plan full of markup)."""
    path = tmp_path_factory.mktemp("publish") / "plans-published.db"
    shutil.copyfile(corpus_db_path, path)
    report = ingest([EXTRA], path)
    assert not report.failed, report.failed
    return path


@pytest.fixture
def ds(publish_db_path):
    """The published database, in-process: `await ds.client.get(path)`."""
    return make_datasette(publish_db_path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"datasette did not start at {base}:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def server(publish_db_path):
    """Base URL of `datasette serve` (the arguments `councilplans serve` uses) on a free port."""
    port = free_port()
    log = publish_db_path.parent / "datasette.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "datasette", *datasette_args(publish_db_path, port=port)],
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, for one module: Playwright's sync API keeps an event loop running while it
    is open, which the in-process (async) tests must not see."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium) to run the browser tests")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # any alert() that fired: the XSS test expects none
    yield page
    context.close()


@pytest.fixture
def screenshot():
    def take(page, name: str, **kwargs) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), **kwargs)
        return path

    return take
