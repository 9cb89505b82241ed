"""`site-builder reanchor`: the YAML change that selects each annotation's passage again
after its seed changed (FORMAT.md section 10).

For every finding of the records (`records.find_changes`: moved, edited, deleted) it asks the
anchor stage which fields select the place the passage went to (`anchor_fields.fields_for`),
and shows the change as a unified diff of the article file. With `--write` the `moved` ones
and the `edited` ones of similarity 0.8 or more are made in the file (`yamledit`: every other
byte stays), after checking that the edited file anchors each of them exactly there; the
rest is left to the editor and said so. The next build records the new places.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .anchor import anchor_article
from .anchor_fields import Fields, fields_for, places_of
from .errors import Diagnostic, Position, error, escape_controls
from .load import (
    TextFile,
    decode_utf8,
    line_number,
    load_article,
    load_content,
    load_text_file,
    read_bytes,
)
from .model import AnnotationSpec, ArticleSpec
from .records import AnchorRecord, Finding, article_changes
from .schema import AnnotationFields
from .validate import Catalog, validate_article, validate_catalog
from .yamledit import FieldEdit, YamlEditError, edit_item

APPLY_SIMILARITY = 0.8
"""An edited passage at least this similar to its old self is re-anchored by `--write`;
below it, the best match may be another passage, and the editor decides."""
_CONTEXT = 32
_SHOWN = 60


@dataclass(frozen=True)
class Proposal:
    """What reanchor makes of one finding."""

    finding: Finding
    edits: tuple[FieldEdit, ...]
    """The change to the annotation's YAML that selects `place`; empty when there is none."""
    place: tuple[int, int] | None
    """In the new seed's text: where the changed YAML selects."""
    applies: bool
    """Whether `--write` makes the change."""
    reason: str
    """Why it is left to the editor, when it is."""
    new_id: str = ""
    """The annotation's id once changed: the recorded one, unless it cannot be written as
    an `id:` (derived from CJK text) and follows the new text."""


@dataclass(frozen=True)
class ArticlePlan:
    """One article's findings, what to do about each, and the file with the changes made."""

    path: str
    source: str
    seed_text: str
    old_text: str
    """The article file as read (a byte-order mark kept)."""
    new_text: str
    """The file with every proposal that applies made; `old_text` when none does."""
    proposals: tuple[Proposal, ...]

    @property
    def applied(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.applies)

    @property
    def left(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if not p.applies)

    def diff(self) -> str:
        """The change `--write` makes, as a unified diff with `a/` and `b/` paths."""
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


# --- proposals (pure) ---------------------------------------------------------------------


def propose(finding: Finding, spec: ArticleSpec, seed: TextFile, body_start: int) -> Proposal:
    """The fields that make the annotation select where its passage went, if any."""
    annotation = finding.annotation
    if annotation is None:
        return _left(finding, "the annotation is no longer in the YAML")
    if annotation.all and finding.status != "deleted":
        return _left(finding, "`all: true` annotates every place: check them by hand")
    if finding.traced is None:
        if finding.status == "deleted":
            return _left(finding, "remove the annotation, or give it the passage's new text")
        return _left(
            finding,
            "the passage is at several places its context does not tell apart: "
            "choose one with `occurrence`, `prefix` or `suffix`",
        )
    start, end = _trimmed(seed.text, *finding.traced)
    if finding.status == "edited":
        start, end = _intact_within(spec, seed, finding, (start, end), body_start)
    if start < body_start or end <= start:
        return _left(finding, "the passage is no longer in the body")
    place = (start - body_start, end - body_start)
    passage = " ".join(seed.text[start:end].split())
    texts = [annotation.text, passage] if finding.status == "moved" else [passage]
    fields = None
    for text in dict.fromkeys(texts):
        fields = fields_for(
            spec, seed, annotation.type, text, place, annotation.prefix, annotation.suffix
        )
        if fields is not None:
            break
    if fields is None:
        return _left(finding, "no `text`, `prefix`, `suffix` or `occurrence` selects it")
    edits = field_edits(annotation, fields, finding.annotation_id)
    new_id = annotation.id or (
        finding.annotation_id if any(e.name == "id" for e in edits) else fields.derived_id
    )
    if finding.status == "edited" and finding.similarity < APPLY_SIMILARITY:
        reason = (
            f"similarity {finding.similarity:.2f} is below {APPLY_SIMILARITY}: check that "
            "the new passage is the one meant, then change the YAML by hand"
        )
        return Proposal(finding, edits, (start, end), False, reason, new_id)
    if not edits:
        reason = "the YAML already selects the passage there, which its record disputes: check it"
        return Proposal(finding, edits, (start, end), False, reason, new_id)
    rival = _better_context(seed.text, finding, (start, end)) if finding.status == "moved" else None
    if rival is not None:
        reason = (
            f"the diff puts the passage on line {line_number(seed.text, start)}, but its old "
            f"context fits line {line_number(seed.text, rival)} better: choose with "
            "`occurrence`, `prefix` or `suffix`"
        )
        return Proposal(finding, edits, (start, end), False, reason, new_id)
    return Proposal(finding, edits, (start, end), True, "", new_id)


