"""The one description of what editors write, used to validate and to publish JSON Schemas.

`validate` reads YAML trees against these records; `json_schema()` turns the same
records into the `schemas/*.json` files that editors' tools (VS Code's YAML
extension and others) use to complete and check fields as the editor types.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

Kind = Literal[
    "string",  # one line of text
    "markdown",  # Markdown source, any length
    "id",  # lowercase letters, digits and hyphens
    "url",  # http(s) URL
    "date",  # YYYY-MM-DD
    "count",  # whole number from 1
    "bool",
    "enum",
    "strings",  # list of one-line texts
    "ids",  # list of ids
    "records",  # list of records
]

# Patterns are written for both Python's `re` and JSON Schema's ECMA-262 dialect (no inline flags).
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
URL_PATTERN = r'^[hH][tT][tT][pP][sS]?://[^\s<>"]+$'
"""http(s) only: `javascript:`, `data:` and the like never reach a page's links."""
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TEXT_PATTERN = r"\S"
"""Text fields must hold more than white space."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    record: Record | None = None


@dataclass(frozen=True)
class Record:
    name: str
    doc: str
    fields: tuple[Field, ...]
    variants: tuple[tuple[str, str, tuple[str, ...]], ...] = field(default=())
    """For records with a discriminator: (field, value, fields required for that value)."""
    exclusive: tuple[tuple[str, str], ...] = field(default=())
    """Pairs (field, flag) that cannot go together: the field, and the flag set to true."""

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        # Looked up for every key of every file: a dict, not a scan of the tuple.
        return {f.name: f for f in self.fields}


SITE = Record(
    "site",
    "Site settings (content/site.yaml).",
    (
        Field("title", "string", "The site's title, shown on every page.", required=True),
        Field("description", "string", "One sentence on what the site is."),
        Field("base_url", "url", "Absolute URL of the deployed site.", required=True),
        Field("language", "string", "Language of the pages, as a BCP 47 tag (en, zh-Hans)."),
        Field(
            "autolink",
            "enum",
            "Link people and terms no annotation names: at their first occurrence, "
            "at all of them, or never.",
            choices=("first", "all", "none"),
        ),
        Field(
            "cname",
            "string",
            "A custom domain for GitHub Pages (e.g. annotated.example.org): the build writes it "
            "to a CNAME file.",
        ),
        Field(
            "cjk_lang",
            "string",
            "The language of Chinese, Japanese or Korean characters in the pages, as a BCP 47 "
            "tag (default zh-Hans; zh-Hant, ja, ...): every run of them is marked with it.",
        ),
    ),
)

ROLE = Record(
    "role",
    "A position the person held.",
    (
        Field("title", "string", "The position.", required=True),
        Field("from", "string", "When it began (a year, or a date as text)."),
        Field("to", "string", "When it ended; leave out while it lasts."),
    ),
)

WEB_LINK = Record(
    "link",
    "A link to a page elsewhere.",
    (
        Field("label", "string", "The link's text.", required=True),
        Field("url", "url", "Where it goes (http or https).", required=True),
    ),
)

PERSON = Record(
    "person",
    "A person, keyed by id in content/people.yaml.",
    (
        Field("name", "string", "The name as readers know it.", required=True),
        Field("native", "string", "The name in its own script."),
        Field("aliases", "strings", "Other names the text uses (for autolinking)."),
        Field("summary", "string", "One line on who they are."),
        Field("bio", "markdown", "A short biography, in Markdown."),
        Field("roles", "records", "Positions held.", record=ROLE),
        Field("links", "records", "Links to pages elsewhere.", record=WEB_LINK),
    ),
)

RENDERING = Record(
    "rendering",
    "Another published translation of the term.",
    (
        Field("text", "string", "The translation.", required=True),
        Field("by", "string", "Who uses it."),
    ),
)

TERM = Record(
    "term",
    "A glossary term, keyed by id in content/glossary.yaml.",
    (
        Field("term", "string", "The term as the site writes it.", required=True),
        Field("native", "string", "The original-language form."),
        Field("transliteration", "string", "The native form's transliteration (pinyin)."),
        Field("aliases", "strings", "Other forms the text uses (for autolinking)."),
        Field("renderings", "records", "Other published translations.", record=RENDERING),
        Field("definition", "markdown", "What it means, in Markdown.", required=True),
        Field("see_also", "ids", "Ids of related terms."),
    ),
)

ANNOTATION_TYPES = ("quote", "mention", "term", "note")

ANNOTATION = Record(
    "annotation",
    "One annotated span of the text.",
    (
        Field("type", "enum", "What kind of annotation.", required=True, choices=ANNOTATION_TYPES),
        Field("text", "string", "The exact passage, as in the seed.", required=True),
        Field("prefix", "string", "Text just before the passage, to tell repeats apart."),
        Field("suffix", "string", "Text just after the passage, to tell repeats apart."),
        Field("occurrence", "count", "Which place (1-based) among those that fit."),
        Field("all", "bool", "Annotate every place the passage occurs."),
        Field("id", "id", "A stable id for the permalink; derived from type and text if left out."),
        Field("speaker", "id", "Who said it (a person id); quotes only."),
        Field("person", "id", "Who is named (a person id); mentions only."),
        Field("term", "id", "Which glossary term (a term id); terms only."),
        Field("note", "markdown", "Commentary, in Markdown; required for notes."),
    ),
    variants=(
        ("type", "quote", ("speaker",)),
        ("type", "mention", ("person",)),
        ("type", "term", ("term",)),
        ("type", "note", ("note",)),
    ),
    exclusive=(("occurrence", "all"),),
)

# Fields that belong to one annotation type only; any other type carrying them is a mistake.
TYPE_ONLY_FIELDS = {"speaker": "quote", "person": "mention", "term": "term"}
NOTE_TYPES = ("quote", "term", "note")

ARTICLE = Record(
    "article",
    "One annotated text (content/articles/<slug>.yaml).",
    (
        Field("source", "string", "The seed, relative to the project.", required=True),
        Field("title", "string", "The article's title.", required=True),
        Field("publisher", "string", "Who published the original."),
        Field("date", "date", "Publication date, YYYY-MM-DD."),
        Field("original_url", "url", "Where the original was published."),
        Field(
            "body_starts_at", "string", "Text where the body begins; text before it is not body."
        ),
        Field("annotations", "records", "The annotations.", record=ANNOTATION),
    ),
)


def fields_not_allowed(kind: str) -> tuple[str, ...]:
    """Annotation fields that another type owns, which an annotation of `kind` must not carry."""
    known = _FIELDS_NOT_ALLOWED.get(kind)
    return known if known is not None else _foreign_fields(kind)


def _foreign_fields(kind: str) -> tuple[str, ...]:
    foreign = [name for name, owner in TYPE_ONLY_FIELDS.items() if owner != kind]
    if kind not in NOTE_TYPES:
        foreign.append("note")
    return tuple(foreign)


# Asked for every annotation of every article: worked out once per type. Any other `kind`
# (a misspelt type, already reported) is worked out when asked.
_FIELDS_NOT_ALLOWED = {kind: _foreign_fields(kind) for kind in ANNOTATION_TYPES}


def json_schema(record: Record, keyed: bool = False) -> dict:
    """The JSON Schema of a content file; `keyed` files map ids to records."""
    body = _record_schema(record)
    if keyed:
        body = {
            "type": "object",
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": body,
        }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": record.doc,
        **body,
    }


def _record_schema(record: Record) -> dict:
    schema: dict = {
        "type": "object",
        "description": record.doc,
        "additionalProperties": False,
        "properties": {f.name: _field_schema(f) for f in record.fields},
        "required": [f.name for f in record.fields if f.required],
    }
    rules = [
        {
            "if": {"properties": {key: {"const": value}}, "required": [key]},
            "then": {
                "required": list(needs),
                "properties": {name: False for name in fields_not_allowed(value)},
            },
        }
        for key, value, needs in record.variants
    ]
    rules += [
        {"not": {"required": [a, b], "properties": {b: {"const": True}}}}
        for a, b in record.exclusive
    ]
    if rules:
        schema["allOf"] = rules
    return schema


# YAML 1.2 (what editors' tools parse) reads plain `2013`, `1.10` or `true` as numbers and
# booleans; the build reads them as the text written wherever text is expected, so the
# published schema accepts them there too.
_TEXT_TYPES = ["string", "number", "boolean"]


def _field_schema(f: Field) -> dict:
    schema = _kind_schema(f)
    if not f.required:  # an empty value (`native:`) means the same as leaving the field out
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        else:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema["type"] = [*types, "null"]
    return {**schema, "description": f.doc}


def _kind_schema(f: Field) -> dict:
    match f.kind:
        case "string" | "markdown":
            return {"type": list(_TEXT_TYPES), "pattern": TEXT_PATTERN}
        case "id":
            return {"type": "string", "pattern": ID_PATTERN}
        case "url":
            return {"type": "string", "pattern": URL_PATTERN}
        case "date":
            return {"type": "string", "pattern": DATE_PATTERN}
        case "count":
            return {"type": "integer", "minimum": 1}
        case "bool":
            return {"type": "boolean"}
        case "enum":
            return {"enum": list(f.choices)}
        case "strings":
            return {"type": "array", "items": {"type": list(_TEXT_TYPES), "pattern": TEXT_PATTERN}}
        case "ids":
            return {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}}
        case "records":
            assert f.record is not None
            return {"type": "array", "items": _record_schema(f.record)}
    raise AssertionError(f.kind)  # pragma: no cover - every kind is handled above


SCHEMA_FILES = {
    "site.schema.json": (SITE, False),
    "people.schema.json": (PERSON, True),
    "glossary.schema.json": (TERM, True),
    "article.schema.json": (ARTICLE, False),
}


SCHEMA_FOLDER = "schemas"
"""Where the published schemas live, relative to the project root."""


def schema_file_for(content_path: str) -> str | None:
    """The published schema of a content file (`content/articles/x.yaml` -> `article.schema.json`)."""
    parts = content_path.split("/")
    if parts[:2] == ["content", "articles"] and len(parts) == 3:
        return "article.schema.json"
    if len(parts) == 2 and parts[0] == "content":
        name = parts[1].removesuffix(".yaml") + ".schema.json"
        return name if name in SCHEMA_FILES else None
    return None


def modeline(content_path: str) -> str:
    """The first line of a content file that points editors' tools at its schema, by relative path."""
    schema_file = schema_file_for(content_path)
    if schema_file is None:
        raise ValueError(f"no published schema describes {content_path}")
    up = "../" * (content_path.count("/"))
    return f"# yaml-language-server: $schema={up}{SCHEMA_FOLDER}/{schema_file}"


def render_schema_files() -> dict[str, str]:
    """Every published schema, by file name, as stable JSON text."""
    return {
        name: json.dumps(json_schema(record, keyed), indent=2, ensure_ascii=False) + "\n"
        for name, (record, keyed) in SCHEMA_FILES.items()
    }


def write_schema_files(project: Path) -> list[Path]:
    """Regenerate `schemas/*.json` in a project; run after changing this module.

    `python -m site_builder.schema [PROJECT]` does the same from a shell.
    """
    folder = project / SCHEMA_FOLDER
    folder.mkdir(exist_ok=True)
    written = []
    for name, text in render_schema_files().items():
        target = folder / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


if __name__ == "__main__":
    for path in write_schema_files(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(f"wrote {path}")
