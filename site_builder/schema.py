"""The one description of what editors write, used to validate and to publish JSON Schemas.

`validate` reads YAML trees against these records; `json_schema()` turns the same
records into the `schemas/*.json` files that editors' tools (VS Code's YAML
extension and others) use to complete and check fields as the editor types.

Each record's fields are declared once, as the attributes of a `FieldSet` (`PersonFields`):
the attribute's name is the YAML key, and its constructor (`Field.text`, `Field.date`, ...)
the type of the value read. `validate` asks the entries it reads for `PersonFields.name`,
and its messages take field names from the same objects, so adding a field means adding one
line here and reading it in `validate`'s builder (a test fails until a builder reads it).
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, TypeVar, get_args

from . import words
from .errors import Diagnostic, Position, warning
from .model import AnnotationType, Autolink

if TYPE_CHECKING:
    from .validate import Catalog, Entry

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
    "record",  # one record: a mapping of its fields
]

# Patterns are written for both Python's `re` and JSON Schema's ECMA-262 dialect (no inline flags).
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
URL_PATTERN = r'^[hH][tT][tT][pP][sS]?://[^\s<>"]+$'
"""http(s) only: `javascript:`, `data:` and the like never reach a page's links."""
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TEXT_PATTERN = r"\S"
"""Text fields must hold more than white space."""


V = TypeVar("V")

Item = tuple[str, Position]
"""One item of a list field (`aliases`, `see_also`): its text, and where it was written."""


@dataclass(frozen=True, eq=False)
class Field(Generic[V]):
    """One field of a record; `V` is the type of its value once read (`str` for `title`).

    Compared and hashed by identity: a record's values are keyed by its own field objects, so
    a field of another record with the same name (a term's `native` asked of a person) is
    never taken for it.
    """

    name: str
    kind: Kind
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    record: Record | None = None
    refers: Literal["", "person", "term"] = ""
    """For `id` and `ids` fields that name an entry of people.yaml or glossary.yaml."""

    # One constructor per kind, so that each field declares the type of its value. The name
    # is left blank: `FieldSet` names each field after the attribute it is declared as.

    @staticmethod
    def text(doc: str, *, required: bool = False) -> Field[str]:
        return Field("", "string", doc, required)

    @staticmethod
    def markdown(doc: str, *, required: bool = False) -> Field[str]:
        return Field("", "markdown", doc, required)

    @staticmethod
    def id(doc: str, *, refers: Literal["", "person", "term"] = "") -> Field[str]:
        return Field("", "id", doc, refers=refers)

    @staticmethod
    def url(doc: str, *, required: bool = False) -> Field[str]:
        return Field("", "url", doc, required)

    @staticmethod
    def date(doc: str) -> Field[datetime.date]:
        return Field("", "date", doc)

    @staticmethod
    def count(doc: str) -> Field[int]:
        return Field("", "count", doc)

    @staticmethod
    def flag(doc: str) -> Field[bool]:
        return Field("", "bool", doc)

    @staticmethod
    def choice(doc: str, choices: tuple[str, ...], *, required: bool = False) -> Field[str]:
        return Field("", "enum", doc, required, choices)

    @staticmethod
    def texts(doc: str) -> Field[tuple[Item, ...]]:
        return Field("", "strings", doc)

    @staticmethod
    def ids(doc: str, *, refers: Literal["", "person", "term"] = "") -> Field[tuple[Item, ...]]:
        return Field("", "ids", doc, refers=refers)

    @staticmethod
    def records(doc: str, record: Record) -> Field[tuple[Entry, ...]]:
        return Field("", "records", doc, record=record)

    @staticmethod
    def table(doc: str, record: Record) -> Field[dict[str, Item]]:
        """A mapping of the record's keys to texts (`strings:`)."""
        return Field("", "record", doc, record=record)


