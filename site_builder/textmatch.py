"""Text matching as FORMAT.md section 7 defines it, shared by anchoring and autolinking.

Both sides are compared in a normalised form: Unicode NFC, every run of white
space as one space, typographic quotes as ASCII ones. Matches are found in the
normalised text and mapped back to the seed's own characters, which the pages
show unchanged.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
# The white-space runs that normalising changes: every run but a lone space. A match begins
# with a space that more white space follows, or with any other white space, and runs on
# greedily to the end of the run, so it is exactly a run of `\s+` that is not " ".
_RUN_TO_COLLAPSE = re.compile(r"(?: (?=\s)|[^\S ])\s*")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class NormalizedText:
    """A text in matching form, with the way back to the original's offsets."""

    text: str
    breaks: tuple[int, ...]
    """Offsets in `text` where the shift between the two texts changes, sorted."""
    shifts: tuple[int, ...]
    """At each break, original offset minus normalised offset from there on."""

    def to_original(self, offset: int) -> int:
        """Map an offset in the normalised text to the original text."""
        i = bisect.bisect_right(self.breaks, offset) - 1
        return offset + (self.shifts[i] if i >= 0 else 0)


def normalize(text: str) -> NormalizedText:
    """Put a text in matching form (NFC, one space per white-space run, ASCII quotes)."""
    if unicodedata.is_normalized("NFC", text):
        return _collapse_whitespace(text)
    pieces = _cluster_pieces(text)
    out: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    position = 0  # in the original
    length = 0  # of the normalised text so far
    for start, end, replacement in pieces:
        out.append(text[position:start])
        length += start - position
        out.append(replacement)
        # The piece's first character maps to its start; what follows it to its end.
        breaks.append(length)
        shifts.append(start - length)
        length += len(replacement)
        breaks.append(length)
        shifts.append(end - length)
        position = end
    out.append(text[position:])
    return NormalizedText("".join(out).translate(_QUOTES), tuple(breaks), tuple(shifts))


def _collapse_whitespace(text: str) -> NormalizedText:
    """`normalize` for text already in NFC, where every change is a run turned into one space.

    Gives the same breaks and shifts as the general loop in `normalize` in one
    pass of a regex that skips lone spaces, which are most of the white space.
    """
    kept: list[str] = []  # the text between the runs
    breaks: list[int] = []
    shifts: list[int] = []
    position = 0  # in the original, after the last run
    removed = 0  # characters the runs so far dropped: original minus normalised offset
    for run in _RUN_TO_COLLAPSE.finditer(text):
        start, end = run.span()
        kept.append(text[position:start])
        position = end
        at = start - removed  # where the run's space lands in the normalised text
        breaks += (at, at + 1)
        shifts.append(removed)
        removed += end - start - 1
        shifts.append(removed)
    kept.append(text[position:])
    return NormalizedText(" ".join(kept).translate(_QUOTES), tuple(breaks), tuple(shifts))


def _cluster_pieces(text: str) -> Iterator[tuple[int, int, str]]:
    """Slow path for text that is not NFC: normalise each base character with its marks."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            j = i + 1
            while j < n and text[j].isspace():
                j += 1
            if text[i:j] != " ":
                yield i, j, " "
            i = j
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        composed = unicodedata.normalize("NFC", cluster)
        if composed != cluster:
            yield i, j, composed
        i = j


def normalize_needle(text: str) -> str:
    """The matching form of a passage an editor wrote: normalised, without outer white space."""
    if unicodedata.is_normalized("NFC", text):
        # Same as below without the offsets, which a needle never needs: `split()` breaks at
        # exactly the white space `\s` matches, and the quotes map to characters that are not.
        return " ".join(text.split()).translate(_QUOTES)
    return normalize(text).text.strip()


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, kana, ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or code >= 0x20000
    )


@functools.cache  # asked for every edge of every match; a text uses few distinct characters
def is_spaced_word_char(ch: str) -> bool:
    """A letter or digit of a script that separates words with spaces (so not CJK)."""
    return (ch.isalnum() or unicodedata.combining(ch) > 0) and not _is_cjk(ch)


def at_word_edges(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither begins nor ends in the middle of a spaced-script word."""
    if start > 0 and is_spaced_word_char(text[start]) and is_spaced_word_char(text[start - 1]):
        return False
    return not (
        end < len(text) and is_spaced_word_char(text[end - 1]) and is_spaced_word_char(text[end])
    )


def find_all(haystack: str, needle: str) -> list[int]:
    """Every start of `needle` in `haystack` on word edges (overlapping places included)."""
    starts = []
    start = haystack.find(needle)
    while start >= 0:
        if at_word_edges(haystack, start, start + len(needle)):
            starts.append(start)
        start = haystack.find(needle, start + 1)
    return starts


class NameMatcher:
    """Finds every name of a fixed set in a text at once, as autolinking requires.

    One Aho-Corasick pass over the text finds all candidate places of all names;
    those that start or end inside a spaced-script word are dropped (`Xi` in
    `Xinhua`); of overlapping ones the leftmost wins, and at the same place the
    longest (`President Xi Jinping` over `Xi`). A regex alternation of thousands
    of names does the same but compiles and scans orders of magnitude slower.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for name in names:
            if name:
                self._automaton.add_word(name, name)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, name) places in `text`, in order."""
        if self._empty:
            return []
        candidates = sorted(
            (last + 1 - len(name), -len(name), name)
            for last, name in self._automaton.iter(text)
            if at_word_edges(text, last + 1 - len(name), last + 1)
        )
        found: list[tuple[int, int, str]] = []
        reached = 0
        for start, negative_length, name in candidates:
            if start >= reached:
                reached = start - negative_length
                found.append((start, reached, name))
        return found


# Ids are derived from the same texts again and again: a name annotated or autolinked in
# article after article. Bounded, since a long preview session meets ever new texts.
@functools.lru_cache(maxsize=4096)
def slugify(text: str, max_words: int = 0) -> str:
    """Lowercase words joined by hyphens; letters outside ASCII are kept (CJK names stay legible)."""
    folded = text if text.isascii() else _without_marks(text)
    words = _WORD.findall(folded.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)


def _without_marks(text: str) -> str:
    """Compatibility-decomposed text without its combining marks (`é` -> `e`, `ﬁ` -> `fi`).

    ASCII text needs no call: it is its own NFKD form and has no marks.
    """
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))
