"""Person and term pages: their places grouped by article, and split into numbered pages.

Pure functions over plain data, used by the render stage. A long list is cut into pages by
an estimate of each card's size in bytes, so that no page's HTML passes FORMAT.md's 200 KB
however long the notes are; where each page lives is urls.page_path's to say.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .markup import cjk_markup
from .model import Occurrence, Role

PAGE_BUDGET = 120_000
"""Estimated bytes of cards per page: the rest of a page (header, details, footer) stays far
below the 80 KB that leaves of the 200 KB limit."""
CARD_OVERHEAD = 700
"""Bytes of markup around a card's own text (list item, quotation, link, classes)."""
GROUP_OVERHEAD = 900
"""Bytes of an article's heading in a list: its title, link, date and the roles line."""

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ),
        start=1,
    )
}
_YEAR = re.compile(r"\b(\d{4})\b")
_ISO_MONTH = re.compile(r"\b\d{4}-(\d{2})\b")
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)

_SPEECH_VERBS = (
    r"said|says|added|adds|stressed|stresses|noted|notes|told|tells|declared|urged|asked|"
    r"insisted|warned|continued|explained|remarked|pointed out|emphasized|emphasised|wrote"
)
_PRONOUN_AFTER = re.compile(
    rf"^(?P<lead>[,;:\"'\u201d\u2019\u00bb)\]]*\s+)(?P<pronoun>he|she)(?P<rest>\s+(?:{_SPEECH_VERBS})\b)"
)
"""`…power," he said`: the pronoun right after the quotation, then a verb of saying."""
_PRONOUN_BEFORE = re.compile(
    rf"(?P<pronoun>\b[Hh]e|\b[Ss]he)(?P<rest>\s+(?:{_SPEECH_VERBS})[,:]?\s*[\"'\u201c\u2018]?\s*)$"
)
"""`He said: "…`: the pronoun and a verb of saying right before the quotation."""


@dataclass(frozen=True)
class Sentence:
    """A quotation's line of context, with the speaker's name where a pronoun stood."""

    before: Markup
    text: Markup
    after: Markup


def speaker_context(occurrence: Occurrence, speaker: str, lang: str) -> Sentence:
    """The quotation's context, with `he`/`she` that the sentence attaches to it named.

    `…power," he said` becomes `…power," [Xi Jinping] said`, the name an editorial
    insertion in brackets; any other pronoun stays as the text has it.
    """
    insertion = Markup('<span class="editorial-insertion">[{}]</span>').format(
        cjk_markup(speaker, lang)
    )
    before, after = occurrence.before, occurrence.after
    after_match = _PRONOUN_AFTER.match(after)
    if after_match:
        return Sentence(
            cjk_markup(before, lang),
            cjk_markup(occurrence.text, lang),
            cjk_markup(after_match["lead"], lang)
            + insertion
            + cjk_markup(after[after_match.end("pronoun") :], lang),
        )
    before_match = _PRONOUN_BEFORE.search(before)
    if before_match:
        return Sentence(
            cjk_markup(before[: before_match.start()], lang)
            + insertion
            + cjk_markup(before[before_match.end("pronoun") :], lang),
            cjk_markup(occurrence.text, lang),
            cjk_markup(after, lang),
        )
    return Sentence(
        cjk_markup(before, lang), cjk_markup(occurrence.text, lang), cjk_markup(after, lang)
    )


def context_markup(sentence: Sentence) -> Markup:
    """The line of context as HTML, the occurrence marked."""
    return Markup(f"{sentence.before}<mark>{sentence.text}</mark>{sentence.after}")


def plain_context(occurrence: Occurrence, lang: str) -> Sentence:
    """An occurrence's context as it stands in the text."""
    return Sentence(
        cjk_markup(occurrence.before, lang),
        cjk_markup(occurrence.text, lang),
        cjk_markup(occurrence.after, lang),
    )


# --- roles ---------------------------------------------------------------------------------


def _when(text: str) -> tuple[int, int] | None:
    """(year, month) of a role's `from`/`to` as editors write it (`2013`, `March 2013`,
    `2013-03-14`); month 0 when only the year is known; None when no year is given."""
    year = _YEAR.search(text)
    if year is None:
        return None
    iso = _ISO_MONTH.search(text)
    name = _MONTH_NAME.search(text)
    month = int(iso.group(1)) if iso else _MONTHS[name.group(1).lower()] if name else 0
    return int(year.group(1)), month


def _before(when: tuple[int, int], date: datetime.date) -> bool:
    """Whether `when` is on or before `date`, at the precision `when` has."""
    year, month = when
    return year < date.year or (year == date.year and month <= date.month)


