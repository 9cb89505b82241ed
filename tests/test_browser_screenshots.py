"""Screenshots of every page type at the four widths readers use (issue 11), in Chromium.

Each page of the seed site (home, article, people, person, glossary, term, search with its
results, 404) is opened at 360, 768, 1280 and 1600 px, as a phone, a tablet and desktops open
it, and kept in test-artifacts/screenshots/: the whole page, its first screen and, on person
and term pages, the screen where their places begin. The README's pictures are from here
(copied into docs/).

Before each picture is taken the page is checked the way a reader would see a flaw in it: its
heading is on the first screen, nothing scrolls sideways, and no line of text runs out of the
window or into another one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser.support import (
    PAGES,
    ServedSite,
    artifact,
    guarded_page,
    launched_browser,
    served_seed_site,
)

WIDTHS = [360, 768, 1280, 1600]
HEIGHT = 900  # the viewport height guarded_page opens


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    with served_seed_site(tmp_path_factory.mktemp("screenshots")) as served:
        yield served


def device(width: int) -> dict[str, Any]:
    """Phones and tablets are touch screens; a phone also has a mobile viewport."""
    return {"has_touch": width < 1280, "is_mobile": width < 768}


# Lines of text: every text node's line boxes as the reader sees them, hidden text left out
# and cut to what the boxes around them show (a clamped note shows only its first lines).
TEXT_LINES = """() => {
  const clipOf = element => {
    let clip = {top: -Infinity, bottom: Infinity};
    for (let e = element; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.overflowY === 'visible' && style.overflowX === 'visible') continue;
      const box = e.getBoundingClientRect();
      clip = {top: Math.max(clip.top, box.top), bottom: Math.min(clip.bottom, box.bottom)};
    }
    return clip;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const lines = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.data.trim() || parent.closest('script, template, .visually-hidden, [hidden]')) continue;
    const style = getComputedStyle(parent);
    if (style.visibility !== 'visible' || parseFloat(style.opacity) === 0) continue;
    const clip = clipOf(parent);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      const top = Math.max(box.top, clip.top);
      const bottom = Math.min(box.bottom, clip.bottom);
      if (box.width < 1 || bottom - top < 1) continue;
      lines.push({text: node.data.trim().slice(0, 40), left: box.left, right: box.right,
                  top: top + scrollY, bottom: bottom + scrollY});
    }
  }
  return lines;
}"""


def collisions(lines: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of line boxes from different text that cover each other by more than a third of
    the shorter one's height (a line that touches the next, or a subscript, is no collision)."""
    found = []
    ordered = sorted(lines, key=lambda line: line["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"]:
                break
            shared_y = min(a["bottom"], b["bottom"]) - b["top"]
            shared_x = min(a["right"], b["right"]) - max(a["left"], b["left"])
            shorter = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
            if shared_x > 1 and shared_y > shorter / 3 and a["text"] != b["text"]:
                found.append((a["text"], b["text"]))
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot_of_every_page_type(browser: Any, site: ServedSite, name: str, width: int):
    with guarded_page(browser, width, **device(width)) as page:
        page.goto(site.page(name))
        page.wait_for_load_state("load")
        if name == "search":
            page.wait_for_selector(".search-result")
        page.evaluate("document.fonts.ready")
        page.wait_for_timeout(100)  # the article's margin is laid out on the next frame
        heading = page.locator("h1").first.bounding_box()
        assert heading and heading["y"] + heading["height"] <= HEIGHT, heading
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        lines = page.evaluate(TEXT_LINES)
        outside = [
            line["text"] for line in lines if line["left"] < -0.5 or line["right"] > width + 0.5
        ]
        assert outside == [], f"text out of the window: {outside}"
        overlapping = collisions(lines)
        whole = artifact(f"screenshots/{name}-{width}.png")
        page.screenshot(path=whole, full_page=True)
        first = artifact(f"screenshots/{name}-{width}-first-screen.png")
        page.screenshot(path=first)
        if page.locator(".occurrence-groups").count():
            # A person's or term's places, as a reader scrolled down to them sees them.
            # (instantly: the site scrolls smoothly)
            page.locator(".occurrence-groups").first.evaluate(
                """e => scrollTo({behavior: 'instant',
                  top: (e.previousElementSibling || e).getBoundingClientRect().top + scrollY - 16})"""
            )
            page.screenshot(path=artifact(f"screenshots/{name}-{width}-places.png"))
        print(
            f"\n{name} at {width}px: {len(lines)} lines of text, {len(overlapping)} overlapping;"
            f" {whole.name} {whole.stat().st_size // 1024} KB"
        )
        assert overlapping == [], overlapping
