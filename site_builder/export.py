"""The annotation export: each article's annotations as W3C Web Annotation data (FORMAT.md §11).

Every build writes, next to the pages, `articles/<slug>/source.txt` (the seed, byte for
byte) and `annotations/<slug>.jsonld`, an `AnnotationCollection` whose embedded first page
holds one `Annotation` per place an editor's annotation anchored to. Each target selects its
passage in `source.txt` twice over: by quote (the seed's own characters with up to 32
characters of context) and by position (code points of the seed's text, as decoded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring as _json_string
from typing import Any

from .model import AnchoredArticle, Place, Site
from .urls import absolute, article_path, at, collection_path, source_path, target_path

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32
"""How much text before and after a passage its TextQuoteSelector carries."""

MOTIVATIONS = {
    "quote": "highlighting",
    "mention": "identifying",
    "term": "classifying",
    "note": "commenting",
}
"""The W3C motivation of each annotation type; `import` reads them back the same way."""


def seed_text(article: AnchoredArticle) -> str:
    """The seed's whole text, as decoded: what the position selectors count in."""
    return article.body.preamble + article.body.text


def source_bytes(article: AnchoredArticle) -> bytes:
    """The seed file as it was read, byte-order mark included."""
    return (("\ufeff" if article.body.bom else "") + seed_text(article)).encode("utf-8")


def export_article(article: AnchoredArticle, base_url: str, language: str) -> bytes:
    """The article's annotations as a W3C `AnnotationCollection`, serialised as JSON-LD.

    `base_url` is absolute and ends in `/`.
    """
    slug = article.spec.slug
    page_url = absolute(base_url, article_path(slug))
    collection_id = base_url + collection_path(slug)
    target = _Target(
        text=seed_text(article),
        offset=len(article.body.preamble),
        source=base_url + source_path(slug),
        scope=page_url,
        via=article.spec.original_url,
    )
    bodies = _Bodies(base_url, language)
    items = [
        _annotation(place, page_url, target, bodies) for place in article.places if not place.auto
    ]
    collection = {
        "@context": ANNOTATION_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Annotations on “{article.spec.title}”",
        "total": len(items),
        "first": {
            "id": at(collection_id, "page-1"),
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": items,
        },
    }
    return (indented_json(collection) + "\n").encode("utf-8")


def indented_json(value: object) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2)`, character for character, faster.

    With `indent`, the standard library encodes in pure Python, one generator per nested
    value: at 1,000 articles that was seconds of the build, one process, after the pages.
    This walks strings, integers, booleans, None, lists and dicts with string keys, leaving
    each string to the standard library's C escaper; anything else (a float, a key that
    `json` would convert) goes to `json.dumps` whole.
    """
    parts: list[str] = []
    try:
        _indented(value, "\n", parts)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(parts)


def _indented(value: object, newline: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_json_string(value))
    elif isinstance(value, dict):
        inner = newline + "  "
        opening = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("a key json.dumps would convert")
            out += (opening, _json_string(key), ": ")
            if isinstance(item, str):  # most values: no call for them
                out.append(_json_string(item))
            else:
                _indented(item, inner, out)
            opening = "," + inner
        out.append("{}" if not value else newline + "}")
    elif isinstance(value, list | tuple):
        inner = newline + "  "
        opening = "[" + inner
        for item in value:
            out.append(opening)
            _indented(item, inner, out)
            opening = "," + inner
        out.append("[]" if not value else newline + "]")
    elif value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    else:
        raise TypeError("a value left to json.dumps")


class _Target:
    """Makes the target of each annotation of one article: its seed, selected two ways."""

    def __init__(self, text: str, offset: int, source: str, scope: str, via: str) -> None:
        self.text = text
        self.offset = offset
        """Where the body starts in the seed's text: places count from there."""
        self.source: str | dict[str, str] = {"id": source, "via": via} if via else source
        self.scope = scope

    def of(self, place: Place) -> dict[str, Any]:
        start, end = self.offset + place.start, self.offset + place.end
        quote = {
            "type": "TextQuoteSelector",
            "exact": self.text[start:end],
            "prefix": self.text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": self.text[end : end + CONTEXT_CHARS],
        }
        position = {"type": "TextPositionSelector", "start": start, "end": end}
        return {
            "type": "SpecificResource",
            "source": self.source,
            "scope": self.scope,
            "selector": [quote, position],
        }


class _Bodies:
    """Makes the bodies of an annotation: the page it links to, and its note."""

    def __init__(self, base_url: str, language: str) -> None:
        self.base_url = base_url
        self.language = language

    def of(self, place: Place) -> list[dict[str, Any]]:
        bodies: list[dict[str, Any]] = []
        if place.target:  # a term's entry, a quote's speaker, a mention's person
            purpose = "classifying" if place.type == "term" else "identifying"
            url = absolute(self.base_url, target_path(place.type, place.target))
            bodies.append(self.page(url, purpose))
        if place.note:
            bodies.append(
                {
                    "type": "TextualBody",
                    "value": place.note,
                    "format": "text/markdown",
                    "language": self.language,
                    "purpose": "commenting",
                }
            )
        return bodies

    @staticmethod
    def page(url: str, purpose: str) -> dict[str, str]:
        return {"type": "SpecificResource", "source": url, "purpose": purpose}


def _annotation(place: Place, page_url: str, target: _Target, bodies: _Bodies) -> dict[str, Any]:
    annotation: dict[str, Any] = {
        "id": at(page_url, place.id),
        "type": "Annotation",
        "motivation": MOTIVATIONS[place.type],
    }
    made = bodies.of(place)
    if made:
        annotation["body"] = made[0] if len(made) == 1 else made
    annotation["target"] = target.of(place)
    return annotation


Exporter = Callable[[AnchoredArticle, str, str], bytes]
"""`export_article`, or a memo of it (the live preview keeps one)."""


def export_files(site: Site, base_url: str, export: Exporter = export_article) -> dict[str, bytes]:
    """Each article's seed and its annotations as W3C Web Annotation data (FORMAT.md §11)."""
    files = {}
    language = site.content.site.language
    for article in site.articles:
        slug = article.spec.slug
        files[source_path(slug)] = source_bytes(article)
        files[collection_path(slug)] = export(article, base_url, language)
    return files
