"""`feed.xml`: an Atom feed (RFC 4287) of the articles, newest first (FORMAT.md section 8).

Every date in it comes from the content (the articles' dates), none from the clock, so
the same content gives the same bytes. The feed's author is the site (its editors): they
annotate, the original's publisher is named in each entry's summary and linked as `via`.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from .model import AnchoredArticle, Site
from .urls import FEED, absolute, article_path
from .words import Words

ATOM = "http://www.w3.org/2005/Atom"

_UNDATED = datetime.date(1970, 1, 1)
"""`updated` is required: a site whose articles have no dates at all says the epoch."""


def atom_feed(site: Site, base_url: str) -> bytes:
    """The site's Atom feed; `base_url` is absolute and ends in `/`."""
    config = site.content.site
    articles = newest_first(site.articles)
    newest = max((a.spec.date for a in articles if a.spec.date), default=_UNDATED)
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
    for article in articles:
        feed.append(_entry(article, base_url, newest, config.words))
    ET.indent(feed)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def newest_first(articles: tuple[AnchoredArticle, ...]) -> list[AnchoredArticle]:
    """By date, newest first; undated articles last; ties by slug, so the order is fixed."""
    return sorted(
        articles,
        key=lambda a: (a.spec.date is None, -(a.spec.date or _UNDATED).toordinal(), a.spec.slug),
    )


def _entry(
    article: AnchoredArticle, base_url: str, newest: datetime.date, words: Words
) -> ET.Element:
    spec = article.spec
    url = absolute(base_url, article_path(spec.slug))
    entry = ET.Element("entry")
    _text(entry, "id", url)
    _text(entry, "title", spec.title)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    if spec.original_url:
        ET.SubElement(entry, "link", {"rel": "via", "href": spec.original_url})
    # An undated article changed, as far as the content tells, when the newest one did.
    _text(entry, "updated", _timestamp(spec.date or newest))
    if spec.date:
        _text(entry, "published", _timestamp(spec.date))
    _text(entry, "summary", _summary(article, words))
    return entry


_COUNTED = (
    ("quote", "feed_quotes"),
    ("mention", "feed_mentions"),
    ("term", "feed_terms"),
    ("note", "feed_notes"),
)
"""Each annotation type the summary counts, and the key of its words."""


def _summary(article: AnchoredArticle, words: Words) -> str:
    spec = article.spec
    source = ", ".join(x for x in (spec.publisher, spec.date.isoformat() if spec.date else "") if x)
    counts = [
        (key, sum(1 for p in article.places if p.type == kind and not p.auto))
        for kind, key in _COUNTED
    ]
    parts = [words.text(key, n=n) for key, n in counts if n]
    text = (
        words.text("feed_annotated", title=spec.title, source=source)
        if source
        else words.text("feed_annotated_plain", title=spec.title)
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
