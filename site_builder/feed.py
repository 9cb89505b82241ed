"""`feed.xml`: an Atom feed (RFC 4287) of the articles, newest first (FORMAT.md section 8).

Every date in it comes from the content (the articles' dates), none from the clock, so
the same content gives the same bytes. The feed's author is the site (its editors): they
annotate, the original's publisher is named in each entry's summary and linked as `via`.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from .model import AnchoredArticle, Site, SiteConfig
from .urls import FEED, absolute, article_path
from .words import Words

ATOM = "http://www.w3.org/2005/Atom"

_UNDATED = datetime.date(1970, 1, 1)
"""`updated` is required: a site whose articles have no dates at all says the epoch."""


@dataclass(frozen=True)
class FeedItem:
    """What the feed shows of one article: a note edited changes none of it."""

    slug: str
    title: str
    publisher: str
    date: datetime.date | None
    original_url: str
    counts: tuple[int, ...]
    """Annotations of each type in `_COUNTED`, autolinks left out."""


def feed_item(article: AnchoredArticle) -> FeedItem:
    spec = article.spec
    counts = tuple(
        sum(1 for p in article.places if p.type == kind and not p.auto) for kind, _ in _COUNTED
    )
    return FeedItem(spec.slug, spec.title, spec.publisher, spec.date, spec.original_url, counts)


def atom_feed(site: Site, base_url: str) -> bytes:
    """The site's Atom feed; `base_url` is absolute and ends in `/`."""
    return feed_of(site.content.site, base_url, tuple(feed_item(a) for a in site.articles))


def feed_of(config: SiteConfig, base_url: str, items: tuple[FeedItem, ...]) -> bytes:
    """The Atom feed of these articles, in any order."""
    items = newest_first(items)
    newest = max((i.date for i in items if i.date), default=_UNDATED)
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": config.language or "en"})
    _text(feed, "id", base_url)
    _text(feed, "title", config.title)
    if config.description:
        _text(feed, "subtitle", config.description)
    _text(feed, "updated", _timestamp(newest))
    ET.SubElement(
        feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base_url + FEED}
    )
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base_url})
    author = ET.SubElement(feed, "author")
    _text(author, "name", config.title)
    _text(author, "uri", base_url)
    _text(feed, "generator", "site-builder")
    for item in items:
        feed.append(_entry(item, base_url, newest, config.words))
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def newest_first(items: Iterable[FeedItem]) -> list[FeedItem]:
    """By date, newest first; undated articles last; ties by slug, so the order is fixed."""
    return sorted(items, key=lambda i: (i.date is None, -(i.date or _UNDATED).toordinal(), i.slug))


def _entry(item: FeedItem, base_url: str, newest: datetime.date, words: Words) -> ET.Element:
    url = absolute(base_url, article_path(item.slug))
    entry = ET.Element("entry")
    _text(entry, "id", url)
    _text(entry, "title", item.title)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    if item.original_url:
        ET.SubElement(entry, "link", {"rel": "via", "href": item.original_url})
    # An undated article changed, as far as the content tells, when the newest one did.
    _text(entry, "updated", _timestamp(item.date or newest))
    if item.date:
        _text(entry, "published", _timestamp(item.date))
    _text(entry, "summary", _summary(item, words))
    return entry


_COUNTED = (
    ("quote", "feed_quotes"),
    ("mention", "feed_mentions"),
    ("term", "feed_terms"),
    ("note", "feed_notes"),
)
"""Each annotation type the summary counts, and the key of its words."""


def _summary(item: FeedItem, words: Words) -> str:
    source = ", ".join(x for x in (item.publisher, item.date.isoformat() if item.date else "") if x)
    counts = [(key, n) for (_, key), n in zip(_COUNTED, item.counts, strict=True)]
    parts = [words.text(key, n=n) for key, n in counts if n]
    text = (
        words.text("feed_annotated", title=item.title, source=source)
        if source
        else words.text("feed_annotated_plain", title=item.title)
    )
    if parts:
        return words.text("feed_with_counts", text=text, counts=", ".join(parts))
    return words.text("feed_without_counts", text=text)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _timestamp(date: datetime.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"