def _better_context(text: str, finding: Finding, place: tuple[int, int]) -> int | None:
    """Where another copy of the passage sits in its recorded context better than at
    `place` (as well on both sides, and better on one), if anywhere. `--write` moves an
    annotation only when the diff and the context do not contradict each other: where they
    do (a repeating paragraph above a changed one can pull a character diff to the copy),
    the editor decides."""
    passage = text[place[0] : place[1]]
    here = _context_fit(text, place[0], place[1], finding.old)
    at = text.find(passage)
    while at >= 0 and passage:
        if at != place[0]:
            there = _context_fit(text, at, at + len(passage), finding.old)
            if there[0] >= here[0] and there[1] >= here[1] and there != here:
                return at
        at = text.find(passage, at + 1)
    return None


def _context_fit(text: str, start: int, end: int, old: AnchorRecord) -> tuple[int, int]:
    """How many characters of the recorded context before and after agree with the text
    around a place, compared as anchoring compares (white space runs and quotes alike)."""
    before = _fold(text[max(0, start - 2 * len(old.before) - 8) : start])
    after = _fold(text[end : end + 2 * len(old.after) + 8])
    want_before, want_after = _fold(old.before), _fold(old.after)
    common_before = 0
    while common_before < min(len(before), len(want_before)) and (
        before[-1 - common_before] == want_before[-1 - common_before]
    ):
        common_before += 1
    common_after = 0
    while common_after < min(len(after), len(want_after)) and (
        after[common_after] == want_after[common_after]
    ):
        common_after += 1
    return common_before, common_after


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).translate(_QUOTES)


def _intact_within(
    spec: ArticleSpec, seed: TextFile, finding: Finding, span: tuple[int, int], body_start: int
) -> tuple[int, int]:
    """The place of the old passage itself, compared as anchoring compares (FORMAT.md
    section 7), where it overlaps the best match: a change of quotes or white space next to
    it is no edit of it, and must not pull a quotation mark into its `text`."""
    places, _ = places_of(spec, seed, " ".join(finding.old.passage.split()))
    for place in places:
        start, end = body_start + place.start, body_start + place.end
        if start < span[1] and span[0] < end:
            return start, end
    return span


def _left(finding: Finding, reason: str) -> Proposal:
    return Proposal(finding, (), None, False, reason)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without white space at its edges: a `text` never begins or ends with any."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def field_edits(
    annotation: AnnotationSpec, fields: Fields, recorded_id: str
) -> tuple[FieldEdit, ...]:
    """The changes from the annotation's fields to `fields`; an `id:` keeps the recorded id
    when the one derived from the new fields would differ, so links to it keep working."""
    edits = []
    if fields.text != annotation.text:
        edits.append(FieldEdit(AnnotationFields.text.name, fields.text))
    for name in (AnnotationFields.prefix.name, AnnotationFields.suffix.name):
        wanted, now = getattr(fields, name), getattr(annotation, name)
        if wanted != now:
            edits.append(FieldEdit(name, wanted or None))
    if fields.occurrence != annotation.occurrence:
        edits.append(FieldEdit(AnnotationFields.occurrence.name, fields.occurrence))
    # An id derived from CJK text is no valid `id:`: such an annotation's id follows its text.
    if not annotation.id and fields.derived_id != recorded_id and _ID.fullmatch(recorded_id):
        edits.append(FieldEdit(AnnotationFields.id.name, recorded_id))
    return tuple(edits)


_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""What an editor's `id:` may be (validate.py checks the same)."""