class FieldSet:
    """The fields of one record, declared as class attributes in the order editors see them.

    Each attribute's name is the field's key in YAML, with a trailing `_` dropped where the key
    is a Python keyword (`from_` is `from:`). A field's name is thus written once, here, and
    code that reads a field names it as `PersonFields.name`: a misspelt field is an
    AttributeError (and a type checker's error), never a value silently missing.
    """

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        for attribute, value in list(vars(cls).items()):
            if isinstance(value, Field):
                setattr(cls, attribute, replace(value, name=attribute.removesuffix("_")))


def declared(fields: type[FieldSet]) -> tuple[Field, ...]:
    """The fields a `FieldSet` declares, in declaration order."""
    return tuple(value for value in vars(fields).values() if isinstance(value, Field))


@dataclass(frozen=True)
class Record:
    name: str
    doc: str
    fields: tuple[Field, ...]
    variants: tuple[tuple[Field, str, tuple[Field, ...]], ...] = field(default=())
    """For records with a discriminator: (field, value, fields required for that value)."""
    exclusive: tuple[tuple[Field, Field], ...] = field(default=())
    """Pairs (field, flag) that cannot go together: the field, and the flag set to true."""

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    @cached_property
    def members(self) -> frozenset[Field]:
        """The record's own fields, as a set: fields are equal only to themselves, so a field
        of another record with the same name is not a member."""
        return frozenset(self.fields)

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        # Looked up for every key of every file: a dict, not a scan of the tuple.
        return {f.name: f for f in self.fields}


STRINGS = Record(
    "strings",
    "Your own wording for words of the theme, by key; {name} marks a value the theme fills in.",
    tuple(
        Field(key, "string", f"Default: {text}") for key, text in words.built_in_table("en").items()
    ),
)


class SiteFields(FieldSet):
    title = Field.text("The site's title, shown on every page.", required=True)
    description = Field.text("One sentence on what the site is.")
    base_url = Field.url("Absolute URL of the deployed site.", required=True)
    language = Field.text(
        "The site's language as a BCP 47 tag (en, zh, zh-Hans): the interface's words, "
        "dates and search. English and Chinese are built in."
    )
    autolink = Field.choice(
        "Link people and terms no annotation names: at their first occurrence, "
        "at all of them, or never.",
        get_args(Autolink),
    )
    cname = Field.text(
        "A custom domain for GitHub Pages (e.g. annotated.example.org): the build writes it "
        "to a CNAME file."
    )
    cjk_lang = Field.text(
        "The language of Chinese, Japanese or Korean characters in the pages, as a BCP 47 "
        "tag (default zh-Hans; zh-Hant, ja, ...): every run of them is marked with it."
    )
    strings = Field.table(
        "Your own wording for any word of the interface, by its key (see docs/format.md).",
        STRINGS,
    )


SITE = Record("site", "Site settings (content/site.yaml).", declared(SiteFields))


class RoleFields(FieldSet):
    title = Field.text("The position.", required=True)
    from_ = Field.text("When it began (a year, or a date as text).")
    to = Field.text("When it ended; leave out while it lasts.")


ROLE = Record("role", "A position the person held.", declared(RoleFields))


class LinkFields(FieldSet):
    label = Field.text("The link's text.", required=True)
    url = Field.url("Where it goes (http or https).", required=True)


WEB_LINK = Record("link", "A link to a page elsewhere.", declared(LinkFields))


class PersonFields(FieldSet):
    name = Field.text("The name as readers know it.", required=True)
    native = Field.text("The name in its own script.")
    aliases = Field.texts("Other names the text uses (for autolinking).")
    summary = Field.text("One line on who they are.")
    bio = Field.markdown("A short biography, in Markdown.")
    roles = Field.records("Positions held.", ROLE)
    links = Field.records("Links to pages elsewhere.", WEB_LINK)


PERSON = Record("person", "A person, keyed by id in content/people.yaml.", declared(PersonFields))


class RenderingFields(FieldSet):
    text = Field.text("The translation.", required=True)
    by = Field.text("Who uses it.")


RENDERING = Record(
    "rendering", "Another published translation of the term.", declared(RenderingFields)
)


