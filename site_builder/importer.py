"""`site-builder import`: annotations made elsewhere, added to an article's YAML (FORMAT.md §11).

Reads a W3C Web Annotation collection, page, annotation or list of annotations, or a
Hypothesis export (its API's JSON: one annotation or a search result; or the JSON of its
export menu). Each annotation is anchored in the article's seed from its quote and context;
a position selector only chooses among places that fit the quote equally well. One that
fits no place, or several, is reported and left out: nothing is guessed. What fits is
appended to the article's `annotations:` list, each with a comment naming where it came
from; every byte already in the file stays as it was.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .anchor import anchor_article
from .anchor_fields import Fields, fields_for, places_of
from .errors import Diagnostic, Position, error, warning
from .export import MOTIVATIONS
from .load import (
    MapNode,
    Scalar,
    SeqNode,
    TextFile,
    YamlFile,
    load_article,
    load_content,
    load_text_file,
)
from .model import AnnotationType, ArticleSpec, Person, Term
from .textmatch import normalize_needle
from .urls import entry_of_url, slugify
from .validate import Catalog, validate_article, validate_catalog

MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""An export larger than this is refused: it is not annotations of one article."""

_TYPE_OF_MOTIVATION = {motivation: kind for kind, motivation in MOTIVATIONS.items()}
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Incoming:
    """One annotation read from the file, before it has found its place in the seed."""

    label: str
    """How messages name it: its id or link, else its number in the file."""
    origin: str
    """Where it came from, for the comment above it in the YAML."""
    needle: str
    """A string to look for in the file's text, to locate messages about it."""
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    """From a position selector: code points of the seed's text (converted from UTF-16
    for Hypothesis)."""
    utf16: bool = False
    """Whether `start` still counts UTF-16 code units (Hypothesis), to convert against the seed."""
    kind: AnnotationType = "note"
    target: str = ""
    """The speaker, person or term id the annotation links to."""
    note: str = ""
    skip: str = ""
    """Why it cannot be imported at all (a reply, a page note), or empty."""
    wanted_id: str = ""
    """The id its IRI names (`.../#<id>`), when that is a valid annotation id."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did: the annotations added, and every problem met."""

    diagnostics: list[Diagnostic]
    added: int = 0
    article: str = ""
    """The article file written, relative to the project; empty when nothing was written."""

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def import_annotations(project: Path, source: Path, slug: str) -> ImportReport:
    """Add to `content/articles/<slug>.yaml` every annotation of `source` that anchors exactly."""
    label = str(source)
    raw, problem = _read_import(source, label)
    if problem is not None:
        return ImportReport([problem])
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = Position(label, getattr(exc, "lineno", 1), getattr(exc, "colno", 1))
        return ImportReport([error(where, f"not JSON: {exc}", _FORMATS_HINT)])
    context, problems = _article_context(project, slug)
    if context is None:
        return ImportReport(problems)
    incoming = read_incoming(data, context.people, context.terms)
    text = raw.decode("utf-8")
    if not incoming:
        return ImportReport([error(Position(label), "no annotations in the file", _FORMATS_HINT)])
    entries: list[str] = []
    diagnostics: list[Diagnostic] = []
    for item in incoming:
        entry, problem = context.entry(item)
        if problem is not None:
            diagnostics.append(_located(problem, text, label, item.needle))
        if entry:
            entries.append(entry)
    if not entries:
        return ImportReport(diagnostics)
    written = context.append(entries)
    if isinstance(written, Diagnostic):
        return ImportReport([*diagnostics, written])
    return ImportReport(diagnostics, len(entries), context.spec.path)


_FORMATS_HINT = (
    "import reads W3C Web Annotation JSON-LD (a collection, page, annotation or list) "
    "and Hypothesis JSON (an annotation, a search result, or the export menu's file)"
)


def _read_import(source: Path, label: str) -> tuple[bytes, Diagnostic | None]:
    try:
        with source.open("rb") as stream:
            if not os.path.isfile(source):
                return b"", error(Position(label), "not a regular file")
            raw = stream.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        return b"", error(Position(label), f"cannot read the file: {exc.strerror}")
    if len(raw) > MAX_IMPORT_BYTES:
        return b"", error(Position(label), "the file is larger than 64 MiB", _FORMATS_HINT)
    return raw, None


