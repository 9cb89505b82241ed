"""Targeted edits of an article's YAML: change a few fields of one annotation, keep every
other byte (comments, order, quoting, blank lines, line endings) as the editor wrote it.

A round-trip YAML library would re-emit the whole file (ruamel.yaml re-indents, folds long
lines and normalises quoting: see docs/anchoring.md), so the edits are made on the text
itself, at the places libyaml's parser events give: a value is replaced where it is
written, a missing key is added on a line of its own after `text`, a removed key's lines
are deleted. Values are always written in a form that reads back as exactly the string
given (`yaml_quote`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

try:  # the same parser the loader uses, so positions agree with its messages
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class YamlEditError(ValueError):
    """The edit cannot be made without touching more than the fields named."""


@dataclass(frozen=True)
class FieldEdit:
    """Set `name` to `value` (a string or a count), or remove it when `value` is None."""

    name: str
    value: str | int | None


@dataclass(frozen=True)
class _Span:
    """Where a key or value is written: code-point offsets into the text, 0-based lines."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    style: str | None
    """The scalar's style (`"`, `'`, `|`, `>` or None for plain); `{` / `[` for flow
    collections, `block` for block collections."""


@dataclass(frozen=True)
class _Mapping:
    """One mapping of the file, its keys in file order."""

    line: int
    column: int
    block: bool
    entries: tuple[tuple[str, _Span, _Span], ...]


# --- reading where things are ---------------------------------------------------------------


def _mappings(text: str) -> list[_Mapping]:
    """Every mapping in the document, with where each of its keys and values is written."""
    found: list[_Mapping] = []
    # Open collections: their start event, and their items so far as (span, scalar text).
    stack: list[tuple[yaml.Event, list[tuple[_Span, str]]]] = []
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append((event, []))
            continue
        if isinstance(event, yaml.ScalarEvent):
            item = (_span(event, event, event.style or None), event.value)
        elif isinstance(event, yaml.AliasEvent):
            item = (_span(event, event, "*"), "")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            start, items = stack.pop()
            is_map = isinstance(start, yaml.MappingStartEvent)
            flow = bool(start.flow_style)
            span = _span(start, event, ("{" if is_map else "[") if flow else "block")
            if is_map:
                found.append(_mapping(span, items, not flow))
            item = (span, "")
        else:
            continue
        if stack:
            stack[-1][1].append(item)
    return found


def _span(start: yaml.Event, end: yaml.Event, style: str | None) -> _Span:
    return _Span(
        start.start_mark.index,
        end.end_mark.index,
        start.start_mark.line,
        start.start_mark.column,
        end.end_mark.line,
        style,
    )


def _mapping(span: _Span, items: list[tuple[_Span, str]], block: bool) -> _Mapping:
    """Pair a mapping's items, key after value, into entries."""
    entries = tuple(
        (key_text, key, value)
        for (key, key_text), (value, _) in zip(items[::2], items[1::2], strict=True)
    )
    return _Mapping(span.line, span.column, block, entries)


# --- writing values ---------------------------------------------------------------------------

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
# What YAML lets stand unescaped inside double quotes on one line: printable characters
# that are no line break (NEL and the Unicode separators would be folded) and no BOM.
_UNESCAPED = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN = re.compile(r"[A-Za-z0-9\u00c0-\ufefe\uff00-\ufffd][^:#\"'\\\x00-\x1f\x7f-\x9f]*")


def yaml_quote(value: str) -> str:
    """`value` as a YAML double-quoted scalar on one line, that reads back as exactly `value`."""
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _UNESCAPED.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def yaml_scalar(value: str | int, keep_plain: bool = False) -> str:
    """A count as written; a string plain when `keep_plain` and it reads back the same as a
    plain scalar (ordinary words), else double-quoted."""
    if isinstance(value, int):
        return str(value)
    if keep_plain and _reads_back_plain(value):
        return value
    return yaml_quote(value)


def _reads_back_plain(value: str) -> bool:
    if not _PLAIN.fullmatch(value) or value != value.strip() or not value.isprintable():
        return False
    resolved = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))
    return resolved == "tag:yaml.org,2002:str"


# --- the edits --------------------------------------------------------------------------------


