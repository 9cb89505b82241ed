"""Validate stage: check the loaded YAML trees against the schema and build the content model.

Every problem is collected; a file with errors still yields as much of the model
as could be read, so that later checks (references, anchors) report their own
problems in the same run instead of one error hiding the next.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from . import schema
from .errors import Diagnostic, Position, did_you_mean, error
from .load import ContentFiles, MapNode, Node, Scalar, SeqNode, YamlFile
from .model import (
    AnnotationSpec,
    ArticleSpec,
    Content,
    Person,
    Rendering,
    Role,
    SiteConfig,
    Term,
    WebLink,
)
from .textmatch import slugify

_ID_RE = re.compile(schema.ID_PATTERN)
_SAFE_URL_RE = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
_KIND_NAMES = {
    "string": "text",
    "markdown": "text",
    "id": "an id",
    "url": "a URL",
    "date": "a date",
    "count": "a whole number",
    "bool": "true or false",
    "enum": "one of the listed words",
    "strings": "a list of texts",
    "ids": "a list of ids",
    "records": "a list of entries",
}


class _Reader:
    """Reads nodes against schema records, collecting diagnostics instead of raising."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def fail(self, position: Position, message: str, hint: str = "") -> None:
        self.diagnostics.append(error(position, message, hint))

    def record(self, node: Node, record: schema.Record) -> dict[str, Any]:
        """Read a mapping into a dict of field name -> value; absent optional fields are left out."""
        if not isinstance(node, MapNode):
            self.fail(
                node.position,
                f"expected a mapping of fields for a {record.name}, found {_describe(node)}",
            )
            return {}
        values: dict[str, Any] = {}
        positions: dict[str, Position] = {}
        for key, value in node.entries:
            spec = record.field(key.text)
            if spec is None:
                known = [f.name for f in record.fields]
                self.fail(
                    key.position,
                    f"unknown field `{key.text}` in a {record.name}",
                    did_you_mean(key.text, known) or "known fields: " + ", ".join(known),
                )
                continue
            converted = self.value(value, spec)
            if converted is not None:
                values[spec.name] = converted
                positions[spec.name] = value.position
        for spec in record.fields:
            if spec.required and spec.name not in values and node.get(spec.name) is None:
                self.fail(
                    node.position,
                    f"missing required field `{spec.name}` in a {record.name}",
                    f"add `{spec.name}:` ({spec.doc.rstrip('.')})",
                )
        values["__positions__"] = positions
        return values

    def value(self, node: Node, spec: schema.Field) -> Any:
        kind = spec.kind
        if kind in ("strings", "ids", "records"):
            return self.sequence(node, spec)
        if not isinstance(node, Scalar):
            self.fail(
                node.position, f"`{spec.name}` must be {_KIND_NAMES[kind]}, found {_describe(node)}"
            )
            return None
        return self.scalar(node, spec)

    def sequence(self, node: Node, spec: schema.Field) -> tuple | None:
        if isinstance(node, Scalar) and node.tag == "null" and not node.quoted:
            return ()
        if not isinstance(node, SeqNode):
            example = "[a, b]" if spec.kind != "records" else "a list of `- ` entries"
            self.fail(
                node.position,
                f"`{spec.name}` must be {_KIND_NAMES[spec.kind]}, found {_describe(node)}",
                f"write it as {example}",
            )
            return None
        if spec.kind == "records":
            assert spec.record is not None
            return tuple((self.record(item, spec.record), item) for item in node.items)
        item_kind = "id" if spec.kind == "ids" else "string"
        item_spec = schema.Field(spec.name, item_kind, spec.doc)
        items = (self.value(item, item_spec) for item in node.items)
        return tuple(
            (v, item.position) for v, item in zip(items, node.items, strict=True) if v is not None
        )

    def scalar(self, node: Scalar, spec: schema.Field) -> Any:
        text = node.text
        position = node.position
        if node.tag == "null" and not node.quoted:
            if spec.required:
                self.fail(position, f"`{spec.name}` is empty")
            return None
        match spec.kind:
            case "string":
                if not text.strip():
                    self.fail(position, f"`{spec.name}` is empty")
                    return None
                return " ".join(text.split()) if "\n" in text.strip() else text.strip()
            case "markdown":
                return text
            case "id":
                if not _ID_RE.match(text):
                    self.fail(
                        position,
                        f"`{text}` is not a valid id",
                        "ids use lowercase letters, digits and single hyphens, "
                        f"e.g. `{slugify(text) or 'xi-jinping'}`",
                    )
                    return None
                return text
            case "url":
                return self.url(node, spec)
            case "date":
                try:
                    return datetime.date.fromisoformat(text.strip())
                except ValueError:
                    self.fail(
                        position, f"`{spec.name}` must be a date written YYYY-MM-DD, found `{text}`"
                    )
                    return None
            case "count":
                if node.quoted or not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
                    self.fail(
                        position, f"`{spec.name}` must be a whole number from 1, found `{text}`"
                    )
                    return None
                return int(text)
            case "bool":
                if node.quoted or text not in ("true", "false"):
                    self.fail(position, f"`{spec.name}` must be true or false, found `{text}`")
                    return None
                return text == "true"
            case "enum":
                if text not in spec.choices:
                    self.fail(
                        position,
                        f"`{spec.name}` must be one of {', '.join(spec.choices)}; found `{text}`",
                        did_you_mean(text, spec.choices),
                    )
                    return None
                return text
        raise AssertionError(spec.kind)  # pragma: no cover - every kind is handled above

    def url(self, node: Scalar, spec: schema.Field) -> str | None:
        url = node.text.strip()
        if not _SAFE_URL_RE.match(url):
            self.fail(
                node.position,
                f"`{spec.name}` must be an http or https URL, found `{url}`",
                "write the full address, starting with https://",
            )
            return None
        return url


