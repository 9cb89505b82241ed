"""What the browser and validator tests share: the tools they need, the seed site built and
served over HTTP under a project path, and a browser that may not talk to anything else.

Locally a test skips, saying why, when Chromium, Java or the Node packages are missing; in CI
(`SITE_BUILDER_CI=1`, set by `.ci/run`) a missing tool fails the test instead, so a gate can
never pass by not running.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from site_builder.build import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent.parent
NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = REPO / "test-artifacts"
SLUG = "xi-heads-internet-security-group"
PROJECT_PATH = "/cyber-power/"
"""The site is served under a path, as a GitHub Pages project site is."""
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ALLOWED_HOSTS = {"127.0.0.1"}

PAGES = {
    "home": "index.html",
    "article": f"articles/{SLUG}/index.html",
    "people": "people/index.html",
    "person": "people/xi-jinping/index.html",
    "glossary": "glossary/index.html",
    "term": "glossary/cyber-power/index.html",
    "search": "search/index.html?q=cyber+power",
    "404": "404.html",
}
"""One page of each type, relative to the site root."""


def chromium_path() -> Path | None:
    """Debian's Chromium (Playwright cannot download its own here)."""
    found = (
        os.environ.get("SITE_BUILDER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    return Path(found) if Path(found).is_file() else None


def _missing(tool: str) -> str | None:
    if tool == "chromium":
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "the Python package playwright is not installed (pip install -e '.[test]')"
        if chromium_path() is None:
            return "Chromium is not installed (apt-get install chromium)"
    elif tool == "pdftotext" and shutil.which("pdftotext") is None:
        return "pdftotext is not installed (apt-get install poppler-utils)"
    elif tool == "java" and shutil.which("java") is None:
        return "Java is not installed (apt-get install default-jre-headless)"
    elif tool == "axe" and not AXE.is_file():
        return "axe-core is not installed (npm ci)"
    elif tool == "vnu" and not VNU.is_file():
        return "vnu-jar is not installed (npm ci)"
    return None


def require(*tools: str) -> None:
    """Skip the test with the reason when a tool is missing; in CI, fail it instead."""
    reasons = [r for r in map(_missing, tools) if r]
    if not reasons:
        return
    message = "; ".join(reasons)
    if os.environ.get("SITE_BUILDER_CI") == "1":
        pytest.fail(f"{message} (required in CI)", pytrace=False)
    pytest.skip(message)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that navigates on cancels its loads; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` on a free loopback port for the duration; yields its http:// URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@dataclass(frozen=True)
class ServedSite:
    """The seed site, built for and served at `url` (which ends in the project path)."""

    folder: Path
    url: str

    def page(self, name: str) -> str:
        return self.url + PAGES.get(name, name)


@contextmanager
def served_seed_site(tmp: Path) -> Iterator[ServedSite]:
    """Build the repository's site with a base_url at a local server, and serve it there.

    The server's root holds the site one folder down, as GitHub Pages serves a project site,
    so links that forget the project path break here as they would there.
    """
    folder = tmp / "www" / PROJECT_PATH.strip("/")
    folder.parent.mkdir(parents=True)
    with serve_folder(folder.parent) as origin:
        url = origin + PROJECT_PATH
        report = build(BuildOptions(REPO, out=folder, base_url=url))
        assert not report.failed, [d.format() for d in report.diagnostics]
        yield ServedSite(folder, url)


@dataclass
class RequestGuard:
    """Aborts and records every request that would leave the loopback host."""

    blocked: list[str] = field(default_factory=list)
    allow_files: bool = False

    def __call__(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.hostname in ALLOWED_HOSTS or (self.allow_files and parts.scheme == "file"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@contextmanager
def launched_browser() -> Iterator[Any]:
    """Chromium through Playwright, for one test module."""
    require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_page(browser: Any, width: int = 1280, **options: Any) -> Iterator[Any]:
    """A page in a fresh context whose requests stay on 127.0.0.1 and whose scripts do not fail.

    Both are checked when the block ends.
    """
    allow_files = options.pop("allow_files", False)
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    guard = RequestGuard(allow_files=allow_files)
    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
    assert guard.blocked == [], f"requests left the site: {guard.blocked}"
    assert errors == [], f"errors in the page: {errors}"


def artifact(name: str) -> Path:
    """Where a screenshot or PDF goes (test-artifacts/ is git-ignored); `name` may hold a folder."""
    path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
