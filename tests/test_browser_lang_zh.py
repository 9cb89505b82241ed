"""A `language: zh` site in Chromium: the article and search pages speak Chinese, their
scripts' messages too (the words come from the page, not from the scripts), and axe-core
finds no WCAG 2.1 A/AA violation on them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from browser.support import (
    PROJECT_PATH,
    REPO,
    SLUG,
    ServedSite,
    guarded_page,
    launched_browser,
    require,
    serve_folder,
)
from test_browser_a11y import violations
from test_browser_lang_search import CJK_TEXT_NODES

from site_builder.build import BuildOptions, build

QUOTE_NOTE = "note_quote-efforts-should-be-made"
"""The note on the quotation that sets the goal of a cyber power (`Efforts should be made ...`)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as launched:
        require("axe")
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServedSite]:
    """The seed site with `language: zh`, built with its search index, under a project path."""
    tmp = tmp_path_factory.mktemp("zh-browser")
    project = tmp / "project"
    for folder in ("content", "seeds"):
        shutil.copytree(REPO / folder, project / folder)
    config = project / "content/site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: zh"))
    folder = tmp / "www" / PROJECT_PATH.strip("/")
    folder.parent.mkdir(parents=True)
    with serve_folder(folder.parent) as origin:
        url = origin + PROJECT_PATH
        report = build(BuildOptions(project, out=folder, base_url=url))
        assert not report.failed, [d.format() for d in report.diagnostics]
        yield ServedSite(folder, url)


def test_the_article_page_and_its_reading_aids_speak_chinese(browser: Any, site: ServedSite):
    with guarded_page(browser, 1280, permissions=["clipboard-read", "clipboard-write"]) as page:
        page.goto(site.url + f"articles/{SLUG}/index.html")
        assert page.locator("html").get_attribute("lang") == "zh"
        nav = page.get_by_role("navigation", name="网站导航")
        assert nav.get_by_role("link").all_inner_texts() == ["文章", "人物", "术语表"]
        assert page.locator("#notes_heading").inner_text() == "注释"
        # The buttons reading.js adds: labelled from the page's words
        note = page.locator(f"#{QUOTE_NOTE}")
        copy = note.locator("button.copy-link")
        assert copy.inner_text() == "复制链接"
        label = copy.get_attribute("aria-label") or ""
        assert label.startswith("复制链接\uff1a注释 ") and label.endswith("所注的引语"), label
        copy.press("Enter")
        page.wait_for_function("document.querySelector('.toast').textContent.length > 0")
        toast = page.locator(".toast").inner_text()
        assert (
            toast.startswith("链接已复制\uff08注释")
            and f"#{QUOTE_NOTE.removeprefix('note_')}" in toast
        )
        assert "Link copied" not in toast
        assert violations(page) == []
        # Chinese words of the interface and of the text all stay inside a `lang` of zh
        found = page.evaluate(CJK_TEXT_NODES)
        assert found["total"] > 100 and found["outside"] == []


def test_the_search_page_and_its_messages_speak_chinese(browser: Any, site: ServedSite):
    with guarded_page(browser, 1280) as page:
        page.goto(site.url + "search/index.html?q=网络强国")
        page.wait_for_selector(".search-result")
        assert page.locator("h1").inner_text() == "搜索"
        status = page.locator("#search_status").inner_text()
        assert status.startswith("“网络强国”的搜索结果\uff1a") and status.endswith("条"), status
        kinds = page.locator(".search-kind").all_inner_texts()
        assert any(k.startswith("文章 · 见") for k in kinds), kinds
        assert not any("Article" in k or "in the text" in k for k in kinds), kinds
        assert violations(page) == []
        page.fill("#search_query", "zzqqxxnothing")
        page.press("#search_query", "Enter")
        page.wait_for_function(
            "document.querySelector('#search_status').textContent.startsWith('没有找到')"
        )
        assert (
            page.locator("#search_status").inner_text() == "没有找到与“zzqqxxnothing”相关的内容。"
        )
        assert violations(page) == []


def test_a_chinese_query_finds_the_chinese_passage(browser: Any, site: ServedSite):
    """Indexed as Chinese, a word inside a longer run of Chinese is found."""
    with guarded_page(browser, 1280) as page:
        page.goto(site.url + "search/index.html?q=网络安全")
        page.wait_for_selector(".search-result")
        excerpts = page.locator(".search-excerpt mark").all_inner_texts()
        assert any("网络" in m for m in excerpts), excerpts
