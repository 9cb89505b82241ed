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
_WHITESPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalizedText:
    """A text in matching form, with the way back to the original's offsets."""

    text: str
    breaks: tuple[int, ...]
    """Offsets in `text` where the shift between the two texts changes, sorted."""
    shifts: tuple[int, ...]
    """At each break, original offset minus normalised offset from there on."""
    groups: tuple[tuple[int, int], ...] = ()
    """(start, end) in `text` of runs of two or more characters that NFC made from seed code
    points that cannot be split between them (`a` + U+0323 + U+0301 is `ạ` + U+0301), sorted.
    An offset strictly inside one has no place of its own in the original."""

    def to_original(self, offset: int) -> int:
        """Map an offset in the normalised text to the original (inside a group: its start)."""
        if self.groups:
            offset = self._group_around(offset, default=(offset, offset))[0]
        i = bisect.bisect_right(self.breaks, offset) - 1
        return offset + (self.shifts[i] if i >= 0 else 0)

    def to_original_end(self, offset: int) -> int:
        """Map the end of a span in the normalised text to the original (inside a group: its end).

        With `to_original` for the start, a span always covers whole seed characters.
        """
        if self.groups:
            offset = self._group_around(offset, default=(offset, offset))[1]
        return self.to_original(offset)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original's offsets of a span of the normalised text, widened to whole characters."""
        return self.to_original(start), self.to_original_end(end)

    def _group_around(self, offset: int, default: tuple[int, int]) -> tuple[int, int]:
        i = bisect.bisect_left(self.groups, (offset,)) - 1
        if i >= 0 and self.groups[i][0] < offset < self.groups[i][1]:
            return self.groups[i]
        return default


def normalize(text: str) -> NormalizedText:
    """Put a text in matching form (NFC, one space per white-space run, ASCII quotes)."""
    if unicodedata.is_normalized("NFC", text):
        return _collapse_whitespace(text)
    out: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    groups: list[tuple[int, int]] = []
    position = 0  # in the original
    length = 0  # of the normalised text so far
    for start, end, replacement in _changed_pieces(text):
        out.append(text[position:start])
        length += start - position
        out.append(replacement)
        # The piece's first character maps to its start; what follows it to its end.
        breaks.append(length)
        shifts.append(start - length)
        if len(replacement) > 1:
            groups.append((length, length + len(replacement)))
        length += len(replacement)
        breaks.append(length)
        shifts.append(end - length)
        position = end
    out.append(text[position:])
    return NormalizedText(
        "".join(out).translate(_QUOTES), tuple(breaks), tuple(shifts), tuple(groups)
    )


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


def _changed_pieces(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, replacement) for each part of the text that normalising changes, in order.

    White space composes with nothing and nothing composes into white space, so NFC of
    the whole text is NFC of the words between the runs, each done on its own.
    """
    position = 0
    for run in _WHITESPACE_RUN.finditer(text):
        yield from _composed_pieces(text, position, run.start())
        if run.group() != " ":
            yield run.start(), run.end(), " "
        position = run.end()
    yield from _composed_pieces(text, position, len(text))


def _composed_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """The changes NFC makes to text[start:end], a part without white space.

    The part is cut before every character that NFC can never join to what precedes it;
    NFC of the part is NFC of those segments one by one, and a segment is short (a
    letter with its marks, a Hangul syllable's jamo, a vowel sign's two halves).
    """
    if unicodedata.is_normalized("NFC", text[start:end]):
        return
    segment = start
    for i in range(start + 1, end):
        if _starts_segment(text[i]):
            yield from _segment_pieces(text, segment, i)
            segment = i
    yield from _segment_pieces(text, segment, end)


def _segment_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """The changes NFC makes to one segment, cut where the seed's spelling allows.

    `ᄒ ᅡ ᆫ ᆫ` is `한` + `ᆫ`: the last jamo maps to itself, not to the whole syllable.
    """
    original = text[start:end]
    composed = unicodedata.normalize("NFC", original)
    if composed == original:
        return
    if len(composed) == 1 or len(original) > _LONGEST_SPLIT_SEGMENT:
        yield start, end, composed
        return
    piece, done = 0, 0  # where the current piece starts, in `original` and in `composed`
    for cut in range(1, len(original)):
        left = unicodedata.normalize("NFC", original[piece:cut])
        if not composed.startswith(left, done):
            continue
        if unicodedata.normalize("NFC", original[cut:]) != composed[done + len(left) :]:
            continue
        if left != original[piece:cut]:
            yield start + piece, start + cut, left
        piece, done = cut, done + len(left)
    if composed[done:] != original[piece:]:
        yield start + piece, end, composed[done:]


_LONGEST_SPLIT_SEGMENT = 32
"""Longer segments (a letter under dozens of marks) map as one piece: cutting them is quadratic."""


@functools.cache  # asked for every character of a text that is not NFC; texts use few
def _starts_segment(ch: str) -> bool:
    """Whether NFC never joins `ch` to what precedes it: a starter that stays as it is and
    that no composition takes as its second character (a Hangul vowel or final consonant,
    an Indic length mark such as U+09BE, a combining mark all are)."""
    return (
        unicodedata.combining(ch) == 0
        and unicodedata.is_normalized("NFC", ch)
        and ch not in _second_characters()
    )


@functools.cache
def _second_characters() -> frozenset[str]:
    """Every starter that a canonical composition takes as its second character.

    Read from the Unicode data Python ships with, so a new script's vowel signs come
    with a new Python. Two-character canonical decompositions all lie in planes 0 and 1.
    """
    found = {chr(code) for code in range(0x1161, 0x1176)}  # Hangul medial vowels (V)
    found |= {chr(code) for code in range(0x11A8, 0x11C3)}  # Hangul final consonants (T)
    for code in range(0x20000):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) != 2:
            continue
        first, second = (chr(int(part, 16)) for part in parts)
        if unicodedata.combining(second) == 0 and unicodedata.normalize(
            "NFC", first + second
        ) == chr(code):
            found.add(second)
    return frozenset(found)


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
        return [(start, end, name) for start, end, name, _ in self.find_numbered(text)]

    def find_numbered(self, text: str) -> list[tuple[int, int, str, int]]:
        """`find`, with each place's number among all places of its name, overlapping or not.

        The number is the one `find_all(text, name)` gives the place (1-based), found
        in the same single pass rather than by searching the text again for each place.
        """
        if self._empty:
            return []
        candidates = sorted(
            (last + 1 - len(name), -len(name), name)
            for last, name in self._automaton.iter(text)
            if at_word_edges(text, last + 1 - len(name), last + 1)
        )
        seen: dict[str, int] = {}
        found: list[tuple[int, int, str, int]] = []
        reached = 0
        for start, negative_length, name in candidates:
            number = seen[name] = seen.get(name, 0) + 1
            if start >= reached:
                reached = start - negative_length
                found.append((start, reached, name, number))
        return found
