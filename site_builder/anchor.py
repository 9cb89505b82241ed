"""Anchor stage: find the place in the seed of every annotation's `text` (FORMAT.md section 7).

An anchor either fits exactly one place (or every place, with `all: true`) or
it is an error that shows the editor what to write: the closest passage when
the text is not there, every matching place when it is ambiguous. Nothing is
ever fuzzy-matched silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .errors import Diagnostic, Position, error
from .load import TextFile, line_number
from .model import AnchoredArticle, AnnotationSpec, ArticleSpec, Body, Paragraph, Place
from .textmatch import (
    NormalizedText,
    find_all,
    is_spaced_word_char,
    normalize,
    normalize_needle,
    slugify,
)

_SLUG_WORDS = 4
_QUOTE_LIMIT = 100


@dataclass(frozen=True)
class _Seed:
    """A body with its matching form, kept together while this article is anchored."""

    source: str
    body: Body
    norm: NormalizedText
    first_line: int

    def line_of(self, norm_offset: int) -> int:
        offset = self.norm.to_original(norm_offset)
        return self.first_line + line_number(self.body.text, offset) - 1

    def excerpt(self, norm_start: int, norm_end: int) -> str:
        return _shorten(self.norm.text[norm_start:norm_end].strip())


def split_body(seed_text: str, body_start: int, bom: bool = False) -> tuple[Body, int]:
    """Cut the body from the seed and split it into paragraphs, one per non-blank line."""
    text = seed_text[body_start:]
    first_line = line_number(seed_text, body_start)
    paragraphs = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=first_line):
        content = line.rstrip()
        leading = len(content) - len(content.lstrip())
        if content.strip():
            paragraphs.append(Paragraph(offset + leading, offset + len(content), number))
        offset += len(line)
    body = Body(text, tuple(paragraphs), normalize(text), seed_text[:body_start], bom)
    return body, first_line


def anchor_article(
    spec: ArticleSpec, seed: TextFile
) -> tuple[AnchoredArticle | None, list[Diagnostic]]:
    """Place every annotation of an article in its seed; report what does not fit."""
    problems: list[Diagnostic] = []
    body_start = _find_body_start(spec, seed, problems)
    if body_start is None:
        return None, problems
    body, first_line = split_body(seed.text, body_start, seed.bom)
    context = _Seed(spec.source, body, body.normalized, first_line)
    places: list[Place] = []
    ids: dict[str, Position] = {}
    for annotation in spec.annotations:
        for place in _anchor_one(annotation, context, problems):
            if place.id in ids:
                earlier = ids[place.id]
                problems.append(
                    error(
                        annotation.position,
                        f"the id `{place.id}` is already used by the annotation on line {earlier.line}",
                        "give one of them its own `id:`",
                    )
                )
                continue
            ids[place.id] = annotation.position
            places.append(place)
    places.sort(key=lambda p: (p.start, -p.end, p.id))
    return AnchoredArticle(spec, body, tuple(places)), problems


def anchor_each(
    spec: ArticleSpec, seed: TextFile
) -> tuple[Body, list[tuple[AnnotationSpec, list[Place], list[Diagnostic]]]] | None:
    """Each annotation anchored by itself, with the places it selects and its own problems
    (what `anchor_article` reports for it, but a clash of ids with another annotation);
    None when the body itself cannot be found."""
    body_start = _find_body_start(spec, seed, [])
    if body_start is None:
        return None
    body, first_line = split_body(seed.text, body_start, seed.bom)
    context = _Seed(spec.source, body, body.normalized, first_line)
    results = []
    for annotation in spec.annotations:
        problems: list[Diagnostic] = []
        places = _anchor_one(annotation, context, problems)
        results.append((annotation, places, problems))
    return body, results


def _find_body_start(spec: ArticleSpec, seed: TextFile, problems: list[Diagnostic]) -> int | None:
    if not spec.body_starts_at:
        return 0
    norm = normalize(seed.text)
    needle = normalize_needle(spec.body_starts_at)
    start = norm.text.find(needle)
    if start < 0:
        problems.append(
            error(
                spec.body_starts_at_position,
                f"`body_starts_at` text not found in {spec.source}",
                _closest_hint(norm.text, needle, seed.text, norm),
            )
        )
        return None
    starts = _every_start(norm.text, needle, start)
    if len(starts) > 1:
        problems.append(
            error(
                spec.body_starts_at_position,
                f"`body_starts_at` text is ambiguous: it occurs {len(starts)} times "
                f"in {spec.source}",
                "quote more of the line the body starts with, so that it names one place; "
                "places:\n" + _list_seed_places(norm, seed.text, starts, len(needle)),
            )
        )
        return None
    return norm.to_original(start)


def _every_start(text: str, needle: str, first: int) -> list[int]:
    """Every place of `needle` in `text` from `first` on, overlapping ones included."""
    starts = []
    start = first
    while start >= 0:
        starts.append(start)
        start = text.find(needle, start + 1)
    return starts


def _list_seed_places(norm: NormalizedText, original: str, starts: list[int], length: int) -> str:
    """Places in a whole seed, numbered, each with its line and some context."""
    lines = []
    for n, s in enumerate(starts, start=1):
        line = 1 + original.count("\n", 0, norm.to_original(s))
        context = _shorten(norm.text[max(0, s - 30) : s + length + 30].strip())
        lines.append(f'  {n}. line {line}: "{context}"')
    return "\n".join(lines)


def _anchor_one(annotation: AnnotationSpec, seed: _Seed, problems: list[Diagnostic]) -> list[Place]:
    needle = normalize_needle(annotation.text)
    if not needle:
        problems.append(error(annotation.text_position, f"{annotation.type} text is empty"))
        return []
    starts = find_all(seed.norm.text, needle)
    if not starts:
        problems.append(
            error(
                annotation.text_position,
                f"{annotation.type} text not found in {seed.source}",
                _closest_hint(seed.norm.text, needle, seed.body.text, seed.norm, seed.first_line),
            )
        )
        return []
    fitting = _filter_by_context(annotation, seed.norm.text, starts, len(needle))
    chosen = _choose(annotation, seed, needle, starts, fitting, problems)
    base = annotation.id or derived_id(annotation.type, annotation.text)
    places = []
    for n, start in enumerate(chosen, start=1):
        if annotation.all:
            ident = base if n == 1 else f"{base}-{n}"
        elif annotation.id:
            ident = base
        else:  # derived ids count among every place of the text, so others cannot shift them
            index = starts.index(start) + 1
            ident = base if index == 1 else f"{base}-{index}"
        original_start, original_end = seed.norm.span(start, start + len(needle))
        places.append(
            Place(
                id=ident,
                type=annotation.type,
                start=original_start,
                end=original_end,
                target=annotation.target,
                note=annotation.note,
            )
        )
    return places


def _filter_by_context(
    annotation: AnnotationSpec, text: str, starts: list[int], length: int
) -> list[int]:
    prefix = normalize_needle(annotation.prefix)
    suffix = normalize_needle(annotation.suffix)
    return [
        s
        for s in starts
        if (not prefix or _ends_with_before_space(text, s, prefix))
        and (not suffix or _starts_with_after_space(text, s + length, suffix))
    ]


def _ends_with_before_space(text: str, end: int, prefix: str) -> bool:
    """`text[:end].rstrip().endswith(prefix)`, without copying the text before every place."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text.endswith(prefix, 0, end)


