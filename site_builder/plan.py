"""Which pages the site has, each as a function of exactly the values it reads.

Planning is cheap: it decides the pages and gathers, for each, the values its template
context is made from (a `PageJob`). The work of a page (its person's cards, its
Markdown, its span markup, cutting a long list into numbered pages) is done by the job's
function when the page is rendered, on whichever core renders it. Because a job's
function reads nothing but its `inputs`, two equal jobs make the same pages: the job is its
own cache key, and the incremental layer keeps a page while its job is equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import unescape as _unescape
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from . import pages
from . import structured as structured_data
from .export import export_article, source_bytes
from .feed import FeedItem, feed_item
from .markup import Attribution, MarkdownRenderer, SpanStyle, annotate_paragraph, cjk_markup
from .model import AnchoredArticle, NoteHit, Occurrence, Person, Place, Site, SiteConfig, Term
from .search import article_shows_cjk
from .urls import (
    GLOSSARY_INDEX,
    HOME,
    NOT_FOUND,
    PEOPLE_INDEX,
    SEARCH,
    SITEMAP,
    absolute,
    article_path,
    at,
    collection_path,
    note_id,
    page_path,
    paragraph_id,
    person_path,
    relative,
    root_prefix,
    source_path,
    target_path,
    term_path,
)

Page = tuple[str, dict[str, Any] | bytes]
"""A page's path and its template context, or a file's path and its bytes as they are
(an article's seed and its annotation export go with its page)."""


@dataclass(frozen=True)
class Common:
    """What every page reads of the site as a whole: its settings and its public address."""

    config: SiteConfig
    base_url: str
    """Absolute, ending in `/`."""


@dataclass(frozen=True)
class PageJob:
    """A page, or a person's or term's run of numbered pages, before rendering.

    `make(markdown, *inputs)` gives each page's path and template context, in order; it is a
    module-level function that reads nothing but `inputs` (and the Markdown renderer, a
    cache of a pure function), so equal jobs with unchanged templates make the same bytes.
    """

    path: str
    """The first (or only) page's path: the job's name in the output."""
    template: str
    make: Callable[..., list[Page]]
    inputs: tuple[Any, ...]

    def pages(self, markdown: MarkdownRenderer) -> list[Page]:
        return self.make(markdown, *self.inputs)


@dataclass(frozen=True)
class PlannedArticle:
    """What planning finds in one article: its page, its entries on the home page and in
    the feed. A function of the article, the site's settings and the people and terms it
    may name (`plan_article`), so the preview can keep it."""

    job: PageJob
    summary: dict[str, Any]
    feed: FeedItem
    cjk: bool
    """Whether the article shows CJK text (search.article_shows_cjk)."""


# --- the plan of the whole site -------------------------------------------------------------


def plan_site(
    site: Site, base_url: str, articles: list[PlannedArticle] | None = None
) -> list[PageJob]:
    """Every page and feed of the site but the sitemap, in output order (static assets are
    the write stage's; the sitemap lists numbered pages, so it follows the rendering:
    `sitemap_job`). `articles` are the articles' plans when the caller already has them."""
    common = Common(site.content.site, base_url)
    if articles is None:
        articles = plan_articles(site, common)
    return list(_site_jobs(site, common, articles))


def plan_articles(site: Site, common: Common) -> list[PlannedArticle]:
    """Every article's plan (`plan_article`), in site order."""
    people = {p.id: p for p in site.content.people}
    terms = {t.id: t for t in site.content.terms}
    return [plan_article(common, a, people, terms) for a in site.articles]


def plan_article(
    common: Common,
    article: AnchoredArticle,
    people: dict[str, Person],
    terms: dict[str, Term],
) -> PlannedArticle:
    """The article's page job, and its entries on the home page and in the feed."""
    named = {p.target for p in article.places if p.type in ("quote", "mention")}
    linked = {p.target for p in article.places if p.type == "term"}
    job = PageJob(
        article_path(article.spec.slug),
        "article.html",
        article_pages,
        (
            common,
            article,
            tuple(people[pid] for pid in sorted(named)),
            tuple(terms[tid] for tid in sorted(linked)),
        ),
    )
    summary = article_summary(common.config, article)
    return PlannedArticle(job, summary, feed_item(article), article_shows_cjk(article))


def _site_jobs(site: Site, common: Common, planned: list[PlannedArticle]) -> Iterator[PageJob]:
    yield PageJob(HOME, "index.html", home_page, (common, tuple(p.summary for p in planned)))
    for entry in planned:
        yield entry.job
    people = tuple(
        person_summary(p, len(site.quotes_by.get(p.id, ())), len(site.mentions_of.get(p.id, ())))
        for p in site.content.people
    )
    yield PageJob(PEOPLE_INDEX, "people.html", people_index, (common, people))
    for person, summary in zip(site.content.people, people, strict=True):
        quotes = site.quotes_by.get(person.id, ())
        mentions = site.mentions_of.get(person.id, ())
        yield PageJob(
            person_path(person.id),
            "person.html",
            person_pages,
            (common, person, summary, quotes, mentions),
        )
    found = {t.id: site.occurrences_of.get(t.id, ()) for t in site.content.terms}
    terms = {t.id: term_summary(t, len(found[t.id])) for t in site.content.terms}
    yield PageJob(GLOSSARY_INDEX, "glossary.html", glossary_index, (common, tuple(terms.values())))
    for term in site.content.terms:
        notes = site.notes_naming.get(term.id, ())
        see_also = tuple(terms[t] for t in term.see_also if t in terms)
        yield PageJob(
            term_path(term.id),
            "term.html",
            term_pages,
            (common, term, terms[term.id], found[term.id], notes, see_also),
        )
    yield PageJob(NOT_FOUND, "404.html", simple_page, (common, NOT_FOUND, "404", "not_found", True))
    # Search results come from Pagefind in the browser; the page itself is a form and,
    # without JavaScript, links to the indexes. It is left out of the sitemap.
    yield PageJob(SEARCH, "search.html", simple_page, (common, SEARCH, "search", "search", False))


def sitemap_job(site: Site, base_url: str, numbered: Iterable[str]) -> PageJob:
    """The sitemap: every page but the search page and 404, numbered pages included."""
    slugs = tuple(a.spec.slug for a in site.articles)
    people = tuple(p.id for p in site.content.people)
    terms = tuple(t.id for t in site.content.terms)
    return PageJob(
        SITEMAP, "sitemap.xml", sitemap_page, (base_url, slugs, people, terms, tuple(numbered))
    )


# --- what every page shares ---------------------------------------------------------------


def page_context(
    common: Common,
    path: str,
    kind: str,
    title: str,
    *,
    absolute_links: bool = False,
    description: str = "",
    structured: Callable[[str], dict[str, Any]] | None = None,
    **values: Any,
) -> dict[str, Any]:
    """The context every template shares, with the page's own `values`.

    `structured` makes the page's schema.org data from its canonical URL.
    """
    config = common.config
    canonical = "" if absolute_links else absolute(common.base_url, path)
    return {
        "site": {
            "title": config.title,
            "description": config.description,
            "language": config.language,
            "base_url": common.base_url,
            "cjk_lang": config.cjk_lang,
        },
        "page": {
            "kind": kind,
            "title": title,
            "description": description or config.description,
            "canonical": canonical,
            "og_type": _OG_TYPES.get(kind, "website"),
            "jsonld": structured_data.json_ld(structured(canonical)) if structured else "",
        },
        # 404.html is served at any depth, so only absolute links work there.
        "root": common.base_url if absolute_links else root_prefix(path),
        # The theme's words: `t("key")`, `t("key", n=count)`; the scripts' as JSON.
        "t": config.words.for_template,
        "script_words": config.words.for_script,
        **values,
    }


# --- summaries for index pages --------------------------------------------------------------


def article_summary(config: SiteConfig, article: AnchoredArticle) -> dict[str, Any]:
    spec = article.spec
    counts = {
        kind: sum(1 for p in article.places if p.type == kind and not p.auto)
        for kind in ("quote", "mention", "term", "note")
    }
    counts["notes_total"] = sum(1 for p in article.places if p.note)  # every numbered note
    return {
        "slug": spec.slug,
        "title": spec.title,
        "publisher": spec.publisher,
        "date": spec.date.isoformat() if spec.date else "",
        "date_display": config.words.date(spec.date),
        "href": article_path(spec.slug),
        "counts": counts,
    }


def person_summary(person: Person, quotes: int, mentions: int) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "native": person.native,
        "summary": person.summary,
        "href": person_path(person.id),
        "quotes": quotes,
        "mentions": mentions,
    }


