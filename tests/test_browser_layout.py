"""The article page's layout as readers see it, measured in Chromium (Playwright).

Measured on the seed site and on a generated site whose every note is long (notes longer
than the text they annotate are what broke earlier layouts), each figure printed:

- no hole in the text: the largest gap between consecutive paragraphs at 1280 and 1600 px
  is at most twice the usual one;
- margin notes at 1280 px start within 1.5 screen heights of their passage, and no two
  items of the margin overlap;
- no permalink glyph in the text on a touch phone; no visible space before , . ; :;
  every paragraph reads as the seed's line;
- every tap target in the article is at least 24x24 px;
- Tab reaches paragraph 5 in no more presses than the header's links and paragraphs 1-4's;
- a printed article starts on page 1, its notes numbered endnotes with their passage and
  their links' hosts, without underlines or pills.

Screenshots of the article at 360, 768, 1280 and 1600 px are taken with every other page type's
by test_browser_screenshots.py.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser.support import (
    REPO,
    SLUG,
    ServedSite,
    artifact,
    guarded_page,
    launched_browser,
    require,
    serve_folder,
    served_seed_site,
)

from site_builder.build import BuildOptions, build

HEIGHT = 900  # the viewport height guarded_page opens
LONG_NOTE = (
    "This note is long on purpose, as an editor's commentary can be: it runs over several "
    "paragraphs, with a link to [a source](https://example.org/a/very/long/path/%E7%BD%91) "
    "and a few words of 中文 in it. "
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    with served_seed_site(tmp_path_factory.mktemp("layout")) as served:
        yield served


def long_notes_project(root: Path) -> Path:
    """The seed project with every note made long: six paragraphs of commentary each."""
    for part in ("content", "seeds"):
        shutil.copytree(REPO / part, root / part)
    path = root / "content" / "articles" / f"{SLUG}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for annotation in data["annotations"]:
        if annotation.get("note"):
            paragraphs = [annotation["note"].strip()] + [LONG_NOTE * 3] * 5
            annotation["note"] = "\n\n".join(paragraphs)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    project = long_notes_project(tmp_path_factory.mktemp("long") / "project")
    folder = project / "www" / "site"
    with serve_folder(folder.parent) as origin:
        url = origin + "/site/"
        report = build(BuildOptions(project, out=folder, base_url=url, search=False))
        assert not report.failed, [d.format() for d in report.diagnostics]
        yield ServedSite(folder, url)


@pytest.fixture(params=["seed", "long"])
def any_site(request: pytest.FixtureRequest) -> ServedSite:
    return request.getfixturevalue(f"{request.param}_site")


def open_article(page: Any, site: ServedSite) -> None:
    page.goto(site.page("article"))
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(100)  # the margin's layout pass runs on the next frame


def seed_paragraphs() -> list[str]:
    lines = (REPO / "seeds" / f"{SLUG}.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("President Xi Jinping"))
    return [" ".join(line.split()) for line in lines[start:] if line.strip()]


# Between paragraph boxes: on narrow screens a paragraph's box holds the line of its speakers.
PARAGRAPH_GAPS = """() => {
  const boxes = [...document.querySelectorAll('.article-body .para')]
    .map(p => p.getBoundingClientRect());
  return boxes.slice(1).map((box, i) => box.top - boxes[i].bottom);
}"""


@pytest.mark.parametrize("width", [1280, 1600])
def test_no_hole_between_paragraphs(browser: Any, any_site: ServedSite, width: int):
    with guarded_page(browser, width) as page:
        open_article(page, any_site)
        gaps = page.evaluate(PARAGRAPH_GAPS)
        usual = sorted(gaps)[len(gaps) // 2]
        print(f"\n{width}px: paragraph gap usual {usual:.0f}px, largest {max(gaps):.0f}px")
        assert usual > 0
        assert max(gaps) <= 2 * usual, gaps


@pytest.mark.parametrize("width", [360, 1280])
def test_without_javascript_there_is_no_hole_either(
    browser: Any, long_site: ServedSite, width: int
):
    with guarded_page(browser, width, java_script_enabled=False) as page:
        page.goto(long_site.page("article"))
        gaps = page.evaluate(PARAGRAPH_GAPS)
        usual = sorted(gaps)[len(gaps) // 2]
        print(
            f"\n{width}px, no JavaScript: paragraph gap usual {usual:.0f}px, largest {max(gaps):.0f}px"
        )
        assert max(gaps) <= 2 * usual, gaps
        # The notes follow the text, each open.
        last = page.locator(".para > p").last.bounding_box()
        assert page.locator(".note-list > .note").first.bounding_box()["y"] > last["y"]
        assert page.locator(".note-list > .note .note-body").last.is_visible()


MARGIN = """() => {
  const top = e => (e.getClientRects()[0] || e.getBoundingClientRect()).top + scrollY;
  const text = document.querySelector('.article-body').getBoundingClientRect();
  const items = [...document.querySelectorAll(
      '.note-list > .note, .article-body .para:not(.speakers-under) .attribution')]
    .map(e => {
      const box = e.getBoundingClientRect();
      const anchor = e.matches('.note') ? document.getElementById(e.dataset.for) : null;
      const quote = e.matches('.attribution') ? [...e.closest('.para').querySelectorAll('q')]
        .find(q => e.compareDocumentPosition(q) & Node.DOCUMENT_POSITION_FOLLOWING) : null;
      return {id: e.id || e.textContent, top: box.top + scrollY, bottom: box.bottom + scrollY,
              left: box.left, anchor: anchor ? top(anchor) : null,
              quote: quote ? top(quote) : null};
    });
  const under = [...document.querySelectorAll('.speakers-under .attribution')].map(e => {
    const box = e.getBoundingClientRect();
    const para = e.closest('.para').getBoundingClientRect();
    const lines = [...e.closest('.para').querySelector('p').getClientRects()];
    return {left: box.left - text.left, top: box.top - lines[lines.length - 1].bottom,
            bottom: para.bottom - box.bottom};
  });
  return {textRight: text.right, items, under};
}"""


def test_margin_notes_sit_level_with_their_passages(browser: Any, any_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, any_site)
        found = page.evaluate(MARGIN)
        items = sorted(found["items"], key=lambda item: item["top"])
        notes = [item for item in items if item["anchor"] is not None]
        assert notes and all(item["left"] >= found["textRight"] for item in items)
        distances = [note["top"] - note["anchor"] for note in notes]
        print(
            f"\n1280px: {len(notes)} margin notes, {len(items) - len(notes)} speakers;"
            f" note below its passage by at most {max(distances):.0f}px"
            f" ({max(distances) / HEIGHT:.2f} screens), above by at most {-min(distances):.0f}px"
        )
        assert all(-4 <= d <= 1.5 * HEIGHT for d in distances), distances
        # A speaker's name stands beside its quotation: level with its first line in the
        # margin, or, where the notes leave it no room there, under its paragraph.
        speakers = [item for item in items if item["anchor"] is None]
        offsets = [abs(item["top"] - item["quote"]) for item in speakers]
        print(
            f"1280px: {len(speakers)} speakers' names in the margin, at most"
            f" {max(offsets, default=0):.0f}px from their quotation's line;"
            f" {len(found['under'])} under their paragraph"
        )
        assert len(speakers) + len(found["under"]) == 6
        assert all(offset <= 8 for offset in offsets), offsets
        for name in found["under"]:
            assert abs(name["left"]) <= 1 and -1 <= name["top"] <= 30 and name["bottom"] >= -1
        overlaps = [
            (a["id"], b["id"]) for a, b in itertools.pairwise(items) if b["top"] < a["bottom"] - 0.5
        ]
        assert overlaps == []


def test_with_room_in_the_margin_the_speakers_stand_level_with_their_quotations(
    browser: Any, tmp_path: Path
):
    project = tmp_path / "project"
    for part in ("content", "seeds"):
        shutil.copytree(REPO / part, project / part)
    path = project / "content" / "articles" / f"{SLUG}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # nothing else in the margin: no note annotations, no notes on the others
    data["annotations"] = [a for a in data["annotations"] if a.get("type") != "note"]
    for annotation in data["annotations"]:
        annotation.pop("note", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    folder = project / "www" / "site"
    with serve_folder(folder.parent) as origin:
        report = build(BuildOptions(project, out=folder, base_url=origin + "/site/", search=False))
        assert not report.failed, [d.format() for d in report.diagnostics]
        with guarded_page(browser, 1280) as page:
            open_article(page, ServedSite(folder, origin + "/site/"))
            found = page.evaluate(MARGIN)
    offsets = [abs(item["top"] - item["quote"]) for item in found["items"]]
    print(
        f"\n1280px, no notes: {len(offsets)} speakers in the margin, at most {max(offsets):.0f}px off"
    )
    assert len(offsets) == 6 and found["under"] == []
    assert all(item["left"] >= found["textRight"] for item in found["items"])
    assert max(offsets) <= 8, offsets


def test_a_long_note_shows_a_preview_that_expands_in_place(browser: Any, long_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, long_site)
        note = page.locator(".note-list > .note").nth(1)
        clamped = note.bounding_box()
        line = page.evaluate(
            "n => parseFloat(getComputedStyle(n.querySelector('.note-body')).lineHeight)",
            note.element_handle(),
        )
        assert note.locator(".note-body").bounding_box()["height"] <= 6.5 * line
        following = page.locator(".note-list > .note").nth(2).bounding_box()
        more = note.get_by_role("button", name="More")
        assert more.get_attribute("aria-expanded") == "false"
        more.click()
        page.wait_for_timeout(100)
        assert note.get_by_role("button", name="Less").get_attribute("aria-expanded") == "true"
        expanded = note.bounding_box()
        assert expanded["y"] == clamped["y"]  # in place
        assert expanded["height"] > clamped["height"] + 3 * line
        # The note under it moved down, out of its way.
        assert page.locator(".note-list > .note").nth(2).bounding_box()["y"] > following["y"]
        page.screenshot(path=artifact("article-long-notes-1280.png"), full_page=True)


def test_no_permalink_glyph_in_the_text_of_a_phone(browser: Any, any_site: ServedSite):
    with guarded_page(browser, 360, has_touch=True, is_mobile=True) as page:
        open_article(page, any_site)
        body = page.locator(".article-body")
        glyphs = body.locator("button").count() + body.inner_text().count("#")
        print(f"\n360px touch: {glyphs} permalink glyphs in the text")
        assert glyphs == 0
        assert page.locator("a.note-ref").count() == 15


VISIBLE_CHARACTERS = """() => {
  const walker = document.createTreeWalker(document.querySelector('.article-body'),
    NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.visually-hidden, .attribution')) continue;
    const size = parseFloat(getComputedStyle(node.parentElement).fontSize);
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      found.push({ch: node.data[i], left: box.left, right: box.right, top: box.top,
                  bottom: box.bottom, size});
    }
  }
  return found;
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_no_visible_space_before_punctuation(browser: Any, seed_site: ServedSite, width: int):
    with guarded_page(browser, width) as page:
        open_article(page, seed_site)
        characters = page.evaluate(VISIBLE_CHARACTERS)
        gaps = []
        for before, mark in itertools.pairwise(characters):
            if mark["ch"] not in ",.;:":
                continue
            same_line = before["top"] < mark["bottom"] and mark["top"] < before["bottom"]
            assert not (before["ch"].isspace() and same_line), characters.index(mark)
            if same_line:
                gaps.append(mark["left"] - before["right"])
        print(f"\n{width}px: widest gap before punctuation {max(gaps):.1f}px ({len(gaps)} marks)")
        assert max(gaps) <= 3, max(gaps)