def _starts_with_after_space(text: str, start: int, suffix: str) -> bool:
    """`text[start:].lstrip().startswith(suffix)`, without copying the text after every place."""
    while start < len(text) and text[start].isspace():
        start += 1
    return text.startswith(suffix, start)


def _choose(
    annotation: AnnotationSpec,
    seed: _Seed,
    needle: str,
    starts: list[int],
    fitting: list[int],
    problems: list[Diagnostic],
) -> list[int]:
    where = annotation.text_position
    if not fitting:
        places = _list_places(seed, starts, len(needle))
        problems.append(
            error(
                where,
                f"{annotation.type} text found, but no place fits its `prefix`/`suffix`",
                "the text occurs at:\n" + places,
            )
        )
        return []
    if annotation.all:
        return fitting
    if annotation.occurrence is not None:
        if annotation.occurrence > len(fitting):
            places = _list_places(seed, starts, len(needle))
            problems.append(
                error(
                    where,
                    f"`occurrence: {annotation.occurrence}` but only {len(fitting)} place(s) fit",
                    "the text occurs at:\n" + places,
                )
            )
            return []
        return [fitting[annotation.occurrence - 1]]
    if len(fitting) > 1:
        fitting_places = _list_places(seed, fitting, len(needle))
        problems.append(
            error(
                where,
                f"{annotation.type} text is ambiguous: it occurs {len(fitting)} times in {seed.source}",
                f"add `occurrence: N` (1 to {len(fitting)}), a `prefix`/`suffix`, or `all: true`; "
                f"places:\n{fitting_places}",
            )
        )
        return []
    return fitting


def _list_places(seed: _Seed, starts: list[int], length: int) -> str:
    lines = []
    for n, s in enumerate(starts, start=1):
        context = seed.excerpt(max(0, s - 30), s + length + 30)
        lines.append(f'  {n}. line {seed.line_of(s)}: "{context}"')
    return "\n".join(lines)


def _closest_hint(
    haystack: str, needle: str, original: str, norm: NormalizedText, first_line: int = 1
) -> str:
    """Name the most similar passage, so the editor can see what differs."""
    from rapidfuzz import fuzz  # imported here: only a build with a missing passage needs it

    alignment = fuzz.partial_ratio_alignment(needle, haystack)
    if alignment is None or alignment.score < 50:
        return "no similar passage; check that `source` names the right seed"
    start, end = _snap_to_words(haystack, alignment.dest_start, alignment.dest_end)
    # Punctuation the passage gained at its edges (an opening quotation mark) only distracts.
    while start < end and not haystack[start].isalnum() and needle[:1].isalnum():
        start += 1
    while end > start and not haystack[end - 1].isalnum() and needle[-1:].isalnum():
        end -= 1
    line = first_line + line_number(original, norm.to_original(start)) - 1
    passage = _shorten(haystack[start:end].strip())
    return f'closest passage (line {line}): "{passage}"'


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a fuzzy alignment to whole words, so the passage shown reads naturally."""
    while start > 0 and is_spaced_word_char(text[start - 1]) and is_spaced_word_char(text[start]):
        start -= 1
    while end < len(text) and is_spaced_word_char(text[end - 1]) and is_spaced_word_char(text[end]):
        end += 1
    return start, end


def _shorten(text: str) -> str:
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"


def derived_id(kind: str, text: str) -> str:
    """The id an annotation of this type and text gets when the editor gives none."""
    slug = slugify(text, _SLUG_WORDS)
    if not slug:  # punctuation only: a short digest keeps it stable and unique
        slug = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"{kind}-{slug}"
