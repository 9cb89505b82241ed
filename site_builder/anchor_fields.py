"""The anchor fields that make an annotation select a given place (FORMAT.md section 7).

`import` and `reanchor` both know where an annotation should be and need the YAML that says
so: its `text`, and `occurrence`, `prefix` or `suffix` when the text occurs more than once.
They ask the anchor stage itself, so the fields chosen select exactly what a build selects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .anchor import anchor_article
from .errors import Diagnostic, Position
from .load import TextFile
from .model import AnchoredArticle, AnnotationSpec, AnnotationType, ArticleSpec, Place


@dataclass(frozen=True)
class Fields:
    """What the YAML writes to select one place."""

    text: str
    prefix: str
    suffix: str
    occurrence: int | None
    derived_id: str
    """The id the build derives for an annotation with these fields and no `id:`."""


def probe(
    spec: ArticleSpec,
    seed: TextFile,
    kind: AnnotationType,
    text: str,
    *,
    prefix: str = "",
    suffix: str = "",
    occurrence: int | None = None,
    all_places: bool = False,
) -> tuple[AnchoredArticle | None, list[Diagnostic]]:
    """Anchor one annotation of these fields alone in the article's seed, as the build would."""
    annotation = AnnotationSpec(
        type=kind,
        text=text,
        prefix=prefix,
        suffix=suffix,
        occurrence=occurrence,
        all=all_places,
        id="",
        target="",
        note="",
        position=Position(spec.path),
        text_position=Position(spec.path),
    )
    return anchor_article(dataclasses.replace(spec, annotations=(annotation,)), seed)


def places_of(
    spec: ArticleSpec, seed: TextFile, text: str, prefix: str = "", suffix: str = ""
) -> tuple[list[Place], Diagnostic | None]:
    """Every place `text` (with its context) selects in the body, or why there is none."""
    anchored, problems = probe(
        spec, seed, "note", text, prefix=prefix, suffix=suffix, all_places=True
    )
    if anchored is None or problems:
        return [], problems[0] if problems else None
    return list(anchored.places), None


def fields_for(
    spec: ArticleSpec,
    seed: TextFile,
    kind: AnnotationType,
    text: str,
    place: tuple[int, int],
    prefix: str = "",
    suffix: str = "",
) -> Fields | None:
    """The fields selecting `place` (body offsets) by `text`: the given context kept when the
    place fits it, `occurrence` added when the text is not unique; None when `text` is not
    there."""
    for context in ((prefix, suffix), ("", "")) if prefix or suffix else (("", ""),):
        places, _ = places_of(spec, seed, text, *context)
        spans = [(p.start, p.end) for p in places]
        if place in spans:
            occurrence = None if len(spans) == 1 else spans.index(place) + 1
            anchored, _ = probe(
                spec, seed, kind, text, prefix=context[0], suffix=context[1], occurrence=occurrence
            )
            derived = anchored.places[0].id if anchored and anchored.places else ""
            return Fields(text, context[0], context[1], occurrence, derived)
    return None
