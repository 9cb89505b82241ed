"""Tracing: where a span of an old text went in a new one (FORMAT.md section 10).

A character-level diff of two whole texts is too slow for long seeds, so the texts are
first compared line by line (difflib on lines is fast), lines being compared in matching
form so that a change of line endings or quotes leaves them paired; then the characters of
every pair of lines that differ are aligned with rapidfuzz's edit operations. The result is
a list of runs of characters common to both texts, in order: a span whose characters all
lie in one run survived the edit intact, and maps to exactly those characters.

A paragraph moved elsewhere is, to a diff, deleted here and inserted there: a span wholly
deleted is looked for, intact, by its passage and context, which is also how a span is
found when the old text is not at hand.
"""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import Indel

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_BLOCK_LIMIT = 40_000_000
"""Above this product of lengths, a block of changed lines is aligned line by line rather
than as one string, which keeps the alignment's time and memory bounded."""
_EDITED_SIMILARITY = 0.5
"""Below this, the best new match of a changed passage is not that passage edited: it is
gone."""

TraceKind = Literal["intact", "edited", "deleted", "ambiguous"]


@dataclass(frozen=True)
class Run:
    """Characters common to both texts: `old[old:old+size] == new[new:new+size]`."""

    old: int
    new: int
    size: int


@dataclass(frozen=True)
class Traced:
    """Where a span of the old text is in the new one, and how it fared."""

    kind: TraceKind
    span: tuple[int, int] | None
    """In the new text: the intact passage, or the best match of an edited one."""
    similarity: float
    """1.0 when intact, 0 when deleted or ambiguous."""


class Diff:
    """The common runs of characters of an old and a new text, for mapping spans."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self.runs = common_runs(old, new)
        self._starts = [r.old for r in self.runs]

    def exact(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's place in the new text when every character of it survived in one run."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return None
        run = self.runs[i]
        if run.old <= start and end <= run.old + run.size:
            return run.new + start - run.old, run.new + end - run.old
        return None

    def surviving(self, start: int, end: int) -> int:
        """How many characters of the span are in a common run."""
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        count = 0
        for run in self.runs[i:]:
            if run.old >= end:
                break
            count += max(0, min(end, run.old + run.size) - max(start, run.old))
        return count

    def rough(self, start: int, end: int) -> tuple[int, int]:
        """The part of the new text that replaced the span: from where its first surviving
        character (or the text before it) went, to where its last (or the text after) went."""
        return self._map(start, after=False), self._map(end, after=True)

    def _map(self, offset: int, after: bool) -> int:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0:
            run = self.runs[i]
            if offset < run.old + run.size or (after and offset == run.old + run.size):
                return run.new + offset - run.old
            if not after:
                return run.new + run.size
        if after:
            nxt = i + 1
            if nxt < len(self.runs):
                return self.runs[nxt].new
            return len(self.new)
        return 0

    def trace(self, start: int, end: int, before: str, after: str) -> Traced:
        """Where the old span went: intact, edited (best match and similarity) or deleted."""
        exact = self.exact(start, end)
        if exact is not None:
            return Traced("intact", exact, 1.0)
        passage = self.old[start:end]
        if self.surviving(start, end) * 2 < end - start:
            found = search(self.new, passage, before, after, whole=True)
            if found.kind == "intact":
                return found
        low, high = self.rough(start, end)
        if high <= low:
            return Traced("deleted", None, 0.0)
        found = best_match(self.new, passage, low, high)
        if found.span is not None and self.new[found.span[0] : found.span[1]] == passage:
            # The same characters, which the alignment happened to split between two runs.
            return Traced("intact", found.span, 1.0)
        return found


def common_runs(old: str, new: str) -> list[Run]:
    """The runs of characters the two texts share, in order of both."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_at = _line_offsets(old_lines)
    new_at = _line_offsets(new_lines)
    matcher = difflib.SequenceMatcher(
        None, [_line_key(x) for x in old_lines], [_line_key(x) for x in new_lines], autojunk=False
    )
    runs: list[Run] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                a, b = old_lines[i1 + k], new_lines[j1 + k]
                runs += _char_runs(a, b, old_at[i1 + k], new_at[j1 + k])
        elif tag == "replace":
            a, b = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
            if len(a) * len(b) <= _BLOCK_LIMIT:
                runs += _char_runs(a, b, old_at[i1], new_at[j1])
            else:  # pair what lines there are in order: coarse, but bounded
                for k in range(min(i2 - i1, j2 - j1)):
                    x, y = old_lines[i1 + k], new_lines[j1 + k]
                    runs += _char_runs(x, y, old_at[i1 + k], new_at[j1 + k])
    return _merged(runs)