def term_summary(term: Term, occurrences: int) -> dict[str, Any]:
    return {
        "id": term.id,
        "term": term.term,
        "native": term.native,
        "transliteration": term.transliteration,
        "href": term_path(term.id),
        "occurrences": occurrences,
    }


# --- the pages ------------------------------------------------------------------------------


def home_page(
    markdown: MarkdownRenderer, common: Common, articles: tuple[dict[str, Any], ...]
) -> list[Page]:
    config = common.config
    return [
        (
            HOME,
            page_context(
                common,
                HOME,
                "home",
                config.title,
                structured=lambda url: structured_data.website(
                    config.title, config.description, url
                ),
                articles=list(articles),
            ),
        )
    ]


def people_index(
    markdown: MarkdownRenderer, common: Common, people: tuple[dict[str, Any], ...]
) -> list[Page]:
    title = common.config.words.text("people")
    groups = letter_groups(people, "name")
    return [(PEOPLE_INDEX, page_context(common, PEOPLE_INDEX, "people", title, groups=groups))]


def glossary_index(
    markdown: MarkdownRenderer, common: Common, terms: tuple[dict[str, Any], ...]
) -> list[Page]:
    config = common.config
    words = config.words
    context = page_context(
        common,
        GLOSSARY_INDEX,
        "glossary",
        words.text("glossary"),
        structured=lambda url: structured_data.term_set(
            words.text("glossary_set", site=config.title),
            url,
            [(t["term"], absolute(common.base_url, t["href"])) for t in terms],
        ),
        groups=letter_groups(terms, "term"),
    )
    return [(GLOSSARY_INDEX, context)]


