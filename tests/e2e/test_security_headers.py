"""No page breaks the Content-Security-Policy: every main page of the demo clinic, five roles."""

import re
from urllib.parse import urlparse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

ROLES = ("admin", "prescriber", "nurse", "frontdesk", "auditor")
# One page per URL shape (ids replaced), at most this many per role, three clicks from home.
MAX_PAGES_PER_ROLE = 60
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOT_PAGES = re.compile(r"\.(pdf|csv|json|ndjson|zip|parquet|txt|svg|png)$|/logout/|/static/")

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


class Watcher:
    """Collects CSP violations of one browser page: console reports and DOM events."""

    def __init__(self, page):
        self.page = page
        self.found: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.found.append(f"{self.page.url}: {message.text}")

    def visit(self, path: str) -> bool:
        """Open a page and record its violations; False if it was not an HTML page."""
        try:
            response = self.page.goto(path)
        except PlaywrightError as exc:  # a download link, not a page
            if "Download is starting" in str(exc):
                return False
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            return False
        self.collect()
        return True

    def collect(self) -> None:
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.found.append(f"{self.page.url}: {violation}")
        self.page.evaluate("window.__cspViolations = []")


def same_site_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    paths = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
            continue
        if NOT_PAGES.search(parsed.path) or parsed.path.startswith("/api/"):
            continue
        paths.append(parsed.path)
    return paths


def crawl(watcher: Watcher) -> list[str]:
    """Visit home and the pages up to three clicks away (chart tabs): one per URL shape."""
    seen: set[str] = set()
    visited: list[str] = []
    frontier = ["/"]
    for _depth in range(4):
        following = []
        for path in frontier:
            shape = UUID.sub("<id>", path)
            if shape in seen or len(visited) >= MAX_PAGES_PER_ROLE:
                continue
            seen.add(shape)
            if watcher.visit(path):
                visited.append(path)
                following += same_site_links(watcher.page)
        frontier = following
    return visited


def test_no_main_page_of_any_role_violates_the_content_security_policy(demo, sign_in, new_page):
    violations: list[str] = []
    for username in ROLES:
        # given a demo user of each role, signed in, with a listener for CSP violations
        page = new_page()
        watcher = Watcher(page)
        watcher.visit("/login/")
        sign_in(page, username, demo)
        # when they open every main page up to three clicks from home (and the API docs)
        visited = crawl(watcher)
        watcher.visit("/api/v1/docs")
        page.wait_for_selector("#swagger-ui .information-container")
        watcher.collect()
        assert len(visited) > 5, (username, visited)
        violations += watcher.found
        page.context.close()
    # then the browser reported no violation anywhere
    assert violations == []


def test_the_copy_button_and_the_patients_page_work_without_inline_script(
    demo, sign_in, new_page, live_server
):
    # given the demo nurse on a patient's measures tab, with a CSP listener
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    watcher = Watcher(page)
    sign_in(page, "nurse", demo)
    watcher.visit("/patients/")
    page.locator("#patient-results a[href*='/patients/']").first.click()
    page.locator(".tabs a", has_text="Measures").click()
    # when she creates a self-report link and copies it with the button
    page.get_by_role("radio", name="Link or QR code shown to staff").check()
    page.get_by_role("button", name="Create link").click()
    link = page.locator("#self-report-url").input_value()
    page.get_by_role("button", name="Copy link").click()
    # then the button (a static script, not an inline handler) copied the link
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    watcher.collect()
    # and the patient's public questionnaire page breaks no rule either
    phone = new_page()
    phone_watcher = Watcher(phone)
    assert phone_watcher.visit(urlparse(link).path)
    phone.get_by_role("heading", name="Your questionnaire").wait_for()
    assert watcher.found + phone_watcher.found == []
