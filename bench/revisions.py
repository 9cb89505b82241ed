"""Realistic revisions of seeds, and the evaluation of records and `reanchor` on them (issue 15).

A revision is what happens to a text between two releases: typos fixed, words inserted and
deleted, a sentence rewritten, a paragraph inserted that repeats earlier passages (so that
`occurrence:` and `prefix` would silently select another place without records), a
paragraph deleted, two paragraphs swapped, line endings changed, quotes made typographic or
straight. Every edit is made as splices of the text that carry each annotation's span along,
so each revision knows BY CONSTRUCTION what became of every annotation: it survives at a
known new span, it was edited (its passage changed, at a known new span), or it was deleted.

The evaluation runs, for each revision, what an editor runs, through the Python API: the
build's record of the old seed, the revised seed, `check` (the findings), `reanchor --write`
and the build again; and counts annotations silently at a wrong place (must be 0), deleted
passages reported `deleted` (must be all), and surviving passages re-anchored to exactly
that passage (must be at least 98%):

    python -m bench.revisions [--revisions 400] [--articles 16] [--per-article 25] [--seed 1]

The figures are kept in docs/anchoring.md; tests/test_revisions.py asserts the targets.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bench.corpus import ADJ, ADVERB, NOUN, PREP, VERB, make_corpus, write_ours
from site_builder.anchor import anchor_article
from site_builder.load import TextFile, load_article, load_content, load_text_file
from site_builder.model import ArticleSpec
from site_builder.reanchor import plan_article
from site_builder.records import ArticleRecord, Finding, find_changes, record_of, seed_bytes_of
from site_builder.validate import validate_article, validate_catalog

REPO = Path(__file__).resolve().parent.parent
SEED_ARTICLE = "content/articles/xi-heads-internet-security-group.yaml"

Status = Literal["survives", "edited", "deleted"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Fate:
    """What a revision did to one annotation's passage."""

    status: Status
    span: Span | None
    """In the revised text: the passage (survives), the changed passage (edited), or None."""
    exact: bool = True
    """False for an edited passage whose new edges the edit itself made unclear (an edit
    across the passage's edge): any report of it is right, its span is approximate."""


@dataclass(frozen=True)
class Revision:
    kinds: tuple[str, ...]
    """The edits made, in order (one revision may make several)."""
    text: str
    fates: tuple[Fate, ...]
    """One per annotation span given, in the same order."""


# --- the text being revised -------------------------------------------------------------------


@dataclass
class _Draft:
    """A text under revision, and where each annotation's passage is in it now."""

    text: str
    fates: list[Fate]
    protected: int
    """Offsets before this (the headline, the `body_starts_at` text) are never edited."""
    copied: set[int] = field(default_factory=set)
    """Annotations whose passage an inserted paragraph repeats."""

    def splice(self, start: int, end: int, replacement: str) -> None:
        """Replace `text[start:end]`, carrying every span along."""
        delta = len(replacement) - (end - start)
        self.text = self.text[:start] + replacement + self.text[end:]
        fates = [_spliced(f, start, end, len(replacement), delta) for f in self.fates]
        self.fates = [
            self._unclear(k, old, new)
            for k, (old, new) in enumerate(zip(self.fates, fates, strict=True))
        ]

    def _unclear(self, k: int, old: Fate, new: Fate) -> Fate:
        """A passage deleted here while a copy of it inserted earlier remains: whether it is
        gone or now the copy's is not in the text, so any report of it is right."""
        if k in self.copied and new.status == "deleted" and old.status != "deleted":
            return dataclasses.replace(new, exact=False)
        return new

    def lines(self, every: bool = False) -> list[tuple[int, int]]:
        """(start, end) of every line of the body that may be edited (`every`: of every
        line with text), its break included."""
        spans, at = [], 0
        for line in self.text.splitlines(keepends=True):
            if (every or at >= self.protected) and line.strip():
                spans.append((at, at + len(line)))
            at += len(line)
        return spans

    def words(self) -> list[tuple[int, int]]:
        return [
            m.span()
            for m in re.finditer(r"[A-Za-z][A-Za-z'-]*[A-Za-z]", self.text)
            if m.start() >= self.protected
        ]


