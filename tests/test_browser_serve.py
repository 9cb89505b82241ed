"""`site-builder serve` in a real browser (issue 4): an open article follows the editor's saves.

The server runs as editors run it, in a subprocess on a copy of the repository's project; the
page is never touched by the test between saves: it must reload by itself, keep its scroll
position, show the located errors of a bad save, and drop them after the fix.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser.support import REPO, SLUG, artifact, guarded_page, launched_browser

ARTICLE = f"content/articles/{SLUG}.yaml"
NOTE_TEXT = "This is the line that put"
EDITED = "Edited live: this is the line that put"
WAIT_MS = 20_000
STATE_OPEN = "window.__siteBuilderLiveReload && window.__siteBuilderLiveReload.state === 'open'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A copy of the project being served; yields (project, base URL)."""
    project = tmp_path / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(REPO / folder, project / folder)
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "site_builder",
                "serve",
                "--project",
                str(project),
                "--port",
                "0",
            ],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env={**os.environ, "TMPDIR": str(tmp_path)},
        )
    try:
        yield project, wait_for_url(proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for_url(proc: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", log.read_text())
        if found:
            return found.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"serve did not start:\n{log.read_text()}")


def replace(project: Path, old: str, new: str) -> None:
    path = project / ARTICLE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_open_article_follows_each_save(browser: Any, served: tuple[Path, str]):
    project, url = served
    with guarded_page(browser, 1280, reduced_motion="reduce") as page:
        page.goto(f"{url}articles/{SLUG}/index.html")
        page.wait_for_function(STATE_OPEN, timeout=WAIT_MS)
        page.evaluate("window.scrollTo(0, 700)")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 600

        with page.expect_navigation(timeout=WAIT_MS):  # the reload, by itself
            replace(project, NOTE_TEXT, EDITED)
        page.wait_for_function(STATE_OPEN, timeout=WAIT_MS)
        assert EDITED in page.locator("#note_quote-efforts-should-be-made").inner_text()
        assert abs(page.evaluate("window.scrollY") - scrolled) <= 2

        replace(project, "annotations:", "annotations: [")  # broken YAML
        errors = page.locator("#site-builder-errors pre")
        errors.wait_for(state="visible", timeout=WAIT_MS)
        assert re.search(rf"content/articles/{SLUG}\.yaml:\d+:\d+: error", errors.inner_text())
        page.screenshot(path=artifact("serve-error-overlay.png"))

        with page.expect_navigation(timeout=WAIT_MS):
            replace(project, "annotations: [", "annotations:")
        page.wait_for_function(STATE_OPEN, timeout=WAIT_MS)
        assert page.locator("#site-builder-errors").count() == 0
        assert EDITED in page.locator("#note_quote-efforts-should-be-made").inner_text()
