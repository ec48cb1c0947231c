"""A real browser against the real app: `streamlit run app.py` on 127.0.0.1 with the embedded model,
driven by Playwright through Debian's Chromium (Playwright cannot download its own browser here)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
MANAGER, PASSWORD = "lin", "roses-are-red-2026"
CHROMIUM = os.environ.get("HUAYU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not become healthy at {url}")


@pytest.fixture(scope="session")
def app_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the app under test: its own database, files and artifacts folder."""
    home = tmp_path_factory.mktemp("browser-app")
    environment = {
        **os.environ,
        "HUAYU_DATABASE_URL": f"sqlite:///{home / 'huayu.db'}",
        "HUAYU_MODELS_DIR": str(home / "models"),
        "HUAYU_SHOP_NAME": "Huayu Test Shop",
    }
    # A manager account, made the way a shop makes one, so the walk starts at the login form.
    subprocess.run(
        [sys.executable, "-m", "core", "users", "add", MANAGER, "--role", "manager", "--password-stdin"],
        cwd=ROOT, env=environment, input=PASSWORD, text=True, check=True, capture_output=True,
    )
    return environment


@pytest.fixture(scope="session")
def app_url(app_environment: dict[str, str]) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, stopped after the session."""
    port = free_port()
    log = (ARTIFACTS / "streamlit.log")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=app_environment, stdout=log_file, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# Module scope, not session: Playwright's sync API keeps an asyncio loop marked running in this
# thread while it is open, and the async tests that run after this folder (LangChain's standard
# tests) cannot start their own loop until it is closed.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run does).")
    from playwright.sync_api import expect, sync_playwright

    # Drafts come from a real model on a 2-core machine: allow for it.
    expect.set_options(timeout=300_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Walk:
    """One page in the browser, plus numbered screenshots of each step."""

    def __init__(self, page: object, name: str) -> None:
        self.page = page
        self.name = name
        self.step = 0

    def shot(self, label: str) -> Path:
        self.step += 1
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def walk(browser: object, app_url: str, request: pytest.FixtureRequest) -> Iterator[Walk]:
    context = browser.new_context(
        locale="en-US", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(300_000)
    page.goto(app_url)
    walk = Walk(page, request.node.name.removeprefix("test_"))
    log_in(walk)
    yield walk
    context.close()


def log_in(walk: Walk) -> None:
    from playwright.sync_api import expect

    page = walk.page
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(MANAGER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    walk.shot("login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Reply to a complaint")).to_be_visible()