def _describe(node: Node) -> str:
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    return f"`{node.text}`"


# --- files ----------------------------------------------------------------


def _read_site(reader: _Reader, file: YamlFile | None) -> SiteConfig:
    values = reader.record(file.root, schema.SITE) if file and file.root else {}
    base_url = values.get("base_url", "https://example.invalid/")
    return SiteConfig(
        title=values.get("title", "Untitled"),
        description=values.get("description", ""),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=values.get("language", "en"),
        autolink=values.get("autolink", "first"),
    )


def _keyed_records(
    reader: _Reader, file: YamlFile | None, record: schema.Record
) -> Iterable[tuple[str, dict[str, Any], Position]]:
    if file is None or file.root is None:
        return
    if not isinstance(file.root, MapNode):
        reader.fail(
            file.root.position,
            f"expected a mapping of ids to {record.name} entries, found {_describe(file.root)}",
        )
        return
    for key, node in file.root.entries:
        if not _ID_RE.match(key.text):
            reader.fail(
                key.position,
                f"`{key.text}` is not a valid id",
                f"ids use lowercase letters, digits and single hyphens, e.g. "
                f"`{slugify(key.text) or 'xi-jinping'}`",
            )
            continue
        yield key.text, reader.record(node, record), key.position


def _strings(values: dict[str, Any], name: str) -> tuple[str, ...]:
    return tuple(v for v, _ in values.get(name, ()))


def _read_people(reader: _Reader, file: YamlFile | None) -> list[Person]:
    people = []
    for pid, v, position in _keyed_records(reader, file, schema.PERSON):
        people.append(
            Person(
                id=pid,
                name=v.get("name", pid),
                native=v.get("native", ""),
                aliases=_strings(v, "aliases"),
                summary=v.get("summary", ""),
                bio=v.get("bio", ""),
                roles=tuple(
                    Role(r.get("title", ""), r.get("from", ""), r.get("to", ""))
                    for r, _ in v.get("roles", ())
                ),
                links=tuple(
                    WebLink(lk.get("label", ""), lk.get("url", ""))
                    for lk, _ in v.get("links", ())
                    if "url" in lk
                ),
                position=position,
            )
        )
    return people


def _read_terms(reader: _Reader, file: YamlFile | None) -> list[Term]:
    terms = []
    for tid, v, position in _keyed_records(reader, file, schema.TERM):
        terms.append(
            Term(
                id=tid,
                term=v.get("term", tid),
                native=v.get("native", ""),
                transliteration=v.get("transliteration", ""),
                aliases=_strings(v, "aliases"),
                renderings=tuple(
                    Rendering(r.get("text", ""), r.get("by", ""))
                    for r, _ in v.get("renderings", ())
                    if "text" in r
                ),
                definition=v.get("definition", ""),
                see_also=_strings(v, "see_also"),
                position=position,
            )
        )
    return terms


def _read_article(reader: _Reader, file: YamlFile, root: Path) -> ArticleSpec | None:
    slug = PurePosixPath(file.path).stem
    file_position = Position(file.path, 1, 1)
    if not _ID_RE.match(slug):
        reader.fail(
            Position(file.path),
            f"the file name `{slug}` is not a valid article slug",
            f"rename the file to `{slugify(slug) or 'my-article'}.yaml`: slugs use "
            "lowercase letters, digits and hyphens",
        )
    if file.root is None:
        return None
    v = reader.record(file.root, schema.ARTICLE)
    positions = v["__positions__"]
    source = v.get("source", "")
    source_position = positions.get("source", file_position)
    if source:
        source = _check_source(reader, root, source, source_position)
    annotations = tuple(
        a
        for values, node in v.get("annotations", ())
        if (a := _read_annotation(reader, values, node)) is not None
    )
    return ArticleSpec(
        slug=slug,
        path=file.path,
        source=source,
        source_position=source_position,
        title=v.get("title", slug),
        publisher=v.get("publisher", ""),
        date=v.get("date"),
        original_url=v.get("original_url", ""),
        body_starts_at=v.get("body_starts_at", ""),
        body_starts_at_position=positions.get("body_starts_at", file_position),
        annotations=annotations,
    )


