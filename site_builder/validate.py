"""Validate stage: check the loaded YAML trees against the schema and build the content model.

Every problem is collected; a file with errors still yields as much of the model
as could be read, so that later checks (references, anchors) report their own
problems in the same run instead of one error hiding the next. A problem is
reported once, where the editor must fix it: a reference into a file that could
not be read, or to an entry whose own id is broken, is not reported again.
"""

from __future__ import annotations

import datetime
import operator
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, TypeVar, overload
from urllib.parse import urlsplit

from . import schema, words
from .errors import Diagnostic, Position, did_you_mean, error, warning
from .load import ContentFiles, MapNode, Node, Scalar, SeqNode, YamlFile, file_kind
from .model import (
    AnnotationSpec,
    ArticleSpec,
    Person,
    Rendering,
    Role,
    SiteConfig,
    Term,
    WebLink,
)
from .schema import (
    AnnotationFields,
    ArticleFields,
    LinkFields,
    PersonFields,
    RenderingFields,
    RoleFields,
    SiteFields,
    TermFields,
)
from .urls import slugify

_ID_RE = re.compile(schema.ID_PATTERN)
_URL_RE = re.compile(schema.URL_PATTERN)
_DATE_RE = re.compile(schema.DATE_PATTERN)
_COUNT_RE = re.compile(r"^[0-9]+$")
_COUNT_DIGITS = 18
"""The most digits a count may have: a billion billion, far past any text's places."""
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
_KIND_NAMES = {
    "string": "text",
    "markdown": "text",
    "id": "an id",
    "url": "a URL",
    "date": "a date",
    "count": "a whole number",
    "bool": "true or false",
    "strings": "a list of texts",
    "ids": "a list of ids",
    "records": "a list of entries",
    "record": "a mapping of keys to texts",
}
_SITE_FILE = "content/site.yaml"

V = TypeVar("V")
D = TypeVar("D")


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


_NOTHING: Any = object()
"""What a field left without a value gives, told apart from any value an editor can write."""


class Entry(NamedTuple):
    """A record as the editor wrote it: each field's value, read as its kind, and where each
    field was written. Fields are named by their `schema.Field` (`PersonFields.name`), never
    by a string, so the schema is the one place a field's name is written.

    A named tuple rather than a frozen dataclass: one is made per annotation, and tuples are
    built several times faster.
    """

    record: schema.Record
    position: Position
    """Where the record starts: its first field, or the value that stands in its place."""
    values: Mapping[schema.Field, object]
    """The record's own fields -> values read; a field left out, empty or unreadable has none."""
    positions: Mapping[schema.Field, Position]
    """The record's own fields -> where each value was written, readable or not."""

    @overload
    def get(self, spec: schema.Field[V]) -> V | None: ...

    @overload
    def get(self, spec: schema.Field[V], default: D) -> V | D: ...

    def get(self, spec: schema.Field[Any], default: object = None) -> object:
        """The field's value, or `default` when the editor gave it none that could be read."""
        value = self.values.get(spec, _NOTHING)
        if value is not _NOTHING:
            return value  # the record's own field: values hold no other
        if spec not in self.record.members:
            raise _not_a_field(spec, self.record)
        return default

    def written(self, spec: schema.Field[Any]) -> bool:
        """Whether the editor wrote the field at all, even with a value that could not be read."""
        if spec in self.positions:
            return True
        if spec not in self.record.members:
            raise _not_a_field(spec, self.record)
        return False

    def at(self, spec: schema.Field[Any], default: Position | None = None) -> Position:
        """Where the field's value was written; else `default`, or where the record starts."""
        position = self.positions.get(spec)
        if position is not None:
            return position
        if spec not in self.record.members:
            raise _not_a_field(spec, self.record)
        return self.position if default is None else default


def _not_a_field(spec: schema.Field[Any], record: schema.Record) -> KeyError:
    """The build's own mistake, not an editor's: asking an article for a person's field."""
    return KeyError(f"`{spec.name}` is not a field of {_a(record.name)}")