def roles_on(roles: Iterable[Role], date: datetime.date | None) -> tuple[list[str], list[str]]:
    """The titles a person held on `date`, and those they took up after it ("later").

    A role without a `from` counts as held; one that ended before the date is in neither.
    Without a date nothing can be said: both lists are empty.
    """
    if date is None:
        return [], []
    held: list[str] = []
    later: list[str] = []
    for role in roles:
        start = _when(role.start) if role.start else None
        end = _when(role.end) if role.end else None
        if start is not None and not _before(start, date):
            later.append(role.title)
        elif end is None or not _ended_before(end, date):
            held.append(role.title)
    return held, later


def _ended_before(end: tuple[int, int], date: datetime.date) -> bool:
    year, month = end
    return year < date.year or (year == date.year and 0 < month < date.month)


# --- grouping and pages --------------------------------------------------------------------


def without_repeated_quotes(
    mentions: Sequence[Occurrence], quotes: Sequence[Occurrence]
) -> list[Occurrence]:
    """Mentions that no quotation card already shows: `Xi said` after his quote is left out."""
    shown: dict[str, list[tuple[int, int]]] = {}
    for quote in quotes:
        start = quote.offset - len(quote.before)
        shown.setdefault(quote.article_slug, []).append(
            (start, quote.offset + len(quote.text) + len(quote.after))
        )
    return [
        m
        for m in mentions
        if not any(
            start <= m.offset and m.offset + len(m.text) <= end
            for start, end in shown.get(m.article_slug, ())
        )
    ]


def group_by_article(
    cards: Iterable[dict[str, Any]], dates: dict[str, datetime.date | None]
) -> list[dict[str, Any]]:
    """Cards (each with an `article_slug`) in one group per article: newest article first,
    undated ones last, then by title; cards keep their order within a group."""
    groups: dict[str, dict[str, Any]] = {}
    for card in cards:
        slug = card["article_slug"]
        group = groups.get(slug)
        if group is None:
            group = groups[slug] = {
                "slug": slug,
                "title": card["article_title"],
                "date": dates.get(slug),
                "cards": [],
            }
        group["cards"].append(card)
    return sorted(groups.values(), key=_newest_first)


def _newest_first(group: dict[str, Any]) -> tuple[int, int, str, str]:
    date = group["date"]
    return (
        (0, -date.toordinal(), group["title"], group["slug"])
        if date
        else (
            1,
            0,
            group["title"],
            group["slug"],
        )
    )


@dataclass(frozen=True)
class Section:
    """One list of a page (a person's quotations, their mentions, a term's places)."""

    key: str
    groups: tuple[dict[str, Any], ...]
    total: int
    """Cards in the whole list, on every page."""
    continued: bool = False
    """The list began on an earlier page."""


def paginate(
    sections: Sequence[Section],
    size: Callable[[dict[str, Any]], int],
    budget: int = PAGE_BUDGET,
) -> list[list[Section]]:
    """Cut the sections' cards into pages of at most `budget` estimated bytes each.

    A page holds at least one card, so a single huge card still gets a page. A group cut
    between two pages goes on, marked `continued`, on the next. Always at least one page.
    """
    pages: list[list[Section]] = [[]]
    used = 0
    for section in sections:
        started = False
        for group in section.groups:
            part: list[dict[str, Any]] = []
            for card in group["cards"]:
                cost = size(card) + (0 if part else GROUP_OVERHEAD)
                if used + cost > budget and used > 0:
                    _close(pages, section, group, part, started)
                    started = started or bool(part)
                    pages.append([])
                    part, used = [], 0
                    cost = size(card) + GROUP_OVERHEAD
                part.append(card)
                used += cost
            _close(pages, section, group, part, started)
            started = started or bool(part)
    return pages


def _close(
    pages: list[list[Section]],
    section: Section,
    group: dict[str, Any],
    part: list[dict[str, Any]],
    started: bool,
) -> None:
    """Put the cards `part` of `group` on the last page, in its part of `section`."""
    if not part:
        return
    page = pages[-1]
    piece = {**group, "cards": part, "continued": part[0] is not group["cards"][0]}
    if page and page[-1].key == section.key:
        last = page[-1]
        page[-1] = Section(last.key, (*last.groups, piece), last.total, last.continued)
    else:
        page.append(Section(section.key, (piece,), section.total, started))


def card_size(card: dict[str, Any]) -> int:
    """The estimated bytes a card takes in the page: its texts, and the markup around them."""
    return CARD_OVERHEAD + sum(
        len(str(card.get(key, "")).encode("utf-8")) for key in ("context", "note", "href")
    )
