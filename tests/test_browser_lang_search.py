"""Chinese marked as Chinese, and search that lands on the passage (issue 11), in Chromium.

Every CJK character a reader can see on any page type (and in an open popover) sits inside an
element whose `lang` starts with `zh`; a search hit opens the paragraph, note or span that
holds what was searched for, and its excerpt carries no page furniture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

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

CJK_TEXT_NODES = r"""() => {
  const cjk = /[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let total = 0;
  const outside = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const found = node.data.match(cjk);
    if (!found || node.parentElement.closest("script, template")) continue;
    total += found.length;
    const marked = node.parentElement.closest("[lang]");
    if (!marked || !marked.lang.toLowerCase().startsWith("zh")) outside.push(node.data.trim());
  }
  return { total, outside };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    with served_seed_site(tmp_path_factory.mktemp("lang-search")) as served:
        yield served


def cjk_outside_lang(page: Any) -> tuple[int, list[str]]:
    found = page.evaluate(CJK_TEXT_NODES)
    return found["total"], found["outside"]


@pytest.mark.parametrize("name", [n for n in PAGES if n != "search"])
def test_every_cjk_character_is_inside_a_zh_element(browser: Any, site: ServedSite, name: str):
    with guarded_page(browser) as page:
        page.goto(site.page(name))
        total, outside = cjk_outside_lang(page)
        print(f"{name}: {total} CJK characters, {len(outside)} text runs outside lang=zh*")
        assert outside == []
        if name in ("article", "person", "term", "glossary", "people"):
            assert total > 0, "the seed's page shows Chinese: the check must see it"


def test_cjk_in_an_open_popover_is_inside_a_zh_element(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        page.goto(site.page("article"))
        page.locator("#term-cyber-power").hover()
        popover = page.locator("#annotation_popover")
        popover.wait_for(state="visible")
        assert "网络强国" in popover.inner_text()
        assert cjk_outside_lang(page)[1] == []


def test_cjk_in_search_results_is_inside_a_zh_element(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        page.goto(site.url + "search/index.html?q=网络强国")
        page.wait_for_selector(".search-result")
        assert cjk_outside_lang(page)[1] == []


SHORT_RUN = 16
"""CJK characters a name or phrase may have and still be kept on one line (at 360 px and 1em
that is under 300 px, less than the narrowest column)."""

# Runs of CJK characters (between punctuation, after which a line may break) broken in two.
BROKEN_RUNS = r"""(limit) => {
  const runs = [...document.querySelectorAll('main [lang^="zh"]')]
    .filter(e => !e.closest('template') && !e.lang.endsWith('-Latn') && e.getClientRects().length);
  const broken = [];
  let short = 0;
  for (const run of runs) {
    const walker = document.createTreeWalker(run, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (box.width > 0) chars.push({ch: node.data[i], top: Math.round(box.top)});
      }
    }
    const pieces = [[]];
    chars.forEach((c, i) => {
      if (i > 0 && !/[\u3400-\u4dbf\u4e00-\u9fff]/.test(chars[i - 1].ch)) pieces.push([]);
      pieces[pieces.length - 1].push(c);
    });
    for (const piece of pieces.filter(p => p.length > 1 && p.length <= limit)) {
      short++;
      if (new Set(piece.map(c => c.top)).size > 1) broken.push(piece.map(c => c.ch).join(''));
    }
  }
  return {runs: runs.length, short, broken};
}"""


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_short_cjk_names_do_not_break_across_lines(browser: Any, site: ServedSite, width: int):
    with guarded_page(browser, width) as page:
        for name in ("article", "glossary", "term", "person"):
            page.goto(site.page(name))
            page.wait_for_timeout(100)
            found = page.evaluate(BROKEN_RUNS, SHORT_RUN)
            print(
                f"{name} at {width}px: {found['runs']} CJK runs, {found['short']} short names or"
                f" phrases in them, {len(found['broken'])} broken across lines"
            )
            assert found["broken"] == [], (name, found["broken"])


def search_hits(page: Any, site: ServedSite, query: str) -> list[dict[str, str]]:
    page.goto(site.url + "search/index.html?q=" + query.replace(" ", "+"))
    page.wait_for_selector(".search-result")
    return page.eval_on_selector_all(
        ".search-result",
        """items => items.map(li => ({
            kind: li.querySelector('.search-kind').textContent,
            href: li.querySelector('a').href,
            excerpt: li.querySelector('.search-excerpt').textContent}))""",
    )


def article_hits(hits: list[dict[str, str]]) -> list[dict[str, str]]:
    return [h for h in hits if f"/articles/{SLUG}/" in h["href"]]


def fragment(href: str) -> str:
    """The element id a URL opens (any text directive left out)."""
    return unquote(urlsplit(href).fragment.split(":~:")[0])


@pytest.mark.parametrize("query", ["Li Keqiang", "cyber power", "informatization", "网络强国"])
def test_a_search_hit_opens_the_passage_that_holds_the_query(
    browser: Any, site: ServedSite, query: str
):
    with guarded_page(browser, 360) as page:
        hits = article_hits(search_hits(page, site, query))
        assert hits, f"no hit in the article for {query!r}"
        print(f"{query}: " + "; ".join(f"{h['kind']} -> #{fragment(h['href'])}" for h in hits))
        for hit in hits:
            target = fragment(hit["href"])
            assert target, hit
            page.goto(hit["href"])
            element = page.locator(f'[id="{target}"]')
            assert query.lower() in " ".join(element.text_content().split()).lower(), hit
        page.screenshot(path=artifact(f"search-landing-{len(query)}-360.png"))


def test_the_first_hit_for_li_keqiang_opens_on_li_keqiang_in_the_text(
    browser: Any, site: ServedSite
):
    with guarded_page(browser) as page:
        hits = article_hits(search_hits(page, site, "Li Keqiang"))
        assert hits[0]["kind"].lower().endswith("in the text")
        page.goto(hits[0]["href"])
        target = page.evaluate("decodeURIComponent(location.hash.slice(1))")
        assert "Li Keqiang" in page.locator(f'[id="{target}"]').inner_text()


def test_each_hit_is_labelled_in_the_text_or_in_a_numbered_note(browser: Any, site: ServedSite):
    with guarded_page(browser) as page:
        hits = article_hits(search_hits(page, site, "cyber power"))
        labels = [h["kind"].split("·")[-1].strip().lower() for h in hits]
        assert "in the text" in labels
        assert any(re.fullmatch(r"in note \d+", label) for label in labels), labels
        for hit, label in zip(hits, labels, strict=True):
            assert fragment(hit["href"]).startswith("note_") == label.startswith("in note")
        # "in note N" is the number the article shows on that note.
        shown = []
        for hit, label in zip(hits, labels, strict=True):
            if label.startswith("in note"):
                page.goto(hit["href"])
                shown.append(
                    page.eval_on_selector(
                        f'[id="{fragment(hit["href"])}"]',
                        "e => e.closest('.note').querySelector('.note-number').textContent",
                    )
                )
        print("cyber power: labels " + ", ".join(labels) + "; notes shown as " + ", ".join(shown))
        assert [label.removeprefix("in note ") for label in labels if "note" in label] == shown


@pytest.mark.parametrize("query", ["cyber power", "Internet security", "Xi Jinping"])
def test_excerpts_carry_no_page_furniture(browser: Any, site: ServedSite, query: str):
    with guarded_page(browser) as page:
        hits = search_hits(page, site, query)
        for hit in hits:
            excerpt = hit["excerpt"]
            assert "See also" not in excerpt and "In the texts" not in excerpt, hit
            assert "Back to the text" not in excerpt and "Note " not in excerpt, hit
            # a note number glued to the text it follows: `power,4`, `group1`
            assert not re.search(r"[A-Za-z,.;:\"”]\d{1,2}\b", excerpt), hit
            # an opening mark keeps to its word: `" Efforts` is the gap a <q> left in the index
            assert not re.search(r"(^|\s)[\"\u201c\u2018(]\s", excerpt), hit
        in_text = [h for h in article_hits(hits) if h["kind"].lower().endswith("in the text")]
        assert in_text, hits
