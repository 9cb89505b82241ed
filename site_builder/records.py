"""Anchor records and change detection: anchors never move in silence (FORMAT.md section 10).

`content/anchors/<slug>.json` records where each annotation of an article anchored, and the
hash of the seed it anchored in. While the seed keeps that hash nothing is compared (one
hash, next to nothing). When the seed changed, each recorded annotation is traced from its
recorded place to the new text (`trace.py`) and compared with the place its YAML selects
now: agreement is silent (the build records the new place); anything else is a `Finding`
(`moved`, `edited` or `deleted`), which the build reports as an error at the annotation.

Ids: a record holds one entry per place id the build gave: an annotation with `all: true`
has one entry per place (`<id>`, `<id>-2`, ...), as in the W3C export. An entry belongs to
the YAML annotation whose `id:` (or derived id) it is, or carries with a `-N` suffix.

Everything here is pure but the helpers at the bottom, which read and write records and ask
git for an old seed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .anchor import anchor_each
from .errors import Diagnostic, Position, error
from .load import TextFile, line_number, read_bytes
from .model import AnchoredArticle, AnnotationSpec, ArticleSpec, Place, Site
from .textmatch import normalize_needle
from .trace import Diff, Traced, locate
from .urls import derived_id

RECORD_DIR = "content/anchors"
CONTEXT = 32
"""Code points of context kept on each side of a passage, as in the W3C export."""
RECORD_FORMAT = 1
_SHOWN = 60
"""Characters of a passage a message quotes."""


@dataclass(frozen=True)
class AnchorRecord:
    """Where one annotation id anchored, in code points of the seed's text (preamble and
    body, without a byte-order mark: the offsets of the W3C export)."""

    id: str
    start: int
    end: int
    passage: str
    before: str
    """Up to CONTEXT code points before the passage."""
    after: str


@dataclass(frozen=True)
class ArticleRecord:
    slug: str
    source: str
    """The seed, relative to the project."""
    sha256: str
    """Of the seed file's bytes."""
    blob: str
    """The git blob id of those bytes, to find the old text in the project's history."""
    annotations: tuple[AnchorRecord, ...]
    """Sorted by id; the editors' annotations only (no autolinks)."""


def record_path(slug: str) -> str:
    return f"{RECORD_DIR}/{slug}.json"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob: the SHA-1 of `blob <size>\\0` and them."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def seed_bytes_of(article: AnchoredArticle) -> bytes:
    """The seed file's bytes, as it was read (UTF-8 is decoded strictly, so this is exact)."""
    body = article.body
    return _encoded(body.preamble + body.text, body.bom)


def record_of(article: AnchoredArticle, seed_bytes: bytes) -> ArticleRecord:
    """The record of where every editor's annotation of an anchored article is."""
    text = article.body.preamble + article.body.text
    offset = len(article.body.preamble)
    entries = [
        anchor_record(p.id, text, offset + p.start, offset + p.end)
        for p in article.places
        if not p.auto
    ]
    return ArticleRecord(
        slug=article.spec.slug,
        source=article.spec.source,
        sha256=sha256_of(seed_bytes),
        blob=blob_id(seed_bytes),
        annotations=tuple(sorted(entries, key=lambda r: r.id)),
    )


def anchor_record(ident: str, text: str, start: int, end: int) -> AnchorRecord:
    return AnchorRecord(
        ident,
        start,
        end,
        text[start:end],
        text[max(0, start - CONTEXT) : start],
        text[end : end + CONTEXT],
    )


def record_json(record: ArticleRecord) -> bytes:
    """The record as its file holds it: deterministic, keys sorted, one annotation a line
    (so that a change shows in a diff as the annotations it moved), ending in a line feed.

    Written line by line with the C encoder: `json.dumps(indent=...)` takes the pure-Python
    one, which made recording a 300-article site take a quarter of a second."""
    entries = [
        _compact(
            {
                "after": a.after,
                "before": a.before,
                "end": a.end,
                "id": a.id,
                "passage": a.passage,
                "start": a.start,
            }
        )
        for a in record.annotations
    ]
    fields = {
        "blob": record.blob,
        "format": RECORD_FORMAT,
        "sha256": record.sha256,
        "slug": record.slug,
        "source": record.source,
    }
    lines = ['{\n  "annotations": [']
    lines.append(",\n".join("    " + entry for entry in entries))
    lines.append("  ],")
    lines.append(
        ",\n".join(f"  {_compact(key)}: {_compact(value)}" for key, value in fields.items())
    )
    lines.append("}\n")
    if not entries:
        lines[0:3] = ['{\n  "annotations": [],']
    return "\n".join(lines).encode("utf-8")


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


