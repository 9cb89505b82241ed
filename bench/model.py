"""The benchmark corpus as data: what bench/corpus.py generates and every writer reads.

Its own module so that the writers (site-builder's project in bench/corpus.py, the peers' twins
in bench/peers.py) both depend on it, and never on each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

VERSION = 4
"""Bumped whenever the generated corpus changes, so the runner regenerates cached corpora.

Here, not in bench/corpus.py, so the runner can read it without importing the generator (and
site-builder with it) into a process that must stay small and may run without site-builder."""


@dataclass(frozen=True)
class Person:
    """One entry of people.yaml; `surname` is the short alias that autolinking must handle."""

    id: str
    name: str
    surname: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    bio: str
    native: str | None
    roles: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Term:
    """One entry of glossary.yaml."""

    id: str
    term: str
    aliases: tuple[str, ...]
    renderings: tuple[tuple[str, str], ...]
    definition: str
    see_also: tuple[str, ...]
    native: str | None
    transliteration: str | None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases, *(text for text, _ in self.renderings))


@dataclass
class Annotation:
    """One annotation as written in YAML, plus where it landed in the body (for the peers)."""

    type: str
    text: str
    target: str | None = None
    note: str | None = None
    id: str | None = None
    occurrence: int | None = None
    derived: bool = False
    """True when `id` was made up for the peers and is not written to site-builder's YAML."""
    start: int = -1
    end: int = -1


@dataclass(frozen=True)
class NameUse:
    """A place where a person's or term's name occurs, annotated or not (a back-reference)."""

    who: str
    kind: str
    anchor: str
    start: int
    end: int


@dataclass
class Article:
    """One article: its seed text, the body offset, its annotations and name uses."""

    slug: str
    title: str
    publisher: str
    date: date
    seed: str
    body_start: int
    body_starts_at: str
    annotations: list[Annotation]
    people: tuple[str, ...]
    terms: tuple[str, ...]
    uses: list[NameUse] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.seed[self.body_start :]


@dataclass(frozen=True)
class Corpus:
    """Everything the writers need: the same content for every tool."""

    n: int
    title: str
    people: tuple[Person, ...]
    terms: tuple[Term, ...]
    articles: tuple[Article, ...]


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding a span: the context that person and term pages show."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left = max(text.rfind(". ", line_start, start) + 2, line_start)
    right = text.find(". ", end, line_end)
    return text[left : line_end if right < 0 else right + 1].strip()


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), never a plain one YAML could retype."""
    return json.dumps(text, ensure_ascii=False)
