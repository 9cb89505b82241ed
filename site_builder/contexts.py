"""What each template of the theme is given: one TypedDict per page type.

The render stage builds these contexts (`plan.py`'s page functions); a theme's templates read
them. Declaring them here makes that contract a type a reader (and a checker) can see
instead of lambdas over `**values`: tests/test_contexts.py checks that every page the build
plans gives exactly the keys its type declares, and that every template reads only declared
keys (or the environment's globals, or names it sets itself).

Lists of entries whose shape depends on their kind (popovers of people and of terms) are
declared `total=False`: each entry has some of the keys, none other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from markupsafe import Markup

from .pages import Section


class SiteInfo(TypedDict):
    title: str
    description: str
    language: str
    base_url: str
    """Absolute, ending in `/`."""
    cjk_lang: str


class PageInfo(TypedDict):
    kind: str
    """home, article, people, person, glossary, term, 404 or search."""
    title: str
    description: str
    canonical: str
    """The page's absolute URL; empty for 404.html, which is served at any depth."""
    og_type: str
    jsonld: Markup | str
    """The page's schema.org data as a `<script>` element, or empty."""


class PageContext(TypedDict):
    """What every HTML page is given."""

    site: SiteInfo
    page: PageInfo
    root: str
    """The relative way up to the site's root (`../../`), or the base URL on 404.html."""
    t: Callable[..., str]
    """The theme's words: `t("key")`, `t("key", n=count)`."""
    script_words: Callable[..., Markup]
    """The words the scripts show, as JSON for a data attribute."""


class ArticleSummary(TypedDict):
    slug: str
    title: str
    publisher: str
    date: str
    date_display: str
    href: str
    counts: dict[str, int]
    """Annotations an editor wrote, by type."""


class HomeContext(PageContext):
    articles: list[ArticleSummary]


class LetterGroup(TypedDict):
    letter: str
    entries: list[dict[str, Any]]
    """The people's or terms' summaries under this letter."""


class IndexContext(PageContext):
    """people.html and glossary.html."""

    groups: list[LetterGroup]


class ArticleInfo(ArticleSummary):
    annotations_href: str
    original_url: str
    original_host: str
    permalink_base: str


class SpeakerLink(TypedDict):
    name: str
    href: str


class Note(TypedDict):
    """An editor's note, printed after the paragraph its passage starts in."""

    id: str
    target: str
    """The id of the annotation it comments on."""
    paragraph: str
    number: int
    type: str
    label: Markup
    """The first words of the passage."""
    html: Markup


class Paragraph(TypedDict):
    id: str
    html: Markup
    notes: list[Note]
    speakers: int
    """How many quotes start in it."""


class Popover(TypedDict, total=False):
    href: str
    name: str
    native: str
    transliteration: str
    text: str
    more: str


class ArticleContext(PageContext):
    article: ArticleInfo
    paragraphs: list[Paragraph]
    speakers: list[SpeakerLink]
    popovers: list[Popover]


class Pager(TypedDict):
    number: int
    count: int
    prev: str
    """Path of the page before, or empty on the first."""
    next: str
    first: str


class PagedContext(PageContext):
    """A person's or term's page: its places, cut into numbered pages."""

    sections: dict[str, Section]
    pager: Pager


class PersonInfo(TypedDict):
    id: str
    name: str
    native: str
    summary: str
    href: str
    quotes: int
    mentions: int
    name_html: Markup
    bio: Markup | str
    roles: list[dict[str, str]]
    links: list[dict[str, str]]


class PersonContext(PagedContext):
    person: PersonInfo


class TermInfo(TypedDict):
    id: str
    term: str
    native: str
    transliteration: str
    href: str
    occurrences: int
    term_html: Markup
    aliases: list[str]
    definition: Markup
    renderings: list[dict[str, str]]
    see_also: list[Any]


class TermContext(PagedContext):
    term: TermInfo


class SitemapContext(TypedDict):
    urls: tuple[str, ...]
    """Absolute URLs of every page a search engine should know."""


TEMPLATE_CONTEXTS: dict[str, type] = {
    "index.html": HomeContext,
    "article.html": ArticleContext,
    "people.html": IndexContext,
    "person.html": PersonContext,
    "glossary.html": IndexContext,
    "term.html": TermContext,
    "404.html": PageContext,
    "search.html": PageContext,
    "sitemap.xml": SitemapContext,
}
"""Each page template, and the type of the context it is rendered with."""