def simple_page(
    markdown: MarkdownRenderer,
    common: Common,
    path: str,
    kind: str,
    title_key: str,
    absolute_links: bool,
) -> list[Page]:
    """A page with nothing of its own but a title: 404, search."""
    title = common.config.words.text(title_key)
    return [(path, page_context(common, path, kind, title, absolute_links=absolute_links))]


def sitemap_page(
    markdown: MarkdownRenderer,
    base_url: str,
    slugs: tuple[str, ...],
    people: tuple[str, ...],
    terms: tuple[str, ...],
    numbered: tuple[str, ...],
) -> list[Page]:
    paths = [
        HOME,
        *(article_path(slug) for slug in slugs),
        PEOPLE_INDEX,
        *(person_path(pid) for pid in people),
        GLOSSARY_INDEX,
        *(term_path(tid) for tid in terms),
        *numbered,
        *(collection_path(slug) for slug in slugs),
    ]
    return [(SITEMAP, {"urls": tuple(absolute(base_url, path) for path in paths)})]


def article_pages(
    markdown: MarkdownRenderer,
    common: Common,
    article: AnchoredArticle,
    people: tuple[Person, ...],
    terms: tuple[Term, ...],
) -> list[Page]:
    """The article page, its seed as published and its annotations as W3C Web Annotation
    data (FORMAT.md section 11). `people` and `terms` are those it names, quotes or links to."""
    config, words = common.config, common.config.words
    spec = article.spec
    path = article_path(spec.slug)
    by_id = {p.id: p for p in people}
    speakers = sorted({p.target for p in article.places if p.type == "quote"})
    speaker_links = [{"name": by_id[s].name, "href": person_path(s)} for s in speakers]
    named = sorted({p.target for p in article.places if p.type in ("quote", "mention")})
    shown = {n: (by_id[n].name, absolute(common.base_url, person_path(n))) for n in named}
    summary = article_summary(config, article)
    description = (
        words.text(
            "article_description",
            title=spec.title,
            publisher=spec.publisher,
            date=words.date(spec.date),
        )
        if spec.publisher
        else ""
    )
    context = page_context(
        common,
        path,
        "article",
        spec.title,
        description=description,
        structured=lambda url: structured_data.news_article(
            article,
            url,
            shown,
            config.language,
            structured_data.editors(config.title, common.base_url),
        ),
        article={
            **summary,
            "annotations_href": collection_path(spec.slug),
            "original_url": spec.original_url,
            "original_host": _host(spec.original_url),
            "permalink_base": absolute(common.base_url, path),
        },
        paragraphs=_paragraphs(markdown, config, article, by_id),
        speakers=speaker_links,
        popovers=_popovers(markdown, config, article, by_id, {t.id: t for t in terms}),
    )
    return [
        (path, context),
        (source_path(spec.slug), source_bytes(article)),
        (collection_path(spec.slug), export_article(article, common.base_url, config.language)),
    ]


