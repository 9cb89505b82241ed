"""Link stage: autolink people and terms, and gather every back-reference for their pages.

One scan per article finds every occurrence of every name (longest names first,
whole words in spaced scripts). From that single scan come both the autolinks
of FORMAT.md section 7 and the occurrences listed on person and term pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .anchor import derived_id
from .errors import Diagnostic, warning
from .model import AnchoredArticle, AnnotationType, Content, Occurrence, Place, Site
from .textmatch import NameMatcher, find_all, normalize_needle

_CONTEXT_CHARS = 90


@dataclass(frozen=True)
class _Entity:
    type: AnnotationType
    """"mention" for people, "term" for glossary terms: the place type a link to it gets."""
    id: str


@dataclass(frozen=True)
class _Names:
    """Every name of every person and term, compiled once for the whole site."""

    matcher: NameMatcher
    owner: dict[str, _Entity]
    """Normalised name -> the person or term it names."""


@dataclass(frozen=True)
class _Hit:
    entity: _Entity
    start: int
    end: int
    """Offsets in the article body (the seed's own characters)."""
    name: str


def paragraph_anchor(index: int) -> str:
    """The id of the n-th paragraph (1-based); editors' ids cannot contain `_`, so never clash."""
    return f"para_{index}"


@dataclass
class LinkMemo:
    """Scans kept from one build to the next (for serve): a body is scanned again only when
    it changed or the names did. Owned by the caller, so there is no hidden global cache."""

    names_key: tuple[Any, ...] = ()
    names: _Names | None = None
    name_problems: list[Diagnostic] = field(default_factory=list)
    scans: dict[str, list[_Hit]] = field(default_factory=dict)


def link_site(
    content: Content,
    articles: Iterable[AnchoredArticle],
    memo: LinkMemo | None = None,
    report_unused: bool = True,
) -> tuple[Site, list[Diagnostic]]:
    """Add autolinks to each article and collect who and what occurs where."""
    memo = memo if memo is not None else LinkMemo()
    names_key = (
        tuple((p.id, p.names, p.position) for p in content.people),
        tuple((t.id, t.names, t.position) for t in content.terms),
    )
    if memo.names is None or memo.names_key != names_key:
        memo.name_problems = []
        memo.names = _compile_names(content, memo.name_problems)
        memo.names_key = names_key
        memo.scans.clear()
    names = memo.names
    diagnostics = list(memo.name_problems)
    linked = []
    quotes: dict[str, list[Occurrence]] = defaultdict(list)
    mentions: dict[str, list[Occurrence]] = defaultdict(list)
    uses: dict[str, list[Occurrence]] = defaultdict(list)
    for article in articles:
        hits = memo.scans.get(article.body.text)
        if hits is None:
            hits = memo.scans[article.body.text] = _scan(article, names)
        article = _add_autolinks(article, hits, content.site.autolink)
        linked.append(article)
        _collect_references(article, hits, quotes, mentions, uses)
    for body in set(memo.scans) - {a.body.text for a in linked}:
        del memo.scans[body]  # deleted or edited articles: keep the memo to what exists
    site = Site(
        content=content,
        articles=tuple(linked),
        quotes_by={k: tuple(v) for k, v in sorted(quotes.items())},
        mentions_of={k: tuple(v) for k, v in sorted(mentions.items())},
        occurrences_of={k: tuple(v) for k, v in sorted(uses.items())},
    )
    if report_unused:
        diagnostics.extend(_unused(site))
    return site, diagnostics


def _compile_names(content: Content, diagnostics: list[Diagnostic]) -> _Names:
    owner: dict[str, _Entity] = {}
    named: list[tuple[_Entity, tuple[str, ...], object]] = [
        *((_Entity("mention", p.id), p.names, p.position) for p in content.people),
        *((_Entity("term", t.id), t.names, t.position) for t in content.terms),
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
                        position,  # type: ignore[arg-type]
                        f"`{name}` also names `{holder.id}`; autolinking links it to `{holder.id}`",
                        "remove it from one of the two, or annotate each place by hand",
                    )
                )
    return _Names(NameMatcher(owner), owner)


def _scan(article: AnchoredArticle, names: _Names) -> list[_Hit]:
    norm = article.body.normalized
    return [
        _Hit(names.owner[name], norm.to_original(start), norm.to_original(end), name)
        for start, end, name in names.matcher.find(norm.text)
    ]


