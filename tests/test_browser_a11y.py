"""axe-core in Chromium: no WCAG 2.1 A/AA violation on any page type, light or dark.

axe is injected into each page of the served seed site (the npm package, nothing fetched),
also with the reading aids in use: a popover open, a note open as a sheet on a phone, the
margin notes expanded on a desktop, a selected passage's link offered, search results.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser.support import (
    AXE,
    PAGES,
    PROJECT_PATH,
    ServedSite,
    guarded_page,
    launched_browser,
    require,
    served_seed_site,
)

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        require("axe")
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    with served_seed_site(tmp_path_factory.mktemp("a11y")) as served:
        yield served


def violations(page: Any) -> list[str]:
    """Run axe on the page as it is now; one line per violation and element."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(r => ({violations: r.violations, passes: r.passes.length}))""",
        WCAG_21_AA,
    )
    found = result["violations"]
    where = page.url.split(PROJECT_PATH, 1)[-1]
    print(f"\naxe on {where}: {len(found)} violations, {result['passes']} rules passed")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}"
        for v in found
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_violations_on_any_page_type(browser: Any, site: ServedSite, name: str, scheme: str):
    with guarded_page(browser, 1280, color_scheme=scheme) as page:
        page.goto(site.page(name))
        if name == "search":
            page.wait_for_selector(".search-result")
        assert violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_violations_with_a_popover_open_and_a_note_open_as_a_sheet(
    browser: Any, site: ServedSite, scheme: str
):
    with guarded_page(browser, 360, color_scheme=scheme) as page:
        page.goto(site.page("article"))
        page.locator("#term-cyber-power").focus()
        page.locator("#annotation_popover").wait_for(state="visible")
        assert violations(page) == []
        page.get_by_role("link", name="Note 4", exact=True).click()
        page.locator(".note.is-sheet").wait_for(state="visible")
        page.locator("#term-cyber-power").hover()
        page.locator("#annotation_popover").wait_for(state="visible")
        assert violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_violations_with_margin_notes_expanded_and_a_passage_selected(
    browser: Any, site: ServedSite, scheme: str
):
    with guarded_page(browser, 1280, color_scheme=scheme) as page:
        page.goto(site.page("article"))
        more = page.get_by_role("button", name="More", exact=True)
        while more.count():
            more.first.click()
        page.locator("#para_6 > p").select_text()
        page.get_by_role("button", name="Copy link to this passage").wait_for()
        page.locator("#term-cyber-power").hover()
        page.locator("#annotation_popover").wait_for(state="visible")
        assert violations(page) == []