_ORDER = ("text", "prefix", "suffix", "occurrence", "id")
"""The order in which keys are added: the anchor's fields as FORMAT.md lists them."""


def edit_item(text: str, line: int, column: int, edits: Sequence[FieldEdit]) -> str:
    """The text with `edits` made to the block mapping that starts at `line`:`column`
    (1-based, as the loader's positions count); every other character unchanged."""
    mapping = _find_mapping(text, line, column)
    changes: list[tuple[int, int, str]] = []  # (start, end, replacement), disjoint
    additions: list[FieldEdit] = []
    names = [name for name, _, _ in mapping.entries]
    for edit in edits:
        if edit.name in names:
            index = names.index(edit.name)
            if edit.value is None:
                changes.append(_removal(text, mapping, index))
            else:
                _, _, value = mapping.entries[index]
                changes.append(_replacement(text, value, edit.value))
        elif edit.value is not None:
            additions.append(edit)
    if additions:
        additions.sort(key=lambda e: _ORDER.index(e.name) if e.name in _ORDER else len(_ORDER))
        changes.append(_insertion(text, mapping, additions))
    for start, end, replacement in sorted(changes, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _find_mapping(text: str, line: int, column: int) -> _Mapping:
    try:
        mappings = _mappings(text)
    except yaml.YAMLError as exc:
        raise YamlEditError(f"the file is not valid YAML: {exc}") from exc
    for mapping in mappings:
        if (mapping.line + 1, mapping.column + 1) == (line, column):
            if not mapping.block:
                raise YamlEditError("the annotation is written in flow style ({...})")
            return mapping
    raise YamlEditError(f"no mapping starts at line {line}, column {column}")


def _replacement(text: str, value: _Span, new: str | int) -> tuple[int, int, str]:
    if value.style in ("{", "[", "block", "*"):
        raise YamlEditError("the value to replace is not a plain value")
    # A block scalar's span runs over the blank lines after it: those stay.
    end = value.start + len(text[value.start : value.end].rstrip())
    return value.start, end, yaml_scalar(new, keep_plain=value.style is None)


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def _line_end(text: str, offset: int) -> int:
    """The offset just after the line break of the line `offset` is on (or the text's end)."""
    match = re.compile(r"\r\n|\r|\n").search(text, offset)
    return match.end() if match else len(text)


def _removal(text: str, mapping: _Mapping, index: int) -> tuple[int, int, str]:
    """Delete a key and its value: their whole lines, or up to the next key when the key
    shares its line with the list's `- `."""
    _, key, value = mapping.entries[index]
    value_end = value.start + len(text[value.start : value.end].rstrip())
    start = _line_start(text, key.start)
    if text[start : key.start].strip():  # `- occurrence: 2`: the next key moves up
        if index + 1 >= len(mapping.entries):
            raise YamlEditError("the only key on the list item's line cannot be removed alone")
        return key.start, mapping.entries[index + 1][1].start, ""
    return start, _line_end(text, value_end), ""


def _insertion(text: str, mapping: _Mapping, additions: list[FieldEdit]) -> tuple[int, int, str]:
    """New keys on lines of their own after the last anchor field there is (`text`,
    `prefix`, `suffix`, `occurrence`; else the last key), at the indent of the keys."""
    names = [name for name, _, _ in mapping.entries]
    anchors = [i for i, name in enumerate(names) if name in _ORDER[:4]]
    _, _, value = mapping.entries[anchors[-1] if anchors else len(names) - 1]
    value_end = value.start + len(text[value.start : value.end].rstrip())
    at = _line_end(text, value_end)
    newline = _newline_of(text, value_end)
    lead = "" if at > 0 and text[at - 1] in "\r\n" else newline
    indent = " " * mapping.column
    lines = "".join(
        f"{indent}{edit.name}: {yaml_scalar(edit.value, keep_plain=True)}{newline}"
        for edit in additions
        if edit.value is not None
    )
    return at, at, lead + lines


def _newline_of(text: str, offset: int) -> str:
    """The line break the file uses at `offset` (its first one when that line has none)."""
    match = re.compile(r"\r\n|\r|\n").search(text, offset) or re.compile(r"\r\n|\r|\n").search(text)
    return match.group() if match else "\n"
