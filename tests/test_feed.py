"""`feed.xml`: an Atom feed of the articles, newest first, valid, and the same bytes every time."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO, ProjectFactory

from site_builder.build import BuildOptions, build

ATOM = "{http://www.w3.org/2005/Atom}"
SEED = "President Xi Jinping said cyber power matters.\n"


def feedparser():
    if os.environ.get("SITE_BUILDER_CI"):
        import feedparser as module
    else:
        module = pytest.importorskip("feedparser")
    return module


def article(title: str, date: str | None, **extra: str) -> str:
    lines = [f"source: seeds/s.txt\ntitle: {title}\npublisher: Xinhua\n"]
    if date:
        lines.append(f"date: {date}\n")
    lines += [f"{k}: {v}\n" for k, v in extra.items()]
    lines.append(
        "annotations:\n  - type: quote\n    text: cyber power matters\n    speaker: xi-jinping\n"
    )
    return "".join(lines)


def built(make_project: ProjectFactory, articles: dict[str, str]) -> Path:
    files: dict[str, str | bytes | None] = {"seeds/s.txt": SEED}
    files.update({f"content/articles/{slug}.yaml": text for slug, text in articles.items()})
    root = make_project(files)
    report = build(BuildOptions(root, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]
    return root / "output"


@pytest.fixture
def three(make_project: ProjectFactory) -> Path:
    return built(
        make_project,
        {
            "a-old": article("An old report", "2013-05-01"),
            "b-new": article(
                "A <new> report & more", "2014-02-27", original_url="https://e.test/x"
            ),
            "c-undated": article("An undated report", None),
        },
    )


def test_the_feed_is_valid_atom_for_feedparser(three: Path):
    parsed = feedparser().parse((three / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Test site"
    assert [e.title for e in parsed.entries] == [
        "A <new> report & more",
        "An old report",
        "An undated report",
    ]


def test_the_feed_has_every_element_atom_requires(three: Path):
    feed = ET.parse(three / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{tag}"), tag
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "https://example.test/site/feed.xml"
    assert links["alternate"] == "https://example.test/site/"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    # every id is unique and permanent: the article's clean URL
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "https://example.test/site/articles/b-new/",
        "https://example.test/site/articles/a-old/",
        "https://example.test/site/articles/c-undated/",
    ]


def test_dates_come_from_the_content_not_the_clock(three: Path):
    feed = ET.parse(three / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2014-02-27T00:00:00Z"  # the newest article
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}published") for e in entries] == [
        "2014-02-27T00:00:00Z",
        "2013-05-01T00:00:00Z",
        None,
    ]
    # an undated article is as recent as the newest one, so the feed stays valid
    assert entries[2].findtext(f"{ATOM}updated") == "2014-02-27T00:00:00Z"


def test_the_original_is_linked_as_via_and_named_in_the_summary(three: Path):
    feed = ET.parse(three / "feed.xml").getroot()
    newest = feed.findall(f"{ATOM}entry")[0]
    assert newest.find(f"{ATOM}link[@rel='via']").get("href") == "https://e.test/x"
    assert newest.findtext(f"{ATOM}summary") == (
        "A <new> report & more (Xinhua, 2014-02-27), annotated: 1 quote."
    )
    raw = (three / "feed.xml").read_text(encoding="utf-8")
    assert "A &lt;new&gt; report &amp; more" in raw  # escaped, never markup


def test_the_feed_is_byte_identical_from_build_to_build(make_project: ProjectFactory, tmp_path):
    first = built(make_project, {"a": article("A", "2014-02-27")})
    data = (first / "feed.xml").read_bytes()
    report = build(BuildOptions(first.parent, out=tmp_path / "again", search=False))
    assert not report.failed
    assert (tmp_path / "again" / "feed.xml").read_bytes() == data


def test_a_site_without_articles_has_a_valid_empty_feed(make_project: ProjectFactory):
    out = built(make_project, {})
    parsed = feedparser().parse((out / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and parsed.entries == []


def test_every_page_links_the_feed(three: Path):
    for page in sorted(three.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert '<link rel="alternate" type="application/atom+xml"' in text, page
    article_page = (three / "articles" / "a-old" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../feed.xml"' in article_page


def test_the_seed_sites_feed_validates(tmp_path: Path):
    report = build(BuildOptions(REPO, out=tmp_path / "site", search=False))
    assert not report.failed
    parsed = feedparser().parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert parsed.bozo == 0
    assert [e.link for e in parsed.entries] == [
        "https://example.github.io/cyber-power/articles/xi-heads-internet-security-group/"
    ]
