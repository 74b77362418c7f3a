"""Browser tests: the site built from the real content/ by `medguide build`, served on
127.0.0.1 by a plain static file server, read by Debian's Chromium through Playwright.

Playwright never downloads a browser here: it drives /usr/bin/chromium (installed by
`make test`), with the flags that keep it off the network.
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from generator.build.pipeline import build_site
from generator.content.pages import SEARCH_URI, page_url

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
NODE_MODULES = ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# A common phone size, the one issue 16's measurements were taken at.
COMMON_PHONE = {"width": 390, "height": 844}


def published_page_urls() -> list[str]:
    """Every page the real content publishes (the core pipeline's list, before MkDocs), plus
    the theme's 404 page."""
    result = build_site(ROOT / "content", ROOT / "templates")
    assert result.ok, [str(p) for p in result.problems.errors]
    return [page_url(page.src_uri) for page in result.pages] + ["404.html"]


# Computed at collection, so each page is its own test case.
ALL_PAGES = published_page_urls()
SEARCH_PAGE = page_url(SEARCH_URI)


def html_file(site: Path, url_path: str) -> Path:
    """The file a static server sends for a site-relative URL path."""
    path = site / url_path.lstrip("/")
    return path / "index.html" if url_path == "" or url_path.endswith("/") else path


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The real content built exactly as `make site` builds it (search index included)."""
    site = tmp_path_factory.mktemp("e2e") / "site"
    result = subprocess.run([sys.executable, "-m", "generator.cli.main", "build", "--site-dir",
                             str(site)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class StaticServer:
    """A plain static file server on 127.0.0.1 (any port), like any web host."""

    def __init__(self, directory: Path):
        handler = functools.partial(QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> "StaticServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def base_url(site_dir) -> str:
    with StaticServer(site_dir) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Browser:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def phone_page(browser, viewport: dict):
    """A page in a phone's browser: touch screen, 2 device pixels per CSS pixel."""
    context = browser.new_context(viewport=viewport, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser) -> Page:
    """A phone: 360 CSS pixels wide."""
    yield from phone_page(browser, PHONE)


@pytest.fixture
def common_phone(browser) -> Page:
    """A phone 390 by 844 CSS pixels."""
    yield from phone_page(browser, COMMON_PHONE)


@pytest.fixture(scope="session")
def report():
    """Figures the browser tests measure, written to tests/artifacts/ at the end of the run."""
    figures: dict = {}
    yield figures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, data in figures.items():
        (ARTIFACTS / f"{name}.json").write_text(json.dumps(data, indent=2, sort_keys=True),
                                               encoding="utf-8")


def site_path(url: str, base_url: str) -> str | None:
    """The site-relative path of an address on the test server (None for other sites)."""
    parts = urlsplit(urljoin(base_url, url))
    base = urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    return parts.path.lstrip("/")


def pytest_collection_modifyitems(items):
    """Every test here drives Chromium: `make test-fast` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