def plan_article(
    text: str,
    spec: ArticleSpec,
    seed: TextFile,
    findings: Sequence[Finding],
    reload: Callable[[str], ArticleSpec | None],
) -> ArticlePlan:
    """Every finding's proposal, and the article file with those that apply made.

    `reload` reads an edited file's text back into an article, as the build would: the
    edited file is anchored again, and a change that does not select its passage there
    exactly (or clashes with another annotation) is left to the editor instead.
    """
    anchored, _ = anchor_article(spec, seed)
    body_start = len(anchored.body.preamble) if anchored is not None else 0
    proposals = [propose(f, spec, seed, body_start) for f in findings]
    for _ in range(len(proposals) + 1):  # each round drops at least one failing change
        new_text, failed = _apply(text, spec, seed, proposals, reload)
        if not failed:
            break
        proposals = [
            dataclasses.replace(p, applies=False, reason=failed[i]) if i in failed else p
            for i, p in enumerate(proposals)
        ]
    return ArticlePlan(spec.path, spec.source, seed.text, text, new_text, tuple(proposals))


def _apply(
    text: str,
    spec: ArticleSpec,
    seed: TextFile,
    proposals: list[Proposal],
    reload: Callable[[str], ArticleSpec | None],
) -> tuple[str, dict[int, str]]:
    """The text with the applying proposals made, and why each one that failed did."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    new_text = text.removeprefix(bom)
    applying = [(i, p) for i, p in enumerate(proposals) if p.applies]
    failed: dict[int, str] = {}
    # From the bottom up, so that the positions of the annotations above stay right.
    for i, p in sorted(applying, key=lambda ip: _item_position(ip[1]), reverse=True):
        line, column = _item_position(p)
        try:
            new_text = edit_item(new_text, line, column, p.edits)
        except YamlEditError as exc:
            failed[i] = f"the YAML cannot be changed here: {exc}"
    if failed or not applying:
        return bom + new_text, failed
    return bom + new_text, _verify(bom + new_text, spec, seed, proposals, reload)


def _item_position(proposal: Proposal) -> tuple[int, int]:
    annotation = proposal.finding.annotation
    assert annotation is not None
    return annotation.position.line, annotation.position.column


def _verify(
    new_text: str,
    spec: ArticleSpec,
    seed: TextFile,
    proposals: list[Proposal],
    reload: Callable[[str], ArticleSpec | None],
) -> dict[int, str]:
    """Which applying proposals the edited file does not anchor exactly at their place."""
    not_selected = "the changed YAML does not select the passage alone: change it by hand"
    new_spec = reload(new_text)
    applying = {i: p for i, p in enumerate(proposals) if p.applies}
    if new_spec is None or len(new_spec.annotations) != len(spec.annotations):
        return dict.fromkeys(applying, "the changed file does not read back: change it by hand")
    anchored, problems = anchor_article(new_spec, seed)
    if anchored is None:
        return dict.fromkeys(applying, not_selected)
    offset = len(anchored.body.preamble)
    places = {p.id: (offset + p.start, offset + p.end) for p in anchored.places}
    troubled = {d.position.line for d in problems if d.is_error}
    failed = {}
    for i, p in applying.items():
        index = spec.annotations.index(p.finding.annotation)  # type: ignore[arg-type]
        changed = new_spec.annotations[index]
        lines = range(changed.position.line, changed.text_position.line + 1)
        if places.get(p.new_id) != p.place or any(n in troubled for n in lines):
            failed[i] = not_selected
    return failed


# --- the command --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReanchorReport:
    plans: tuple[ArticlePlan, ...]
    diagnostics: tuple[Diagnostic, ...]
    """Articles that could not be read or written: their findings are not known."""
    written: tuple[str, ...]

    @property
    def remaining(self) -> int:
        return sum(len(plan.left) for plan in self.plans) + sum(
            1 for d in self.diagnostics if d.is_error
        )


def reanchor_project(
    project: Path, slugs: Sequence[str] = (), write: bool = False
) -> ReanchorReport:
    """The plans for every article of the project (or those of `slugs`) whose annotations
    have findings; with `write`, each file with changes that apply is replaced."""
    files, problems = load_content(project)
    catalog, _ = validate_catalog(files)  # the catalog's own problems are the build's
    wanted = {f"content/articles/{slug}.yaml" for slug in slugs}
    paths = [p for p in files.article_paths if not wanted or p in wanted]
    diagnostics = [d for d in problems if d.is_error and d.position.path in paths]
    plans, written = [], []
    for path in paths:
        plan, article_problems = _plan_for(project, path, catalog)
        diagnostics += article_problems
        if plan is None or not plan.proposals:
            continue
        plans.append(plan)
        if write and plan.applied:
            problem = _write_file(project / path, plan.new_text, path)
            if problem is not None:
                diagnostics.append(problem)
            else:
                written.append(path)
    return ReanchorReport(tuple(plans), tuple(diagnostics), tuple(written))


def _plan_for(
    project: Path, path: str, catalog: Catalog
) -> tuple[ArticlePlan | None, list[Diagnostic]]:
    raw, problems = read_bytes(project, path)
    if raw is None:
        return None, problems

    def checked(text: str) -> tuple[ArticleSpec | None, list[Diagnostic]]:
        file, loaded = load_article(path, text.encode("utf-8"))
        result = validate_article(file, project, catalog.known_people, catalog.known_terms)
        blocking = [d for d in (*loaded, *result.diagnostics) if d.is_error]
        return (None if blocking else result.spec), blocking

    text, undecodable = decode_utf8(path, raw)  # never written back half-replaced
    if text is None:
        return None, undecodable
    spec, blocking = checked(text)
    if spec is None or not spec.source:
        return None, blocking or [error(Position(path), "the article cannot be read")]
    seed, seed_problems = load_text_file(project, spec.source)
    if seed is None:
        return None, seed_problems
    _, anchor_problems = anchor_article(spec, seed)
    findings, _ = article_changes(project, spec, seed, anchor_problems)
    return plan_article(text, spec, seed, findings, lambda t: checked(t)[0]), []


def _write_file(target: Path, text: str, shown: str) -> Diagnostic | None:
    """Replace the file at once (a reader sees the old file or the new, never half of one)."""
    try:
        mode = target.stat().st_mode & 0o777
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        return error(Position(shown), f"cannot write the file: {exc.strerror}")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return error(Position(shown), f"cannot write the file: {exc.strerror}")
    return None


# --- what the editor reads ----------------------------------------------------------------


def describe(proposal: Proposal, plan: ArticlePlan, written: bool) -> str:
    """`path:line:col: status: id: what happened`, the old and new context, and what
    reanchor does about it."""
    f = proposal.finding
    where = f"{f.position.path}:{f.position.line}:{max(f.position.column, 1)}"
    label = f"edited (similarity {f.similarity:.2f})" if f.status == "edited" else f.status
    passage = _quote(f.old.passage)
    if f.status == "deleted":
        what = f"the passage {passage} is no longer in {plan.source}"
    elif f.status == "edited":
        what = f"the passage {passage} was changed in {plan.source}"
    else:
        what = f"the passage {passage} is intact, but the YAML no longer selects it"
    lines = [f"{where}: {label}: {f.annotation_id}: {what}"]
    lines.append("  was: " + _in_context(f.old.before, f.old.passage, f.old.after))
    if f.traced is not None:
        start, end = f.traced
        text = plan.seed_text
        now = _in_context(
            text[max(0, start - _CONTEXT) : start], text[start:end], text[end : end + _CONTEXT]
        )
        lines.append(f"  now (line {line_number(text, start)}): {now}")
    change = ", ".join(_shown_edit(e) for e in proposal.edits)
    if proposal.new_id and proposal.new_id != f.annotation_id:
        change += f" (its id becomes `{proposal.new_id}`: links to `#{f.annotation_id}` break)"
    if proposal.applies:
        lines.append(f"  {'changed' if written else 'the change (--write makes it)'}: {change}")
    else:
        if change:
            lines.append(f"  a change that would select it: {change}")
        lines.append(f"  left to you: {proposal.reason}")
    return "\n".join(escape_controls(line) for line in lines)


def _shown_edit(edit: FieldEdit) -> str:
    if edit.value is None:
        return f"remove `{edit.name}`"
    value = edit.value if isinstance(edit.value, int) else _quote(edit.value)
    return f"`{edit.name}: {value}`"


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f'"{flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"}"'


def _in_context(before: str, passage: str, after: str) -> str:
    return "…" + " ".join(f"{before}[{passage}]{after}".split()) + "…"
