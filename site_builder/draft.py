"""`site-builder draft SEED`: an article file pre-filled from a seed (FORMAT.md section 9).

The drafting itself is pure: `draft_article` takes the seed's text and the names of the
project's people and terms and returns the YAML text. It finds every quotation (straight,
typographic and CJK quotation marks, quotations running over sentences and paragraphs,
transcript lines `NAME: ...`) and gives each the speaker the text names for it:

1. a name attached to the quotation ("X said", "said X", "X:", 说/表示 after a name);
   a known person when it names one, and otherwise never replaced by a known one;
2. else ("he said", no verb at all) the one known person named, outside quotations, in
   the same sentence, or else in the previous one.

When neither settles it, the quotation is written commented out, with the candidates.
Each `text` is chosen so that it anchors in exactly one place (with a `prefix`, `suffix`
or `occurrence` where the passage repeats), so the draft builds as it is.
`write_draft` is the command's file handling around it.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .schema import ID_PATTERN, modeline
from .textmatch import (
    NameMatcher,
    NormalizedText,
    find_all,
    is_spaced_word_char,
    normalize,
    normalize_needle,
)
from .urls import derived_id, numbered_id, slugify

# --- Finding quotations ----------------------------------------------------------------

_CLOSER = {"\u201c": "\u201d", "「": "」", "『": "』", "«": "»", '"': '"'}
_OPENERS = "".join(_CLOSER)
# A straight quotation mark opens only where a word may start: not the inch mark of `6"`.
_OPENS_AFTER = " \t\n([{—–-:;,/"
_TERMINATORS = ".!?…。！？"
_CJK_TERMINATORS = "。！？"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr gen col lt sgt sen rep gov rev mt no vs etc inc ltd co corp jan "
    "feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e".split()
)


@dataclass(frozen=True)
class Quotation:
    """A quoted passage: `start`..`end` is the passage, `outer_start`..`outer_end` with its
    marks (or, for a transcript line, with the speaker's label)."""

    start: int
    end: int
    outer_start: int
    outer_end: int
    label: str = ""
    """The `NAME` of a transcript line `NAME: ...`."""


def find_quotations(text: str) -> list[Quotation]:
    """Every outermost quotation of the text, in order."""
    marked = _marked_quotations(text)
    spoken = _transcript_lines(text, marked)
    inside_spoken = [
        q for q in marked if any(s.outer_start <= q.start < s.outer_end for s in spoken)
    ]
    found = [q for q in marked if q not in inside_spoken] + spoken
    return sorted(found, key=lambda q: q.start)


def _marked_quotations(text: str) -> list[Quotation]:
    found: list[Quotation] = []
    stack: list[tuple[str, int]] = []  # open marks: the mark and where it is
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n" and stack:
            resumes = _resuming_mark(text, i)
            if len(stack) == 1 and resumes is not None and text[resumes] == stack[0][0]:
                i = resumes + 1  # a quotation running on: the next paragraph opens it again
                continue
            stack.clear()  # never closed: not a quotation anyone can anchor
        elif stack and ch == _CLOSER[stack[-1][0]]:
            _, opened = stack.pop()
            if not stack:
                quotation = _trimmed(text, opened, i + 1)
                if quotation is not None:
                    found.append(quotation)
        elif ch in _OPENERS and (ch != '"' or i == 0 or text[i - 1] in _OPENS_AFTER):
            stack.append((ch, i))
        i += 1
    return found


def _resuming_mark(text: str, newline: int) -> int | None:
    """Where the next paragraph starts, when that is a quotation mark."""
    j = newline
    while j < len(text) and text[j].isspace():
        j += 1
    return j if j < len(text) and text[j] in _OPENERS else None


def _trimmed(text: str, outer_start: int, outer_end: int, label: str = "") -> Quotation | None:
    start, end = outer_start + (0 if label else 1), outer_end - (0 if label else 1)
    if label:
        start = text.index(":" if ":" in text[outer_start:end] else "：", outer_start) + 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    return Quotation(start, end, outer_start, outer_end, label)


_LABEL_WORD = r"(?:[A-Z][A-Za-z'’.-]*)"
_TRANSCRIPT = re.compile(
    rf"^[ \t]*(?P<label>{_LABEL_WORD}(?:[ \t]+(?:{_LABEL_WORD}|de|van|von|der|bin|al|da|di|le|la)){{0,4}}"
    r"|[\u3400-\u9fff·]{2,6})[ \t]*[:：][ \t]*(?P<speech>\S.*)$",
    re.MULTILINE,
)
_NOT_SPEAKERS = frozenset(
    "note notes update source sources photo photos editor correction related tags date time "
    "location read more see also caption credit warning summary background contact email tel "
    "phone fax web website url title subject from to cc re".split()
) | frozenset({"编者按", "注", "来源", "责任编辑", "编辑", "记者", "摘要", "关键词", "图片"})


def _transcript_lines(text: str, marked: Sequence[Quotation]) -> list[Quotation]:
    """Paragraphs `NAME: words` (an interview, a hearing): the words are NAME's."""
    found = []
    for match in _TRANSCRIPT.finditer(text):
        label = match["label"]
        if label.casefold() in _NOT_SPEAKERS or label in _NOT_SPEAKERS:
            continue
        if any(q.outer_start == match.start("speech") for q in marked):
            continue  # `NAME: "words"`: the quotation marks say it; the label is attached
        quotation = _trimmed(text, match.start("label"), match.end(), label)
        if quotation is not None:
            found.append(quotation)
    return found


# --- Sentences -------------------------------------------------------------------------


def sentence_spans(text: str, quotations: Sequence[Quotation]) -> list[tuple[int, int]]:
    """The text's sentences as (start, end); a quotation never splits one."""
    spans: list[tuple[int, int]] = []
    by_start = {q.outer_start: q for q in quotations}
    start, i, n = 0, 0, len(text)
    while i < n:
        if i in by_start:
            quotation = by_start[i]
            i = quotation.outer_end
            if quotation.label:  # a transcript line is a paragraph
                continue
            if text[quotation.end - 1 : quotation.end] in _TERMINATORS and _starts_sentence(
                text, i
            ):
                spans.append((start, i))
                start = i
            continue
        ch = text[i]
        if (
            ch == "\n"
            or ch in _CJK_TERMINATORS
            or (ch in ".!?…" and _starts_sentence(text, i + 1) and not _abbreviation(text, i))
        ):
            spans.append((start, i + 1))
            start = i + 1
        i += 1
    spans.append((start, n))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _starts_sentence(text: str, at: int) -> bool:
    rest = text[at:]
    if not rest or rest[0] == "\n":
        return True
    stripped = rest.lstrip(" \t")
    if len(stripped) == len(rest):
        return False
    return not stripped or stripped[0].isupper() or stripped[0] in _OPENERS or stripped[0] == "\n"


def _abbreviation(text: str, period: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[max(0, period - 12) : period])
    if word is None:
        return False
    return word[1].casefold() in _ABBREVIATIONS or len(word[1]) == 1


# --- Speakers --------------------------------------------------------------------------

_VERBS = (
    "said|says|added|adds|noted|notes|told|tells|asked|asks|replied|replies|stressed|stresses|"
    "declared|declares|explained|explains|continued|insisted|argued|argues|wrote|writes|stated|"
    "states|recalled|recalls|warned|warns|urged|urges|announced|announces|remarked|observed|"
    "answered|concluded|acknowledged|admitted|claimed|claims|commented|emphasized|emphasised|"
    "pointed out|went on|tweeted|posted|joked|promised|vowed|pledged|conceded|suggested|"
    "predicted|responded|insists|cautioned|quipped|mused"
)
_ADVERB = r"(?:also|later|then|again|once|simply|quietly|recently|previously|earlier)"
_PRONOUN = r"(?:[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e|[Ii]t|[Yy]ou)"
_DESCRIPTION = r"(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)(?:\s+[a-z][\w'-]*){1,4}"
_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME = rf"{_NAME_WORD}(?:\s+(?:(?:of|the|de|van|von|der|bin|al|da|di|du|le|la)\s+)*{_NAME_WORD}){{0,5}}"
_CJK_NAME = r"[\u3400-\u9fff·]{2,8}"
_WHO = rf"(?P<who>{_PRONOUN}|{_DESCRIPTION}|{_NAME}|{_CJK_NAME})"
_AFTER_WHO_VERB = re.compile(rf"^{_WHO}(?:,[^,\"“”]{{1,80}},)?\s+(?:{_ADVERB}\s+)?(?:{_VERBS})\b")
_AFTER_VERB_WHO = re.compile(rf"^(?:{_VERBS})\s+{_WHO}")
_BEFORE_WHO_VERB = re.compile(
    rf"(?<![\w'’-]){_WHO}(?:,[^,\"“”]{{1,80}},)?\s+(?:{_ADVERB}\s+)?(?:{_VERBS})"
    r"(?:\s+[^\s\"“”「」,:]+){0,5}\s*[,:]?$"
)
_BEFORE_WHO_COLON = re.compile(rf"^{_WHO}\s*[:：]$")
_BEFORE_ACCORDING = re.compile(rf"\b[Aa]ccording to {_WHO},?$")
_ZH_VERBS = "说道|说|表示|指出|强调|称|认为|问道|问|答道|回答|回应|补充说|坦言|直言|透露|宣布|写道|提到|介绍说|介绍|感叹"
_ZH_ADVERB = "还|也|又|再|则|更|曾|就此|进一步|接着|同时|随后|最后|在会上|当时|对记者|对此"
_ZH_WHO = r"(?P<who>[^\s，。！？、：:,；;「」『』“”\"（）()]{1,12}?)"
_ZH_BEFORE = re.compile(rf"{_ZH_WHO}(?:{_ZH_ADVERB})?(?:{_ZH_VERBS})[：:，,]?$")
_ZH_AFTER = re.compile(rf"^{_ZH_WHO}(?:{_ZH_ADVERB})?(?:{_ZH_VERBS})")
_LEADING_WORDS = frozenset(
    "then but and so yet later now also still in on at when as after before meanwhile however "
    "there here today yesterday finally".split()
)
_ZH_PRONOUNS = ("他", "她", "它", "我", "你", "对方", "该人")


@dataclass(frozen=True)
class Attached:
    """Who the words next to a quotation say spoke it: a name, or a pronoun or role."""

    who: str
    is_name: bool


def attached_name(before: str, after: str, label: str = "") -> Attached | None:
    """Who the text attaches to a quotation ("X said", "he said", "X:"), or None."""
    if label:
        return Attached(label, True)
    after = after.lstrip(" \t,，、—–-)]）")
    before = before.rstrip(" \t")
    for pattern, clause in (
        (_AFTER_WHO_VERB, after),
        (_AFTER_VERB_WHO, after),
        (_ZH_AFTER, after),
        (_ZH_BEFORE, before),
        (_BEFORE_WHO_COLON, before.lstrip()),
        (_BEFORE_WHO_VERB, before),
        (_BEFORE_ACCORDING, before),
    ):
        match = pattern.search(clause)
        if match:
            return _name_or_nobody(match["who"])
    return None


def _name_or_nobody(who: str) -> Attached:
    words = who.split()
    while len(words) > 1 and words[0].casefold() in _LEADING_WORDS:
        words = words[1:]
    who = " ".join(words)
    if who.endswith(".") and not re.search(r"\b[A-Z]\.$", who):
        who = who[:-1]  # the sentence's full stop, not an initial
    # "he", "the president", 他: not a name; the context says who
    not_a_name = re.fullmatch(rf"{_PRONOUN}|{_DESCRIPTION}", who) or who.startswith(_ZH_PRONOUNS)
    return Attached(who, not not_a_name)


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    """A person id when the draft can tell; None leaves the quotation to the editor."""
    reason: str
    candidates: tuple[str, ...] = ()
    """Person ids (or names not in people.yaml) the editor may choose from."""


@dataclass(frozen=True)
class _People:
    matcher: NameMatcher
    ids_by_name: dict[str, tuple[str, ...]]
    by_fold: dict[str, tuple[str, ...]]
    by_last_word: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, people: Mapping[str, Sequence[str]]) -> _People:
        ids_by_name: dict[str, list[str]] = {}
        by_last_word: dict[str, list[str]] = {}
        for pid, names in sorted(people.items()):
            for name in names:
                ids_by_name.setdefault(name, []).append(pid)
                if name.split():
                    by_last_word.setdefault(name.split()[-1].casefold(), []).append(pid)
        by_fold: dict[str, list[str]] = {}
        for name, pids in ids_by_name.items():
            by_fold.setdefault(name.casefold(), []).extend(pids)
        return cls(
            NameMatcher(ids_by_name),
            {k: _unique(v) for k, v in ids_by_name.items()},
            {k: _unique(v) for k, v in by_fold.items()},
            {k: _unique(v) for k, v in by_last_word.items()},
        )

    def ids_in(self, text: str) -> tuple[str, ...]:
        return _unique(
            pid for _, _, name in self.matcher.find(text) for pid in self.ids_by_name[name]
        )

    def ids_named(self, name: str) -> tuple[str, ...]:
        return self.ids_in(name) or self.by_fold.get(name.casefold(), ())


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class TextContext:
    """A seed read once for attributing all its quotations."""

    text: str
    quotations: tuple[Quotation, ...]
    sentences: tuple[tuple[int, int], ...]
    people: _People
    named: tuple[tuple[int, str], ...]
    """(offset, person id) of every known name outside quotations, in text order."""

    @classmethod
    def of(cls, text: str, quotations: Sequence[Quotation], people: _People) -> TextContext:
        outside = _outside_quotations(text, quotations)
        named = tuple(
            (start, pid)
            for start, _, name in people.matcher.find(outside)
            for pid in people.ids_by_name[name]
        )
        return cls(text, tuple(quotations), tuple(sentence_spans(text, quotations)), people, named)

    def sentence_of(self, offset: int) -> int:
        starts = [s for s, _ in self.sentences]
        return max(0, bisect.bisect_right(starts, offset) - 1)

    def named_between(self, start: int, end: int) -> tuple[str, ...]:
        return _unique(pid for at, pid in self.named if start <= at < end)