class _Reader:
    """Reads nodes against schema records, collecting diagnostics instead of raising."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def fail(self, position: Position, message: str, hint: str = "") -> None:
        self.diagnostics.append(error(position, message, hint))

    def record(self, node: Node, record: schema.Record) -> Entry:
        """Read a mapping as an entry of `record`; absent optional fields have no value."""
        if not isinstance(node, MapNode):
            if not (isinstance(node, Scalar) and node.is_invalid):
                self.fail(
                    node.position,
                    f"expected a mapping of fields for {_a(record.name)}, found {_describe(node)}",
                    f"write its fields on the lines below, indented, e.g. `{record.fields[0].name}: ...`",
                )
            return Entry(record, node.position, {}, {})
        values: dict[schema.Field, object] = {}
        positions: dict[schema.Field, Position] = {}
        for key, value in node.entries:
            spec = record.field(key.text)
            if spec is None:
                self.unknown_field(key, record)
                continue
            positions[spec] = value.position
            converted = self.value(value, spec)
            if converted is not None:
                values[spec] = converted
        for spec in record.fields:
            if spec.required and spec not in positions:
                self.fail(
                    node.position,
                    f"missing required field `{spec.name}` in {_a(record.name)}",
                    f"add `{spec.name}:` ({spec.doc.rstrip('.')})",
                )
        return Entry(record, node.position, values, positions)

    def unknown_field(self, key: Scalar, record: schema.Record) -> None:
        known = [f.name for f in record.fields]
        owner = _owning_record(key.text, record)
        hint = did_you_mean(key.text, known) or "known fields: " + ", ".join(known)
        if owner:
            hint = f"`{key.text}` belongs in {owner}; {hint}"
        self.fail(key.position, f"unknown field `{key.text}` in {_a(record.name)}", hint)

    def value(self, node: Node, spec: schema.Field) -> Any:
        if isinstance(node, Scalar) and node.is_invalid:
            return None  # refused at load time, and reported there
        kind = spec.kind
        if kind in ("strings", "ids", "records"):
            return self.sequence(node, spec)
        if kind == "record" and not (isinstance(node, Scalar) and node.tag == "null"):
            return self.table(node, spec)
        if not isinstance(node, Scalar):
            expected = _KIND_NAMES[kind] if kind != "enum" else "one of " + ", ".join(spec.choices)
            self.fail(node.position, f"`{spec.name}` must be {expected}, found {_describe(node)}")
            return None
        if node.tag == "null" and not node.quoted:
            return self.null(node, spec)
        return self.scalar(node, spec)

    def table(self, node: Node, spec: schema.Field) -> dict[str, tuple[str, Position]] | None:
        """A mapping of its record's keys to texts (`strings:`): key -> (text, its position)."""
        assert spec.record is not None
        if not isinstance(node, MapNode):
            self.fail(
                node.position,
                f"`{spec.name}` must be {_KIND_NAMES['record']}, found {_describe(node)}",
                f"write each key on a line below, indented, e.g. `{spec.record.fields[0].name}: ...`",
            )
            return None
        found = {}
        for key, value in node.entries:
            entry = spec.record.field(key.text)
            if entry is None:
                hint = did_you_mean(key.text, [f.name for f in spec.record.fields])
                self.fail(
                    key.position,
                    f"unknown key `{key.text}` in `{spec.name}`",
                    hint or "the keys are listed in docs/format.md, section 3",
                )
                continue
            text = self.value(
                value, schema.Field(f"{spec.name}.{key.text}", "string", "Words to show.", True)
            )
            if text is not None:
                found[key.text] = (text, value.position)
        return found

    def null(self, node: Scalar, spec: schema.Field) -> None:
        """An empty value: fine for an optional field (as if left out), an error for a required one."""
        if not spec.required:
            return
        if node.text and node.text != "~":
            self.fail(
                node.position,
                f"`{spec.name}` is `{node.text}`, which YAML reads as nothing",
                f'quote it if you mean the word: `{spec.name}: "{node.text}"`',
            )
        else:
            self.fail(
                node.position,
                f"`{spec.name}` is empty",
                f"write the {spec.doc[:1].lower()}{spec.doc[1:]}",
            )

    def sequence(self, node: Node, spec: schema.Field) -> tuple | None:
        if isinstance(node, Scalar) and node.tag == "null" and not node.quoted:
            return ()
        if not isinstance(node, SeqNode):
            example = f"[{node.text}]" if isinstance(node, Scalar) else "[a, b]"
            if spec.kind == "records":
                example = "a list of `- ` entries"
            self.fail(
                node.position,
                f"`{spec.name}` must be {_KIND_NAMES[spec.kind]}, found {_describe(node)}",
                f"write it as {example}",
            )
            return None
        if spec.kind == "records":
            assert spec.record is not None
            return tuple(self.record(item, spec.record) for item in node.items)
        item_kind: schema.Kind = "id" if spec.kind == "ids" else "string"
        item_spec: schema.Field[str] = schema.Field(spec.name, item_kind, spec.doc, required=True)
        items = []
        for item in node.items:
            if isinstance(item, Scalar) and item.tag == "null" and not item.quoted:
                self.null_item(item, spec)
            elif (value := self.value(item, item_spec)) is not None:
                items.append((value, item.position))
        return tuple(items)

    def null_item(self, item: Scalar, spec: schema.Field) -> None:
        if item.text and item.text != "~":
            self.fail(
                item.position,
                f"an item of `{spec.name}` is `{item.text}`, which YAML reads as nothing",
                f'quote it if you mean the word: "{item.text}"',
            )
        else:
            self.fail(
                item.position, f"an item of `{spec.name}` is empty", "remove it, or fill it in"
            )

    def scalar(self, node: Scalar, spec: schema.Field) -> Any:
        """Read a scalar as its field's kind: YAML's guess at a type counts only where it fits."""
        readers = {
            "string": self.string,
            "markdown": self.markdown,
            "id": self.ident,
            "url": self.url,
            "date": self.date,
            "count": self.count,
            "bool": self.boolean,
            "enum": self.enum,
        }
        return readers[spec.kind](node, spec)

    def string(self, node: Scalar, spec: schema.Field) -> str | None:
        text = node.text
        if not text.strip():
            self.fail(node.position, f"`{spec.name}` is empty")
            return None
        return " ".join(text.split()) if "\n" in text.strip() else text.strip()

    def markdown(self, node: Scalar, spec: schema.Field) -> str | None:
        if not node.text.strip():
            self.fail(node.position, f"`{spec.name}` is empty")
            return None
        return node.text

    def ident(self, node: Scalar, spec: schema.Field) -> str | None:
        if not _ID_RE.fullmatch(node.text):
            self.fail(node.position, f"`{node.text}` is not a valid id", _id_hint(node.text))
            return None
        return node.text

    def url(self, node: Scalar, spec: schema.Field) -> str | None:
        url = node.text.strip()
        if not _URL_RE.fullmatch(url):
            self.fail(
                node.position,
                f"`{spec.name}` must be an http or https URL, found `{url}`",
                "write the full address, starting with https://",
            )
            return None
        return url

    def date(self, node: Scalar, spec: schema.Field) -> datetime.date | None:
        text = node.text.strip()
        try:
            if _DATE_RE.fullmatch(text):
                return datetime.date.fromisoformat(text)
        except ValueError:
            self.fail(node.position, f"`{spec.name}`: `{text}` is not a date in the calendar")
            return None
        self.fail(
            node.position,
            f"`{spec.name}` must be a date written YYYY-MM-DD, found `{text}`",
            "e.g. `2014-02-27`",
        )
        return None

    def count(self, node: Scalar, spec: schema.Field) -> int | None:
        if not node.quoted and _COUNT_RE.fullmatch(node.text) and len(node.text) > _COUNT_DIGITS:
            # Python refuses to read numbers this long (and no text has that many places).
            self.fail(
                node.position,
                f"`{spec.name}` is a number of {len(node.text)} digits, "
                "more than there are places in any text",
                "it counts the places that fit from 1: `2` is the second",
            )
            return None
        if node.quoted or not _COUNT_RE.fullmatch(node.text) or int(node.text) < 1:
            self.fail(
                node.position,
                f"`{spec.name}` must be a whole number from 1, found `{node.text}`",
                "write it without quotes, e.g. `2`" if node.quoted else "",
            )
            return None
        return int(node.text)

    def boolean(self, node: Scalar, spec: schema.Field) -> bool | None:
        if node.quoted or node.text not in (*_TRUE, *_FALSE):
            self.fail(
                node.position,
                f"`{spec.name}` must be true or false, found `{node.text}`",
                "write `true` or `false` (without quotes)",
            )
            return None
        return node.text in _TRUE

    def enum(self, node: Scalar, spec: schema.Field) -> str | None:
        text = node.text.strip()
        if text in spec.choices:
            return text
        choices = ", ".join(spec.choices)
        if spec is AnnotationFields.type:
            message = f"unknown annotation type `{text}` (annotation types: {choices})"
        else:
            message = f"`{spec.name}` must be one of {choices}; found `{text}`"
        self.fail(node.position, message, did_you_mean(text, spec.choices))
        return None