_REBUILD_HINT = "delete the file and run `site-builder build` to record the current places"


def parse_record(path: str, raw: bytes) -> tuple[ArticleRecord | None, list[Diagnostic]]:
    """Read a record file; anything but a record is an error at the file, not a traceback."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, [error(Position(path), "not an anchor record: not UTF-8", _REBUILD_HINT)]
    except json.JSONDecodeError as exc:
        where = Position(path, exc.lineno, exc.colno)
        return None, [error(where, f"not an anchor record: {exc.msg}", _REBUILD_HINT)]
    try:
        return _record_from(data), []
    except (KeyError, TypeError, ValueError) as exc:
        reason = str(exc).strip("'\"") or type(exc).__name__
        return None, [error(Position(path), f"not an anchor record: {reason}", _REBUILD_HINT)]


def _record_from(data: Any) -> ArticleRecord:
    if not isinstance(data, dict):
        raise TypeError("the file holds no JSON object")
    if data.get("format") != RECORD_FORMAT:
        raise ValueError(f"unknown `format` (this version reads {RECORD_FORMAT})")
    entries = []
    for item in _typed(data, "annotations", list):
        if not isinstance(item, dict):
            raise TypeError("an entry of `annotations` is not an object")
        start, end = _typed(item, "start", int), _typed(item, "end", int)
        if not 0 <= start <= end:
            raise ValueError(f"`start` and `end` of `{item.get('id')}` are not a span")
        entries.append(
            AnchorRecord(
                _typed(item, "id", str),
                start,
                end,
                _typed(item, "passage", str),
                _typed(item, "before", str),
                _typed(item, "after", str),
            )
        )
    return ArticleRecord(
        _typed(data, "slug", str),
        _typed(data, "source", str),
        _typed(data, "sha256", str),
        _typed(data, "blob", str),
        tuple(sorted(entries, key=lambda r: r.id)),
    )


def _typed(data: dict[str, Any], key: str, kind: type) -> Any:
    if key not in data:
        raise KeyError(f"`{key}` is missing")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"`{key}` is not a {kind.__name__}")
    return value


# --- findings --------------------------------------------------------------

Status = Literal["moved", "edited", "deleted"]


@dataclass(frozen=True)
class Finding:
    """A recorded annotation whose YAML no longer selects where its passage went."""

    slug: str
    annotation_id: str
    """The recorded id."""
    status: Status
    similarity: float
    """1.0 for moved; from 0 to 1 for edited; 0 for deleted."""
    old: AnchorRecord
    traced: tuple[int, int] | None
    """Where the recorded passage is in the new seed text (moved: the intact passage;
    edited: its best new match); None when deleted, or when it is intact at several places
    that its context does not tell apart."""
    selected: tuple[int, int] | None
    """Where the YAML selects now (None: nothing, several places, or `all: true`)."""
    position: Position
    """The annotation's `text:` in the YAML."""
    new_before: str
    new_after: str
    """Context at `traced` in the new text."""
    annotation: AnnotationSpec | None = None
    """The YAML annotation the recorded id belongs to."""


def find_changes(
    record: ArticleRecord,
    old_text: str | None,
    spec: ArticleSpec,
    seed: TextFile,
    problems: list[Diagnostic],
) -> tuple[list[Finding], list[Diagnostic]]:
    """The findings for an article whose seed may have changed since `record`, and
    `problems` (the anchor stage's) without those of the annotations that have a finding,
    so the editor gets one message per annotation. `old_text` is the recorded seed's text
    when it could be found (it is checked against the record before it is used).

    An unchanged hash is the whole check. Ids not in the record are new annotations and
    anchor as usual; recorded ids no longer in the YAML have nothing to report.
    """
    if record.sha256 == sha256_of(_bytes_of(seed)):
        return [], problems
    anchored = anchor_each(spec, seed)
    if anchored is None:  # `body_starts_at` is gone: that error says it all
        return [], problems
    body, results = anchored
    offset = len(body.preamble)
    new_text = seed.text
    diff = Diff(old_text, new_text) if old_text is not None else None
    selections = [_in_seed(places, offset) for _, places, _ in results]
    traced = {r.id: _trace(r, old_text, new_text, diff) for r in record.annotations}
    owners = _owners(record, results, _old_places(spec, old_text))
    findings: list[Finding] = []
    replaced: set[int] = set()
    for entry in record.annotations:
        index = owners.get(entry.id)
        if index is None:
            continue
        annotation, _, own_problems = results[index]
        finding = _compare(
            record.slug, entry, traced[entry.id], annotation, selections[index], own_problems
        )
        if finding is not None:
            findings.append(_with_context(finding, new_text))
            replaced.add(index)
    dropped = [d for i in replaced for d in results[i][2]]
    return findings, [d for d in problems if d not in dropped]