def _check_source(reader: _Reader, root: Path, source: str, position: Position) -> str:
    """Return the seed path normalised, or "" after reporting why it cannot be used."""
    relative = PurePosixPath(source.replace("\\", "/"))
    if relative.is_absolute() or re.match(r"^[A-Za-z]:", source):
        reader.fail(
            position,
            f"`source` must be a path inside the project, found `{source}`",
            "write it relative to the project folder, e.g. `seeds/my-text.txt`",
        )
        return ""
    resolved_root = root.resolve()
    target = (resolved_root / relative).resolve()
    if not target.is_relative_to(resolved_root):
        reader.fail(
            position,
            f"`source` points outside the project: `{source}`",
            "seeds must live inside the project, e.g. in `seeds/`",
        )
        return ""
    if not target.is_file():
        reader.fail(
            position,
            f"the seed `{source}` does not exist",
            _closest_seed_hint(resolved_root, source),
        )
        return ""
    return target.relative_to(resolved_root).as_posix()


def _closest_seed_hint(root: Path, source: str) -> str:
    seeds = [
        p.relative_to(root).as_posix() for p in sorted((root / "seeds").glob("*")) if p.is_file()
    ]
    return did_you_mean(source, seeds) or ("seeds present: " + ", ".join(seeds) if seeds else "")


def _read_annotation(reader: _Reader, v: dict[str, Any], node: Node) -> AnnotationSpec | None:
    kind = v.get("type")
    positions = v.get("__positions__", {})
    if kind is None:
        return None
    for field_name, owner in schema.TYPE_ONLY_FIELDS.items():
        if field_name in v and kind != owner:
            reader.fail(
                positions[field_name],
                f"`{field_name}` belongs to a {owner}, not a {kind}",
                f"remove it, or change `type` to {owner}",
            )
    if "note" in v and kind not in schema.NOTE_TYPES:
        reader.fail(
            positions["note"],
            f"a {kind} cannot carry a `note`",
            "add a separate annotation of type note on the same text",
        )
    for _field, value, needs in schema.ANNOTATION.variants:
        if value == kind:
            for need in needs:
                if need not in v and isinstance(node, MapNode) and node.get(need) is None:
                    reader.fail(node.position, f"a {kind} needs `{need}`")
    if "occurrence" in v and v.get("all"):
        reader.fail(
            positions["occurrence"],
            "`occurrence` and `all: true` exclude each other",
            "keep one of them",
        )
    text = v.get("text")
    if text is None:
        return None
    target_field = {"quote": "speaker", "mention": "person", "term": "term"}.get(kind, "")
    return AnnotationSpec(
        type=kind,
        text=text,
        prefix=v.get("prefix", ""),
        suffix=v.get("suffix", ""),
        occurrence=v.get("occurrence"),
        all=v.get("all", False),
        id=v.get("id", ""),
        target=v.get(target_field, "") if target_field else "",
        note=v.get("note", ""),
        position=node.position,
        text_position=positions.get("text", node.position),
    )


# --- cross-references -----------------------------------------------------


def _check_references(content: Content, reader: _Reader) -> None:
    people = {p.id for p in content.people}
    terms = {t.id for t in content.terms}
    for article in content.articles:
        for a in article.annotations:
            if not a.target:
                continue
            known, what = (terms, "term") if a.type == "term" else (people, "person")
            if a.target not in known:
                reader.fail(
                    a.position,
                    f"unknown {what} `{a.target}`",
                    did_you_mean(a.target, known)
                    or f"add `{a.target}` to content/{'glossary' if what == 'term' else 'people'}.yaml",
                )
    for term in content.terms:
        for ref in term.see_also:
            if ref not in terms:
                reader.fail(
                    term.position,
                    f"`see_also` names unknown term `{ref}`",
                    did_you_mean(ref, terms),
                )
    _check_collisions(reader, [(p.id, p.position, "person") for p in content.people])
    _check_collisions(reader, [(t.id, t.position, "term") for t in content.terms])
    _check_collisions(reader, [(a.slug, Position(a.path), "article") for a in content.articles])


def _check_collisions(reader: _Reader, items: list[tuple[str, Position, str]]) -> None:
    """Ids that differ only in case would overwrite each other on case-insensitive storage."""
    seen: dict[str, Position] = {}
    for ident, position, what in items:
        folded = ident.casefold()
        if folded in seen:
            reader.fail(
                position,
                f"the {what} id `{ident}` collides with another one "
                f"(line {seen[folded].line} of {seen[folded].path})",
            )
        else:
            seen[folded] = position


def validate_content(files: ContentFiles, root: Path) -> tuple[Content, list[Diagnostic]]:
    """Check every content file against the schema and cross-references; build the model."""
    reader = _Reader()
    site = _read_site(reader, files.site)
    people = sorted(_read_people(reader, files.people), key=lambda p: p.id)
    terms = sorted(_read_terms(reader, files.glossary), key=lambda t: t.id)
    articles = sorted(
        (a for f in files.articles if (a := _read_article(reader, f, root)) is not None),
        key=lambda a: a.slug,
    )
    content = Content(site, tuple(people), tuple(terms), tuple(articles))
    _check_references(content, reader)
    return content, reader.diagnostics