def _describe(node: Node) -> str:
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    if node.tag == "null" and not node.quoted:
        return "nothing"
    return f"`{node.text}`"


def _id_hint(text: str) -> str:
    return (
        "ids use lowercase letters, digits and single hyphens, "
        f"e.g. `{slugify(text) or 'xi-jinping'}`"
    )


def _owning_record(name: str, record: schema.Record) -> str:
    """Where a misplaced field belongs, e.g. `bio` written in an article."""
    if record is schema.ANNOTATION:
        return ""
    if record is schema.ARTICLE and schema.ANNOTATION.field(name):
        return f"an annotation (an entry under `{ArticleFields.annotations.name}:`)"
    return ""


# --- what each keyed file defines, for references into it --------------------


@dataclass(frozen=True)
class Known:
    """The ids a keyed file (people, glossary) defines, for checking references to them."""

    what: str
    """"person" or "term"."""
    file: str
    ids: frozenset[str]
    """Valid ids of entries."""
    written: frozenset[str]
    """Every key as written, valid or not, and the valid form of each broken key: a reference
    to a broken entry, or to the id it is told to become, is not reported again."""
    complete: bool
    """False when the file could not be read: then no reference can be called unknown."""
    names: dict[str, str]
    """Slugs of names and aliases -> id, to suggest the right id for a name."""

    def check(self, reader: _Reader, ref: str, position: Position, spec: schema.Field) -> None:
        if ref in self.ids or ref in self.written or not self.complete:
            return
        hint = did_you_mean(ref, self.ids)
        if not hint and ref in self.names:
            hint = f"did you mean `{self.names[ref]}`?"
        reader.fail(
            position,
            f"`{spec.name}` names unknown {self.what} `{ref}`",
            hint or f"add `{ref}` to {self.file}",
        )