def _popovers(
    markdown: MarkdownRenderer,
    config: SiteConfig,
    article: AnchoredArticle,
    people: dict[str, Person],
    terms: dict[str, Term],
) -> list[dict[str, str]]:
    """What the popover of each person and term the article links to shows, in plain text.

    Embedded in the article page, so a popover needs no request; plain text (the
    definition or bio without its Markdown) keeps it short and safe to clone.
    """
    page = article_path(article.spec.slug)
    lang, words = config.cjk_lang, config.words
    linked = sorted(
        {(p.type == "term", p.target) for p in article.places if p.type in _LINKED_TYPES}
    )
    popovers = []
    for is_term, target in linked:
        if is_term:
            term = terms[target]
            popovers.append(
                {
                    "href": relative(page, term_path(term.id)),
                    "name": cjk_markup(term.term, lang),
                    "native": cjk_markup(term.native, lang),
                    "transliteration": term.transliteration,
                    "text": cjk_markup(markdown.plain(term.definition, _POPOVER_CHARS), lang),
                    "more": words.text("glossary_entry"),
                }
            )
        else:
            person = people[target]
            text = person.summary or markdown.plain(person.bio, _POPOVER_CHARS)
            popovers.append(
                {
                    "href": relative(page, person_path(target)),
                    "name": cjk_markup(person.name, lang),
                    "native": cjk_markup(person.native, lang),
                    "transliteration": "",
                    "text": cjk_markup(text, lang),
                    "more": words.text("person_page"),
                }
            )
    return popovers


def _paragraphs(
    markdown: MarkdownRenderer,
    config: SiteConfig,
    article: AnchoredArticle,
    people: dict[str, Person],
) -> list[dict[str, Any]]:
    notes = [p for p in article.places if p.note]
    numbers = {p.id: n for n, p in enumerate(notes, start=1)}
    page = article_path(article.spec.slug)

    def attribution(place: Place) -> Attribution | None:
        if place.type != "quote":
            return None
        return Attribution(relative(page, person_path(place.target)), people[place.target].name)

    style = SpanStyle(
        href=lambda place: relative(page, target_path(place.type, place.target)),
        note_numbers=numbers,
        attribution=attribution,
        cjk_lang=config.cjk_lang,
        note_ref=config.words.text("note_ref"),
        quotation_by=config.words.text("quotation_by"),
    )
    opened: set[str] = set()
    paragraphs = []
    # Places come in document order: each paragraph takes the next that start before its end
    # and keeps those still open, so no paragraph looks at every place of the article.
    places, taken = article.places, 0
    here: list[Place] = []
    for index, paragraph in enumerate(article.body.paragraphs, start=1):
        while taken < len(places) and places[taken].start < paragraph.end:
            here.append(places[taken])
            taken += 1
        here = [p for p in here if paragraph.start < p.end]
        starting = [p for p in here if paragraph.start <= p.start]
        anchor = paragraph_id(index)
        paragraphs.append(
            {
                "id": anchor,
                "html": annotate_paragraph(
                    article.body.text, paragraph.start, paragraph.end, here, style, opened
                ),
                "speakers": sum(1 for p in starting if p.type == "quote"),
                "notes": [
                    _note(markdown, config, p, numbers[p.id], article, anchor)
                    for p in starting
                    if p.note
                ],
            }
        )
    return paragraphs


