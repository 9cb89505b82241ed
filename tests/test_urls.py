"""The URL and id scheme (site_builder/urls.py; FORMAT.md sections 6 and 8).

The contract's table is checked as written; the rest are invariants over any ids and
texts: a relative link from any page leads to its target whether the site is served at
a domain root, under a project path or opened from disk, page n never lands on another
page, and the ids the build makes up for its own elements never equal an annotation's.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder import urls
from site_builder.schema import ID_PATTERN

_WORDS = st.text("abcxyz019", min_size=1, max_size=6)
ids = st.lists(_WORDS, min_size=1, max_size=3).map("-".join)
"""Ids as schema.ID_PATTERN allows them: lowercase words and digits joined by hyphens."""
slugs = ids
page_numbers = st.integers(min_value=1, max_value=500)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
kinds = st.sampled_from(["quote", "mention", "term", "note"])
bases = st.sampled_from(
    ["https://example.org/", "https://example.github.io/repo-name/", "file:///home/me/site/"]
)


@st.composite
def page_paths(draw: st.DrawFn) -> str:
    """The path of any page of a site, of every page type."""
    return draw(
        st.one_of(
            st.sampled_from(
                [urls.HOME, urls.PEOPLE_INDEX, urls.GLOSSARY_INDEX, urls.SEARCH, urls.NOT_FOUND]
            ),
            slugs.map(urls.article_path),
            st.builds(urls.person_path, ids, page_numbers),
            st.builds(urls.term_path, ids, page_numbers),
        )
    )


@st.composite
def targets(draw: st.DrawFn) -> str:
    """Anything a page links to: a page, or a file beside the pages."""
    return draw(
        st.one_of(
            page_paths(),
            st.sampled_from([urls.FEED, urls.SITEMAP, urls.ROBOTS]),
            slugs.map(urls.source_path),
            slugs.map(urls.collection_path),
        )
    )


def test_paths_are_the_contracts() -> None:
    assert urls.HOME == "index.html"
    assert urls.article_path("xi") == "articles/xi/index.html"
    assert urls.PEOPLE_INDEX == "people/index.html"
    assert urls.person_path("xi-jinping") == "people/xi-jinping/index.html"
    assert urls.GLOSSARY_INDEX == "glossary/index.html"
    assert urls.term_path("cyber-power") == "glossary/cyber-power/index.html"
    assert urls.person_path("xi", 2) == "people/xi/2/index.html"
    assert urls.term_path("cyber-power", 3) == "glossary/cyber-power/3/index.html"
    assert urls.source_path("xi") == "articles/xi/source.txt"
    assert urls.collection_path("xi") == "annotations/xi.jsonld"
    assert (urls.FEED, urls.SITEMAP, urls.ROBOTS, urls.NOT_FOUND) == (
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    )


def test_an_article_links_to_a_person_as_the_contract_shows() -> None:
    link = urls.relative(urls.article_path("xi"), urls.person_path("xi-jinping"))
    assert link == "../../people/xi-jinping/index.html"


def test_the_clean_public_address_drops_only_index_html() -> None:
    base = "https://example.github.io/cyber-power/"
    assert urls.absolute(base, urls.article_path("xi")) == base + "articles/xi/"
    assert urls.absolute(base, urls.HOME) == base
    assert urls.absolute(base, urls.FEED) == base + "feed.xml"
    assert urls.at(urls.absolute(base, urls.article_path("xi")), "quote-a") == (
        base + "articles/xi/#quote-a"
    )


@given(page_paths(), targets())
def test_a_relative_link_resolves_to_its_target_on_disk(page: str, target: str) -> None:
    link = urls.relative(page, target)
    assert not link.startswith("/") and "://" not in link
    assert posixpath.normpath(posixpath.join(posixpath.dirname(page), link)) == target


@given(ids)
def test_ids_are_editors_ids(ident: str) -> None:
    assert re.fullmatch(ID_PATTERN, ident)


@given(bases, page_paths(), targets(), ids)
def test_a_relative_link_resolves_under_any_base(
    base: str, page: str, target: str, ident: str
) -> None:
    """Served at a domain root or a project path, or from a folder: the same link works,
    from the page's file and from its clean address alike."""
    link = urls.at(urls.relative(page, target), ident)
    assert urljoin(base + page, link) == base + target + "#" + ident
    if page.endswith(urls.INDEX):  # a folder's address is where its index.html is
        assert urljoin(urls.absolute(base, page), link) == base + target + "#" + ident


@given(page_paths())
def test_paths_name_a_file_inside_the_site(path: str) -> None:
    assert not path.startswith("/") and "//" not in path and ".." not in path.split("/")
    assert path.rsplit("/", 1)[-1] in (urls.INDEX, urls.NOT_FOUND)