def _known(
    file: YamlFile | None, path: str, what: str, name_fields: Iterable[schema.Field]
) -> Known:
    root = file.root if file else None
    complete = file is None or isinstance(root, MapNode)
    entries = root.entries if isinstance(root, MapNode) else ()
    names: dict[str, str] = {}
    ids = frozenset(k.text for k, _ in entries if _ID_RE.fullmatch(k.text))
    broken = [k.text for k, _ in entries if k.text not in ids]
    for key, node in entries:
        if key.text in ids:  # a broken id is no suggestion: its own error says what to use
            for value in _name_values(node, name_fields):
                names.setdefault(slugify(value), key.text)
    return Known(
        what=what,
        file=path,
        ids=ids,
        written=frozenset([*broken, *(slugify(k) for k in broken), *ids]),
        complete=complete,
        names=names,
    )


def _name_values(node: Node, fields: Iterable[schema.Field]) -> Iterator[str]:
    if not isinstance(node, MapNode):
        return
    for spec in fields:
        value = node.get(spec.name)
        if isinstance(value, Scalar):
            yield value.text
        elif isinstance(value, SeqNode):
            yield from (v.text for v in value.items if isinstance(v, Scalar))


# --- files ----------------------------------------------------------------


def _read_site(reader: _Reader, file: YamlFile | None) -> SiteConfig:
    if file and file.root:
        site = reader.record(file.root, schema.SITE)
    else:
        site = Entry(schema.SITE, Position(_SITE_FILE, 1, 1), {}, {})
    base_url = site.get(SiteFields.base_url, "https://example.invalid/")
    cname = _checked_cname(reader, site)
    _check_cname_matches_base_url(reader, site, cname)
    language = _checked_language(reader, site)
    return SiteConfig(
        title=site.get(SiteFields.title, "Untitled"),
        description=site.get(SiteFields.description, ""),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=language,
        autolink=site.get(SiteFields.autolink, "first"),  # type: ignore[arg-type]  # one of its choices
        cname=cname,
        cjk_lang=_checked_cjk_lang(reader, site),
        words=_site_words(reader, site, language),
    )


def _checked_language(reader: _Reader, site: Entry) -> str:
    """The site's language tag (for `<html lang>`, the feed, its words); `en` when broken."""
    language = site.get(SiteFields.language, "en")
    if not _LANGUAGE_TAG.match(language):
        reader.fail(
            site.at(SiteFields.language),
            f"`{SiteFields.language.name}` must be a language tag such as `en` or `zh-Hans`, "
            f"found `{language}`",
            "write a BCP 47 tag: `en`, `en-GB`, `zh`, `zh-Hans`, `fr`",
        )
        return "en"
    return language