def _line_key(line: str) -> str:
    """A line in matching form: line ending, white space, quotes and composition ignored."""
    return " ".join(unicodedata.normalize("NFC", line).split()).translate(_QUOTES)


def _line_offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets


def _char_runs(a: str, b: str, a_at: int, b_at: int) -> list[Run]:
    if a == b:
        return [Run(a_at, b_at, len(a))] if a else []
    return [
        Run(a_at + op.src_start, b_at + op.dest_start, op.src_end - op.src_start)
        for op in Indel.opcodes(a, b)
        if op.tag == "equal"
    ]


def _merged(runs: list[Run]) -> list[Run]:
    """Adjacent runs joined, so that a span across a line break of equal lines is one run."""
    merged: list[Run] = []
    for run in runs:
        if run.size == 0:
            continue
        last = merged[-1] if merged else None
        if last and last.old + last.size == run.old and last.new + last.size == run.new:
            merged[-1] = Run(last.old, last.new, last.size + run.size)
        else:
            merged.append(run)
    return merged


def best_match(new: str, passage: str, low: int, high: int) -> Traced:
    """The passage's best match in or around `new[low:high]`, as an edit of it, or deleted."""
    from rapidfuzz import fuzz

    margin = max(8, len(passage) // 2)
    window_start = max(0, low - margin)
    window = new[window_start : min(len(new), high + margin)]
    candidates = [(low, high)]
    alignment = fuzz.partial_ratio_alignment(passage, window) if window else None
    if alignment is not None:
        candidates.append((window_start + alignment.dest_start, window_start + alignment.dest_end))
    scored = [(Indel.normalized_similarity(passage, new[s:e]), (s, e)) for s, e in candidates]
    similarity, span = max(scored, key=lambda item: (item[0], -(item[1][1] - item[1][0])))
    if similarity < _EDITED_SIMILARITY or span[1] <= span[0]:
        return Traced("deleted", None, 0.0)
    return Traced("edited", span, round(similarity, 3))


def search(new: str, passage: str, before: str, after: str, whole: bool = False) -> Traced:
    """The passage, intact, where its context fits; without a diff to say where it went.

    Its context on its own line must fit (a moved paragraph keeps it; its neighbours may
    change), and of the places that fit, the one whose wider context fits best is chosen
    when there is one; several equally good places are `ambiguous`. With `whole`, the place
    must be the only one where the context on its line fits: used where the diff saw the
    span deleted, so that of two copies the wider context may not pick one by a few
    characters.
    """
    if not passage:
        return Traced("deleted", None, 0.0)
    fitting: list[tuple[int, int]] = []
    start = new.find(passage)
    while start >= 0:
        end = start + len(passage)
        if _line_context_fits(new, start, end, before, after):
            score = _common_suffix(before, new[max(0, start - len(before)) : start])
            score += _common_prefix(after, new[end : end + len(after)])
            fitting.append((score, start))
        start = new.find(passage, start + 1)
    if whole and len(fitting) > 1:
        return Traced("ambiguous", None, 0.0)
    if not fitting:
        return Traced("deleted", None, 0.0)
    fitting.sort(reverse=True)
    if len(fitting) > 1 and fitting[0][0] == fitting[1][0]:
        return Traced("ambiguous", None, 0.0)
    best = fitting[0][1]
    return Traced("intact", (best, best + len(passage)), 1.0)


def _line_context_fits(new: str, start: int, end: int, before: str, after: str) -> bool:
    """Whether the context on the passage's own line(s) is there, line breaks included."""
    head = _after_last_break(before)
    tail = _before_first_break(after)
    at = start - len(head)
    if at < 0 or new[at:start] != head:
        return False
    if head != before and at > 0 and not _is_break(new[at - 1]):
        return False
    if not new.startswith(tail, end):
        return False
    at = end + len(tail)
    return tail == after or at >= len(new) or _is_break(new[at])


def _is_break(ch: str) -> bool:
    return len(f"a{ch}a".splitlines()) > 1


def _after_last_break(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return ""
    last = lines[-1]
    return "" if last.splitlines()[0] != last else last


def _before_first_break(text: str) -> str:
    lines = text.splitlines()
    return lines[0] if lines else ""


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n