def _old_places(spec: ArticleSpec, old_text: str | None) -> list[list[tuple[int, int, str]]] | None:
    """What each annotation selected in the old text (seed offsets and ids), if it is known."""
    if old_text is None:
        return None
    anchored = anchor_each(spec, TextFile(spec.source, old_text))
    if anchored is None:
        return None
    body, results = anchored
    offset = len(body.preamble)
    return [[(offset + p.start, offset + p.end, p.id) for p in places] for _, places, _ in results]


def _bytes_of(seed: TextFile) -> bytes:
    return _encoded(seed.text, seed.bom)


def _encoded(text: str, bom: bool) -> bytes:
    """A seed's bytes again from its text (UTF-8 is decoded strictly, so this is exact)."""
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _in_seed(places: list[Place], offset: int) -> list[tuple[int, int]]:
    return [(offset + p.start, offset + p.end) for p in places]


def _trace(entry: AnchorRecord, old_text: str | None, new_text: str, diff: Diff | None) -> Traced:
    if (
        diff is not None
        and old_text is not None
        and old_text[entry.start : entry.end] == entry.passage
    ):
        return diff.trace(entry.start, entry.end, entry.before, entry.after)
    return locate(new_text, entry.passage, entry.before, entry.after)


def _owners(
    record: ArticleRecord,
    results: list[tuple[AnnotationSpec, list[Place], list[Diagnostic]]],
    old_places: list[list[tuple[int, int, str]]] | None,
) -> dict[str, int]:
    """Which YAML annotation (by index) each recorded id belongs to.

    With the old text at hand this is exact: the annotation that, anchored in the old text,
    gives that id at that place. Otherwise (or for an annotation the editor changed since)
    the id says it: an `id:` is itself, `all: true` numbers its places, and a derived id
    numbers the text's occurrences, so `occurrence: N` without context is `<id>-N`. Only
    annotations of one type and text told apart by `prefix`/`suffix` are left, which must
    fit the recorded context and are taken in the order of their places, as `occurrence`
    counts them. Never by where the YAML selects now: that is what is being checked.
    """
    owners: dict[str, int] = {}
    recorded = {entry.id: entry for entry in record.annotations}
    for index, places in enumerate(old_places or []):
        for start, end, ident in places:
            entry = recorded.get(ident)
            if entry is not None and (entry.start, entry.end) == (start, end):
                owners.setdefault(ident, index)
    taken = set(owners.values())
    order = sorted(range(len(results)), key=lambda i: results[i][0].occurrence or 1)
    for entry in sorted(record.annotations, key=lambda e: (e.start, e.id)):
        if entry.id in owners:
            continue
        candidates = [i for i in order if _may_own(results[i][0], entry)]
        free = [i for i in candidates if i not in taken or results[i][0].all]
        if free:
            owners[entry.id] = free[0]
            taken.add(free[0])
    return owners


def _may_own(annotation: AnnotationSpec, entry: AnchorRecord) -> bool:
    """Whether the recorded id can be one this annotation gives, by the id rules alone."""
    if annotation.id:
        return entry.id == annotation.id or (
            annotation.all and _numbered_from(entry.id, annotation.id)
        )
    base = derived_id(annotation.type, annotation.text)
    if entry.id != base and not _numbered_from(entry.id, base):
        return False
    if annotation.all:
        return True
    if not annotation.prefix and not annotation.suffix:
        n = annotation.occurrence or 1
        return entry.id == (base if n == 1 else f"{base}-{n}")
    return _fits_context(annotation, entry)