def _located(d: Diagnostic, text: str, label: str, needle: str = "") -> Diagnostic:
    """The same message, placed on the line of the file where the annotation is."""
    offset = text.find(json.dumps(needle, ensure_ascii=False)) if needle else -1
    if offset < 0:
        return dataclasses.replace(d, position=Position(label))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return dataclasses.replace(d, position=Position(label, line, column))


# --- reading the formats ---------------------------------------------------------------


def read_incoming(data: Any, people: tuple[Person, ...], terms: tuple[Term, ...]) -> list[Incoming]:
    """Every annotation in a W3C or Hypothesis document, in file order; those that cannot be
    imported at all (replies, page notes) carry why in `skip`."""
    names = _Names(people, terms)
    return [
        _hypothesis(raw, number, names) if _is_hypothesis(raw) else _w3c(raw, number, names)
        for number, raw in enumerate(_annotations_in(data), start=1)
    ]


def _annotations_in(data: Any) -> Iterator[dict[str, Any]]:
    """The annotations of any of the formats, in file order."""
    if isinstance(data, list):
        for item in data:
            yield from _annotations_in(item)
    elif not isinstance(data, dict):
        return
    elif data.get("type") == "Annotation" or "target" in data or "uri" in data:
        yield data
    else:  # a container: W3C collection or page, Hypothesis search result or export file
        for key in ("first", "items", "rows", "annotations"):
            if key in data:
                yield from _annotations_in(data[key])
                return


def _is_hypothesis(raw: dict[str, Any]) -> bool:
    return raw.get("type") != "Annotation" and "@context" not in raw and "uri" in raw


class _Names:
    """Which person or term a body's link or a tag names."""

    def __init__(self, people: tuple[Person, ...], terms: tuple[Term, ...]) -> None:
        self.people = {p.id for p in people}
        self.terms = {t.id for t in terms}
        self.tags: dict[str, tuple[str, str]] = {}
        for kind, entries in (("term", terms), ("mention", people)):
            for entry in entries:
                for name in (entry.id, *entry.names):
                    self.tags.setdefault(slugify(name), (kind, entry.id))

    def page(self, url: str) -> tuple[str, str] | None:
        """("person" | "term", id) for the URL of a person's or term's page of this project."""
        entry = entry_of_url(url)
        if entry is None:
            return None
        kind, ident = entry
        return entry if ident in (self.people if kind == "person" else self.terms) else None

    def tag(self, tag: str) -> tuple[str, str] | None:
        """("mention" | "term", id) for a tag that names a person or term."""
        return self.tags.get(slugify(tag))


def _w3c(raw: dict[str, Any], number: int, names: _Names) -> Incoming:
    ident = str(raw.get("id") or "")
    label = f"annotation {number}" + (f" ({ident})" if ident else "")
    fragment = ident.rsplit("#", 1)[1] if "#" in ident else ""
    base = Incoming(
        label=label,
        origin=ident or f"annotation {number}",
        needle=ident,
        wanted_id=fragment if _ID.fullmatch(fragment) else "",
    )
    selectors = _selectors(raw.get("target"))
    if selectors is None:
        return dataclasses.replace(base, skip="its target selects no text")
    bodies = raw.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    notes, tags, links = [], [], []
    for body in bodies:
        if isinstance(body, str):
            links.append(names.page(body))
        elif isinstance(body, dict) and body.get("type") == "TextualBody":
            value = str(body.get("value", ""))
            (tags if body.get("purpose") == "tagging" else notes).append(value)
        elif isinstance(body, dict):
            links.append(names.page(str(body.get("source") or body.get("id") or "")))
    motivation = raw.get("motivation")
    motivation = motivation[0] if isinstance(motivation, list) and motivation else motivation
    wanted = _TYPE_OF_MOTIVATION.get(str(motivation), "")
    person = next((i for k, i in filter(None, links) if k == "person"), "")
    term = next((i for k, i in filter(None, links) if k == "term"), "")
    kind, target = _kind(wanted, person, term, [names.tag(t) for t in tags])
    return _with_selectors(base, selectors, kind, target, "\n\n".join(n for n in notes if n))