def attribute(quotation: Quotation, context: TextContext) -> Attribution:
    """Who the text says spoke a quotation, by the rules of the module's docstring."""
    text, sentences = context.text, context.sentences
    index = context.sentence_of(quotation.outer_start)
    start, end = sentences[index]
    others = [q for q in context.quotations if q is not quotation and start <= q.outer_start < end]
    before_start = max(
        [start, *(q.outer_end for q in others if q.outer_end <= quotation.outer_start)]
    )
    after_end = min([end, *(q.outer_start for q in others if q.outer_start >= quotation.outer_end)])
    before = text[before_start : quotation.outer_start]
    after = text[quotation.outer_end : after_end]
    attached = attached_name(before, after, quotation.label)
    if attached is not None and attached.is_name:
        return _attached(attached.who, context.people)
    said = f"the text says “{attached.who}”" if attached else "no name is attached to it"
    for which, (s, e) in (
        ("same", sentences[index]),
        ("previous", sentences[index - 1] if index else (0, 0)),
    ):
        named = context.named_between(s, e)
        if len(named) == 1:
            return Attribution(named[0], f"{said}; {named[0]} is named in the {which} sentence")
        if named:
            return Attribution(None, f"{said}; the {which} sentence names several people", named)
    earlier = context.named_between(0, quotation.outer_start)
    reason = f"{said}, nor names anyone in this or the previous sentence"
    return Attribution(None, reason, earlier[-1:])