def _overlaps(start: int, end: int, places: Iterable[Place]) -> bool:
    return any(p.start < end and start < p.end for p in places)


def _add_autolinks(article: AnchoredArticle, hits: list[_Hit], mode: str) -> AnchoredArticle:
    """Link people and terms that no mention/term annotation of the article names."""
    if mode == "none":
        return article
    linking = [p for p in article.places if p.type in ("mention", "term")]
    named = {p.target for p in linking}
    taken = {p.id for p in article.places}
    added: list[Place] = []
    linked_once: set[str] = set()
    for hit in hits:
        if hit.entity.id in named or _overlaps(hit.start, hit.end, linking):
            continue
        if mode == "first" and hit.entity.id in linked_once:
            continue
        linked_once.add(hit.entity.id)
        ident = _autolink_id(hit, article, taken)
        taken.add(ident)
        added.append(Place(ident, hit.entity.type, hit.start, hit.end, hit.entity.id, "", True))
    if not added:
        return article
    places = sorted((*article.places, *added), key=lambda p: (p.start, -p.end, p.id))
    return replace(article, places=tuple(places))


def _autolink_id(hit: _Hit, article: AnchoredArticle, taken: set[str]) -> str:
    """Derive the id as for an editor's annotation of the same type and text at that place."""
    base = derived_id(hit.entity.type, hit.name)
    norm = article.body.normalized
    starts = [norm.to_original(s) for s in find_all(norm.text, hit.name)]
    index = starts.index(hit.start) + 1 if hit.start in starts else 1
    ident = base if index == 1 else f"{base}-{index}"
    while ident in taken:  # only when an editor chose this very id for something else
        ident += "-auto"
    return ident


def _collect_references(
    article: AnchoredArticle,
    hits: list[_Hit],
    quotes: dict[str, list[Occurrence]],
    mentions: dict[str, list[Occurrence]],
    uses: dict[str, list[Occurrence]],
) -> None:
    """Add this article's places to the books, in text order (articles come in slug order)."""
    found: list[tuple[dict[str, list[Occurrence]], str, Occurrence]] = []
    books = {"quote": quotes, "mention": mentions, "term": uses}
    for place in article.places:
        if place.type == "note" or not place.target:
            continue
        occurrence = _occurrence(article, place.start, place.end, place.id, place.type, place.note)
        found.append((books[place.type], place.target, occurrence))
    linking = [p for p in article.places if p.type in ("mention", "term")]
    for hit in hits:  # occurrences that carry no link still belong on the person's or term's page
        if _overlaps(hit.start, hit.end, linking):
            continue
        anchor = paragraph_anchor(_paragraph_index(article, hit.start))
        occurrence = _occurrence(article, hit.start, hit.end, anchor, hit.entity.type, "")
        found.append((books[hit.entity.type], hit.entity.id, occurrence))
    found.sort(key=lambda entry: entry[2].offset)
    for book, key, occurrence in found:
        book[key].append(occurrence)


def _paragraph_index(article: AnchoredArticle, offset: int) -> int:
    for index, paragraph in enumerate(article.body.paragraphs, start=1):
        if offset < paragraph.end:
            return index
    return len(article.body.paragraphs)


def _occurrence(
    article: AnchoredArticle, start: int, end: int, anchor: str, kind: AnnotationType, note: str
) -> Occurrence:
    paragraph = article.body.paragraphs[_paragraph_index(article, start) - 1]
    text = article.body.text
    before = text[max(paragraph.start, start - _CONTEXT_CHARS) : start]
    after = text[end : min(paragraph.end, end + _CONTEXT_CHARS)]
    if start - _CONTEXT_CHARS > paragraph.start:
        before = "…" + before.split(" ", 1)[-1]
    if end + _CONTEXT_CHARS < paragraph.end:
        after = after.rsplit(" ", 1)[0] + "…"
    return Occurrence(
        article_slug=article.spec.slug,
        anchor=anchor,
        type=kind,
        before=" ".join(before.split()) + (" " if before[-1:].isspace() else ""),
        text=" ".join(text[start:end].split()),
        after=(" " if after[:1].isspace() else "") + " ".join(after.split()),
        note=note,
        offset=start,
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