class TermFields(FieldSet):
    term = Field.text("The term as the site writes it.", required=True)
    native = Field.text("The original-language form.")
    transliteration = Field.text("The native form's transliteration (pinyin).")
    aliases = Field.texts("Other forms the text uses (for autolinking).")
    renderings = Field.records("Other published translations.", RENDERING)
    definition = Field.markdown("What it means, in Markdown.", required=True)
    see_also = Field.ids("Ids of related terms.", refers="term")


TERM = Record(
    "term", "A glossary term, keyed by id in content/glossary.yaml.", declared(TermFields)
)

ANNOTATION_TYPES: tuple[AnnotationType, ...] = get_args(AnnotationType)


class AnnotationFields(FieldSet):
    type = Field.choice("What kind of annotation.", ANNOTATION_TYPES, required=True)
    text = Field.text("The exact passage, as in the seed.", required=True)
    prefix = Field.text("Text just before the passage, to tell repeats apart.")
    suffix = Field.text("Text just after the passage, to tell repeats apart.")
    occurrence = Field.count("Which place (1-based) among those that fit.")
    all = Field.flag("Annotate every place the passage occurs.")
    id = Field.id("A stable id for the permalink; derived from type and text if left out.")
    speaker = Field.id("Who said it (a person id); quotes only.", refers="person")
    person = Field.id("Who is named (a person id); mentions only.", refers="person")
    term = Field.id("Which glossary term (a term id); terms only.", refers="term")
    note = Field.markdown("Commentary, in Markdown; required for notes.")


TARGET_FIELDS: dict[str, Field[str]] = {
    "quote": AnnotationFields.speaker,
    "mention": AnnotationFields.person,
    "term": AnnotationFields.term,
}
"""The field naming what an annotation of each type points at; only that type may carry it."""

ANNOTATION = Record(
    "annotation",
    "One annotated span of the text.",
    declared(AnnotationFields),
    variants=(
        *((AnnotationFields.type, kind, (target,)) for kind, target in TARGET_FIELDS.items()),
        (AnnotationFields.type, "note", (AnnotationFields.note,)),
    ),
    exclusive=((AnnotationFields.occurrence, AnnotationFields.all),),
)

# Fields that belong to one annotation type only; any other type carrying them is a mistake.
TYPE_ONLY_FIELDS = {target.name: kind for kind, target in TARGET_FIELDS.items()}
NOTE_TYPES = ("quote", "term", "note")


class ArticleFields(FieldSet):
    source = Field.text("The seed, relative to the project.", required=True)
    title = Field.text("The article's title.", required=True)
    publisher = Field.text("Who published the original.")
    date = Field.date("Publication date, YYYY-MM-DD.")
    original_url = Field.url("Where the original was published.")
    body_starts_at = Field.text("Text where the body begins; text before it is not body.")
    annotations = Field.records("The annotations.", ANNOTATION)


ARTICLE = Record(
    "article", "One annotated text (content/articles/<slug>.yaml).", declared(ArticleFields)
)


def fields_not_allowed(kind: str) -> tuple[Field, ...]:
    """Annotation fields that another type owns, which an annotation of `kind` must not carry."""
    known = _FIELDS_NOT_ALLOWED.get(kind)
    return known if known is not None else _foreign_fields(kind)


def _foreign_fields(kind: str) -> tuple[Field, ...]:
    foreign = [target for owner, target in TARGET_FIELDS.items() if owner != kind]
    if kind not in NOTE_TYPES:
        foreign.append(AnnotationFields.note)
    return tuple(foreign)


# Asked for every annotation of every article: worked out once per type. Any other `kind`
# (a misspelt type, already reported) is worked out when asked.
_FIELDS_NOT_ALLOWED: dict[str, tuple[Field, ...]] = {
    kind: _foreign_fields(kind) for kind in ANNOTATION_TYPES
}


@dataclass(frozen=True)
class Choice:
    """An id a field may take, with what an editor's tool shows beside it."""

    id: str
    label: str