def _attached(name: str, people: _People) -> Attribution:
    named = people.ids_named(name)
    if len(named) == 1:
        return Attribution(named[0], f"the text attaches “{name}” to it")
    if named:
        return Attribution(None, f"“{name}” may be any of several people", named)
    perhaps = people.by_last_word.get(name.split()[-1].casefold(), ()) if name.split() else ()
    reason = f"the text attaches “{name}”, who is in no content/people.yaml entry"
    return Attribution(None, reason, (name, *perhaps))


def _outside_quotations(text: str, quotations: Sequence[Quotation]) -> str:
    """The text with every quoted passage blanked, offsets kept."""
    pieces, position = [], 0
    for q in sorted(quotations, key=lambda q: q.start):
        if q.end <= position:
            continue
        start = max(q.start, position)
        pieces += [text[position:start], " " * (q.end - start)]
        position = q.end
    pieces.append(text[position:])
    return "".join(pieces)


# --- Anchoring the draft ---------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """What the YAML says to select a passage: `text`, and what tells repeats apart."""

    text: str
    prefix: str = ""
    suffix: str = ""
    occurrence: int = 0
    index: int = 1
    """Which place of `text` in the body it is (1-based), for its derived id."""


def anchor_for(
    body: str, start: int, end: int, norm: NormalizedText | None = None
) -> Anchor | None:
    """The shortest description that selects body[start:end] and nothing else.

    `norm` is `normalize(body)`, when the caller has it already.
    """
    norm = norm if norm is not None else normalize(body)
    passage = " ".join(body[start:end].split())
    needle = normalize_needle(passage)
    starts = find_all(norm.text, needle)
    ours = [s for s in starts if norm.to_original(s) == start]
    if not ours:
        return None
    mine = ours[0]
    index = starts.index(mine) + 1
    if len(starts) == 1:
        return Anchor(passage)
    before = norm.text[:mine].rstrip()
    for prefix in _tails(before):
        if [s for s in starts if _ends_before(norm.text, s, prefix)] == [mine]:
            return Anchor(passage, prefix=prefix, index=index)
    after = norm.text[mine + len(needle) :].lstrip()
    for suffix in _heads(after):
        if [s for s in starts if _begins_after(norm.text, s + len(needle), suffix)] == [mine]:
            return Anchor(passage, suffix=suffix, index=index)
    return Anchor(passage, occurrence=index, index=index)