def _hypothesis(raw: dict[str, Any], number: int, names: _Names) -> Incoming:
    ident = str(raw.get("id") or "")
    links = raw.get("links") if isinstance(raw.get("links"), dict) else {}
    origin = str(links.get("html") or (f"Hypothesis annotation {ident}" if ident else ""))
    label = f"annotation {number}" + (f" ({ident})" if ident else "")
    base = Incoming(label=label, origin=origin or label, needle=ident, utf16=True)
    if raw.get("references"):
        return dataclasses.replace(base, skip="a reply to another annotation")
    targets = raw.get("target")
    selectors = _selectors(targets[0] if isinstance(targets, list) and targets else targets)
    if selectors is None:
        return dataclasses.replace(base, skip="a page note, without a passage")
    tags = [names.tag(str(t)) for t in raw.get("tags") or ()]
    kind, target = _kind("", "", "", tags)
    return _with_selectors(base, selectors, kind, target, str(raw.get("text") or ""))


def _kind(
    wanted: str, person: str, term: str, tags: list[tuple[str, str] | None]
) -> tuple[AnnotationType, str]:
    """The annotation type and its person or term, from the motivation, links and tags."""
    if wanted == "quote" and person:
        return "quote", person
    if term and wanted in ("term", ""):
        return "term", term
    if person and wanted in ("mention", ""):
        return "mention", person
    for tagged in tags:
        if tagged is not None:
            return tagged[0], tagged[1]  # type: ignore[return-value]
    return "note", ""


def _selectors(target: Any) -> list[dict[str, Any]] | None:
    if isinstance(target, list):
        target = target[0] if target else None
    if not isinstance(target, dict):
        return None
    selector = target.get("selector")
    listed = selector if isinstance(selector, list) else [selector]
    found = [s for s in listed if isinstance(s, dict)]
    has_quote = any(s.get("type") == "TextQuoteSelector" and s.get("exact") for s in found)
    return found if has_quote else None


def _with_selectors(
    base: Incoming, selectors: list[dict[str, Any]], kind: AnnotationType, target: str, note: str
) -> Incoming:
    quote = next(s for s in selectors if s.get("type") == "TextQuoteSelector" and s.get("exact"))
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
    start = position.get("start") if position else None
    if kind == "note" and not note:
        return dataclasses.replace(base, skip="no note, person or term to import")
    return dataclasses.replace(
        base,
        exact=str(quote["exact"]),
        prefix=str(quote.get("prefix") or ""),
        suffix=str(quote.get("suffix") or ""),
        start=start if isinstance(start, int) and start >= 0 else None,
        kind=kind,
        target=target,
        note=note,
    )


# --- anchoring in the article ----------------------------------------------------------


Located = tuple[str, int, int, str]
"""(type, start, end, target): an annotation's place in the body, to spot repeats."""


@dataclass(frozen=True)
class _Chosen:
    """The anchor fields that make the YAML select the place found, and its id."""

    fields: Fields
    id: str
    """An explicit id, when the one the build would derive is not the annotation's own."""