def _site_words(reader: _Reader, site: Entry, language: str) -> words.Words:
    """The theme's words for the site's language and its `strings:`, each override checked
    for placeholders the theme does not fill in; a language with no table of its own is
    warned about, naming the keys that stay English."""
    overrides = {}
    for key, (text, position) in site.get(SiteFields.strings, {}).items():
        unknown = sorted(set(words.PLACEHOLDER.findall(text)) - words.placeholders(key))
        if unknown:
            filled = ", ".join(f"{{{name}}}" for name in sorted(words.placeholders(key)))
            reader.fail(
                position,
                f"`{SiteFields.strings.name}.{key}` uses {{{unknown[0]}}}, "
                "which the theme does not fill in there",
                f"it fills in {filled}" if filled else "this key takes no placeholders",
            )
            continue
        overrides[key] = text
    site_words, missing = words.site_words(language, overrides)
    if missing:
        _warn_missing_words(reader, site, language, missing)
    return site_words


def _warn_missing_words(
    reader: _Reader, site: Entry, language: str, missing: tuple[str, ...]
) -> None:
    every = len(missing) == len(words.keys())
    what = f"all {len(missing)} keys" if every else ", ".join(missing)
    reader.diagnostics.append(
        warning(
            site.at(SiteFields.language, Position(_SITE_FILE, 1, 1)),
            f"no built-in words for `{language}`: the interface stays in English for {what}",
            "built in: " + ", ".join(words.BUILT_IN) + "; give the words of your language under "
            f"`{SiteFields.strings.name}:` in {_SITE_FILE} (every key is listed in "
            "docs/format.md, section 3)",
        )
    )


def _check_cname_matches_base_url(reader: _Reader, site: Entry, cname: str) -> None:
    """Warn when GitHub Pages would serve the site at another host than `base_url` names:
    canonical links, the sitemap and the feed would then point elsewhere."""
    base_url = site.get(SiteFields.base_url)
    if not cname or not base_url:
        return
    url = urlsplit(base_url)
    host = _ascii_host(url.hostname or "")
    if host != cname:
        cname_field, base_url_field = SiteFields.cname.name, SiteFields.base_url.name
        reader.diagnostics.append(
            warning(
                site.at(SiteFields.cname),
                f"`{cname_field}` is `{cname}`, but `{base_url_field}` is at `{host}`",
                f"GitHub Pages will serve the site at `{cname}` while its links point at "
                f"`{host}`: make `{base_url_field}` `{url.scheme}://{cname}/`, "
                f"or leave out `{cname_field}`",
            )
        )


def _ascii_host(host: str) -> str:
    """A host name as CNAME holds it: lower case, international names in their ASCII form."""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _checked_cname(reader: _Reader, site: Entry) -> str:
    """A bare host name, as GitHub Pages wants in CNAME; anything else is a located error."""
    cname = site.get(SiteFields.cname, "")
    if cname and not _HOSTNAME.match(cname.lower()):
        reader.fail(
            site.at(SiteFields.cname),
            f"`{SiteFields.cname.name}` must be a bare domain name, found `{cname}`",
            "write only the host, e.g. `annotated.example.org` (no https://, no path)",
        )
        return ""
    return cname.lower()


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def _checked_cjk_lang(reader: _Reader, site: Entry) -> str:
    """A BCP 47 tag for the pages' `lang` attributes; anything else is a located error."""
    lang = site.get(SiteFields.cjk_lang, "zh-Hans")
    if not _LANGUAGE_TAG.match(lang):
        reader.fail(
            site.at(SiteFields.cjk_lang),
            f"`{SiteFields.cjk_lang.name}` must be a language tag such as `zh-Hans`, "
            f"found `{lang}`",
            "write a BCP 47 tag: `zh-Hans`, `zh-Hant`, `ja`, `ko`",
        )
        return "zh-Hans"
    return lang


def _keyed_records(
    reader: _Reader, file: YamlFile | None, record: schema.Record
) -> Iterable[tuple[str, Entry, Position]]:
    if file is None or file.root is None:
        return
    if not isinstance(file.root, MapNode):
        if not (isinstance(file.root, Scalar) and file.root.is_invalid):
            reader.fail(
                file.root.position,
                f"expected a mapping of ids to {record.name} entries, found {_describe(file.root)}",
                f"start each {record.name} with its id and a colon, e.g. `xi-jinping:`",
            )
        return
    for key, node in file.root.entries:
        if not _ID_RE.fullmatch(key.text):
            reader.fail(key.position, f"`{key.text}` is not a valid id", _id_hint(key.text))
            continue
        yield key.text, reader.record(node, record), key.position


