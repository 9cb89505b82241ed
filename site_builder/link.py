"""Link stage: autolink people and terms, and gather every back-reference for their pages.

One scan per article finds every occurrence of every name (longest names first,
whole words in spaced scripts). From that single scan come both the autolinks
of FORMAT.md section 7 and the occurrences listed on person and term pages.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import Diagnostic, Position, warning
from .markup import plain_text
from .model import (
    AnchoredArticle,
    AnnotationType,
    Autolink,
    Content,
    NoteHit,
    Occurrence,
    Person,
    Place,
    Site,
    Term,
)
from .textmatch import NameMatcher, normalize, normalize_needle
from .urls import derived_id, note_id, numbered_id, paragraph_id

_CONTEXT_CHARS = 90


@dataclass(frozen=True)
class _Entity:
    type: AnnotationType
    """"mention" for people, "term" for glossary terms: the place type a link to it gets."""
    id: str


@dataclass(frozen=True)
class Names:
    """Every name of every person and term, compiled once for the whole site.

    Equal when they map the same names to the same people and terms: that is what an
    article's links depend on.
    """

    matcher: NameMatcher = field(compare=False)
    owner: dict[str, _Entity]
    """Normalised name -> the person or term it names."""
    term_matcher: NameMatcher = field(compare=False)
    term_owner: dict[str, str]
    """Normalised name -> the term it names, people aside: what a note names of the glossary
    (a name that a person and a term share is the term's here)."""


@dataclass(frozen=True)
class _Hit:
    entity: _Entity
    start: int
    end: int
    """Offsets in the article body (the seed's own characters)."""
    name: str
    number: int
    """Which place of `name` in the article this is, counting every place of it (1-based)."""


@dataclass(frozen=True)
class _Spans:
    """Some places' spans, asked whether a span overlaps any of them in O(log n)."""

    starts: tuple[int, ...]
    """Sorted."""
    reach: tuple[int, ...]
    """reach[i]: the furthest end among the spans up to starts[i]."""

    @classmethod
    def of(cls, places: Iterable[Place]) -> _Spans:
        spans = sorted((p.start, p.end) for p in places)
        ends = itertools.accumulate((end for _, end in spans), max)
        return cls(tuple(start for start, _ in spans), tuple(ends))

    def overlap(self, start: int, end: int) -> bool:
        """Whether any span begins before `end` and ends after `start`."""
        before_end = bisect.bisect_left(self.starts, end)
        return before_end > 0 and self.reach[before_end - 1] > start


Found = tuple[tuple[AnnotationType, str, Occurrence], ...]
"""One article's places for the person and term pages: (book: quote/mention/term, person or
term id, occurrence), in text order."""


def compile_names(
    people: Iterable[Person], terms: Iterable[Term]
) -> tuple[Names, list[Diagnostic]]:
    """One matcher for every name and alias; a name that two entries share is a warning."""
    diagnostics: list[Diagnostic] = []
    owner: dict[str, _Entity] = {}
    named: list[tuple[_Entity, tuple[str, ...], Position]] = [
        *((_Entity("mention", p.id), p.names, p.position) for p in people),
        *((_Entity("term", t.id), t.names, t.position) for t in terms),
    ]
    for entity, entity_names, position in named:
        for name in entity_names:
            key = normalize_needle(name)
            if not key:
                continue
            holder = owner.setdefault(key, entity)
            if holder != entity:
                diagnostics.append(
                    warning(
                        position,
                        f"`{name}` also names `{holder.id}`; autolinking links it to `{holder.id}`",
                        "remove it from one of the two, or annotate each place by hand",
                    )
                )
    term_owner = {normalize_needle(name): t.id for t in terms for name in t.names}
    term_owner.pop("", None)
    names = Names(NameMatcher(owner), owner, NameMatcher(term_owner), term_owner)
    return names, diagnostics


NotesNaming = tuple[tuple[str, NoteHit], ...]
"""One article's notes that name terms: (term id, the note), in text order."""


@dataclass(frozen=True)
class Linked:
    """One article linked: its autolinks added, its places for the person and term pages,
    and its notes for the term pages they name."""

    article: AnchoredArticle
    found: Found
    notes: NotesNaming


def link_article(article: AnchoredArticle, names: Names, mode: Autolink) -> Linked:
    """The article with its autolinks, its places for the person and term pages, and the
    notes that name terms."""
    hits = _scan(article, names)
    linked = _add_autolinks(article, hits, mode)
    return Linked(linked, _references(linked, hits), _notes_naming(linked, names))


def _notes_naming(article: AnchoredArticle, names: Names) -> NotesNaming:
    """Each note of the article that names a term, by any of its names, with the term: a
    term annotation's own note is left out for that term (its page shows it with the place)."""
    found: list[tuple[str, NoteHit]] = []
    noted = [p for p in article.places if p.note]
    for number, place in enumerate(noted, start=1):
        text = normalize(plain_text(place.note)).text
        named = {names.term_owner[name] for _, _, name in names.term_matcher.find(text)}
        if place.type == "term":
            named.discard(place.target)
        if not named:
            continue
        passage = " ".join(article.body.text[place.start : place.end].split())
        hit = NoteHit(
            article.spec.slug,
            article.spec.title,
            note_id(place.id),
            number,
            passage,
            place.note,
            place.start,
            article.spec.date,
        )
        found += [(tid, hit) for tid in sorted(named)]
    return tuple(found)


BookKey = tuple[str, str]
"""Which list a back-reference goes in: ("quote" | "mention" | "term", person or term id),
or ("note", term id) for a note that names the term."""
Books = dict[BookKey, tuple[Occurrence | NoteHit, ...]]


def article_books(linked: Linked) -> Books:
    """One article's back-references, by list, in text order: what `collect_site` gathers."""
    books: dict[BookKey, list[Occurrence | NoteHit]] = defaultdict(list)
    for book, key, occurrence in linked.found:
        books[book, key].append(occurrence)
    for tid, hit in linked.notes:
        books["note", tid].append(hit)
    return {key: tuple(items) for key, items in books.items()}


def collect_site(
    content: Content,
    linked: Iterable[Linked],
    report_unused: bool = True,
) -> tuple[Site, list[Diagnostic]]:
    """Gather every article's places into the back-references of person and term pages.

    `linked` in `content.articles` order, which is the order occurrences are listed in.
    """
    linked = list(linked)
    merged: dict[BookKey, list[Occurrence | NoteHit]] = defaultdict(list)
    for article in linked:
        for key, items in article_books(article).items():
            merged[key] += items
    books = {key: tuple(items) for key, items in merged.items()}
    return site_of(content, [a.article for a in linked], books, report_unused)


def site_of(
    content: Content,
    articles: Iterable[AnchoredArticle],
    books: Books,
    report_unused: bool = True,
) -> tuple[Site, list[Diagnostic]]:
    """The site of these articles with their gathered back-references (`books`), and the
    warnings about people and terms no article names."""
    shelves: dict[str, dict[str, Any]] = {"quote": {}, "mention": {}, "term": {}, "note": {}}
    for (book, key), items in sorted(books.items()):
        shelves[book][key] = items
    site = Site(
        content=content,
        articles=tuple(articles),
        quotes_by=shelves["quote"],
        mentions_of=shelves["mention"],
        occurrences_of=shelves["term"],
        notes_naming=shelves["note"],
    )
    return site, _unused(site) if report_unused else []


def _scan(article: AnchoredArticle, names: Names) -> list[_Hit]:
    norm = article.body.normalized
    return [
        _Hit(names.owner[name], *norm.span(start, end), name, number)
        for start, end, name, number in names.matcher.find_numbered(norm.text)
    ]


def _linking(places: Iterable[Place]) -> _Spans:
    """The spans of the places that link (mentions and terms), which block other links."""
    return _Spans.of(p for p in places if p.type in ("mention", "term"))


def _add_autolinks(article: AnchoredArticle, hits: list[_Hit], mode: Autolink) -> AnchoredArticle:
    """Link people and terms that no mention/term annotation of the article names."""
    if mode == "none":
        return article
    named = {p.target for p in article.places if p.type in ("mention", "term")}
    linking = _linking(article.places)
    taken = {p.id for p in article.places}
    added: list[Place] = []
    linked_once: set[str] = set()
    for hit in hits:
        if hit.entity.id in named or linking.overlap(hit.start, hit.end):
            continue
        if mode == "first" and hit.entity.id in linked_once:
            continue
        linked_once.add(hit.entity.id)
        ident = _autolink_id(hit, taken)
        taken.add(ident)
        added.append(Place(ident, hit.entity.type, hit.start, hit.end, hit.entity.id, "", True))
    if not added:
        return article
    places = sorted((*article.places, *added), key=lambda p: (p.start, -p.end, p.id))
    return replace(article, places=tuple(places))


def _autolink_id(hit: _Hit, taken: set[str]) -> str:
    """Derive the id as for an editor's annotation of the same type and text at that place."""
    ident = numbered_id(derived_id(hit.entity.type, hit.name), hit.number)
    while ident in taken:  # only when an editor chose this very id for something else
        ident += "-auto"
    return ident


def _references(article: AnchoredArticle, hits: list[_Hit]) -> Found:
    """This article's places for the person and term pages, in text order."""
    found: list[tuple[AnnotationType, str, Occurrence]] = []
    ends = tuple(paragraph.end for paragraph in article.body.paragraphs)
    for place in article.places:
        if place.type == "note" or not place.target:
            continue
        occurrence = _occurrence(
            article, ends, place.start, place.end, place.id, place.type, place.note
        )
        found.append((place.type, place.target, occurrence))
    linking = _linking(article.places)
    for hit in hits:  # occurrences that carry no link still belong on the person's or term's page
        if linking.overlap(hit.start, hit.end):
            continue
        anchor = paragraph_id(_paragraph_index(ends, hit.start))
        occurrence = _occurrence(article, ends, hit.start, hit.end, anchor, hit.entity.type, "")
        found.append((hit.entity.type, hit.entity.id, occurrence))
    found.sort(key=lambda entry: entry[2].offset)
    return tuple(found)


def _paragraph_index(ends: tuple[int, ...], offset: int) -> int:
    """The 1-based number of the first paragraph that ends after `offset` (else the last)."""
    return min(bisect.bisect_right(ends, offset) + 1, len(ends))


def _occurrence(
    article: AnchoredArticle,
    ends: tuple[int, ...],
    start: int,
    end: int,
    anchor: str,
    kind: AnnotationType,
    note: str,
) -> Occurrence:
    paragraph = article.body.paragraphs[_paragraph_index(ends, start) - 1]
    text = article.body.text
    before = text[max(paragraph.start, start - _CONTEXT_CHARS) : start]
    after = text[end : min(paragraph.end, end + _CONTEXT_CHARS)]
    if start - _CONTEXT_CHARS > paragraph.start:
        before = "…" + before.split(" ", 1)[-1]
    if end + _CONTEXT_CHARS < paragraph.end:
        after = after.rsplit(" ", 1)[0] + "…"
    return Occurrence(
        article_slug=article.spec.slug,
        article_title=article.spec.title,
        anchor=anchor,
        type=kind,
        before=" ".join(before.split()) + (" " if before[-1:].isspace() else ""),
        text=" ".join(text[start:end].split()),
        after=(" " if after[:1].isspace() else "") + " ".join(after.split()),
        note=note,
        offset=start,
        article_date=article.spec.date,
    )


def _unused(site: Site) -> list[Diagnostic]:
    problems = []
    for person in site.content.people:
        if person.id not in site.quotes_by and person.id not in site.mentions_of:
            problems.append(
                warning(
                    person.position,
                    f"no article names the person `{person.id}`",
                    "annotate a mention of them, or remove them",
                )
            )
    for term in site.content.terms:
        if term.id not in site.occurrences_of:
            problems.append(
                warning(
                    term.position,
                    f"no article uses the term `{term.id}`",
                    "annotate a place that uses it, add an alias, or remove it",
                )
            )
    return problems