def _note(
    markdown: MarkdownRenderer,
    config: SiteConfig,
    place: Place,
    number: int,
    article: AnchoredArticle,
    paragraph: str,
) -> dict[str, Any]:
    words = article.body.text[place.start : place.end].split()
    label = " ".join(words[:_LABEL_WORDS]) + (" …" if len(words) > _LABEL_WORDS else "")
    return {
        "id": note_id(place.id),
        "target": place.id,
        "paragraph": paragraph,
        "number": number,
        "type": place.type,
        "label": cjk_markup(label, config.cjk_lang),
        "html": _with_hosts(markdown.render(place.note)),
    }


def person_pages(
    markdown: MarkdownRenderer,
    common: Common,
    person: Person,
    summary: dict[str, Any],
    quotes: tuple[Occurrence, ...],
    mentions: tuple[Occurrence, ...],
) -> list[Page]:
    """The person's page, and pages 2, 3, ... when their places are too many for one."""
    lang = common.config.cjk_lang
    by_slug = {o.article_slug: o.article_date for o in (*quotes, *mentions)}
    shown = pages.without_repeated_quotes(mentions, quotes)
    quote_cards = [_card(markdown, o, pages.speaker_context(o, person.name, lang)) for o in quotes]
    mention_cards = [_card(markdown, o, pages.plain_context(o, lang)) for o in shown]
    sections = [
        pages.Section(key, tuple(_dressed(common.config, groups, person)), len(cards))
        for key, cards in (("quotes", quote_cards), ("mentions", mention_cards))
        if (groups := pages.group_by_article(cards, by_slug))
    ]
    details = {
        **summary,
        "name_html": cjk_markup(person.name, lang),
        "bio": markdown.render(person.bio) if person.bio else "",
        "roles": [{"title": r.title, "start": r.start, "end": r.end} for r in person.roles],
        "links": [{"label": lk.label, "url": lk.url} for lk in person.links],
    }
    return _numbered(
        common,
        person_path(person.id),
        "person",
        person.name,
        sections,
        description=person.summary or markdown.plain(person.bio, 160),
        structured=lambda url: structured_data.person(person, url, markdown.plain(person.bio)),
        person=details,
    )


def term_pages(
    markdown: MarkdownRenderer,
    common: Common,
    term: Term,
    summary: dict[str, Any],
    found: tuple[Occurrence, ...],
    in_notes: tuple[NoteHit, ...],
    see_also: tuple[dict[str, Any], ...],
) -> list[Page]:
    """The term's page, and pages 2, 3, ... when its places are too many for one."""
    lang = common.config.cjk_lang
    cards = sorted(
        [
            *(_card(markdown, o, pages.plain_context(o, lang)) for o in found),
            *(_note_card(markdown, lang, n) for n in in_notes),
        ],
        key=lambda c: (c["article_slug"], c["offset"], c["kind"] == "note"),
    )
    dates = {o.article_slug: o.article_date for o in (*found, *in_notes)}
    groups = pages.group_by_article(cards, dates)
    sections = (
        [pages.Section("texts", tuple(_dressed(common.config, groups)), len(cards))]
        if groups
        else []
    )
    details = {
        **summary,
        "term_html": cjk_markup(term.term, lang),
        "aliases": list(term.aliases),
        "definition": markdown.render(term.definition),
        "renderings": [{"text": r.text, "by": r.by} for r in term.renderings],
        "see_also": list(see_also),
    }
    return _numbered(
        common,
        term_path(term.id),
        "term",
        term.term,
        sections,
        description=markdown.plain(term.definition, 160),
        structured=lambda url: structured_data.term(
            term,
            url,
            absolute(common.base_url, GLOSSARY_INDEX),
            markdown.plain(term.definition),
        ),
        term=details,
    )


