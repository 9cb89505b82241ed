"""End to end: the seed project builds through the CLI into a complete, linked, stable site."""

from __future__ import annotations

import filecmp
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from conftest import REPO
from htmlcheck import parse

SLUG = "xi-heads-internet-security-group"
BASE = "https://example.github.io/cyber-power/"


def run_build(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "build",
            "--project",
            str(REPO),
            "--out",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    result = run_build(out)
    assert result.returncode == 0, result.stderr
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_of_the_url_table_exists(site: Path):
    people = yaml.safe_load((REPO / "content/people.yaml").read_text())
    terms = yaml.safe_load((REPO / "content/glossary.yaml").read_text())
    expected = [
        "index.html",
        f"articles/{SLUG}/index.html",
        "people/index.html",
        *(f"people/{p}/index.html" for p in people),
        "glossary/index.html",
        *(f"glossary/{t}/index.html" for t in terms),
        "404.html",
        ".nojekyll",
        "sitemap.xml",
        "static/style.css",
    ]
    for relpath in expected:
        assert (site / relpath).is_file(), relpath


def test_pages_are_well_formed_with_unique_ids(site: Path):
    for page in pages(site):
        reader = parse(page.read_text(encoding="utf-8"))
        assert not reader.problems, (page, reader.problems)
        ids = [e.attrs["id"] for e in reader.elements if "id" in e.attrs]
        assert len(ids) == len(set(ids)), page


def test_every_internal_link_and_fragment_resolves(site: Path):
    ids_cache: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids_cache:
            reader = parse(path.read_text(encoding="utf-8"))
            ids_cache[path] = {e.attrs["id"] for e in reader.elements if "id" in e.attrs}
        return ids_cache[path]

    checked = 0
    for page in pages(site):
        if page.name == "404.html":
            continue
        for element in parse(page.read_text(encoding="utf-8")).elements:
            link = element.attrs.get("href") or element.attrs.get("src")
            if link is None or urlsplit(link).scheme:
                continue
            parts = urlsplit(link)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
            assert not parts.path.startswith("/"), f"absolute link {link} in {page}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids_of(target), f"{page.relative_to(site)}: {link}"
            checked += 1
    assert checked > 100


def test_404_links_are_absolute_from_base_url(site: Path):
    reader = parse((site / "404.html").read_text(encoding="utf-8"))
    hrefs = [
        e.attrs["href"] for e in reader.elements if e.tag in ("a", "link") and "href" in e.attrs
    ]
    # Same-page fragments work at any depth; every other link must be absolute.
    assert hrefs and all(h.startswith((BASE, "#")) for h in hrefs), hrefs
    assert sum(h.startswith(BASE) for h in hrefs) >= 4


def test_sitemap_lists_clean_absolute_urls(site: Path):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}articles/{SLUG}/</loc>" in sitemap
    assert f"<loc>{BASE}people/xi-jinping/</loc>" in sitemap
    assert "index.html" not in sitemap


