"""The built seed site in a real browser (Chromium through Playwright), as readers use it.

One module-scoped build, served over HTTP under a project path; every page is opened in a
context whose requests may not leave 127.0.0.1. Screenshots go to test-artifacts/ (those of
every page type at every width are taken by test_browser_screenshots.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser.support import (
    PAGES,
    SLUG,
    ServedSite,
    artifact,
    guarded_page,
    launched_browser,
    served_seed_site,
)

QUOTE = "quote-efforts-should-be-made"
TERM = "term-cyber-power"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    with served_seed_site(tmp_path_factory.mktemp("reading")) as served:
        yield served


def in_viewport(page: Any, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }",
    )


def test_a_term_popover_opens_on_hover_and_closes_with_escape(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        page.goto(site.page("article"))
        term = page.locator(f"#{TERM}")
        popover = page.locator("#annotation_popover")
        term.hover()
        popover.wait_for(state="visible")
        assert "网络强国" in popover.inner_text()
        assert "wǎngluò qiángguó" in popover.inner_text()
        assert "annotation_popover_text" in (term.get_attribute("aria-describedby") or "")
        link = popover.locator("a")
        assert link.get_attribute("href") == "../../glossary/cyber-power/index.html"
        link.hover()  # the popover can be hovered without closing (WCAG 1.4.13)
        page.wait_for_timeout(500)
        assert popover.is_visible()
        page.screenshot(path=artifact("article-popover-1280.png"))
        page.keyboard.press("Escape")
        assert popover.is_hidden()
        term.hover()
        popover.wait_for(state="visible")
        page.mouse.move(5, 5)
        popover.wait_for(state="hidden")


def test_a_term_popover_opens_from_the_keyboard_without_trapping_focus(
    browser: Any, site: ServedSite
):
    with guarded_page(browser) as page:
        page.goto(site.page("article"))
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == TERM:
                break
        else:
            pytest.fail("Tab never reached the term link")
        popover = page.locator("#annotation_popover")
        popover.wait_for(state="visible")
        assert "网络强国" in popover.inner_text()
        page.keyboard.press("Escape")
        assert popover.is_hidden()
        assert page.evaluate("document.activeElement.id") == TERM
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") != TERM  # focus moves on
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.id") == TERM
        page.keyboard.press("Enter")
        page.wait_for_url("**/glossary/cyber-power/index.html")


def test_a_tap_opens_the_popover_and_its_link_goes_to_the_page(browser: Any, site: ServedSite):
    with guarded_page(browser, 360, has_touch=True, is_mobile=True) as page:
        page.goto(site.page("article"))
        popover = page.locator("#annotation_popover")
        page.locator(f"#{TERM}").tap()
        popover.wait_for(state="visible")
        assert page.url.endswith(PAGES["article"])  # the first tap did not navigate
        page.screenshot(path=artifact("article-popover-360.png"))
        page.locator("h1").tap()  # a tap outside closes it
        popover.wait_for(state="hidden")
        page.locator(f"#{TERM}").tap()
        popover.locator("a").tap()
        page.wait_for_url("**/glossary/cyber-power/index.html")


def test_a_quote_leads_to_its_speaker_and_back_to_its_permalink(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        page.goto(site.page("article"))
        quote = page.locator(f"#{QUOTE}")
        assert quote.get_attribute("data-speaker") == "xi-jinping"
        attribution = page.locator("#para_3 a.attribution")
        assert attribution.is_visible()  # the speaker shows beside the quote, not on hover
        text = page.locator("#para_3 > p").bounding_box()
        name = attribution.bounding_box()
        in_margin = name["x"] >= text["x"] + text["width"]
        under_paragraph = name["x"] == text["x"] and name["y"] >= text["y"] + text["height"] - 1
        assert in_margin or under_paragraph, (text, name)
        attribution.click()
        page.wait_for_url("**/people/xi-jinping/index.html")
        page.locator(f'a[href$="#{QUOTE}"]').first.click()
        page.wait_for_url(f"**/articles/{SLUG}/index.html#{QUOTE}")
        page.wait_for_function(f"document.getElementById('{QUOTE}').matches(':target')")
        page.wait_for_timeout(300)  # smooth scrolling
        assert in_viewport(page, f"#{QUOTE}")


def test_cyber_power_leads_to_the_glossary_and_back(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        page.goto(site.page("article"))
        page.locator(f"#{TERM}").click()
        page.wait_for_url("**/glossary/cyber-power/index.html")
        assert page.locator("h1").inner_text() == "cyber power"
        page.go_back()
        page.wait_for_url(f"**/{PAGES['article']}")
        page.go_forward()
        page.locator(f'a[href$="#{TERM}"]').first.click()
        page.wait_for_url(f"**#{TERM}")
        page.wait_for_function(f"document.getElementById('{TERM}').matches(':target')")
        page.wait_for_timeout(300)
        assert in_viewport(page, f"#{TERM}")


@pytest.mark.parametrize("query", ["cyber power", "网络强国"])
def test_search_finds_the_article(browser: Any, site: ServedSite, query: str):
    with guarded_page(browser, 360) as page:
        page.goto(site.page("person"))
        page.locator("#site_search").fill(query)
        page.locator("#site_search").press("Enter")
        page.wait_for_url("**/search/index.html?q=*")
        page.wait_for_selector(".search-result")
        results = page.locator(".search-result a")
        hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
        article = [h for h in hrefs if f"/articles/{SLUG}/" in h]
        assert article, hrefs
        assert article[0].startswith("/cyber-power/")  # the project path is kept
        found = page.locator(".search-result", has=page.locator(f'a[href*="/articles/{SLUG}/"]'))
        excerpt = found.first.locator(".search-excerpt")
        assert query in excerpt.inner_text().lower(), excerpt.inner_text()
        assert excerpt.locator("mark").count() > 0
        page.screenshot(path=artifact(f"search-{'zh' if query[0] > 'z' else 'en'}-360.png"))
        page.locator(f'.search-result a[href*="/articles/{SLUG}/"]').first.click()
        page.wait_for_url(f"**/articles/{SLUG}/**")


def test_search_opened_from_disk_explains_itself(browser: Any, site: ServedSite):
    page_url = (site.folder / "search" / "index.html").as_uri() + "?q=cyber"
    with guarded_page(browser, allow_files=True) as page:
        page.goto(page_url)
        status = page.locator("#search_status")
        assert "opened from a file" in status.inner_text()
        assert page.locator(".browse-links a").count() == 3


def test_copy_link_in_a_popover_and_a_note_copies_the_clean_permalink(
    browser: Any, site: ServedSite
):
    with guarded_page(browser, permissions=["clipboard-read", "clipboard-write"]) as page:
        page.goto(site.page("article"))
        assert page.locator(".article-body button").count() == 0  # nothing in the text itself
        page.locator(f"#{TERM}").hover()
        popover = page.locator("#annotation_popover")
        copy = popover.get_by_role("button", name="Copy link to this term")
        copy.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{site.url}articles/{SLUG}/#{TERM}"
        assert "Link copied" in page.locator(".toast").inner_text()
        page.mouse.move(5, 5)
        popover.wait_for(state="hidden")
        page.locator(f"#note_{QUOTE}").get_by_role(
            "button", name="Copy link to the quotation"
        ).press("Enter")
        page.wait_for_function(f"document.querySelector('.toast').textContent.includes('#{QUOTE}')")
        assert page.evaluate("navigator.clipboard.readText()") == (
            f"{site.url}articles/{SLUG}/#{QUOTE}"
        )
        assert "is-arrived" in (page.locator(f"#{QUOTE}").get_attribute("class") or "")
        # A quotation's link is also in its speaker's popover.
        page.locator("#para_3 a.attribution").hover()
        popover.get_by_role("button", name="Copy link to this quotation").wait_for()


def test_notes_follow_the_text_on_a_phone_and_sit_in_the_margin_on_a_desktop(
    browser: Any, site: ServedSite
):
    note = f"#note_{QUOTE}"
    with guarded_page(browser, 360) as page:
        page.goto(site.page("article"))
        last_paragraph = page.locator(".para > p").last.bounding_box()
        first_note = page.locator(".note-list > .note").first.bounding_box()
        assert first_note["y"] > last_paragraph["y"] + last_paragraph["height"]
        page.locator(f'a.note-ref[href="{note}"]').click()  # the number opens its note
        page.locator(f"{note}.is-sheet .note-body").wait_for(state="visible")
        page.get_by_role("button", name="Close note 4").click()
        assert page.locator(".note.is-sheet").count() == 0
    with guarded_page(browser, 1280) as page:
        page.goto(site.page("article"))
        text = page.locator("#para_3 > p").bounding_box()
        side = page.locator(note).bounding_box()
        assert side["x"] >= text["x"] + text["width"], (text, side)
        first = page.locator("#para_1 > p").bounding_box()
        assert abs(page.locator(".note-list > .note").first.bounding_box()["y"] - first["y"]) < 8


def test_printing_turns_notes_into_endnotes(browser: Any, site: ServedSite):
    with guarded_page(browser, 1280) as page:  # wide: the notes start in the margin
        page.goto(site.page("article"))
        page.emulate_media(media="print")
        last_paragraph = page.locator(".para > p").last.bounding_box()
        heading = page.locator(".notes-heading")
        assert heading.is_visible()
        first_note = page.locator(".note-list > .note").first
        assert heading.bounding_box()["y"] > last_paragraph["y"] + last_paragraph["height"] - 1
        assert first_note.bounding_box()["y"] > heading.bounding_box()["y"]
        assert page.locator(".note-list > .note .note-body").first.is_visible()
        numbers = page.locator(".note-list .note-number").all_inner_texts()
        assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
        assert page.locator(".attribution").first.is_hidden()
        assert page.locator(".note-actions").first.is_hidden()


def test_without_javascript_links_go_to_pages_and_notes_are_open(browser: Any, site: ServedSite):
    with guarded_page(browser, 360, java_script_enabled=False) as page:
        page.goto(site.page("article"))
        assert page.locator(f"#note_{QUOTE} .note-body").is_visible()
        assert page.locator("article button").count() == 0
        page.locator(f"#{TERM}").click()
        page.wait_for_url("**/glossary/cyber-power/index.html")
        page.locator("#site_search").fill("cyber power")
        page.locator("#site_search").press("Enter")
        page.wait_for_url("**/search/index.html?q=*")
        assert page.locator("#search_nojs").is_visible()
        assert page.locator(".browse-links a").count() == 3


def test_screenshots_in_dark_mode(browser: Any, site: ServedSite):
    with guarded_page(browser, 1280, color_scheme="dark") as page:
        page.goto(site.page("article"))
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(23, 24, 27)"
        page.screenshot(path=artifact("article-dark-1280.png"), full_page=True)