def _numbered(
    common: Common,
    base: str,
    kind: str,
    title: str,
    sections: list[pages.Section],
    **values: Any,
) -> list[Page]:
    """Page 1 at `base` and a numbered page for every further page of the sections' cards."""
    split = pages.paginate(sections, pages.card_size)
    count = len(split)
    made = []
    for number, page_sections in enumerate(split, start=1):
        path = page_path(base, number)
        pager = {
            "number": number,
            "count": count,
            "prev": page_path(base, number - 1) if number > 1 else "",
            "next": page_path(base, number + 1) if number < count else "",
            "first": base,
        }
        page_title = (
            title
            if number == 1
            else common.config.words.text("title_page_of", title=title, number=number, count=count)
        )
        context = page_context(
            common,
            path,
            kind,
            page_title,
            sections={s.key: s for s in page_sections},
            pager=pager,
            **values,
        )
        made.append((path, context))
    return made


def _dressed(
    config: SiteConfig, groups: list[dict[str, Any]], person: Person | None = None
) -> Iterator[dict[str, Any]]:
    """Each article's group with its link and date, and for a person, the roles they
    held on that date and those they took up later."""
    for group in groups:
        held, later = pages.roles_on(person.roles, group["date"]) if person else ([], [])
        yield {
            **group,
            "href": article_path(group["slug"]),
            "date_iso": group["date"].isoformat() if group["date"] else "",
            "date_display": config.words.date(group["date"]),
            "roles_then": held,
            "roles_later": later,
        }


def _card(
    markdown: MarkdownRenderer, occurrence: Occurrence, sentence: pages.Sentence
) -> dict[str, Any]:
    """One place in a text, as a person's or term's page lists it."""
    return {
        "kind": occurrence.type,
        "article_slug": occurrence.article_slug,
        "article_title": occurrence.article_title,
        "offset": occurrence.offset,
        "href": at(article_path(occurrence.article_slug), occurrence.anchor),
        "context": pages.context_markup(sentence),
        "note": markdown.render(occurrence.note) if occurrence.note else "",
        "note_number": 0,
    }


def _note_card(markdown: MarkdownRenderer, lang: str, hit: NoteHit) -> dict[str, Any]:
    """A note that names the term: its passage in the text, and the note itself."""
    return {
        "kind": "note",
        "article_slug": hit.article_slug,
        "article_title": hit.article_title,
        "offset": hit.offset,
        "href": at(article_path(hit.article_slug), hit.anchor),
        "context": cjk_markup(hit.passage, lang),
        "note": markdown.render(hit.note),
        "note_number": hit.number,
    }


# --- small helpers --------------------------------------------------------------------------


def _sort_key(name: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", name).casefold()
    return ("".join(ch for ch in folded if not unicodedata.combining(ch)), name)


def _initial(name: str) -> str:
    first = _sort_key(name)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def letter_groups(items: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sort A to Z and group by initial letter, for the index pages and their letter bar."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda i: _sort_key(i[key])):
        groups.setdefault(_initial(item[key]), []).append(item)
    return [{"letter": letter, "entries": members} for letter, members in sorted(groups.items())]


_OG_TYPES = {"article": "article", "person": "profile"}

_LINKED_TYPES = ("quote", "mention", "term")
"""Annotations whose person or term the article links to (a quote, through its attribution)."""
_POPOVER_CHARS = 280
_LABEL_WORDS = 8
"""A note's label quotes at most this many words of its passage (endnotes and print)."""


def _host(url: str) -> str:
    """`digichina.stanford.edu` for a link there: what a printed page shows of a URL."""
    host = (urlsplit(_unescape(url)).hostname or "") if url else ""
    return host.removeprefix("www.")


_EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)"')


def _with_hosts(rendered: Markup) -> Markup:
    """Rendered Markdown whose web links carry `data-host`, for print to show instead of the URL.

    markdown-it writes every link as `<a href="...">`, its URL attribute-escaped, so the
    pattern sees exactly the links it writes.
    """
    return Markup(
        _EXTERNAL_LINK.sub(
            lambda m: f'{m.group(0)} data-host="{escape(_host(m.group(1)))}"', str(rendered)
        )
    )