def _spliced(fate: Fate, start: int, end: int, inserted: int, delta: int) -> Fate:
    if fate.span is None:
        return fate
    s, e = fate.span
    if end <= s:  # before the passage, or inserted just before it
        return dataclasses.replace(fate, span=(s + delta, e + delta))
    if start >= e:
        return fate
    if start <= s and end >= e:  # the whole passage replaced
        return Fate("deleted", None)
    if s <= start and end <= e:  # inside the passage
        return Fate("edited", (s, e + delta), fate.exact)
    new_start = s if s < start else start
    new_end = e + delta if e > end else start + inserted
    return Fate("edited", (new_start, new_end), False)


def _trim(text: str, fate: Fate) -> Fate:
    """An edited span without white space at its edges, as a `text` selects it."""
    if fate.span is None or fate.status != "edited":
        return fate
    start, end = fate.span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return dataclasses.replace(fate, span=(start, end))


# --- the edits ------------------------------------------------------------------------------

_INSERTED_WORDS = ["also", "still", "recently", "reportedly", "new", "further", "indeed", "now"]


def typo(d: _Draft, rng: random.Random) -> bool:
    """One letter of a word changed, dropped, doubled or swapped with its neighbour."""
    words = [w for w in d.words() if w[1] - w[0] >= 4]
    if not words:
        return False
    start, end = rng.choice(words)
    word = d.text[start:end]
    k = rng.randrange(1, len(word) - 1)
    how = rng.randrange(4)
    if how == 0 and word[k] != word[k + 1]:
        new = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    elif how == 1:
        new = word[:k] + word[k + 1 :]
    elif how == 2:
        new = word[:k] + word[k] + word[k:]
    else:
        new = word[:k] + ("e" if word[k] != "e" else "a") + word[k + 1 :]
    _splice_changed(d, start, word, new)
    return True


