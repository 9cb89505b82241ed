"""schema.org JSON-LD for each page type, so search engines and readers' tools see
who said what (NewsArticle with Quotations), who people are (Person) and what terms
mean (DefinedTerm in a DefinedTermSet). Used by the render stage."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .model import AnchoredArticle, Person, Term
from .urls import at

CONTEXT = "https://schema.org"


def json_ld(data: dict[str, Any]) -> Markup:
    """Serialise for a `<script type="application/ld+json">` element.

    `<`, `>` and `&` are written as JSON escapes, so no editor's text can close the
    script element or open a comment inside it.
    """
    text = json.dumps({"@context": CONTEXT, **data}, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def website(name: str, description: str, url: str) -> dict[str, Any]:
    return {"@type": "WebSite", "name": name, "description": description, "url": url}


def person(p: Person, url: str, plain_bio: str) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Person", "name": p.name, "url": url}
    if p.native:
        data["alternateName"] = p.native
    if p.summary or plain_bio:
        data["description"] = p.summary or plain_bio
    if p.roles:
        data["jobTitle"] = [r.title for r in p.roles]
    if p.links:
        data["sameAs"] = [link.url for link in p.links]
    return data


def term(t: Term, url: str, set_url: str, plain_definition: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "DefinedTerm",
        "name": t.term,
        "url": url,
        "description": plain_definition,
        "inDefinedTermSet": set_url,
    }
    alternates = [n for n in (t.native, t.transliteration, *t.aliases) if n]
    if alternates:
        data["alternateName"] = alternates
    if t.native:
        data["termCode"] = t.native
    return data


def term_set(name: str, url: str, terms: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@type": "DefinedTermSet",
        "name": name,
        "url": url,
        "hasDefinedTerm": [{"@type": "DefinedTerm", "name": n, "url": u} for n, u in terms],
    }


def editors(site_title: str, base_url: str) -> dict[str, Any]:
    """The site's editors, who annotate: the author and publisher of every annotated page."""
    return {"@type": "Organization", "name": site_title, "url": base_url}


def news_article(
    article: AnchoredArticle,
    url: str,
    people: dict[str, tuple[str, str]],
    language: str,
    annotators: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The annotated page: an Article by the site's editors, based on the original.

    The original (its headline, publisher, date and address) is what the page `isBasedOn`,
    a NewsArticle of its own, so no reader's tool takes the editors for its publisher or
    the publisher for the annotations' author. Each annotated quotation is a Quotation by
    its speaker. `people` maps person ids to (name, absolute page URL); `annotators` is
    `editors(...)`.
    """
    spec = article.spec
    data: dict[str, Any] = {
        "@type": "Article",
        "headline": spec.title,
        "url": url,
        "inLanguage": language,
        "isBasedOn": _original(article),
    }
    if annotators:
        data["author"] = annotators
        data["publisher"] = annotators
    quotes = []
    mentioned: set[str] = set()
    for place in article.places:
        if place.type == "mention":
            mentioned.add(place.target)
        if place.type == "quote":
            name, person_url = people[place.target]
            quotes.append(
                {
                    "@type": "Quotation",
                    "text": " ".join(article.body.text[place.start : place.end].split()),
                    "url": at(url, place.id),
                    "creator": {"@type": "Person", "name": name, "url": person_url},
                }
            )
    if quotes:
        data["hasPart"] = quotes
    if mentioned:
        data["mentions"] = [
            {"@type": "Person", "name": people[m][0], "url": people[m][1]}
            for m in sorted(mentioned)
        ]
    return data


def _original(article: AnchoredArticle) -> dict[str, Any]:
    """The text as its publisher published it."""
    spec = article.spec
    original: dict[str, Any] = {"@type": "NewsArticle", "headline": spec.title}
    if spec.publisher:
        original["publisher"] = {"@type": "Organization", "name": spec.publisher}
    if spec.date:
        original["datePublished"] = spec.date.isoformat()
    if spec.original_url:
        original["url"] = spec.original_url
    return original