_CONTEXT_LENGTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)


def _tails(text: str) -> Iterable[str]:
    seen = set()
    for length in _CONTEXT_LENGTHS:
        cut = max(0, len(text) - length)
        while cut > 0 and is_spaced_word_char(text[cut - 1]) and is_spaced_word_char(text[cut]):
            cut -= 1  # whole words only: the editor reads the prefix
        tail = text[cut:].strip()
        if tail and tail not in seen:
            seen.add(tail)
            yield tail


def _heads(text: str) -> Iterable[str]:
    seen = set()
    for length in _CONTEXT_LENGTHS:
        cut = min(len(text), length)
        while (
            cut < len(text)
            and is_spaced_word_char(text[cut - 1])
            and is_spaced_word_char(text[cut])
        ):
            cut += 1
        head = text[:cut].strip()
        if head and head not in seen:
            seen.add(head)
            yield head


def _ends_before(text: str, end: int, prefix: str) -> bool:
    # As anchoring compares a prefix (FORMAT.md section 7): any white space, or none, between.
    return text[:end].rstrip().endswith(prefix)


def _begins_after(text: str, start: int, suffix: str) -> bool:
    return text[start:].lstrip().startswith(suffix)


# --- The draft -------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftedQuote:
    anchor: Anchor
    attribution: Attribution
    id: str = ""
    """An explicit id, only when the derived one would clash with another quotation's."""


