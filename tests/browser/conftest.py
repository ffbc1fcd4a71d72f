"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Where no Chromium exists the tests are skipped with one line saying why; with
KOPNET_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails the run instead.
On failure pytest-playwright keeps a screenshot and a trace in test-results/.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.migrated_data import migrated_data, setup_connections  # noqa: F401  (fixtures)

# pytest-django's live_server sets up the test database from Playwright's
# event-loop thread; Django must allow that.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_required():
    return os.environ.get("KOPNET_REQUIRE_BROWSER", "") not in ("", "0", "false")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser/" in str(item.fspath).replace(os.sep, "/")]
    if not browser_items or chromium_path() or browser_required():
        return
    reason = "no Chromium found (install Debian's chromium or set CHROMIUM_PATH)"
    config._kopnet_browser_skip = reason
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reason = getattr(config, "_kopnet_browser_skip", None)
    if reason:
        terminalreporter.write_line(f"browser tests skipped: {reason}")


@pytest.fixture(autouse=True)
def _restore_migrated_data(django_db_serialized_rollback, migrated_data):
    """live_server tests run on a database that is flushed after each test; serialized
    rollback puts back what the migrations created (provinces, sectors, objectives,
    the Dekopin group) before the next one. `migrated_data` makes that work under
    Playwright (see tests/browser/migrated_data.py)."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        pytest.fail("KOPNET_REQUIRE_BROWSER=1 but no Chromium was found (CHROMIUM_PATH or /usr/bin/chromium)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def screen():
    """Save a full-page screenshot under test-results/screens/<name>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# Every page of every browser test is watched: a Content-Security-Policy violation, an
# error in the console (a missing file, a failed script) or an uncaught exception fails
# the test that saw it. A 4xx page that a test asks for on purpose (a form sent back
# with its errors) is not a failure; a resource it loads failing is.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


@pytest.fixture
def console_problems():
    """What the browser reported on the test's pages; checked when the test ends."""
    return []


@pytest.fixture
def new_context(new_context, console_problems):
    documents_answered_4xx = set()

    def record_document(response):
        if response.request.resource_type == "document" and response.status >= 400:
            documents_answered_4xx.add(response.url)

    def record_message(message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") in documents_answered_4xx:
            return
        console_problems.append(f"{message.text} ({message.location.get('url')})")

    def create(**kwargs):
        context = new_context(**kwargs)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("response", record_document)
        context.on("console", record_message)
        context.on("weberror", lambda error: console_problems.append(f"uncaught: {error.error}"))
        return context

    yield create
    assert not console_problems, "the browser reported:\n" + "\n".join(dict.fromkeys(console_problems))