def _texts(entry: Entry, spec: schema.Field[tuple[schema.Item, ...]]) -> tuple[str, ...]:
    return tuple(text for text, _ in entry.get(spec, ()))


def _read_people(reader: _Reader, file: YamlFile | None) -> list[Person]:
    return [
        _person(pid, entry, position)
        for pid, entry, position in _keyed_records(reader, file, schema.PERSON)
    ]


def _person(pid: str, entry: Entry, position: Position) -> Person:
    return Person(
        id=pid,
        name=entry.get(PersonFields.name, pid),
        native=entry.get(PersonFields.native, ""),
        aliases=_texts(entry, PersonFields.aliases),
        summary=entry.get(PersonFields.summary, ""),
        bio=entry.get(PersonFields.bio, ""),
        roles=tuple(
            Role(
                role.get(RoleFields.title, ""),
                role.get(RoleFields.from_, ""),
                role.get(RoleFields.to, ""),
            )
            for role in entry.get(PersonFields.roles, ())
        ),
        links=tuple(
            WebLink(link.get(LinkFields.label, url), url)
            for link in entry.get(PersonFields.links, ())
            if (url := link.get(LinkFields.url)) is not None
        ),
        position=position,
    )


def _read_terms(reader: _Reader, file: YamlFile | None, known: Known) -> list[Term]:
    terms = []
    for tid, entry, position in _keyed_records(reader, file, schema.TERM):
        for ref, ref_position in entry.get(TermFields.see_also, ()):
            known.check(reader, ref, ref_position, TermFields.see_also)
        terms.append(_term(tid, entry, position))
    return terms


def _term(tid: str, entry: Entry, position: Position) -> Term:
    return Term(
        id=tid,
        term=entry.get(TermFields.term, tid),
        native=entry.get(TermFields.native, ""),
        transliteration=entry.get(TermFields.transliteration, ""),
        aliases=_texts(entry, TermFields.aliases),
        renderings=tuple(
            Rendering(text, rendering.get(RenderingFields.by, ""))
            for rendering in entry.get(TermFields.renderings, ())
            if (text := rendering.get(RenderingFields.text)) is not None
        ),
        definition=entry.get(TermFields.definition, ""),
        see_also=_texts(entry, TermFields.see_also),
        position=position,
    )


@dataclass(frozen=True)
class _References:
    """What annotations may refer to, and the explicit ids seen so far across articles."""

    people: Known
    terms: Known
    explicit_ids: dict[str, Position]
    """Editor-written annotation id -> where it was first written, site-wide."""


def _read_article(
    reader: _Reader, file: YamlFile, root: Path, refs: _References
) -> ArticleSpec | None:
    slug = PurePosixPath(file.path).stem
    file_position = Position(file.path, 1, 1)
    if not _ID_RE.fullmatch(slug):
        reader.fail(
            Position(file.path),
            f"the file name `{slug}` is not a valid article slug",
            f"rename the file to `{slugify(slug) or 'my-article'}.yaml`: slugs use "
            "lowercase letters, digits and hyphens",
        )
    if file.root is None:
        return None
    article = reader.record(file.root, schema.ARTICLE)
    source = article.get(ArticleFields.source, "")
    source_position = article.at(ArticleFields.source, file_position)
    if source:
        source = _check_source(reader, root, source, source_position)
    annotations = tuple(
        a
        for entry in article.get(ArticleFields.annotations, ())
        if (a := _read_annotation(reader, entry, refs)) is not None
    )
    return ArticleSpec(
        slug=slug,
        path=file.path,
        source=source,
        source_position=source_position,
        title=article.get(ArticleFields.title, slug),
        publisher=article.get(ArticleFields.publisher, ""),
        date=article.get(ArticleFields.date),
        original_url=article.get(ArticleFields.original_url, ""),
        body_starts_at=article.get(ArticleFields.body_starts_at, ""),
        body_starts_at_position=article.at(ArticleFields.body_starts_at, file_position),
        annotations=annotations,
    )


def _check_source(reader: _Reader, root: Path, source: str, position: Position) -> str:
    """Return the seed path normalised, or "" after reporting why it cannot be used."""
    resolved_root = root.resolve()
    outcome = _resolve_seed(resolved_root, source)
    if isinstance(outcome, Path):
        return outcome.relative_to(resolved_root).as_posix()
    reader.fail(position, *outcome)
    return ""