class _Article:
    """One article being imported into: its spec, seed, people, terms and present places."""

    def __init__(
        self,
        root: Path,
        file: YamlFile,
        spec: ArticleSpec,
        catalog: Catalog,
        seed: TextFile,
    ) -> None:
        self.root, self.file, self.spec, self.seed = root, file, spec, seed
        self.people = catalog.people
        self.terms = catalog.terms
        anchored, _ = anchor_article(spec, seed)
        self.body_start = len(anchored.body.preamble) if anchored else 0
        self.existing: set[Located] = {
            (p.type, p.start, p.end, p.target) for p in (anchored.places if anchored else ())
        }

    def entry(self, item: Incoming) -> tuple[str, Diagnostic | None]:
        """The YAML of `item` anchored in this article, or why it is left out."""
        if item.skip:
            return "", warning(Position(""), f"{item.label}: {item.skip}; left out")
        located, found = self.place(item)
        if isinstance(found, Diagnostic):
            return "", found
        if located in self.existing:
            return "", warning(Position(""), f"{item.label}: already in the article, left out")
        self.existing.add(located)
        return _yaml_entry(item, found), None

    def place(self, item: Incoming) -> tuple[Located, _Chosen | Diagnostic]:
        """Where `item` anchors, and the fields that say so; or why it does not."""
        nowhere = ("", 0, 0, "")
        found, problem = places_of(self.spec, self.seed, item.exact)
        if problem is not None or not found:
            message = f"{item.label}: its passage is not in {self.spec.source}; left out"
            return nowhere, error(Position(""), message, problem.hint if problem else "")
        chosen = self._choose(item, [(p.start, p.end) for p in found])
        if isinstance(chosen, Diagnostic):
            return nowhere, chosen
        fields = fields_for(self.spec, self.seed, item.kind, " ".join(item.exact.split()), chosen)
        assert fields is not None  # the text was just found at that very place
        explicit = item.wanted_id if item.wanted_id not in ("", fields.derived_id) else ""
        return (item.kind, *chosen, item.target), _Chosen(fields, explicit)

    def _choose(
        self, item: Incoming, places: list[tuple[int, int]]
    ) -> tuple[int, int] | Diagnostic:
        """The one place whose text around it fits the quote's context best, the position
        selector deciding between equals; or an error naming the places that tie."""
        body = self.seed.text[self.body_start :]
        scored = [(_context_score(body, s, e, item.prefix, item.suffix), (s, e)) for s, e in places]
        best = max(score for score, _ in scored)
        tied = [place for score, place in scored if score == best]
        if len(tied) > 1 and item.start is not None:
            wanted = self._code_points(item.start, item.utf16) - self.body_start
            tied = [place for place in tied if place[0] == wanted] or tied
        if len(tied) == 1:
            return tied[0]
        where = ", ".join(f"line {self._line(s)}" for s, _ in tied)
        return error(
            Position(""),
            f"{item.label}: its passage fits {len(tied)} places equally well ({where}); left out",
            "add it by hand with `occurrence:`, `prefix` or `suffix`",
        )

    def _code_points(self, offset: int, utf16: bool) -> int:
        """A position in the seed's text in code points, from UTF-16 code units if need be."""
        if not utf16:
            return offset
        units = 0
        for index, ch in enumerate(self.seed.text):
            if units >= offset:
                return index
            units += 2 if ord(ch) > 0xFFFF else 1
        return len(self.seed.text)

    def _line(self, body_offset: int) -> int:
        return self.seed.text.count("\n", 0, self.body_start + body_offset) + 1

    def append(self, entries: list[str]) -> Diagnostic | None:
        """Write the article file with `entries` added to its `annotations:` list."""
        new_text = append_to_annotations(self.file, entries)
        if isinstance(new_text, Diagnostic):
            return new_text
        target = self.root / self.spec.path
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(new_text.encode("utf-8"))
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            return error(Position(self.spec.path), f"cannot write the file: {exc.strerror}")
        return None