@given(ids, page_numbers, ids, page_numbers)
def test_numbered_pages_never_land_on_another_page(one: str, n: int, other: str, m: int) -> None:
    for path_of in (urls.person_path, urls.term_path):
        if (one, n) != (other, m):
            assert path_of(one, n) != path_of(other, m)
    assert urls.person_path(one, n) != urls.term_path(other, m)


@given(ids, st.integers(min_value=2, max_value=500))
def test_page_n_lives_under_page_1(ident: str, n: int) -> None:
    for path_of in (urls.person_path, urls.term_path):
        first = path_of(ident, 1)
        assert path_of(ident) == first
        assert path_of(ident, n) == urls.page_path(first, n)
        assert urls.clean(path_of(ident, n)) == f"{urls.clean(first)}{n}/"


@given(bases, ids, st.booleans(), st.sampled_from(["", "#quote-a", "#para_2"]))
def test_a_person_or_term_page_is_known_by_its_url(
    base: str, ident: str, with_file: bool, fragment: str
) -> None:
    for kind, path in (("person", urls.person_path(ident)), ("term", urls.term_path(ident))):
        url = (base + path if with_file else urls.absolute(base, path)) + fragment
        assert urls.entry_of_url(url) == (kind, ident)
    assert urls.entry_of_url(urls.absolute(base, urls.person_path(ident, 2))) is None
    assert urls.entry_of_url(urls.absolute(base, urls.article_path(ident))) is None


def _valid_html_id(value: str) -> bool:
    """HTML's rule: at least one character, and no ASCII white space."""
    return bool(value) and not re.search(r"[\t\n\f\r ]", value)


@given(kinds, texts, page_numbers)
def test_derived_ids_are_valid_html_ids_without_underscore(
    kind: str, text: str, number: int
) -> None:
    ident = urls.numbered_id(urls.derived_id(kind, text), number)
    assert _valid_html_id(ident)
    assert "_" not in ident
    assert ident.startswith(f"{kind}-")
    assert ident == urls.derived_id(kind, text) + ("" if number == 1 else f"-{number}")


@given(kinds, st.text(st.characters(codec="ascii"), max_size=60))
def test_derived_ids_of_ascii_texts_are_editors_ids_too(kind: str, text: str) -> None:
    """Ids an editor could have written, so `id:` can pin a derived id as it is."""
    assert re.fullmatch(ID_PATTERN, urls.derived_id(kind, text))


def test_derived_ids_take_the_first_words_and_keep_other_scripts() -> None:
    assert urls.derived_id("quote", "Efforts should be made to build our country") == (
        "quote-efforts-should-be-made"
    )
    assert urls.derived_id("mention", "Zhōu Ēnlái") == "mention-zhou-enlai"
    assert urls.derived_id("term", "网络强国") == "term-网络强国"
    punctuation = urls.derived_id("note", "—")
    assert re.fullmatch(r"note-[0-9a-f]{8}", punctuation)
    assert punctuation != urls.derived_id("note", "\u2013")


def test_slugify() -> None:
    assert urls.slugify("Efforts should be made to build", 4) == "efforts-should-be-made"
    assert urls.slugify("Zhōu Ēnlái") == "zhou-enlai"
    assert urls.slugify("网络强国") == "网络强国"
    assert urls.slugify("snake_case words") == "snake-case-words"
    assert urls.slugify("--!!") == ""


@given(ids, kinds, texts, st.integers(min_value=1, max_value=10_000))
def test_generated_ids_never_clash_with_annotation_ids(
    editors: str, kind: str, text: str, n: int
) -> None:
    annotation_ids = {editors, urls.derived_id(kind, text)}
    generated = {urls.paragraph_id(n), *(urls.note_id(a) for a in annotation_ids)}
    assert all(_valid_html_id(g) and "_" in g for g in generated)
    assert not annotation_ids & generated


def test_templates_take_fixed_pages_from_the_scheme() -> None:
    """A link written as `{{ root }}people/index.html` would not follow a change of scheme;
    only the theme's own files (static/, the favicons of root/) are named in templates."""
    templates = Path(__file__).parent.parent / "templates"
    spelled = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(templates.glob("*.html"))
        for match in re.finditer(r"\{\{ root \}\}([\w./-]+)", path.read_text())
        if not match.group(1).startswith(("static/", "favicon."))
    ]
    assert spelled == []


@pytest.mark.parametrize("name", sorted(urls.TEMPLATE_PATHS))
def test_templates_see_the_fixed_pages(name: str, tmp_path: Path) -> None:
    from site_builder.render import make_environment

    env = make_environment(tmp_path)
    rendered = env.from_string("{{ root }}{{ urls[name] }}").render(root="../", name=name)
    assert rendered == "../" + urls.TEMPLATE_PATHS[name]
