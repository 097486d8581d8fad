"""Browser journeys: Playwright driving Debian's Chromium against Django's live server."""

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from ketaclinic.core.demo import DEFAULT_DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KETACLINIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "img"


class _Answered:
    """A response body that reports when the server has closed it (Django closes its database
    connection then, on `request_finished`)."""

    def __init__(self, body, done):
        self.body, self.done = body, done

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done()


class CountingLiveServer(ThreadedWSGIServer):
    """The live server, knowing how many requests it has not finished answering.

    A test's browser can leave a request behind when its context closes (the navigation counts a
    page fetches once loaded, a board's poll): the test waits for the server to finish it before
    the database is emptied for the next test, which on SQLite would otherwise fail to flush.

    On SQLite the application also answers one request at a time: threads still accept
    connections (a browser's idle pre-connection must not hold up the others), but the in-memory
    test database is one connection shared by every thread, and a page and the navigation counts
    it fetches would otherwise open two transactions on it."""

    one_at_a_time = False
    lock = threading.Lock()
    idle = threading.Condition()
    unfinished = 0

    def set_app(self, application):
        cls = type(self)

        def finished():
            with cls.idle:
                cls.unfinished -= 1
                cls.idle.notify_all()

        def counted(environ, start_response):
            with cls.idle:
                cls.unfinished += 1
            try:
                if cls.one_at_a_time:
                    with cls.lock:
                        body = application(environ, start_response)
                else:
                    body = application(environ, start_response)
            except BaseException:
                finished()
                raise
            return _Answered(body, finished)

        super().set_app(counted)

    @classmethod
    def wait_until_idle(cls, timeout: float = 30) -> None:
        with cls.idle:
            if not cls.idle.wait_for(lambda: cls.unfinished == 0, timeout=timeout):
                pytest.fail(f"The live server still answers {cls.unfinished} request(s).")


@pytest.fixture(scope="session", autouse=True)
def counting_live_server():
    """PostgreSQL gives each server thread its own connection; SQLite's in-memory database
    cannot, so its live server answers requests one after another."""
    CountingLiveServer.one_at_a_time = connection.vendor == "sqlite"
    LiveServerThread.server_class = CountingLiveServer
    yield


@pytest.fixture(scope="session", autouse=True)
def application_loaded():
    """Import every view before the first page is asked for. A worker that starts with the
    browser journeys would otherwise spend its first page's time budget importing the whole
    application (PDF layout, solvers, charts), which on a loaded machine takes longer."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (importing the URL configuration imports the views)
    yield


TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        # Browser journeys are required: a missing browser is a failure, never a skip.
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh browser context (tablet-sized) on the live server."""
    context = browser.new_context(viewport=TABLET, base_url=live_server.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
    CountingLiveServer.wait_until_idle()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """new_page(viewport=PHONE) -> another page in its own context (another person); other
    keyword arguments are browser context options (e.g. bypass_csp=True)."""
    contexts = []

    def _new(viewport=TABLET, **options):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()
    CountingLiveServer.wait_until_idle()


@pytest.fixture
def login():
    """login(page, user): sign in through the real form."""
    from tests.factories import PASSWORD

    def _login(page, user, password=PASSWORD):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return _login


@pytest.fixture
def screenshot(tmp_path):
    """screenshot(page, "name"): the page as the user guide shows it.

    `make guide-shots` (KETACLINIC_GUIDE_SHOTS=1) writes docs/guide/img/name.png; otherwise the
    picture goes to a temporary folder, so that running the tests leaves the work tree clean.
    """
    folder = GUIDE_IMAGES if os.environ.get("KETACLINIC_GUIDE_SHOTS") == "1" else tmp_path

    def _shot(page, name: str, full_page: bool = False):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    return _shot


@pytest.fixture
def demo(transactional_db):
    """The demo clinic, as `make demo` loads it; gives the demo users' password."""
    call_command("seed_demo")
    return os.environ.get("KETACLINIC_DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)


@pytest.fixture
def sign_in():
    """sign_in(page, username, password): sign in through the real form as a demo user."""

    def _sign_in(page, username: str, password: str) -> None:
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return _sign_in


def open_nav(page):
    """Open the main navigation when it is folded behind the Menu button (below 1100 px);
    gives the navigation, ready to click a link in.

    app.js (a deferred script) shows the button and folds the navigation only once the page is
    parsed: look before that and a visible navigation folds away under the click."""
    page.wait_for_load_state("domcontentloaded")
    button = page.get_by_role("button", name="Menu")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
    return page.get_by_role("navigation", name="Main")