def _splice_changed(d: _Draft, at: int, old: str, new: str) -> None:
    """Splice only the characters that differ, so the edit is exactly as wide as it is."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    d.splice(at + head, at + len(old) - tail, new[head : len(new) - tail])


def insert_word(d: _Draft, rng: random.Random) -> bool:
    """A word inserted before another one."""
    words = d.words()
    if not words:
        return False
    start, _ = rng.choice(words)
    d.splice(start, start, rng.choice(_INSERTED_WORDS) + " ")
    return True


def delete_word(d: _Draft, rng: random.Random) -> bool:
    """A word deleted, with the space after it."""
    words = [w for w in d.words() if d.text[w[1] : w[1] + 1] == " "]
    if not words:
        return False
    start, end = rng.choice(words)
    d.splice(start, end + 1, "")
    return True


def rewrite_sentence(d: _Draft, rng: random.Random) -> bool:
    """A sentence replaced by a different one (a new translation of it)."""
    sentences = [
        m.span()
        for a, b in d.lines()
        for m in _SENTENCE.finditer(d.text, a, b)
        if m.start() >= d.protected
    ]
    if not sentences:
        return False
    start, end = rng.choice(sentences)
    d.splice(start, end, _sentence(rng))
    return True


_SENTENCE = re.compile(r"[A-Z][^.!?\n]{20,}[.!?]")


def _sentence(rng: random.Random) -> str:
    return (
        f"The {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(ADVERB)} {rng.choice(VERB)} "
        f"every {rng.choice(NOUN)} {rng.choice(PREP)} the {rng.choice(ADJ)} {rng.choice(NOUN)}."
    )


def insert_repeating_paragraph(d: _Draft, rng: random.Random) -> bool:
    """A paragraph that repeats an annotated passage with a few words on each side of it,
    inserted above it (so `occurrence: N` and `prefix` would now select the copy) or below."""
    live = [k for k, f in enumerate(d.fates) if f.span is not None and f.span[0] >= d.protected]
    lines = d.lines()
    if not live or not lines:
        return False
    k = rng.choice(live)
    start, end = d.fates[k].span  # type: ignore[misc]
    line = next((a, b) for a, b in d.lines(every=True) if a <= start < b)
    # The passage and some of its context, never its whole paragraph: two identical
    # paragraphs are the same text twice, and which one was annotated is in neither.
    words = rng.randrange(1, 5)
    copy = _with_context(d.text, start, end, line, words)
    paragraph = f"{rng.choice(_LEAD_INS)}{copy} {_sentence(rng)}"
    before = [a for a, _ in lines if a <= line[0]]
    after = [b for a, b in [line, *lines] if a >= line[0]]
    at = rng.choice(before) if before and rng.random() < 0.7 else rng.choice(after)
    newline = "\r\n" if "\r\n" in d.text else "\n"
    if at == len(d.text) and not d.text.endswith(("\n", "\r")):
        d.splice(at, at, newline + paragraph)
    else:
        d.splice(at, at, paragraph + newline)
    d.copied.add(k)
    return True


_LEAD_INS = ["As reported earlier, ", "Once again: ", "To recall, ", "In short, ", "Recall that "]


def _with_context(text: str, start: int, end: int, line: Span, words: int) -> str:
    """The passage with up to `words` words of its line on each side."""
    a, b = line
    left = start
    for _ in range(words):
        left = text.rfind(" ", a, max(a, left - 1)) + 1 or a
        if left <= a:
            left = a
            break
    right = end
    for _ in range(words):
        found = text.find(" ", min(b, right + 1), b)
        right = found if found >= 0 else len(text[:b].rstrip("\r\n"))
    return text[left:right].rstrip("\r\n")


def delete_paragraph(d: _Draft, rng: random.Random) -> bool:
    lines = d.lines()
    if len(lines) < 3:
        return False
    start, end = rng.choice(lines[1:])  # the first body line holds `body_starts_at`
    if end == len(d.text) and not d.text[start:end].endswith(("\n", "\r")):
        start = max(start - 1 - (d.text[start - 2 : start] == "\r\n"), d.protected)
    d.splice(start, end, "")
    return True


def swap_paragraphs(d: _Draft, rng: random.Random) -> bool:
    """Two neighbouring paragraphs exchanged: their passages move, intact."""
    lines = [(a, b) for a, b in d.lines()[1:] if d.text[a:b].endswith(("\n", "\r"))]
    pairs = [(x, y) for x, y in itertools.pairwise(lines) if x[1] == y[0]]
    if not pairs:
        return False
    (a, b), (_, c) = rng.choice(pairs)
    first, second = d.text[a:b], d.text[b:c]
    d.text = d.text[:a] + second + first + d.text[c:]
    d.fates = [_moved(f, a, b, c) for f in d.fates]
    return True


def _moved(fate: Fate, a: int, b: int, c: int) -> Fate:
    """A span carried along when `text[a:b]` and `text[b:c]` change places."""
    if fate.span is None:
        return fate
    s, e = fate.span
    if a <= s and e <= b:
        return dataclasses.replace(fate, span=(s + c - b, e + c - b))
    if b <= s and e <= c:
        return dataclasses.replace(fate, span=(s - (b - a), e - (b - a)))
    if s < c and e > a:  # across the paragraphs' edges: the passage is no longer there
        return Fate("deleted", None)
    return fate


def change_line_endings(d: _Draft, rng: random.Random) -> bool:
    """LF to CRLF (or back): every line break changes, no passage does."""
    del rng
    to_crlf = "\r\n" not in d.text
    old = "\n" if to_crlf else "\r\n"
    new = "\r\n" if to_crlf else "\n"
    for start in reversed([m.start() for m in re.finditer(old, d.text)]):
        d.splice(start, start + len(old), new)
    return True


def change_quotes(d: _Draft, rng: random.Random) -> bool:
    """Straight quotes made typographic (or back): the same passages in matching form."""
    del rng
    typographic = any(q in d.text for q in "\u201c\u201d\u2019")
    chars = list(d.text)
    for k, ch in enumerate(chars):
        if k < d.protected:
            continue
        if typographic:
            chars[k] = {"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2018": "'"}.get(ch, ch)
        elif ch == '"':
            opening = k == 0 or chars[k - 1].isspace() or chars[k - 1] in "([\u2014"
            chars[k] = "\u201c" if opening else "\u201d"
        elif ch == "'":
            chars[k] = "\u2019"
    d.text = "".join(chars)  # one character for one: every span stays where it is
    return True


EDITS: dict[str, Callable[[_Draft, random.Random], bool]] = {
    "typo": typo,
    "insert word": insert_word,
    "delete word": delete_word,
    "rewrite sentence": rewrite_sentence,
    "insert repeating paragraph": insert_repeating_paragraph,
    "delete paragraph": delete_paragraph,
    "swap paragraphs": swap_paragraphs,
    "line endings": change_line_endings,
    "quotes": change_quotes,
}
_WEIGHTS = {
    "typo": 4,
    "insert word": 3,
    "delete word": 3,
    "rewrite sentence": 2,
    "insert repeating paragraph": 4,
    "delete paragraph": 2,
    "swap paragraphs": 2,
    "line endings": 1,
    "quotes": 1,
}


def revise(
    text: str, spans: Sequence[Span], protected: int, rng: random.Random, edits: int = 1
) -> Revision:
    """`text` with `edits` random edits made, and the fate of each of `spans`."""
    draft = _Draft(text, [Fate("survives", s) for s in spans], protected)
    kinds: list[str] = []
    names = list(EDITS)
    weights = [_WEIGHTS[n] for n in names]
    while len(kinds) < edits:
        name = rng.choices(names, weights)[0]
        if EDITS[name](draft, rng):
            kinds.append(name)
    fates = tuple(_trim(draft.text, f) for f in draft.fates)
    return Revision(tuple(kinds), draft.text, fates)


def revisions(
    text: str, spans: Sequence[Span], protected: int, count: int, seed: int | str
) -> Iterator[Revision]:
    """`count` revisions of the same text, most of one edit, some of two or three."""
    rng = random.Random(f"revisions:{seed}")
    for _ in range(count):
        yield revise(text, spans, protected, rng, rng.choice((1, 1, 1, 1, 2, 3)))


# --- the evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One article to revise, read as the build reads it."""

    spec: ArticleSpec
    seed: TextFile
    yaml_text: str
    reload: Callable[[str], ArticleSpec | None]
    """The article an edited YAML text reads back as (None when it does not)."""


