"""Load stage: read YAML and seed files into plain trees that remember where each value came from.

YAML is composed (parsed to nodes) with libyaml when available, but never
constructed: scalars keep their source text, so that the validate stage can
read `no`, `010` or `1.10` as the strings an editor meant wherever the schema
expects a string, and turn text into dates or numbers only where it expects
those. Anchors and aliases are refused (they serve no editor and make alias
bombs possible), and so are explicit tags such as `!!python/object`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Diagnostic, Position, error

try:  # libyaml's composer is an order of magnitude faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CORE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


@dataclass(frozen=True)
class Scalar:
    """A YAML scalar as written: its text, and whether YAML would have guessed a type for it."""

    text: str
    tag: str
    """The type YAML resolved ("str", "int", "bool", "null", "timestamp", "float")."""
    quoted: bool
    """Quoted or block scalars are always strings; plain ones are what the schema makes of them."""
    position: Position


@dataclass(frozen=True)
class MapNode:
    """A YAML mapping, keys in file order (duplicates are refused at load time)."""

    entries: tuple[tuple[Scalar, Node], ...]
    position: Position

    def get(self, key: str) -> Node | None:
        for k, value in self.entries:
            if k.text == key:
                return value
        return None


@dataclass(frozen=True)
class SeqNode:
    """A YAML sequence."""

    items: tuple[Node, ...]
    position: Position


Node = Scalar | MapNode | SeqNode


@dataclass(frozen=True)
class YamlFile:
    """One content file: its tree (None when it could not be parsed) and its text for messages."""

    path: str
    """Relative to the project, forward slashes."""
    text: str
    root: Node | None


@dataclass(frozen=True)
class TextFile:
    """A seed text, decoded."""

    path: str
    text: str


def load_yaml_text(path: str, raw: bytes) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse one YAML document, returning its tree and every problem found in it."""
    text, problems = decode_utf8(path, raw)
    if text is None:
        return YamlFile(path, "", None), problems
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(_is_comment_or_blank(line) for line in text.splitlines()):
        return YamlFile(path, text, None), [error(Position(path, 1, 1), "the file is empty")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return YamlFile(path, text, None), [_syntax_error(path, text, exc)]
    except yaml.YAMLError as exc:  # errors without a mark (rare: stream-level problems)
        return YamlFile(path, text, None), [error(Position(path, 1, 1), f"YAML: {exc}")]
    diagnostics: list[Diagnostic] = []
    root = _convert(path, node, diagnostics, set())
    return YamlFile(path, text, root if not diagnostics else None), diagnostics


def decode_utf8(path: str, raw: bytes) -> tuple[str | None, list[Diagnostic]]:
    """Decode UTF-8 text, naming the first bad byte's line, column and offset when it is not."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return None, [
            error(
                Position(path, line, column),
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="save it as UTF-8 (most editors: 'Save with encoding' / 'Reopen with encoding')",
            )
        ]


def load_text_file(root: Path, relpath: str) -> tuple[TextFile | None, list[Diagnostic]]:
    """Read a seed; a missing or undecodable file is a diagnostic, not an exception."""
    try:
        raw = (root / relpath).read_bytes()
    except OSError as exc:
        return None, [error(Position(relpath), f"cannot read the file: {exc.strerror}")]
    text, problems = decode_utf8(relpath, raw)
    return (TextFile(relpath, text) if text is not None else None), problems


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


_SYNTAX_HINTS = (
    ("found character '\\t'", "indent with spaces: YAML does not allow tabs for indentation"),
    ("mapping values are not allowed", "quote it: values containing `: ` need quotes"),
    ("found undefined alias", "anchors and aliases (`&`, `*`) are not supported here"),
    ("did not find expected key", "check the indentation of this line and the one above"),
    ("could not find expected ':'", "a key needs `: ` after it, or the value needs quotes"),
    ("found unexpected end of stream", "a quote or bracket opened above is never closed"),
    ("did not find expected", "check the indentation, or quote the value"),
)


def _syntax_error(path: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1) if mark else 1
    column = (mark.column + 1) if mark else 1
    problem = exc.problem or exc.context or "invalid YAML"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in str(exc)), "")
    return error(Position(path, line, column), f"invalid YAML: {problem}", hint=hint)


def _position(path: str, node: yaml.Node) -> Position:
    return Position(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(path: str, node: yaml.Node, out: list[Diagnostic], seen: set[int]) -> Node:
    """Turn a composed node into our tree, refusing aliases, explicit tags and duplicate keys."""
    position = _position(path, node)
    if id(node) in seen:  # the composer shares one node object between an anchor and its aliases
        out.append(error(position, "anchors and aliases (`&`, `*`) are not supported"))
        return Scalar("", "null", False, position)
    seen.add(id(node))
    if node.tag not in _CORE_TAGS:
        out.append(
            error(
                position,
                f"the tag `{node.tag.replace('tag:yaml.org,2002:', '!!')}` is not allowed",
                hint="remove the tag: content files hold plain text, lists and mappings",
            )
        )
        return Scalar("", "null", False, position)
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag.rsplit(":", 1)[-1]
        return Scalar(node.value, tag, node.style is not None and node.style != "", position)
    if isinstance(node, yaml.SequenceNode):
        return SeqNode(tuple(_convert(path, item, out, seen) for item in node.value), position)
    return _convert_mapping(path, node, out, seen, position)


def _convert_mapping(
    path: str, node: yaml.MappingNode, out: list[Diagnostic], seen: set[int], position: Position
) -> MapNode:
    entries: list[tuple[Scalar, Node]] = []
    first_seen: dict[str, Position] = {}
    for key_node, value_node in node.value:
        key = _convert(path, key_node, out, seen)
        if not isinstance(key, Scalar):
            out.append(error(key.position, "a key must be plain text, not a list or mapping"))
            continue
        if key.tag == "merge" or (key.text == "<<" and not key.quoted):
            out.append(error(key.position, "merge keys (`<<`) are not supported"))
            continue
        if key.text in first_seen:
            earlier = first_seen[key.text]
            out.append(
                error(
                    key.position,
                    f"duplicate key `{key.text}` (first defined on line {earlier.line})",
                    hint="YAML keeps only one of them; remove or rename the other",
                )
            )
            continue
        first_seen[key.text] = key.position
        entries.append((key, _convert(path, value_node, out, seen)))
    return MapNode(tuple(entries), position)


@dataclass(frozen=True)
class ContentFiles:
    """Every content file of a project, parsed but not yet checked against the schema."""

    site: YamlFile | None
    people: YamlFile | None
    glossary: YamlFile | None
    articles: tuple[YamlFile, ...]
    """Sorted by path, so every later stage sees articles in one fixed order."""


def load_content(root: Path) -> tuple[ContentFiles, list[Diagnostic]]:
    """Read `content/` below the project root: site, people, glossary and every article."""
    diagnostics: list[Diagnostic] = []

    def read(relpath: str, required: bool) -> YamlFile | None:
        try:
            raw = (root / relpath).read_bytes()
        except FileNotFoundError:
            if required:
                diagnostics.append(
                    error(Position(relpath), "missing file", hint="see FORMAT.md section 3")
                )
            return None
        except OSError as exc:
            diagnostics.append(error(Position(relpath), f"cannot read the file: {exc.strerror}"))
            return None
        loaded, problems = load_yaml_text(relpath, raw)
        diagnostics.extend(problems)
        return loaded

    articles_dir = root / "content" / "articles"
    article_paths = sorted(articles_dir.glob("*.yaml")) if articles_dir.is_dir() else []
    content = ContentFiles(
        site=read("content/site.yaml", required=True),
        people=read("content/people.yaml", required=False),
        glossary=read("content/glossary.yaml", required=False),
        articles=tuple(
            f
            for p in article_paths
            if (f := read(p.relative_to(root).as_posix(), required=True)) is not None
        ),
    )
    return content, diagnostics