@dataclass(frozen=True)
class ProjectIds:
    """The ids of a project's people and terms, listed in its schemas so that editors' tools
    complete `speaker:` and flag a misspelt id as the editor types."""

    people: tuple[Choice, ...] = ()
    terms: tuple[Choice, ...] = ()

    def choices(self, refers: str) -> tuple[Choice, ...]:
        return self.people if refers == "person" else self.terms


def ids_of(catalog: Catalog) -> ProjectIds:
    """The ids a catalog defines, sorted, each labelled with its name and summary."""
    people = {p.id: " — ".join(x for x in (p.name, p.summary) if x) for p in catalog.people}
    terms = {t.id: t.term for t in catalog.terms}
    return ProjectIds(
        people=tuple(Choice(i, people.get(i, "")) for i in sorted(catalog.known_people.ids)),
        terms=tuple(Choice(i, terms.get(i, "")) for i in sorted(catalog.known_terms.ids)),
    )


def project_ids(project: Path) -> ProjectIds | None:
    """The ids of a project's people and terms, or None while people.yaml or glossary.yaml
    cannot be read (a schema listing no ids would flag every reference)."""
    from .load import load_content  # here, not at the top: validate imports this module
    from .validate import validate_catalog

    files, _ = load_content(project)
    return complete_ids(validate_catalog(files)[0])


def complete_ids(catalog: Catalog) -> ProjectIds | None:
    """The ids a catalog defines, or None unless its people and glossary files could be read."""
    if not (catalog.known_people.complete and catalog.known_terms.complete):
        return None
    return ids_of(catalog)


def json_schema(record: Record, keyed: bool = False, ids: ProjectIds | None = None) -> dict:
    """The JSON Schema of a content file; `keyed` files map ids to records.

    With `ids`, fields that name a person or term list the project's ids. The file has no
    `title`: yaml-language-server would show it at the top of every field's hover text.
    """
    body = _record_schema(record, ids)
    if keyed:
        body = {
            "type": "object",
            "description": record.doc,
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": body,
        }
    return {"$schema": "http://json-schema.org/draft-07/schema#", **body}


def _record_schema(record: Record, ids: ProjectIds | None) -> dict:
    owned = _variant_fields(record)
    properties = {
        f.name: _unsuggested(f) if f.name in owned else _field_schema(f, ids) for f in record.fields
    }
    schema: dict = {
        "type": "object",
        "description": record.doc,
        "additionalProperties": False,
        "properties": properties,
        "required": [f.name for f in record.fields if f.required],
    }
    rules = [
        _variant_rule(record, key, value, needs, owned, ids)
        for key, value, needs in record.variants
    ]
    rules += [
        {"not": {"required": [a.name, b.name], "properties": {b.name: {"const": True}}}}
        for a, b in record.exclusive
    ]
    if rules:
        schema["allOf"] = rules
    return schema


def _variant_fields(record: Record) -> set[str]:
    """Fields that only some variants take (`speaker` only quotes): each variant's rule
    describes them, so that a tool offers a quote `speaker` and never `person`."""
    return {f.name for _, value, _ in record.variants for f in fields_not_allowed(value)}


def _unsuggested(f: Field) -> dict:
    # Declared, so `additionalProperties: false` lets it through; described, for hover; the
    # variant's rule constrains it, and yaml-language-server offers it only from there.
    return {"description": f.doc, "doNotSuggest": True}


def _variant_rule(
    record: Record,
    key: Field,
    value: str,
    needs: tuple[Field, ...],
    owned: set[str],
    ids: ProjectIds | None,
) -> dict:
    foreign = {f.name for f in fields_not_allowed(value)}
    needed = [f.name for f in needs]
    return {
        "if": {"properties": {key.name: {"const": value}}, "required": [key.name]},
        "then": {
            "required": needed,
            "properties": {
                f.name: False if f.name in foreign else _field_schema(f, ids, f.name in needed)
                for f in record.fields
                if f.name in owned
            },
        },
    }


# YAML 1.2 (what editors' tools parse) reads plain `2013`, `1.10` or `true` as numbers and
# booleans; the build reads them as the text written wherever text is expected, so the
# published schema accepts them there too.
_TEXT_TYPES = ["string", "number", "boolean"]