def _fits_context(annotation: AnnotationSpec, entry: AnchorRecord) -> bool:
    """Whether the recorded context agrees with the `prefix`/`suffix`, as far as it goes."""
    before = normalize_needle(entry.before)
    after = normalize_needle(entry.after)
    prefix = normalize_needle(annotation.prefix)
    suffix = normalize_needle(annotation.suffix)
    fits_before = not prefix or before.endswith(prefix) or len(before) < len(prefix)
    fits_after = not suffix or after.startswith(suffix) or len(after) < len(suffix)
    return fits_before and fits_after


def _numbered_from(ident: str, base: str) -> bool:
    head, _, number = ident.rpartition("-")
    return head == base and number.isdigit()


def _compare(
    slug: str,
    entry: AnchorRecord,
    traced: Traced,
    annotation: AnnotationSpec,
    selected: list[tuple[int, int]],
    problems: list[Diagnostic],
) -> Finding | None:
    agrees = traced.span is not None and traced.span in selected and not problems
    if agrees and (annotation.all or len(selected) == 1):
        return None
    status: Status
    if traced.kind in ("intact", "ambiguous"):
        status, similarity = "moved", 1.0
    elif traced.kind == "edited":
        status, similarity = "edited", traced.similarity
    else:
        status, similarity = "deleted", 0.0
    only = selected[0] if len(selected) == 1 and not annotation.all and not problems else None
    return Finding(
        slug=slug,
        annotation_id=entry.id,
        status=status,
        similarity=similarity,
        old=entry,
        traced=traced.span,
        selected=only,
        position=annotation.text_position,
        new_before="",
        new_after="",
        annotation=annotation,
    )


def _with_context(finding: Finding, text: str) -> Finding:
    if finding.traced is None:
        return finding
    start, end = finding.traced
    return dataclasses.replace(
        finding,
        new_before=text[max(0, start - CONTEXT) : start],
        new_after=text[end : end + CONTEXT],
    )


def finding_diagnostic(finding: Finding, source: str, new_text: str) -> Diagnostic:
    """The error an editor sees for a finding, at the annotation's `text:`."""
    old = finding.old
    was = f"was: {_context(old.before, old.passage, old.after)}"
    lines = [was]
    if finding.traced is not None:
        start, end = finding.traced
        now_line = line_number(new_text, start)
        passage = new_text[start:end]
        lines.append(
            f"now (line {now_line}): {_context(finding.new_before, passage, finding.new_after)}"
        )
    if finding.selected is not None and finding.selected != finding.traced:
        start, end = finding.selected
        lines.append(
            f"the YAML selects (line {line_number(new_text, start)}): "
            + _context(
                new_text[max(0, start - CONTEXT) : start],
                new_text[start:end],
                new_text[end : end + CONTEXT],
            )
        )
    lines.append("run `site-builder reanchor` to see the change to the YAML")
    shown = _quote(old.passage)
    if finding.status == "moved":
        if finding.traced is None:
            what = "is still in the seed, but at several places its context does not tell apart"
        elif finding.selected is None:
            what = "is intact, but the YAML no longer selects it (or not unambiguously)"
        else:
            what = "is intact, but the YAML now selects another place"
        message = f"moved: {old.id}: the passage {shown} {what}"
    elif finding.status == "edited":
        message = (
            f"edited: {old.id}: the passage {shown} was changed in {source} "
            f"(similarity {finding.similarity:.2f})"
        )
    else:
        message = f"deleted: {old.id}: the passage {shown} is no longer in {source}"
    return error(finding.position, message, "\n".join(lines))


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f'"{flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"}"'


def _context(before: str, passage: str, after: str) -> str:
    """A passage in its context on one line: `…before[passage]after…`."""
    return "…" + " ".join(f"{before}[{passage}]{after}".split()) + "…"


# --- reading and writing ---------------------------------------------------


def read_record(project: Path, slug: str) -> tuple[ArticleRecord | None, list[Diagnostic]]:
    """The article's record, None when there is none (a new article)."""
    path = record_path(slug)
    raw, problems = read_bytes(project, path, required=False)
    if raw is None:
        return None, problems
    return parse_record(path, raw)


