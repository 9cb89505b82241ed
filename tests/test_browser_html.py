"""The built pages as browsers, validators and crawlers read them.

The Nu HTML Checker (npm `vnu-jar`, run once with Java over every page) finds no error; every
page has its title, description, canonical URL and OpenGraph data, and JSON-LD that parses as
the schema.org type its page is; the popovers an article needs are all in it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from browser.support import REPO, SLUG, VNU, require
from htmlcheck import Element, parse

from site_builder.build import BuildOptions, build

BASE = "https://example.test/annotated/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "site"
    report = build(BuildOptions(REPO, out=out, base_url=BASE))
    assert not report.failed, [d.format() for d in report.diagnostics]
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def elements(site: Path, relpath: str) -> list[Element]:
    return parse((site / relpath).read_text(encoding="utf-8")).elements


def meta(found: list[Element], key: str, value: str) -> str | None:
    for element in found:
        if element.tag == "meta" and element.attrs.get(key) == value:
            return element.attrs.get("content")
    return None


def json_ld(found: list[Element]) -> dict:
    [script] = [
        e for e in found if e.tag == "script" and e.attrs.get("type") == "application/ld+json"
    ]
    return json.loads(script.text)


def test_the_nu_html_checker_finds_no_error_on_any_page(site: Path):
    require("java", "vnu")
    pages = html_pages(site)
    assert len(pages) > 20
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
    ]
    print(f"\nNu HTML Checker: {len(pages)} pages, {len(problems)} errors")
    assert problems == []


def test_every_page_has_a_title_a_description_and_opengraph(site: Path):
    for page in html_pages(site):
        relpath = page.relative_to(site).as_posix()
        found = elements(site, relpath)
        [title] = [e for e in found if e.tag == "title"]
        assert title.text.strip(), relpath
        assert meta(found, "name", "description"), relpath
        for prop in ("og:title", "og:type", "og:description", "og:site_name"):
            assert meta(found, "property", prop), (relpath, prop)
        canonical = [e.attrs["href"] for e in found if e.attrs.get("rel") == "canonical"]
        if relpath == "404.html":
            assert canonical == []  # served at any address: it has none of its own
            continue
        clean = relpath.removesuffix("index.html")
        assert canonical == [BASE + clean], relpath
        assert meta(found, "property", "og:url") == BASE + clean


@pytest.mark.parametrize(
    ("relpath", "kind"),
    [
        ("index.html", "WebSite"),
        (f"articles/{SLUG}/index.html", "Article"),
        ("people/xi-jinping/index.html", "Person"),
        ("glossary/index.html", "DefinedTermSet"),
        ("glossary/cyber-power/index.html", "DefinedTerm"),
    ],
)
def test_json_ld_parses_as_the_page_type(site: Path, relpath: str, kind: str):
    data = json_ld(elements(site, relpath))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == kind
    assert data.get("url", BASE).startswith(BASE)


def test_the_article_json_ld_attributes_its_quotations(site: Path):
    data = json_ld(elements(site, f"articles/{SLUG}/index.html"))
    quotes = [part for part in data["hasPart"] if part["@type"] == "Quotation"]
    assert quotes and all(q["creator"]["name"] == "Xi Jinping" for q in quotes)
    assert quotes[0]["url"] == f"{BASE}articles/{SLUG}/#quote-efforts-should-be-made"


def test_every_linked_person_and_term_has_its_popover_in_the_page(site: Path):
    found = elements(site, f"articles/{SLUG}/index.html")
    classes = ("ann-mention", "ann-term", "attribution")
    linked = {
        e.attrs["href"]
        for e in found
        if e.tag == "a" and any(c in e.attrs.get("class", "").split() for c in classes)
    }
    cards = {e.attrs["data-for"]: e for e in found if "popover-card" in e.attrs.get("class", "")}
    assert linked and linked == set(cards)
    assert "网络强国" in cards["../../glossary/cyber-power/index.html"].text
    assert "wǎngluò qiángguó" in cards["../../glossary/cyber-power/index.html"].text


def test_only_articles_people_and_terms_are_searched(site: Path):
    for page in html_pages(site):
        relpath = page.relative_to(site).as_posix()
        [main] = [e for e in elements(site, relpath) if e.tag == "main"]
        searched = (
            relpath.startswith(("articles/", "people/", "glossary/")) and relpath.count("/") == 2
        )
        assert ("data-pagefind-body" in main.attrs) == searched, relpath
    assert "search/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