def test_article_markup_follows_the_contract(site: Path):
    html = (site / f"articles/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "Adjust font size" not in html
    reader = parse(html)
    canonical = [
        e for e in reader.elements if e.tag == "link" and e.attrs.get("rel") == "canonical"
    ]
    assert canonical[0].attrs["href"] == f"{BASE}articles/{SLUG}/"
    annotated = [e for e in reader.elements if "data-annotation-id" in e.attrs]
    spec = yaml.safe_load((REPO / f"content/articles/{SLUG}.yaml").read_text())
    assert len({e.attrs["data-annotation-id"] for e in annotated}) >= len(spec["annotations"])
    seen: set[str] = set()
    for element in annotated:
        ident = element.attrs["data-annotation-id"]
        kind = element.attrs["data-annotation-type"]
        assert kind in ("quote", "mention", "term", "note")
        assert ("id" in element.attrs) == (ident not in seen)  # the first fragment carries the id
        if ident not in seen and kind == "quote":
            assert element.attrs["data-speaker"] == "xi-jinping"
        seen.add(ident)
        if kind in ("mention", "term") and element.tag == "a":
            folder = "people" if kind == "mention" else "glossary"
            assert element.attrs["href"].startswith(f"../../{folder}/")
    quotes = [
        e for e in annotated if e.attrs["data-annotation-type"] == "quote" and "id" in e.attrs
    ]
    assert len(quotes) == 6
    attributions = [e for e in reader.elements if "attribution" in e.attrs.get("class", "")]
    assert len(attributions) == 6
    assert {a.attrs["href"] for a in attributions} == {"../../people/xi-jinping/index.html"}
    notes = [e for e in annotated if e.attrs["data-annotation-type"] == "note" and "id" in e.attrs]
    assert len(notes) >= 4


def test_quote_to_speaker_and_back(site: Path):
    article = parse((site / f"articles/{SLUG}/index.html").read_text(encoding="utf-8"))
    quote = next(e for e in article.elements if e.attrs.get("id") == "quote-efforts-should-be-made")
    assert "cyber power" in quote.text
    person = (site / "people/xi-jinping/index.html").read_text(encoding="utf-8")
    assert f'href="../../articles/{SLUG}/index.html#quote-efforts-should-be-made"' in person
    term = (site / "glossary/cyber-power/index.html").read_text(encoding="utf-8")
    assert "网络强国" in term
    assert f'href="../../articles/{SLUG}/index.html#term-cyber-power' in term


def test_indexes_are_sorted_a_to_z(site: Path):
    def names(page: str, folder: str) -> list[str]:
        reader = parse((site / page).read_text(encoding="utf-8"))
        return [
            e.text.strip()
            for e in reader.elements
            if e.tag == "a"
            and e.attrs.get("href", "").startswith(folder)
            and e.attrs["href"] != folder + "index.html"
        ]

    people = names("people/index.html", "")
    people = [p for p in people if p in ("Li Keqiang", "Liu Yunshan", "Xi Jinping")]
    assert people == ["Li Keqiang", "Liu Yunshan", "Xi Jinping"]
    terms = [t for t in names("glossary/index.html", "") if t]
    listed = [t for t in terms if t.lower() == t.lower()]
    assert len(listed) >= 10


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path):
    again = tmp_path / "again"
    assert run_build(again).returncode == 0
    comparison = filecmp.dircmp(site, again)

    def differences(cmp: filecmp.dircmp) -> list[str]:
        found = [*cmp.left_only, *cmp.right_only]
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found += mismatch + errors
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found

    assert differences(comparison) == []


def test_base_url_option_overrides_site_yaml(tmp_path: Path):
    out = tmp_path / "out"
    assert run_build(out, "--base-url", "https://other.test/x").returncode == 0
    html = (out / f"articles/{SLUG}/index.html").read_text(encoding="utf-8")
    assert 'href="https://other.test/x/articles/' in html


def test_check_writes_nothing_and_exits_zero(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "check", "--project", str(REPO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "checked" in result.stderr


def test_usage_errors_exit_2(tmp_path: Path):
    for args in (
        ["build", "--nope"],
        ["frobnicate"],
        ["build", "--project", str(tmp_path / "missing")],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "site_builder", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (args, result.stderr)


def test_relative_links_work_under_a_sub_path(site: Path):
    # A page at /repo/articles/x/ resolves "../../people/..." to /repo/people/...: no link may climb
    # above the site root.
    for page in pages(site):
        depth = len(page.relative_to(site).parts) - 1
        for element in parse(page.read_text(encoding="utf-8")).elements:
            link = element.attrs.get("href", "")
            if link and not urlsplit(link).scheme and not link.startswith("#"):
                joined = posixpath.normpath(posixpath.join("/".join(["d"] * depth) or ".", link))
                assert not joined.startswith(".."), (page, link)