def old_seed_text(project: Path, record: ArticleRecord) -> str | None:
    """The recorded seed's text from the project's git history, by its blob id; None when
    the project is not (the top of) a git work tree or the blob is not in it. Git is asked
    nothing about folders above the project."""
    if not (project / ".git").exists() or not _is_hex(record.blob):
        return None
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(project.resolve().parent)}
    try:
        done = subprocess.run(
            ["git", "cat-file", "blob", record.blob],
            cwd=project,
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or sha256_of(done.stdout) != record.sha256:
        return None
    try:
        return done.stdout.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None


def _is_hex(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdef" for c in text)


def article_changes(
    project: Path, spec: ArticleSpec, seed: TextFile, problems: list[Diagnostic]
) -> tuple[list[Finding], list[Diagnostic]]:
    """`find_changes` for an article of the project: its record read, its old seed looked
    up in git only when the seed's hash changed. Problems with the record file are added.

    While the seed is as recorded, only the recorded hash is looked at: a build of an
    unchanged site pays one small read and one hash per article. (A record damaged in
    other ways is then rewritten by the build, or fails `--strict`, as any stale record.)
    """
    path = record_path(spec.slug)
    raw, record_problems = read_bytes(project, path, required=False)
    if raw is None:
        return [], problems + record_problems
    seed_hash = sha256_of(_bytes_of(seed))
    recorded = _RECORDED_HASH.search(raw)
    if recorded is not None and recorded.group(1).decode() == seed_hash:
        return [], problems
    record, record_problems = parse_record(path, raw)
    if record is None:
        return [], problems + record_problems
    old_text = old_seed_text(project, record)
    return find_changes(record, old_text, spec, seed, problems)


_RECORDED_HASH = re.compile(rb'\n  "sha256": "([0-9a-f]{64})",?\n')


def stale_records(project: Path, records: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The records to write (slug's file missing or different) and the record files of
    articles that no longer exist, as paths relative to the project."""
    changed = []
    for slug, data in sorted(records.items()):
        path = record_path(slug)
        raw, _ = read_bytes(project, path, required=False)
        if raw != data:
            changed.append(path)
    folder = project / RECORD_DIR
    wanted = {record_path(slug) for slug in records}
    gone = []
    if folder.is_dir() and not folder.is_symlink():
        for file in sorted(folder.glob("*.json")):
            relpath = f"{RECORD_DIR}/{file.name}"
            if relpath not in wanted:
                gone.append(relpath)
    return changed, gone


def write_records(project: Path, records: dict[str, bytes]) -> list[Diagnostic]:
    """Bring `content/anchors/` up to date: each changed record written atomically, the
    records of removed articles deleted, every other file left alone."""
    folder = project / RECORD_DIR
    if folder.is_symlink() or not _inside(project, folder):
        return [error(Position(RECORD_DIR), "cannot write anchor records: the folder is a link")]
    changed, gone = stale_records(project, records)
    try:
        if changed:
            folder.mkdir(parents=True, exist_ok=True)
        for relpath in changed:
            slug = relpath.removeprefix(RECORD_DIR + "/").removesuffix(".json")
            _write_atomically(folder, project / relpath, records[slug])
        for relpath in gone:
            (project / relpath).unlink()
    except OSError as exc:
        return [error(Position(RECORD_DIR), f"cannot write anchor records: {exc}")]
    return []


def _inside(project: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(project.resolve())
    except ValueError:
        return False
    return True


def _write_atomically(folder: Path, target: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".record-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def records_of(site: Site) -> dict[str, bytes]:
    """Every article's anchor record, as its file would hold it, by slug."""
    return {a.spec.slug: record_json(record_of(a, seed_bytes_of(a))) for a in site.articles}


def stale_record_problems(project: Path, records: dict[str, bytes]) -> list[Diagnostic]:
    """Under `--strict`, which never writes records: each record that a build would write
    or delete, as an error, so that CI proves the committed records match the content."""
    changed, gone = stale_records(project, records)
    hint = "run `site-builder build` without --strict, and commit content/anchors/"
    return [
        error(
            Position(path),
            "out of date: the anchor record does not match the content"
            if (project / path).is_file()
            else "missing: this article has no anchor record yet",
            hint,
        )
        for path in changed
    ] + [
        error(Position(path), "out of date: no article has this anchor record", hint)
        for path in gone
    ]