def _field_schema(f: Field, ids: ProjectIds | None, required: bool = False) -> dict:
    if f.refers and ids is not None:
        return {**_id_choices(f, ids.choices(f.refers)), "description": f.doc}
    schema = _kind_schema(f, ids)
    if not (f.required or required):  # an empty value (`native:`) means leaving the field out
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        else:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema["type"] = [*types, "null"]
    return {**schema, "description": f.doc}


def _id_choices(f: Field, choices: tuple[Choice, ...]) -> dict:
    """The project's ids as an `enum`: completed by editors' tools, anything else flagged.

    No `null` among them: a reference is required where its type allows it, and a `null`
    would be offered as a completion.
    """
    what, file = ("person", "people.yaml") if f.refers == "person" else ("term", "glossary.yaml")
    one = {
        "type": "string",
        "enum": [c.id for c in choices],
        "enumDescriptions": [c.label for c in choices],
        "errorMessage": f"Not the id of a {what} in content/{file}.",
    }
    if f.kind == "ids":
        return {"type": "array", "items": one}
    return one


def _kind_schema(f: Field, ids: ProjectIds | None) -> dict:
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
            return {"type": "array", "items": _record_schema(f.record, ids)}
        case "record":
            assert f.record is not None
            return _record_schema(f.record, ids)
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


def render_schema_files(ids: ProjectIds | None = None) -> dict[str, str]:
    """Every published schema, by file name, as stable JSON text; `ids` lists the project's."""
    return {
        name: json.dumps(json_schema(record, keyed, ids), indent=2, ensure_ascii=False) + "\n"
        for name, (record, keyed) in SCHEMA_FILES.items()
    }


def stale_schema_files(project: Path, ids: ProjectIds | None) -> dict[str, str]:
    """The schemas whose file in `project/schemas/` is missing or differs, with their text."""
    folder = project / SCHEMA_FOLDER
    stale = {}
    for name, text in render_schema_files(ids).items():
        try:
            current = (folder / name).read_bytes()
        except OSError:
            current = None
        if current != text.encode("utf-8"):
            stale[name] = text
    return stale


def write_schema_files(project: Path, ids: ProjectIds | None = None) -> list[Path]:
    """Write the schemas into `project/schemas/` that would change, each atomically.

    Without `ids` the schemas list no ids (the package's own copy); the first build of the
    project lists them. `python -m site_builder.schema [PROJECT]` writes them with the
    project's ids. Refuses a `schemas/` that leads outside the project.
    """
    folder = project / SCHEMA_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OSError(f"{SCHEMA_FOLDER}/ is not a folder of the project")
    stale = stale_schema_files(project, ids)
    if stale:
        folder.mkdir(exist_ok=True)
    written = []
    for name, text in stale.items():
        _replace_atomically(folder / name, text.encode("utf-8"))
        written.append(folder / name)
    return written


def update_schemas(project: Path, ids: ProjectIds, strict: bool) -> tuple[list[Diagnostic], bool]:
    """Write `schemas/` again where it does not list `ids` (FORMAT.md section 9); the problems,
    and whether `schemas/` now lists them.

    With `--strict` (as in CI) nothing is written and a stale schema is a warning, so it
    fails the run, as an anchor record that would change does.
    """
    if strict:
        if not (project / SCHEMA_FOLDER).is_dir():
            return [], False
        return [
            warning(
                Position(f"schemas/{name}"),
                "out of date: it does not list the current people and terms",
                "run `site-builder check` without --strict to update it, and commit schemas/",
            )
            for name in stale_schema_files(project, ids)
        ], False
    try:
        write_schema_files(project, ids)
    except OSError as exc:
        return [warning(Position("schemas"), f"cannot update the schemas: {exc}")], False
    return [], True


def _replace_atomically(target: Path, data: bytes) -> None:
    # Written beside the file, then renamed over it: an editor's tool never reads half a
    # schema, and a symlink in the file's place is replaced, never followed.
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for path in write_schema_files(root, project_ids(root)):
        print(f"wrote {path}")