@dataclass
class Tally:
    """The evaluation's counts, over every revision of every case."""

    revisions: int = 0
    edits: Counter[str] = field(default_factory=Counter)
    fates: Counter[str] = field(default_factory=Counter)
    silent_wrong: int = 0
    """Annotations at a place other than their passage's with nothing said about them, or
    put there by `reanchor --write`."""
    deleted_reported_deleted: int = 0
    deleted_unclear: int = 0
    """Deleted passages a copy of which the same revision inserted (`Fate.exact` False)."""
    deleted_unclear_reported: int = 0
    survived_exact: int = 0
    survived_shifted: int = 0
    """Surviving passages the revision moved in the text (the others kept their offsets)."""
    survived_left: int = 0
    """Surviving passages with a finding `--write` left to the editor: never wrong, but
    an error the editor has to clear by hand."""
    survived_after_write: int = 0
    """Surviving passages `reanchor --write` had to re-anchor (the others still fitted)."""
    edited_reported: int = 0
    edited_applied: int = 0
    edited_applied_exact: int = 0
    edited_exact: int = 0
    """Edited passages whose edges the edit left clear (`Fate.exact`)."""
    build_failed_after_write: int = 0
    """Applied changes the next build would still reject: must be 0."""
    findings: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)
    """A description of each silently wrong annotation, for whoever debugs one."""
    seconds: float = 0.0

    @property
    def survivors(self) -> int:
        return self.fates["survives"]

    def figures(self) -> list[tuple[str, str]]:
        edits = sum(self.edits.values())
        deleted = self.fates["deleted"] - self.deleted_unclear
        rate = self.survived_exact / self.survivors if self.survivors else 1.0
        return [
            ("revisions", f"{self.revisions} ({edits} scripted edits)"),
            ("edits", ", ".join(f"{k} {v}" for k, v in sorted(self.edits.items()))),
            (
                "annotations",
                f"{sum(self.fates.values())}: {self.survivors} survive, "
                f"{self.fates['edited']} edited, {deleted} deleted",
            ),
            ("findings", ", ".join(f"{k} {v}" for k, v in sorted(self.findings.items()))),
            ("silently at a wrong place", f"{self.silent_wrong} (target 0)"),
            ("deleted passages reported deleted", f"{self.deleted_reported_deleted} of {deleted}"),
            (
                "deleted, a copy of them inserted",
                f"{self.deleted_unclear_reported} of {self.deleted_unclear} reported",
            ),
            (
                "surviving passages re-anchored exactly",
                f"{self.survived_exact} of {self.survivors} ({100 * rate:.2f}%; target 98%), "
                f"{self.survived_shifted} of them moved in the text, "
                f"{self.survived_after_write} re-anchored by reanchor --write, "
                f"{self.survived_left} left to the editor",
            ),
            (
                "edited passages",
                f"{self.edited_reported} of {self.fates['edited']} reported; "
                f"{self.edited_applied} re-anchored by --write (similarity >= 0.8), "
                f"{self.edited_applied_exact} of them exactly at the changed passage",
            ),
            ("changes the next build rejects", str(self.build_failed_after_write)),
            ("time", f"{self.seconds:.1f} s"),
        ]

    def targets_met(self) -> bool:
        survivors = self.survivors or 1
        return (
            self.silent_wrong == 0
            and self.deleted_reported_deleted == self.fates["deleted"] - self.deleted_unclear
            and self.survived_exact / survivors >= 0.98
            and self.build_failed_after_write == 0
        )