def _resolve_seed(root: Path, source: str) -> Path | tuple[str, str]:
    """The file `source` names, or why it cannot be used (message, hint).

    The path is resolved (symlinks followed) before it is checked, so neither
    `../`, nor an absolute path, nor a link can make the build read outside the project.
    """
    field = f"`{ArticleFields.source.name}`"
    inside = "write it relative to the project folder, e.g. `seeds/my-text.txt`"
    if any(ord(ch) < 32 for ch in source):
        return f"{field} contains a control character", "retype the path"
    relative = PurePosixPath(source.replace("\\", "/"))
    if relative.is_absolute() or re.match(r"^[A-Za-z]:", source) or source.startswith("~"):
        return f"{field} must be a path inside the project, found `{source}`", inside
    try:
        target = (root / relative).resolve()
        as_written = Path(os.path.normpath(root / relative))
    except RuntimeError:
        return f"the seed `{source}` is a link that leads round in a loop", "point it at a file"
    except (OSError, ValueError) as exc:
        return f"the seed `{source}` cannot be read: {exc}", ""
    if not target.is_relative_to(root):
        copy = "seeds must live inside the project, e.g. in `seeds/`: copy the file there"
        if as_written.is_relative_to(root):
            return f"{field} is a link to a file outside the project: `{source}`", copy
        return f"{field} points outside the project: `{source}`", copy
    try:  # stat, not open: a FIFO or a device is named for what it is, and never waited on
        mode = target.stat().st_mode
    except FileNotFoundError:
        return f"the seed `{source}` does not exist", _closest_seed_hint(root, source)
    except (OSError, ValueError) as exc:
        return f"the seed `{source}` cannot be read: {exc}", ""
    if not stat.S_ISREG(mode):
        return f"the seed `{source}` is {file_kind(mode)}, not a file", _closest_seed_hint(
            root, source
        )
    return target


def _closest_seed_hint(root: Path, source: str) -> str:
    seeds_dir = root / "seeds"
    seeds = [
        p.relative_to(root).as_posix()
        for p in sorted(seeds_dir.glob("*") if seeds_dir.is_dir() else ())
        if p.is_file()
    ]
    return did_you_mean(source, seeds) or ("seeds present: " + ", ".join(seeds) if seeds else "")


def _read_annotation(reader: _Reader, entry: Entry, refs: _References) -> AnnotationSpec | None:
    kind = entry.get(AnnotationFields.type)
    if kind is None:
        return None
    _check_fields_fit_type(reader, kind, entry)
    target_field = schema.TARGET_FIELDS.get(kind)
    target = entry.get(target_field, "") if target_field else ""
    if target_field and target:
        known = refs.terms if kind == "term" else refs.people
        known.check(reader, target, entry.at(target_field), target_field)
    ident = entry.get(AnnotationFields.id)
    if ident is not None:
        # Kept where first written; repeats within an article are the anchor stage's.
        refs.explicit_ids.setdefault(ident, entry.at(AnnotationFields.id))
    text = entry.get(AnnotationFields.text)
    if text is None:
        return None
    return AnnotationSpec(
        type=kind,  # type: ignore[arg-type]  # one of its choices
        text=text,
        prefix=entry.get(AnnotationFields.prefix, ""),
        suffix=entry.get(AnnotationFields.suffix, ""),
        occurrence=entry.get(AnnotationFields.occurrence),
        all=entry.get(AnnotationFields.all, False),
        id=ident or "",
        target=target,
        note=entry.get(AnnotationFields.note, ""),
        position=entry.position,
        text_position=entry.at(AnnotationFields.text),
    )


def _check_fields_fit_type(reader: _Reader, kind: str, entry: Entry) -> None:
    for spec in schema.fields_not_allowed(kind):
        if not entry.written(spec):
            continue
        owner = schema.TYPE_ONLY_FIELDS.get(spec.name)
        if owner:
            reader.fail(
                entry.at(spec),
                f"`{spec.name}` belongs to {_a(owner)}, not {_a(kind)}",
                f"remove it, or change `{AnnotationFields.type.name}` to {owner}",
            )
        else:
            reader.fail(
                entry.at(spec),
                f"{_a(kind)} cannot carry a `{spec.name}`",
                f"add a separate annotation of type {spec.name} on the same text",
            )
    for _field, value, needs in schema.ANNOTATION.variants:
        for need in needs if value == kind else ():
            if not entry.written(need):
                reader.fail(
                    entry.position,
                    f"{_a(kind)} needs `{need.name}`",
                    f"add `{need.name}:` ({need.doc.rstrip('.')})",
                )
    for spec, flag in schema.ANNOTATION.exclusive:
        if entry.get(spec) is not None and entry.get(flag):
            reader.fail(
                entry.at(spec),
                f"`{spec.name}` and `{flag.name}: true` exclude each other",
                "keep one of them",
            )