def test_every_paragraph_reads_as_the_seed(browser: Any, seed_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, seed_site)
        shown = page.eval_on_selector_all(
            ".article-body .para > p",
            """ps => ps.map(p => {
              const copy = p.cloneNode(true);
              copy.querySelectorAll('.attribution, .note-ref').forEach(e => e.remove());
              return copy.textContent.replace(/\\s+/g, ' ').trim();
            })""",
        )
        assert shown == seed_paragraphs()


TAP_TARGETS = """() => [...document.querySelectorAll(
    'article.annotated :is(a[href], button, summary, [tabindex="0"]), #annotation_popover :is(a, button)')]
  .map(e => ({text: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 30),
              box: e.getBoundingClientRect().toJSON()}))
  .filter(t => t.box.width > 0 && t.box.height > 0)"""


@pytest.mark.parametrize("width", [360, 1280])
def test_every_tap_target_is_at_least_24_px(browser: Any, any_site: ServedSite, width: int):
    with guarded_page(browser, width, has_touch=True, is_mobile=width < 768) as page:
        open_article(page, any_site)
        page.locator("#term-cyber-power").tap()
        page.locator("#annotation_popover").wait_for(state="visible")
        targets = page.evaluate(TAP_TARGETS)
        smallest = min(targets, key=lambda t: min(t["box"]["width"], t["box"]["height"]))
        print(f"\n{width}px: {len(targets)} tap targets, smallest {smallest}")
        small = [t for t in targets if min(t["box"]["width"], t["box"]["height"]) < 24 - 0.01]
        assert small == []


