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
_EDITED_SIMILARITY = 0.75
"""Below this, the best new match of a changed passage is not that passage edited: it is
gone. At 0.5, unrelated English reaches it (bench/revisions.py: "Internet security" in a
rewritten sentence matched "cure sect" at 0.54, "Xi" matched "i" at 0.67, "Ines Ralin" in
a deleted paragraph "nes along " at 0.70). A stopgap for short passages: comparing the
context too would tell these apart better (docs/anchoring.md)."""

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
        self._by_new = sorted(self.runs, key=lambda r: r.new)
        self._new_starts = [r.new for r in self._by_new]

    def exact(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's place in the new text when every character of it survived in one run."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return None
        run = self.runs[i]
        if run.old <= start and end <= run.old + run.size:
            return run.new + start - run.old, run.new + end - run.old
        return None

    def unclaimed(self, start: int, end: int) -> bool:
        """Whether no character of `new[start:end]` came from the old text, by the diff."""
        i = bisect.bisect_right(self._new_starts, start) - 1
        for run in self._by_new[max(0, i) :]:
            if run.new >= end:
                break
            if run.new + run.size > start:
                return False
        return True

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
            # Only text the diff saw inserted can be where a lost passage went: a copy of it
            # in text that came from elsewhere of the old one is that text, not this passage.
            if found.kind == "intact" and found.span and self.unclaimed(*found.span):
                return found
        low, high = self.rough(start, end)
        if high <= low:
            return Traced("deleted", None, 0.0)
        edges = self.exact(start, start + 1), self.exact(end - 1, end)
        if edges[0] and edges[1] and edges[0][0] < edges[1][1]:
            # Both ends survived: the edit is inside, and the passage now runs from one end
            # to the other ("cyber power" -> "cyber superpower", not its closer "cyber super").
            span = edges[0][0], edges[1][1]
            similarity = Indel.normalized_similarity(passage, self.new[span[0] : span[1]])
            if similarity >= _EDITED_SIMILARITY:
                return Traced("edited", span, round(similarity, 3))
        found = best_match(self.new, passage, low, high)
        if found.span is not None and self.new[found.span[0] : found.span[1]] == passage:
            # The same characters, which the alignment happened to split between two runs.
            return Traced("intact", found.span, 1.0)
        return found


def common_runs(old: str, new: str) -> list[Run]:
    """The runs of characters the two texts share, ordered by the old text."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_keys = [_line_key(x) for x in old_lines]
    new_keys = [_line_key(x) for x in new_lines]
    old_at, new_at = _line_offsets(old_lines), _line_offsets(new_lines)
    opcodes = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes()
    moved = _moved_lines(opcodes, old_keys, new_keys)
    moved_to = set(moved.values())
    runs: list[Run] = []
    for i, j in moved.items():
        runs += _char_runs(old_lines[i], new_lines[j], old_at[i], new_at[j])
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(i2 - i1):
                a, b = i1 + k, j1 + k
                runs += _char_runs(old_lines[a], new_lines[b], old_at[a], new_at[b])
            continue
        olds = [i for i in range(i1, i2) if i not in moved]
        news = [j for j in range(j1, j2) if j not in moved_to]
        if not olds or not news:
            continue
        old_part = [(old_lines[i], old_at[i]) for i in olds]
        new_part = [(new_lines[j], new_at[j]) for j in news]
        if sum(len(x) for x, _ in old_part) * sum(len(y) for y, _ in new_part) <= _BLOCK_LIMIT:
            runs += _joined_runs(old_part, new_part)
        else:  # pair what lines there are in order: coarse, but bounded
            for (x, x_at), (y, y_at) in zip(old_part, new_part, strict=False):
                runs += _char_runs(x, y, x_at, y_at)
    runs.sort(key=lambda r: r.old)
    return _merged(runs)


def _moved_lines(
    opcodes: list[tuple[str, int, int, int, int]], old_keys: list[str], new_keys: list[str]
) -> dict[int, int]:
    """Lines the diff left unpaired that occur once among the unpaired lines of each side
    (a paragraph moved or swapped), old index -> new index; blank lines never count."""
    old_free: dict[str, list[int]] = {}
    new_free: dict[str, list[int]] = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        for i in range(i1, i2):
            old_free.setdefault(old_keys[i], []).append(i)
        for j in range(j1, j2):
            new_free.setdefault(new_keys[j], []).append(j)
    return {
        olds[0]: new_free[key][0]
        for key, olds in old_free.items()
        if key and len(olds) == 1 and len(new_free.get(key, ())) == 1
    }


def _joined_runs(old_part: list[tuple[str, int]], new_part: list[tuple[str, int]]) -> list[Run]:
    """The common runs of two lists of lines (each with its offset in its text), aligned as
    one string each, cut where a line of either side ends."""
    a, a_starts, a_origins = _joined(old_part)
    b, b_starts, b_origins = _joined(new_part)
    runs = []
    for op in Indel.opcodes(a, b):
        if op.tag != "equal":
            continue
        pos, dest, left = op.src_start, op.dest_start, op.src_end - op.src_start
        while left > 0:
            ia = bisect.bisect_right(a_starts, pos) - 1
            ib = bisect.bisect_right(b_starts, dest) - 1
            room = min(left, a_starts[ia + 1] - pos, b_starts[ib + 1] - dest)
            runs.append(
                Run(a_origins[ia] + pos - a_starts[ia], b_origins[ib] + dest - b_starts[ib], room)
            )
            pos, dest, left = pos + room, dest + room, left - room
    return runs


def _joined(part: list[tuple[str, int]]) -> tuple[str, list[int], list[int]]:
    starts, origins, at = [], [], 0
    for line, origin in part:
        starts.append(at)
        origins.append(origin)
        at += len(line)
    starts.append(at)
    return "".join(line for line, _ in part), starts, origins


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
    """The passage's best match over `new[low:high]` (what the diff says replaced it), as an
    edit of it, or deleted. A match must overlap that part: a copy of a short passage just
    beside it is not where it went."""
    from rapidfuzz import fuzz

    margin = max(8, len(passage) // 2)
    window_start = max(0, low - margin)
    window = new[window_start : min(len(new), high + margin)]
    candidates = [(low, high)]
    alignment = fuzz.partial_ratio_alignment(passage, window) if window else None
    if alignment is not None:
        s, e = window_start + alignment.dest_start, window_start + alignment.dest_end
        if s < high and e > low:
            candidates.append((s, e))
    scored = [(Indel.normalized_similarity(passage, new[s:e]), (s, e)) for s, e in candidates]
    similarity, span = max(scored, key=lambda item: (item[0], -(item[1][1] - item[1][0])))
    if similarity < _EDITED_SIMILARITY or span[1] <= span[0]:
        return Traced("deleted", None, 0.0)
    return Traced("edited", span, round(similarity, 3))


def locate(new: str, passage: str, before: str, after: str) -> Traced:
    """Where the passage is in `new` when there is no old text to diff with: intact where
    its context fits (`search`), else its best match together with the context on its line,
    which keeps a copy of the passage elsewhere from being taken for it."""
    found = search(new, passage, before, after)
    if found.kind != "deleted":
        return found
    from rapidfuzz import fuzz

    head, tail = _after_last_break(before), _before_first_break(after)
    needle = head + passage + tail
    alignment = fuzz.partial_ratio_alignment(needle, new, score_cutoff=_LOCATE_SCORE)
    if alignment is None:
        return Traced("deleted", None, 0.0)
    region = new[alignment.dest_start : alignment.dest_end]
    # The recorded context, aligned with the region, is an old text in miniature: the
    # passage's edges go where the diff takes them, as they would with the real old text.
    local = Diff(needle, region).trace(len(head), len(head) + len(passage), head, tail)
    if local.span is None:
        return Traced("deleted", None, 0.0)
    start, end = (alignment.dest_start + edge for edge in local.span)
    if end <= start:
        return Traced("deleted", None, 0.0)
    if new[start:end] == passage:
        return _clearest_copy(new, passage, head, tail)
    similarity = Indel.normalized_similarity(passage, new[start:end])
    if similarity < _LOCATE_SCORE / 100:
        return Traced("deleted", None, 0.0)
    return Traced("edited", (start, end), round(similarity, 3))


def _clearest_copy(new: str, passage: str, head: str, tail: str) -> Traced:
    """The passage whole, where its context fits only roughly: the copy whose surroundings
    are clearly the most like the recorded context, or `ambiguous`."""
    needle = head + passage + tail
    scores = []
    start = new.find(passage)
    while start >= 0:
        around = new[max(0, start - len(head)) : start + len(passage) + len(tail)]
        scores.append((Indel.normalized_similarity(needle, around), start))
        start = new.find(passage, start + 1)
    scores.sort(reverse=True)
    if len(scores) > 1 and scores[0][0] - scores[1][0] < _CLEAR_MARGIN:
        return Traced("ambiguous", None, 0.0)
    best = scores[0][1]
    return Traced("intact", (best, best + len(passage)), 1.0)


_CLEAR_MARGIN = 0.1
"""How much more like the recorded context one copy's surroundings must be than the next."""
_LOCATE_SCORE = 70
"""Without a diff, the least similarity (of passage and context, then of the passage) that
counts as the passage edited rather than gone."""


def search(new: str, passage: str, before: str, after: str, whole: bool = False) -> Traced:
    """The passage, intact, where its context fits; without a diff to say where it went.

    Its context on its own line must fit (a moved paragraph keeps it; its neighbours may
    change); of several places that fit, only one where the whole recorded context is still
    there is chosen, and otherwise they are `ambiguous`. With `whole`, the place
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
    if len(fitting) > 1:
        # Of several copies, only one whose whole recorded context is still there is it: a
        # copy winning on a few more characters of context is a guess, and guesses move
        # annotations in silence.
        full = len(before) + len(after)
        if fitting[0][0] < full or fitting[1][0] == full:
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
