"""The site model: plain, immutable records that flow from one stage to the next.

Each stage adds what it resolves and never changes what it was given:
validate makes `Content`, anchor makes `AnchoredArticle`s, link makes a `Site`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from .errors import Position
from .textmatch import NormalizedText
from .words import Words, english

AnnotationType = Literal["quote", "mention", "term", "note"]
Autolink = Literal["first", "all", "none"]


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    """Absolute, always ending in `/`."""
    language: str
    autolink: Autolink
    cname: str = ""
    """A custom domain for GitHub Pages, written to `CNAME`; empty for none."""
    cjk_lang: str = "zh-Hans"
    """The `lang` of every run of CJK text the pages show (seed, notes, names, titles)."""
    words: Words = field(default_factory=english)
    """The theme's words in the site's language, with the site's own `strings:` applied."""


@dataclass(frozen=True)
class Role:
    title: str
    start: str
    """As the editor wrote it (`2013`, `March 2013`); empty when not given."""
    end: str


@dataclass(frozen=True)
class WebLink:
    label: str
    url: str


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    native: str
    aliases: tuple[str, ...]
    summary: str
    bio: str
    """Markdown source."""
    roles: tuple[Role, ...]
    links: tuple[WebLink, ...]
    position: Position

    @property
    def names(self) -> tuple[str, ...]:
        """Every form by which the text may name this person, for autolinking."""
        return tuple(n for n in (self.name, self.native, *self.aliases) if n)


@dataclass(frozen=True)
class Rendering:
    text: str
    by: str


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    native: str
    transliteration: str
    aliases: tuple[str, ...]
    renderings: tuple[Rendering, ...]
    definition: str
    """Markdown source."""
    see_also: tuple[str, ...]
    position: Position

    @property
    def names(self) -> tuple[str, ...]:
        """Every form by which the text may name this term; renderings count as aliases."""
        forms = (self.term, self.native, *self.aliases, *(r.text for r in self.renderings))
        return tuple(n for n in forms if n)


@dataclass(frozen=True)
class AnnotationSpec:
    """An annotation as the editor wrote it, before it has found its place in the text."""

    type: AnnotationType
    text: str
    prefix: str
    suffix: str
    occurrence: int | None
    all: bool
    id: str
    """The editor's id, or empty to derive one."""
    target: str
    """The person (quote speaker, mention) or term id; empty for notes."""
    note: str
    """Markdown commentary; may be empty except for notes."""
    position: Position
    """Where the annotation's list item starts."""
    text_position: Position


@dataclass(frozen=True)
class ArticleSpec:
    slug: str
    path: str
    """The YAML file, relative to the project."""
    source: str
    """The seed, relative to the project (checked to lie inside it)."""
    source_position: Position
    title: str
    publisher: str
    date: datetime.date | None
    original_url: str
    body_starts_at: str
    body_starts_at_position: Position
    annotations: tuple[AnnotationSpec, ...]


@dataclass(frozen=True)
class Content:
    """Everything editors wrote, checked against the schema and cross-referenced."""

    site: SiteConfig
    people: tuple[Person, ...]
    """Sorted by id."""
    terms: tuple[Term, ...]
    """Sorted by id."""
    articles: tuple[ArticleSpec, ...]
    """Sorted by slug."""


# --- anchor stage ---------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    start: int
    """Offset in the body."""
    end: int
    line: int
    """1-based line in the seed, for messages and for readers' context."""


@dataclass(frozen=True)
class Body:
    """The part of a seed that is the article, split into paragraphs."""

    text: str
    """The seed's own characters, from `body_starts_at` on."""
    paragraphs: tuple[Paragraph, ...]
    normalized: NormalizedText
    """The text in matching form (FORMAT.md section 7), for anchoring and autolinking."""
    preamble: str = ""
    """The seed's text before the body (a headline, say): offsets in the seed's text are
    offsets in `preamble + text`, which is what the annotation export points into."""
    bom: bool = False
    """Whether the seed file starts with a byte-order mark (kept in `source.txt`)."""


@dataclass(frozen=True)
class Place:
    """One annotated span of a body: an editor's annotation, or a link the build added."""

    id: str
    type: AnnotationType
    start: int
    end: int
    target: str
    """Person id (quote, mention), term id (term) or empty (note)."""
    note: str
    """Markdown source, possibly empty."""
    auto: bool = False
    """True for links added by autolinking rather than written by an editor."""


@dataclass(frozen=True)
class AnchoredArticle:
    spec: ArticleSpec
    body: Body
    places: tuple[Place, ...]
    """Sorted by (start, -end, id): document order, outer spans first."""


# --- link stage -----------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """A place in an article where a person or term occurs, as shown on their page."""

    article_slug: str
    article_title: str
    """Carried along so that a page listing occurrences depends on them alone."""
    anchor: str
    """The fragment to link to: an annotation id, or the paragraph's id when unannotated."""
    type: AnnotationType
    before: str
    text: str
    after: str
    """Context around the span, trimmed to about a line."""
    note: str
    offset: int
    """Where the span starts in the body; orders occurrences within an article."""
    article_date: datetime.date | None = None
    """Carried along, as the title is: the page groups its places by dated article."""


@dataclass(frozen=True)
class NoteHit:
    """A note whose text names a term, for the term's page."""

    article_slug: str
    article_title: str
    anchor: str
    """The note's id in its article page."""
    number: int
    """The note's number in its article."""
    passage: str
    """The annotated passage the note is on."""
    note: str
    """Markdown source."""
    offset: int
    article_date: datetime.date | None = None


@dataclass(frozen=True)
class Site:
    """The resolved site: every article with its places, and every back-reference."""

    content: Content
    articles: tuple[AnchoredArticle, ...]
    quotes_by: dict[str, tuple[Occurrence, ...]]
    """Person id -> quotes attributed to them, in article and text order."""
    mentions_of: dict[str, tuple[Occurrence, ...]]
    """Person id -> places naming them."""
    occurrences_of: dict[str, tuple[Occurrence, ...]]
    """Term id -> places using it."""
    notes_naming: dict[str, tuple[NoteHit, ...]] = field(default_factory=dict)
    """Term id -> the notes whose text names the term (a term's own note left out)."""