def _repeated_id(reader: _Reader, ident: str, position: Position, earlier: Position) -> None:
    """An editor's id names one passage site-wide; repeats within an article are the anchor stage's."""
    reader.fail(
        position,
        f"the id `{ident}` is already used in {earlier.path} (line {earlier.line})",
        f"an annotation's `{AnnotationFields.id.name}` must be unique across all articles; "
        "rename one of them",
    )


# --- cross-references -----------------------------------------------------


def _check_collisions(reader: _Reader, items: list[tuple[str, Position, str]]) -> None:
    """Ids that differ only in case would overwrite each other on case-insensitive storage."""
    seen: dict[str, tuple[str, Position]] = {}
    for ident, position, what in items:
        folded = ident.casefold()
        if folded not in seen:
            seen[folded] = (ident, position)
            continue
        other, where = seen[folded]
        place = f"line {where.line} of {where.path}" if where.line else where.path
        reader.fail(
            position,
            f"the {what} `{ident}` collides with `{other}` ({place})",
            "pages whose names differ only in case overwrite each other on many file "
            "systems and web hosts; rename one of them",
        )


@dataclass(frozen=True)
class Catalog:
    """Site settings, people and terms: what every article is checked against."""

    site: SiteConfig
    people: tuple[Person, ...]
    """Sorted by id."""
    terms: tuple[Term, ...]
    """Sorted by id."""
    known_people: Known
    known_terms: Known


def validate_catalog(files: ContentFiles) -> tuple[Catalog, list[Diagnostic]]:
    """Check site.yaml, people.yaml and glossary.yaml, and build their part of the model."""
    reader = _Reader()
    site = _read_site(reader, files.site)
    known_people = _known(
        files.people, "content/people.yaml", "person", (PersonFields.name, PersonFields.aliases)
    )
    known_terms = _known(
        files.glossary, "content/glossary.yaml", "term", (TermFields.term, TermFields.aliases)
    )
    people = sorted(_read_people(reader, files.people), key=lambda p: p.id)
    terms = sorted(_read_terms(reader, files.glossary, known_terms), key=lambda t: t.id)
    catalog = Catalog(site, tuple(people), tuple(terms), known_people, known_terms)
    return catalog, reader.diagnostics


@dataclass(frozen=True)
class CheckedArticle:
    """One article checked by itself; what depends on other articles is `validate_across`'s."""

    spec: ArticleSpec | None
    """None when the file could not be read as an article at all."""
    explicit_ids: tuple[tuple[str, Position], ...]
    """The ids its editor wrote, each where first written, for the site-wide uniqueness check."""
    diagnostics: tuple[Diagnostic, ...]


def validate_article(file: YamlFile, root: Path, people: Known, terms: Known) -> CheckedArticle:
    """Check one article against the schema and the ids of people and terms."""
    reader = _Reader()
    refs = _References(people, terms, explicit_ids={})
    spec = _read_article(reader, file, root, refs)
    return CheckedArticle(spec, tuple(refs.explicit_ids.items()), tuple(reader.diagnostics))


def validate_across(articles: Iterable[CheckedArticle]) -> list[Diagnostic]:
    """What no article can check alone: explicit ids unique site-wide, slugs distinct in any case.

    `articles` in file order: the first file to use an id keeps it.
    """
    reader = _Reader()
    checked = list(articles)
    # A preview rebuild asks this of every id of every article: counted first, the ids are
    # looked at one by one only when some id is used twice.
    every: dict[str, Position] = {}
    for article in checked:
        every.update(article.explicit_ids)  # each article's ids are distinct already
    if len(every) != sum(len(article.explicit_ids) for article in checked):
        seen: dict[str, Position] = {}
        for article in checked:
            for ident, position in article.explicit_ids:
                earlier = seen.setdefault(ident, position)
                if earlier is not position and earlier.path != position.path:
                    _repeated_id(reader, ident, position, earlier)
    specs = sorted((a.spec for a in checked if a.spec is not None), key=operator.attrgetter("slug"))
    if len({spec.slug.casefold() for spec in specs}) != len(specs):
        _check_collisions(reader, [(a.slug, Position(a.path), "article") for a in specs])
    return reader.diagnostics