PAST_PARAGRAPH_4 = """() => {
  const four = document.getElementById('para_4');
  const here = document.activeElement;
  return !four.contains(here)
    && !!(four.compareDocumentPosition(here) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def test_tab_reaches_paragraph_5_past_only_the_links_before_it(browser: Any, seed_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, seed_site)
        allowed = page.evaluate(
            """() => document.querySelectorAll(
              '.skip-link, .site-header :is(a, input, button), .article-header a,'
              + ' #para_1 a, #para_2 a, #para_3 a, #para_4 a').length"""
        )
        presses = 0
        # Paragraph 5 itself may have no link: the first stop after paragraph 4 counts.
        while presses < 200 and (presses == 0 or not page.evaluate(PAST_PARAGRAPH_4)):
            page.keyboard.press("Tab")
            presses += 1
        print(f"\n1280px: {presses} Tab presses to get past paragraph 4, {allowed} links before")
        assert presses <= allowed + 1  # the press that lands past paragraph 4 itself


def test_notes_and_quotes_are_named_for_screen_readers(browser: Any, seed_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, seed_site)
        landmarks = page.locator("main aside, main [role=complementary]")
        assert landmarks.count() == 1
        assert landmarks.get_attribute("aria-labelledby") == "notes_heading"
        assert page.get_by_role("link", name="Note 4", exact=True).count() == 1
        assert page.locator("[data-annotation-id][aria-describedby]").count() == 0
        tree = page.locator("#para_3").aria_snapshot()
        assert 'link "Quotation by Xi Jinping"' in tree, tree
        assert tree.index("Quotation by Xi Jinping") < tree.index("Efforts should be made")
        quotes = page.locator("q.ann-quote[data-speaker]")
        assert quotes.count() == 6
        # The seed's own quotation marks stand; <q> adds none.
        assert page.evaluate(
            "getComputedStyle(document.querySelector('q.ann-quote'), '::before').content"
        ) in ("none", "normal")


DESCRIPTION_LIMIT = 300
"""Characters a screen reader may read as a link's description: a popover's short text (at
most 280 characters of a summary or definition), never its buttons or a whole note."""


def accessible_description(page: Any, cdp: Any, element_id: str) -> str:
    """What Chromium's accessibility tree gives as the element's description."""
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f'[id="{element_id}"]'})
    tree = cdp.send("Accessibility.getPartialAXTree", {"nodeId": found["nodeId"]})
    return tree["nodes"][0].get("description", {}).get("value", "")


def test_names_and_terms_have_short_descriptions(browser: Any, seed_site: ServedSite):
    with guarded_page(browser, 1280) as page:
        open_article(page, seed_site)
        cdp = page.context.new_cdp_session(page)
        links = page.eval_on_selector_all(".article-body a.ann[id]", "es => es.map(e => e.id)")
        descriptions = {}
        for link in links:
            page.locator(f'[id="{link}"]').focus()  # focus opens its popover
            page.locator("#annotation_popover").wait_for(state="visible")
            descriptions[link] = accessible_description(page, cdp, link)
        longest = max(descriptions, key=lambda link: len(descriptions[link]))
        print(
            f"\n1280px: {len(links)} names and terms, described when focused in at most"
            f" {len(descriptions[longest])} characters ({longest})"
        )
        assert all(descriptions.values()), descriptions
        assert len(descriptions[longest]) <= DESCRIPTION_LIMIT, descriptions[longest]
        assert not [d for d in descriptions.values() if "Copy link" in d or "→" in d]


def test_the_printed_article_starts_on_page_one_with_endnotes(browser: Any, seed_site: ServedSite):
    require("pdftotext")
    pdftotext = shutil.which("pdftotext") or "pdftotext"
    with guarded_page(browser, 1280) as page:
        open_article(page, seed_site)
        page.emulate_media(media="print")
        marks = page.evaluate(
            """() => [...document.querySelectorAll('.article-body .ann, .attribution')]
              .map(e => getComputedStyle(e))
              .filter(s => s.display !== 'none' && (s.textDecorationLine !== 'none'
                || s.borderBottomStyle !== 'none' || s.backgroundColor !== 'rgba(0, 0, 0, 0)'))
              .length"""
        )
        assert marks == 0  # no underline, band or pill on paper
        pdf = artifact("article-print.pdf")
        page.pdf(path=str(pdf), format="A4")
    first = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    every = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    first, every = " ".join(first.split()), " ".join(every.split())
    opening = " ".join(seed_paragraphs()[0].split()[:12])
    print(f"\nprint: page 1 ends with …{first[-60:]!r}")
    assert opening in first
    # Each endnote: its number, then its passage in typographic quotes.
    assert "1. \u2018central Internet security and informatization leading group\u2019" in every
    assert "(digichina.stanford.edu)" in every
    assert "https://" not in every


def test_a_note_opens_from_its_number_as_a_sheet_on_a_phone(browser: Any, seed_site: ServedSite):
    with guarded_page(browser, 360, has_touch=True, is_mobile=True) as page:
        open_article(page, seed_site)
        scrolled = page.evaluate("scrollY")
        page.get_by_role("link", name="Note 4", exact=True).tap()
        sheet = page.locator(".note.is-sheet")
        sheet.wait_for(state="visible")
        assert sheet.get_attribute("id") == "note_quote-efforts-should-be-made"
        box = sheet.bounding_box()
        assert box["y"] + box["height"] <= HEIGHT + 1 and box["y"] > HEIGHT / 3
        assert page.evaluate("scrollY") == scrolled  # the text stays where the reader was
        assert page.evaluate("document.activeElement.id") == "note_quote-efforts-should-be-made"
        page.screenshot(path=artifact("article-note-sheet-360.png"))
        page.keyboard.press("Escape")
        assert sheet.count() == 0
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Note 4"


def test_a_selected_passage_offers_its_link(browser: Any, seed_site: ServedSite):
    permissions = ["clipboard-read", "clipboard-write"]
    with guarded_page(browser, 1280, permissions=permissions) as page:
        open_article(page, seed_site)
        page.evaluate(
            """() => {
              const text = [...document.querySelectorAll('#para_6 p')][0].firstChild;
              const range = document.createRange();
              range.setStart(text, 0);
              range.setEnd(text, 24);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
            }"""
        )
        offer = page.get_by_role("button", name="Copy link to this passage")
        offer.wait_for(state="visible")
        offer.click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert re.fullmatch(
            re.escape(f"{seed_site.url}articles/{SLUG}/#para_6:~:text=") + r"Members%20of.*",
            copied,
        ), copied