@dataclass(frozen=True)
class Draft:
    """The drafted article: its YAML, and what went into it."""

    yaml: str
    quotes: tuple[DraftedQuote, ...]
    people: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Person id -> (form as written, seed line) of each place the text names them."""
    terms: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    unknown_names: dict[str, int] = field(default_factory=dict)
    """Capitalised names in no people.yaml entry -> the seed line of the first."""

    @property
    def attributed(self) -> int:
        return sum(1 for q in self.quotes if q.attribution.speaker)

    @property
    def summary(self) -> str:
        left = len(self.quotes) - self.attributed
        return (
            f"{len(self.quotes)} quotation(s), {self.attributed} attributed, {left} left for you "
            f"(commented out); {len(self.people)} known people, {len(self.terms)} terms, "
            f"{len(self.unknown_names)} other names listed"
        )


def draft_article(
    seed_text: str,
    source: str,
    people: Mapping[str, Sequence[str]],
    terms: Mapping[str, Sequence[str]],
) -> Draft:
    """Draft an article for a seed: `people` and `terms` map ids to every name they go by."""
    text = seed_text.removeprefix("\ufeff")
    title, body_start, body_starts_at = _title_and_body(text)
    quotations = find_quotations(text)
    known = _People.of(people)
    context = TextContext.of(text, quotations, known)
    body = text[body_start:]
    body_norm = normalize(body)
    drafted: list[DraftedQuote] = []
    used_ids: set[str] = set()
    for quotation in quotations:
        if quotation.start < body_start:
            continue  # in the headline: not in the body, so not annotatable
        anchor = anchor_for(
            body, quotation.start - body_start, quotation.end - body_start, body_norm
        )
        if anchor is None:
            continue
        attribution = attribute(quotation, context)
        drafted.append(DraftedQuote(anchor, attribution, _explicit_id(anchor, used_ids)))
    found_people = _places(text, known.matcher, known.ids_by_name)
    term_names = _ids_by_name(terms)
    found_terms = _places(text, NameMatcher(term_names), term_names)
    unknown = _unknown_names(text, [*people.values(), *terms.values()], known.matcher)
    for q in drafted:  # names attached to quotations count, in any script
        for candidate in q.attribution.candidates:
            if candidate not in people and candidate not in unknown:
                unknown[candidate] = _line_of(text, text.find(candidate))
    yaml = _render(
        source, title, body_starts_at, drafted, found_people, found_terms, unknown, people
    )
    return Draft(yaml, tuple(drafted), found_people, found_terms, unknown)


def _title_and_body(text: str) -> tuple[str, int, str]:
    """The first line as the title; the body from the next line, with the text that says so."""
    lines = text.splitlines(keepends=True)
    offset, title = 0, ""
    for line in lines:
        if line.strip() and not title:
            title = line.strip()
        elif title and line.strip():
            start = offset + len(line) - len(line.lstrip())
            marker = _body_marker(text, start)
            return title, start if marker else 0, marker
        offset += len(line)
    return title or "Untitled", 0, ""


def _body_marker(text: str, start: int) -> str:
    """A short start of the line at `start` whose first place in the seed is there."""
    norm = normalize(text)
    line = text[start:].splitlines()[0].strip()
    words = line.split()
    if len(words) > 1:  # a few whole words
        candidates = [" ".join(words[:count]) for count in range(4, len(words))]
    else:  # a script without spaces: a few characters
        candidates = [line[:length] for length in (8, 12, 16, 24, 32) if length < len(line)]
    for marker in [*candidates, line]:
        needle = normalize_needle(marker)
        found = norm.text.find(needle)
        # The build refuses a `body_starts_at` found twice: the marker must name one place.
        if (
            found >= 0
            and norm.to_original(found) == start
            and norm.text.find(needle, found + 1) < 0
        ):
            return marker
    return ""


def _explicit_id(anchor: Anchor, used: set[str]) -> str:
    ident = numbered_id(derived_id("quote", anchor.text), anchor.index)
    if ident not in used:
        used.add(ident)
        return ""
    longer = "quote-" + (slugify(anchor.text, 8) or "passage")
    candidate, n = longer, 2
    while candidate in used or not re.fullmatch(ID_PATTERN, candidate):
        candidate, n = f"{longer}-{n}" if re.fullmatch(ID_PATTERN, longer) else f"quote-{n}", n + 1
    used.add(candidate)
    return candidate


def _ids_by_name(entries: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    by_name: dict[str, list[str]] = {}
    for eid, names in sorted(entries.items()):
        for name in names:
            by_name.setdefault(name, []).append(eid)
    return {name: _unique(ids) for name, ids in by_name.items()}


def _places(
    text: str, matcher: NameMatcher, ids_by_name: Mapping[str, tuple[str, ...]]
) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for start, _, name in matcher.find(text):
        for eid in ids_by_name[name]:
            found.setdefault(eid, []).append((name, _line_of(text, start)))
    return dict(sorted(found.items()))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


_CAPITALISED = re.compile(
    r"(?<![\w'’-])[A-Z][\w'’-]*(?:\s+(?:(?:of|the|for|de|van|von|der|bin|al|da|di|du|le|la)\s+)*[A-Z][\w'’-]*)*"
)
_COMMON_WORDS = frozenset(
    "the a an in on at by for but and or if as it he she they we i you this that these those "
    "there their his her its our my your what when where why how who which while after before "
    "according members meanwhile however also yet so then now still some many most more all "
    "one two three no not yes with from to of into under over between among during since until "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december mr mrs ms dr".split()
)


def _unknown_names(
    text: str, known_names: Iterable[Sequence[str]], matcher: NameMatcher
) -> dict[str, int]:
    """Capitalised names the text uses that are no known person's or term's."""
    known = {n.casefold() for names in known_names for n in names}
    blanked = list(text)
    for start, end, _ in matcher.find(text):
        blanked[start:end] = " " * (end - start)
    masked = "".join(blanked)
    found: dict[str, int] = {}
    mid_sentence: set[str] = set()
    for match in _CAPITALISED.finditer(masked):
        words = match[0].split()
        while words and (words[0].casefold() in _COMMON_WORDS | _NOT_SPEAKERS):
            words = words[1:]
        while words and words[-1].casefold() in _COMMON_WORDS:
            words = words[:-1]
        name = " ".join(words)
        if not name or name.casefold() in known:
            continue
        if len(words) > 1 or not _starts_a_sentence(masked, match.start()):
            mid_sentence.add(name)
        found.setdefault(name, _line_of(text, match.start()))
    # "Efforts should be made": a word capitalised only where sentences start is no name.
    return {name: line for name, line in found.items() if name in mid_sentence}


def _starts_a_sentence(text: str, at: int) -> bool:
    """Whether a sentence starts at `at` within a paragraph: after a full stop, colon or
    quotation mark. A paragraph's first word does not count: in a seed that is often a
    name (Xinhua, ...), and no common word would be listed anyway."""
    i = at
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    return i > 0 and text[i - 1] in ".!?…:：" + _OPENERS


# --- Writing the YAML ------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _render(
    source: str,
    title: str,
    body_starts_at: str,
    quotes: Sequence[DraftedQuote],
    people: Mapping[str, list[tuple[str, int]]],
    terms: Mapping[str, list[tuple[str, int]]],
    unknown: Mapping[str, int],
    known_people: Mapping[str, Sequence[str]],
) -> str:
    slug = Path(source).stem
    lines = [
        modeline(f"content/articles/{slug}.yaml"),
        f"# Drafted by `site-builder draft` from {source}.",
        "# Check every annotation against the text, then delete the comments you no longer need.",
        f"source: {_quoted(source)}",
        f"title: {_quoted(title)}",
        "# publisher: ...",
        "# date: YYYY-MM-DD",
        "# original_url: https://...",
    ]
    if body_starts_at:
        lines.append(f"body_starts_at: {_quoted(body_starts_at)}   # the title line is not body")
    active = [q for q in quotes if q.attribution.speaker]
    left = len(quotes) - len(active)
    lines.append("annotations:" if active else "annotations:   # none yet")
    if quotes:
        lines += ["", f"  # {len(quotes)} quotation(s) found; {left} left for you, commented out."]
    for quote in quotes:
        lines += ["", *_quote_lines(quote, known_people)]
    lines += _listing(people, terms, unknown)
    return "\n".join(lines) + "\n"


def _quote_lines(quote: DraftedQuote, known_people: Mapping[str, Sequence[str]]) -> list[str]:
    a, who = quote.anchor, quote.attribution
    entry = ["- type: quote", f"  text: {_quoted(a.text)}"]
    if a.prefix:
        entry.append(f"  prefix: {_quoted(a.prefix)}")
    if a.suffix:
        entry.append(f"  suffix: {_quoted(a.suffix)}")
    if a.occurrence:
        entry.append(f"  occurrence: {a.occurrence}")
    if quote.id:
        entry.append(f"  id: {quote.id}")
    if who.speaker:
        speaker = f"    speaker: {who.speaker}"
        return [f"  # Speaker: {who.reason}.", *(f"  {line}" for line in entry), speaker]
    known = [c for c in who.candidates if c in known_people]
    strangers = [c for c in who.candidates if c not in known_people]
    advice = [f"  # Speaker not clear: {who.reason}."]
    if known:
        advice.append(f"  # Candidates: {', '.join(known)}.")
    for name in strangers:
        suggestion = slugify(name)
        example = f" (e.g. `{suggestion}:`)" if re.fullmatch(ID_PATTERN, suggestion) else ""
        advice.append(f"  # Add “{name}” to content/people.yaml{example} to attribute it.")
    advice.append("  # Fill in `speaker:` and uncomment:")
    speaker = known[0] if known else "..."
    return [*advice, *(f"  # {line}" for line in entry), f"  #   speaker: {speaker}"]


def _listing(
    people: Mapping[str, list[tuple[str, int]]],
    terms: Mapping[str, list[tuple[str, int]]],
    unknown: Mapping[str, int],
) -> list[str]:
    lines: list[str] = []
    for heading, found in (
        ("People from content/people.yaml this text names", people),
        ("Terms from content/glossary.yaml this text uses", terms),
    ):
        if not found:
            continue
        lines += [
            "",
            f"# {heading} (autolink links the first place of each;",
            "# a `mention` or `term` annotation chooses another):",
        ]
        for eid, places in found.items():
            forms = _unique(f"“{form}”" for form, _ in places)
            where = ", ".join(str(line) for line in _unique(str(n) for _, n in places))
            label = "line" if "," not in where else "lines"
            lines.append(f"#   {eid}: {', '.join(forms)} ({label} {where})")
    if unknown:
        lines += [
            "",
            "# Capitalised names in no content/people.yaml entry (a person among them needs one):",
        ]
        lines += [f"#   {name} (line {line})" for name, line in unknown.items()]
    return lines


# --- The command -----------------------------------------------------------------------


class DraftError(Exception):
    """The command cannot draft this seed; the message says why, the hint what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class DraftWritten:
    path: str
    """The article file, relative to the project."""
    summary: str
    notes: tuple[str, ...] = ()