def load_case(project: Path, path: str) -> Case:
    """An article of a project on disk, with what reads its edited YAML back."""
    files, _ = load_content(project)
    catalog, _ = validate_catalog(files)

    def reload(text: str) -> ArticleSpec | None:
        file, problems = load_article(path, text.encode("utf-8"))
        checked = validate_article(file, project, catalog.known_people, catalog.known_terms)
        if any(d.is_error for d in (*problems, *checked.diagnostics)):
            return None
        return checked.spec

    text = (project / path).read_text(encoding="utf-8")
    spec = reload(text)
    assert spec is not None, f"{path} does not validate"
    seed, _ = load_text_file(project, spec.source)
    assert seed is not None
    return Case(spec, seed, text, reload)


def _with_item_ids(spec: ArticleSpec) -> ArticleSpec:
    """Each annotation given the id `item-<index>`, so that places say whose they are."""
    annotations = tuple(
        dataclasses.replace(a, id=f"item-{i}") for i, a in enumerate(spec.annotations)
    )
    return dataclasses.replace(spec, annotations=annotations)


def item_places(spec: ArticleSpec, seed: TextFile) -> dict[int, Span]:
    """Where each annotation (by index) anchors in the seed's text, as one build sees it;
    annotations that anchor nowhere (or with `all: true`) are left out."""
    anchored, _ = anchor_article(_with_item_ids(spec), seed)
    if anchored is None:
        return {}
    offset = len(anchored.body.preamble)
    places = {p.id: (offset + p.start, offset + p.end) for p in anchored.places}
    return {
        i: places[f"item-{i}"]
        for i, a in enumerate(spec.annotations)
        if not a.all and f"item-{i}" in places
    }


def evaluate(cases: Sequence[tuple[Case, int]], seed: int = 1, history: bool = True) -> Tally:
    """Revise each case's seed `count` times and count what records and reanchor make of it.

    With `history` the old seed is at hand to diff with (a git project); without, each
    passage is found again by its recorded passage and context alone."""
    tally = Tally()
    started = time.perf_counter()
    for number, (case, count) in enumerate(cases):
        anchored, problems = anchor_article(case.spec, case.seed)
        assert anchored is not None and not problems, problems
        record = record_of(anchored, seed_bytes_of(anchored))
        before = item_places(case.spec, case.seed)
        items = sorted(before)
        protected = len(anchored.body.preamble) + len(case.spec.body_starts_at)
        spans = [before[i] for i in items]
        for revision in revisions(case.seed.text, spans, protected, count, f"{seed}:{number}"):
            _evaluate_one(case, record, before, revision, tally, history)
    tally.seconds = time.perf_counter() - started
    return tally