def _context_score(body: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the quote's context agree with the text around a place."""
    before = normalize_needle(body[max(0, start - 4 * len(prefix) - 8) : start])
    after = normalize_needle(body[end : end + 4 * len(suffix) + 8])
    want_before, want_after = normalize_needle(prefix), normalize_needle(suffix)
    return _common_suffix(before, want_before) + _common_prefix(after, want_after)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _article_context(project: Path, slug: str) -> tuple[_Article | None, list[Diagnostic]]:
    """The article to import into, checked as the build would check it."""
    files, problems = load_content(project)
    catalog, catalog_problems = validate_catalog(files)
    path = f"content/articles/{slug}.yaml"
    if path not in files.article_paths:
        hint = "create the article first (with `source:` and `title:`), e.g. `site-builder draft`"
        return None, [error(Position(path), f"no article `{slug}` in this project", hint)]
    file, problems = load_article(path, (project / path).read_bytes())
    checked = validate_article(file, project, catalog.known_people, catalog.known_terms)
    blocking = [d for d in (*problems, *checked.diagnostics) if d.is_error]
    if checked.spec is None or blocking or not checked.spec.source:
        return None, blocking or [error(Position(path), "the article cannot be read")]
    seed, problems = load_text_file(project, checked.spec.source)
    if seed is None:
        return None, problems
    del catalog_problems  # the catalog's own problems are the build's to report
    return _Article(project, file, checked.spec, catalog, seed), []


# --- writing the YAML ------------------------------------------------------------------


def _yaml_entry(item: Incoming, chosen: _Chosen) -> str:
    """One annotation as YAML lines, indented for a list item, its origin in a comment."""
    lines = [f"# imported from {_one_line(item.origin)}", f"- type: {item.kind}"]
    lines.append(f"  text: {_quoted(chosen.fields.text)}")
    if chosen.id:
        lines.append(f"  id: {chosen.id}")
    if chosen.fields.occurrence is not None:
        lines.append(f"  occurrence: {chosen.fields.occurrence}")
    target_field = {"quote": "speaker", "mention": "person", "term": "term"}.get(item.kind)
    if target_field:
        lines.append(f"  {target_field}: {item.target}")
    entry = "\n".join(lines) + "\n"
    if item.note and item.kind == "mention":  # a mention carries no note: add it beside
        note_item = dataclasses.replace(item, kind="note", target="")
        return entry + _yaml_entry(note_item, chosen).split("\n", 1)[1]
    if item.note:
        entry += _note_lines(item.note)
    return entry


def _note_lines(note: str) -> str:
    body = note.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    plain = all(not line or not line[0].isspace() for line in body.split("\n")[:1])
    if not plain or any(ch in body for ch in "\x85\u2028\u2029") or _has_controls(body):
        return f"  note: {_quoted(body)}\n"
    indented = "\n".join(("    " + line) if line.strip() else "" for line in body.split("\n"))
    return f"  note: |\n{indented}\n"


def _has_controls(text: str) -> bool:
    return any(ord(ch) < 0x20 and ch not in "\n\t" for ch in text)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "an import"


def append_to_annotations(file: YamlFile, entries: list[str]) -> str | Diagnostic:
    """The file's text with `entries` appended to its `annotations:` list, all else unchanged."""
    text = file.text
    root = file.root
    if not isinstance(root, MapNode):
        return error(Position(file.path, 1, 1), "the article is not a mapping; nothing written")
    keys = [key for key, _ in root.entries]
    found = next((i for i, key in enumerate(keys) if key.text == "annotations"), None)
    if not text.endswith("\n"):
        text += "\n"
    if found is None:
        return text + "annotations:\n" + _indented(entries, "  ")
    value = root.entries[found][1]
    lines = text.splitlines(keepends=True)
    if isinstance(value, SeqNode) and value.items:
        first_line = lines[value.items[0].position.line - 1]
        indent = first_line[: len(first_line) - len(first_line.lstrip())]
        if first_line.lstrip().startswith("-"):
            at = _end_of_entry(lines, keys, found)
            return "".join([*lines[:at], _indented(entries, indent), *lines[at:]])
    if _is_empty(value):
        key_line = keys[found].position.line - 1
        head = re.sub(r":\s*(\[\s*\])?\s*(#.*)?$", ":", lines[key_line].rstrip("\r\n"))
        newline = lines[key_line][len(lines[key_line].rstrip("\r\n")) :] or "\n"
        at = _end_of_entry(lines, keys, found)
        rest = lines[key_line + 1 : at]
        return "".join(
            [*lines[:key_line], head + newline, *rest, _indented(entries, "  "), *lines[at:]]
        )
    return error(
        value.position,
        "`annotations:` is written in flow style ([...]); nothing written",
        "write it as a block list (one `- type: ...` item per annotation) and import again",
    )


def _is_empty(value: Any) -> bool:
    if isinstance(value, SeqNode):
        return not value.items
    return isinstance(value, Scalar) and value.tag == "null" and not value.quoted


def _end_of_entry(lines: list[str], keys: list[Scalar], index: int) -> int:
    """The line index just after the `index`-th top-level entry, before the next key's comments."""
    if index + 1 >= len(keys):
        return len(lines)
    at = keys[index + 1].position.line - 1
    while at > 0 and (not lines[at - 1].strip() or lines[at - 1].startswith("#")):
        at -= 1
    return at


def _indented(entries: list[str], indent: str) -> str:
    return "".join(
        "".join(indent + line if line.strip() else line for line in entry.splitlines(keepends=True))
        for entry in entries
    )