def write_draft(project: Path, seed: Path) -> DraftWritten:
    """Draft an article for `seed` into the project's content/articles/, never overwriting."""
    from .load import load_content
    from .validate import validate_catalog

    # A relative SEED is looked for in the project first (`draft seeds/x.txt --project demo`),
    # then where the command runs (`draft demo/seeds/x.txt --project demo`).
    in_project = project / seed
    seed_path = in_project if not seed.is_absolute() and in_project.is_file() else seed
    if not seed_path.is_file():
        raise DraftError(f"no seed at {seed}", "give the seed's path, e.g. seeds/my-text.txt")
    try:
        source = seed_path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        raise DraftError(
            f"{seed} is outside the project {project}",
            f"copy it into {project / 'seeds'}/ first: a seed is part of the project",
        ) from None
    slug = _slug(seed_path.stem)
    article = f"content/articles/{slug}.yaml"
    target = project / article
    if target.exists():
        raise DraftError(
            f"{article} already exists; draft never overwrites a file",
            "delete or rename that file, or draft from a seed of another name",
        )
    try:
        text = seed_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DraftError(f"{source} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    files, _ = load_content(project)
    catalog, problems = validate_catalog(files)
    notes = tuple(
        p.format() for p in problems if p.is_error and not p.position.path.endswith("site.yaml")
    )
    people = {p.id: p.names for p in catalog.people}
    terms = {t.id: t.names for t in catalog.terms}
    draft = draft_article(text, source, people, terms)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(draft.yaml)
    except FileExistsError:
        raise DraftError(f"{article} already exists; draft never overwrites a file") from None
    return DraftWritten(article, draft.summary, notes)


def _slug(stem: str) -> str:
    slug = slugify(stem)
    if not re.fullmatch(ID_PATTERN, slug):
        slug = "-".join(w for w in slug.split("-") if w.isascii())
    if not re.fullmatch(ID_PATTERN, slug):
        raise DraftError(
            f"cannot make an article slug from the seed's name `{stem}`",
            "rename the seed with lowercase letters, digits and hyphens: the slug is its URL",
        )
    return slug