def _evaluate_one(
    case: Case,
    record: ArticleRecord,
    before: dict[int, Span],
    revision: Revision,
    tally: Tally,
    history: bool = True,
) -> None:
    tally.revisions += 1
    tally.edits.update(revision.kinds)
    items = sorted(before)
    seed = dataclasses.replace(case.seed, text=revision.text)
    _, problems = anchor_article(case.spec, seed)
    old_text = case.seed.text if history else None
    findings, remaining = find_changes(record, old_text, case.spec, seed, problems)
    plan = plan_article(case.yaml_text, case.spec, seed, findings, case.reload)
    new_spec = case.spec if plan.new_text == case.yaml_text else case.reload(plan.new_text)
    assert new_spec is not None
    after = item_places(new_spec, seed)
    _, final_problems = anchor_article(new_spec, seed)
    by_item = _findings_by_item(case.spec, findings)
    applied = {
        case.spec.annotations.index(p.finding.annotation)  # type: ignore[arg-type]
        for p in plan.applied
    }
    complained = {d.position.line for d in remaining if d.is_error}
    final_complaints = {d.position.line for d in final_problems if d.is_error}
    for item, fate in zip(items, revision.fates, strict=True):
        annotation = case.spec.annotations[item]
        finding = by_item.get(item)
        reported = finding is not None or annotation.text_position.line in complained
        place = after.get(item)
        tally.fates[fate.status] += 1
        if finding is not None:
            tally.findings[finding.status] += 1
        wrong = place is not None and place != fate.span
        if (not reported or (item in applied and fate.exact)) and (
            wrong or (fate.status == "deleted" and place)
        ):
            tally.silent_wrong += 1
            tally.wrong.append(
                f"{revision.kinds} item {item} {annotation.text!r}: {fate} -> {place} "
                f"({finding.status if finding else 'no finding'})"
            )
        if item in applied and annotation.text_position.line in final_complaints:
            tally.build_failed_after_write += 1
        if fate.status == "survives":
            tally.survived_left += reported and item not in applied
        if fate.status == "survives" and place == fate.span:
            tally.survived_exact += 1
            tally.survived_shifted += fate.span != before[item]
            tally.survived_after_write += item in applied
        elif fate.status == "deleted" and not fate.exact:
            tally.deleted_unclear += 1
            tally.deleted_unclear_reported += reported
        elif fate.status == "deleted" and finding is not None and finding.status == "deleted":
            tally.deleted_reported_deleted += 1
        elif fate.status == "deleted":
            tally.wrong.append(
                f"{revision.kinds} item {item} {annotation.text!r}: deleted, reported "
                f"{finding.status if finding else 'nothing'} -> {place}"
            )
        elif fate.status == "edited":
            tally.edited_exact += fate.exact
            tally.edited_reported += reported
            if item in applied:
                tally.edited_applied += 1
                tally.edited_applied_exact += place == fate.span


def _findings_by_item(spec: ArticleSpec, findings: Sequence[Finding]) -> dict[int, Finding]:
    return {spec.annotations.index(f.annotation): f for f in findings if f.annotation is not None}


def default_cases(
    workdir: Path, articles: int = 16, per_article: int = 25, on_seed: int = 400
) -> list[tuple[Case, int]]:
    """The seed project's article, revised `on_seed` times, and `articles` generated ones
    (bench/corpus.py), each revised `per_article` times."""
    corpus_root = workdir / "corpus"
    write_ours(make_corpus(articles, seed=7), corpus_root)
    cases = [(load_case(REPO, SEED_ARTICLE), on_seed)]
    for path in sorted((corpus_root / "content" / "articles").glob("*.yaml")):
        cases.append(
            (load_case(corpus_root, path.relative_to(corpus_root).as_posix()), per_article)
        )
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revisions", type=int, default=400, help="of the seed article")
    parser.add_argument("--articles", type=int, default=16, help="generated articles")
    parser.add_argument("--per-article", type=int, default=25, help="revisions of each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-history", action="store_true", help="trace without the old seed (no git)"
    )
    parser.add_argument("--show-wrong", action="store_true", help="list each wrong annotation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        cases = default_cases(Path(workdir), args.articles, args.per_article, args.revisions)
        tally = evaluate(cases, args.seed, history=not args.no_history)
    for name, value in tally.figures():
        print(f"{name:40} {value}")
    if args.show_wrong:
        print("\n".join(tally.wrong))
    return 0 if tally.targets_met() else 1


if __name__ == "__main__":
    sys.exit(main())
