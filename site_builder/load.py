"""Load stage: read YAML and seed files into plain trees that remember where each value came from.

YAML is parsed with libyaml when available, and our tree is built straight
from the parser's events: nothing is ever constructed into Python objects, so
no tag can run code, and scalars keep their source text. The validate stage
then reads `no`, `010` or `1.10` as the strings an editor meant wherever the
schema expects a string, and turns text into dates or numbers only where it
expects those. Anchors and aliases are refused where they are written (they
serve no editor and make alias bombs possible), and so are explicit tags such
as `!!python/object`, duplicate keys and nesting deep enough to hurt.

A file with such problems still yields its tree, with every refused value
replaced by an `invalid` scalar that later stages pass over in silence: the
problem is reported once, here, and the rest of the file is still checked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from .errors import Diagnostic, Position, error

try:  # libyaml's parser is an order of magnitude faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CORE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge")
)
INVALID = "invalid"
"""The tag of a value the load stage refused and already reported."""
_MAX_DEPTH = 32
"""Content files nest four or five levels; far deeper is a mistake, or an attack on the parser."""
# Characters YAML 1.1 forbids in a stream (C0 controls but tab and line breaks, DEL, C1 but NEL,
# surrogates, U+FFFE/U+FFFF). libyaml reports them with a byte offset; we name line and column.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
EMPTY_FILE_HINT = "write at least one entry, or delete the file"


class Scalar(NamedTuple):
    """A YAML scalar as written: its text, and whether YAML would have guessed a type for it.

    A named tuple, like Position, because the loader makes one per value: immutable, and
    several times faster to build than a frozen dataclass.
    """

    text: str
    tag: str
    """The type YAML resolved ("str", "int", "bool", "null", "timestamp", "float"), or `invalid`."""
    quoted: bool
    """Quoted or block scalars are always strings; plain ones are what the schema makes of them."""
    position: Position

    @property
    def is_invalid(self) -> bool:
        """True for a value refused at load time (a tag, an alias); already reported."""
        return self.tag == INVALID


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
    """Without the byte-order mark, if the file had one."""
    bom: bool = False
    """Whether the file started with a byte-order mark."""


def load_yaml_text(
    path: str, raw: bytes, empty_hint: str = EMPTY_FILE_HINT
) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse one YAML document, returning its tree and every problem found in it."""
    text, problems = decode_utf8(path, raw)
    if text is None:
        return YamlFile(path, "", None), problems
    text = text.removeprefix("\ufeff")  # a byte-order mark is encoding, not content
    if (bad := _NOT_PRINTABLE.search(text)) is not None:
        return YamlFile(path, text, None), [_unprintable(path, text, bad.start())]
    builder = _TreeBuilder(path)
    try:
        root = builder.build(text)
    except yaml.MarkedYAMLError as exc:
        return YamlFile(path, text, None), [_syntax_error(path, text, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors are caught before
        return YamlFile(path, text, None), [error(Position(path, 1, 1), f"invalid YAML: {exc}")]
    if not builder.problems and (root is None or _is_null(root)):
        return YamlFile(path, text, None), [
            error(Position(path, 1, 1), "the file is empty", hint=empty_hint)
        ]
    return YamlFile(path, text, root), builder.problems


def _is_null(node: Node) -> bool:
    """A document that is only `---`, comments or `~`: nothing an editor meant to write."""
    return isinstance(node, Scalar) and node.tag == "null" and not node.quoted


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
    if text is None:
        return None, problems
    # A leading byte-order mark says how the file is encoded; it is not part of the text.
    return TextFile(relpath, text.removeprefix("\ufeff"), text.startswith("\ufeff")), problems


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _unprintable(path: str, text: str, offset: int) -> Diagnostic:
    line, column = _line_column(text, offset)
    return error(
        Position(path, line, column),
        f"the file contains the control character U+{ord(text[offset]):04X}, which YAML does not allow",
        hint="delete it (it is invisible in most editors: try retyping this part of the line)",
    )


# --- syntax errors ----------------------------------------------------------

_SYNTAX_HINTS = (
    ("mapping values are not allowed", "quote it: values containing `: ` need quotes"),
    ("found undefined alias", "anchors and aliases (`&`, `*`) are not supported here"),
    ("expected '-' indicator", "list items (`- `) of one list start in the same column"),
    (
        "did not find expected key",
        "check the indentation of this line and the one above, or quote a value that starts with a quote but goes on after it",
    ),
    ("could not find expected ':'", "a key needs `: ` after it, or the value needs quotes"),
    ("found unexpected end of stream", "a quote or bracket opened above is never closed"),
    ("but found another document", "a content file holds one document: remove the `---` line"),
    (
        "found character that cannot start any token",
        "quote the value: `@` and `` ` `` cannot start plain text",
    ),
    ("did not find expected", "check the indentation, or quote the value"),
)


def _syntax_error(path: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 1) if mark else 1
    column = (mark.column + 1) if mark else 1
    if _char_at(text, line, column) == "\t":
        return error(
            Position(path, line, column),
            "invalid YAML: a tab character in the indentation",
            hint="indent with spaces: YAML does not allow tabs for indentation",
        )
    problem = exc.problem or exc.context or "invalid YAML"
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in str(exc)), "")
    if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
        hint = "\n".join(filter(None, [f"{exc.context} (line {exc.context_mark.line + 1})", hint]))
    return error(Position(path, line, column), f"invalid YAML: {problem}", hint=hint)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if line > len(lines) or column > len(lines[line - 1]):
        return ""
    return lines[line - 1][column - 1]


@dataclass
class _Open:
    """A mapping or list whose end event has not come yet."""

    kind: type[MapNode] | type[SeqNode]
    position: Position
    items: list[Node]
    """A list's items; in a mapping, the key read and waiting for its value."""
    invalid: bool = False
    """Refused (an explicit tag): read to its end, then replaced by one invalid value."""
    keys: dict[str, Position] | None = None
    """In a mapping: where each key was first written, to name both lines of a duplicate."""
    entries: list[tuple[Scalar, Node]] | None = None


class _TreeBuilder:
    """Build our tree from the parser's events, in one pass and without recursion.

    Working from events rather than composed nodes, every `&anchor` and
    `*alias` is refused where it is written (the composer would hand an alias
    back as the very node it names, expanding an alias bomb), and nesting depth
    is bounded before anything deep is built.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Diagnostic] = []
        self.resolver = yaml.resolver.Resolver()
        self.resolved: dict[tuple[str, tuple[bool, bool]], str] = {}
        self.stack: list[_Open] = []
        self.root: Node | None = None

    def build(self, text: str) -> Node | None:
        documents = 0
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:  # by far the most common: tested first, exactly
                self.add(self.scalar(event))
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail(event, "invalid YAML: a second document in the file", _ONE_DOCUMENT)
                    return None
            elif kind is yaml.AliasEvent:
                self.fail(event, f"the alias `*{event.anchor}`: {_NO_ALIASES}", _WRITE_IT_OUT)
                self.add(Scalar("", INVALID, False, self.position(event)))
            elif isinstance(event, yaml.CollectionStartEvent):
                if not self.open(event):
                    return None
            elif isinstance(event, yaml.CollectionEndEvent):
                self.close()
        return self.root

    def position(self, event: yaml.Event) -> Position:
        return Position(self.path, event.start_mark.line + 1, event.start_mark.column + 1)

    def fail(self, event: yaml.Event, message: str, hint: str = "") -> None:
        self.problems.append(error(self.position(event), message, hint))

    def refuse_anchor_and_tag(self, event: yaml.NodeEvent) -> bool:
        """Report an anchor or a non-core tag; True when the value itself must be refused."""
        if event.anchor is not None:
            self.fail(event, f"the anchor `&{event.anchor}`: {_NO_ALIASES}", _WRITE_IT_OUT)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS and tag != "!":
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.fail(event, f"the tag `{shown}` is not allowed", _NO_TAGS)
            return True
        return False

    def scalar(self, event: yaml.ScalarEvent) -> Scalar:
        position = self.position(event)
        if self.refuse_anchor_and_tag(event):
            return Scalar("", INVALID, False, position)
        quoted = event.style not in (None, "")
        if event.tag not in (None, "!"):
            tag = event.tag.rsplit(":", 1)[-1]
        else:  # content repeats its keys and values a lot: resolve each distinct one once
            key = (event.value, event.implicit)
            tag = self.resolved.get(key)
            if tag is None:
                resolved = self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
                tag = self.resolved[key] = resolved.rsplit(":", 1)[-1]
        return Scalar(event.value, tag, quoted, position)

    def open(self, event: yaml.CollectionStartEvent) -> bool:
        if len(self.stack) >= _MAX_DEPTH:
            self.fail(event, f"the file nests lists and mappings more than {_MAX_DEPTH} deep")
            return False
        invalid = self.refuse_anchor_and_tag(event)
        if isinstance(event, yaml.MappingStartEvent):
            frame = _Open(MapNode, self.position(event), [], invalid, keys={}, entries=[])
        else:
            frame = _Open(SeqNode, self.position(event), [], invalid)
        self.stack.append(frame)
        return True

    def close(self) -> None:
        frame = self.stack.pop()
        node: Node
        if frame.invalid:
            node = Scalar("", INVALID, False, frame.position)
        elif frame.kind is MapNode:
            node = MapNode(tuple(frame.entries or ()), frame.position)
        else:
            node = SeqNode(tuple(frame.items), frame.position)
        self.add(node)

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if frame.kind is SeqNode:
            frame.items.append(node)
        elif frame.items:  # the value of the key read just before
            key = frame.items.pop()
            if not isinstance(key, Scalar):
                self.problems.append(
                    error(key.position, "a key must be plain text, not a list or mapping")
                )
            elif self.accept_key(key, frame):
                assert frame.entries is not None
                frame.entries.append((key, node))
        else:
            frame.items.append(node)

    def accept_key(self, key: Scalar, frame: _Open) -> bool:
        """Whether a key may stand; a refused one is reported and its entry dropped."""
        if key.is_invalid:
            return False
        assert frame.keys is not None
        if key.tag == "merge" or (key.text == "<<" and not key.quoted):
            self.problems.append(error(key.position, "merge keys (`<<`) are not supported"))
            return False
        if key.text in frame.keys:
            self.problems.append(_duplicate_key(key, frame.keys[key.text]))
            return False
        frame.keys[key.text] = key.position
        return True


_NO_ALIASES = "anchors and aliases (`&`, `*`) are not supported"
_WRITE_IT_OUT = "write the value out in full where it is needed"
_NO_TAGS = "remove the tag: content files hold plain text, lists and mappings"
_ONE_DOCUMENT = "a content file holds one document: remove the `---` line"


def _duplicate_key(key: Scalar, earlier: Position) -> Diagnostic:
    return error(
        key.position,
        f"duplicate key `{key.text}` on line {key.position.line} "
        f"(first defined on line {earlier.line})",
        hint=f"YAML would silently keep only one of them; remove or rename one "
        f"(lines {earlier.line} and {key.position.line})",
    )


# --- the project's content files --------------------------------------------


@dataclass(frozen=True)
class ContentFiles:
    """The project's shared content files, parsed, and the paths of its articles.

    Articles are parsed one by one by the build (each with its seed, possibly on another
    core); site, people and glossary are parsed here because every article is checked
    against them.
    """

    site: YamlFile | None
    people: YamlFile | None
    glossary: YamlFile | None
    article_paths: tuple[str, ...]
    """Relative to the project, sorted, so every later stage sees articles in one fixed order."""


_EMPTY_HINTS = {
    "content/site.yaml": "it needs at least `title:` and `base_url:` (see FORMAT.md section 3)",
    "content/people.yaml": "add a person (see FORMAT.md section 4), or delete the file",
    "content/glossary.yaml": "add a term (see FORMAT.md section 5), or delete the file",
}
_ARTICLE_EMPTY_HINT = (
    "an article needs `source:` and `title:` (see FORMAT.md section 6), or delete the file"
)


LoadCache = dict[str, tuple[bytes, YamlFile, list[Diagnostic]]]
"""Path -> the bytes last parsed there and what they gave; the preview keeps one."""


def read_bytes(
    root: Path, relpath: str, required: bool = True
) -> tuple[bytes | None, list[Diagnostic]]:
    """A content file's bytes; a missing or unreadable file is a diagnostic, not an exception."""
    try:
        return (root / relpath).read_bytes(), []
    except FileNotFoundError:
        if not required:
            return None, []
        return None, [error(Position(relpath), "missing file", hint="see FORMAT.md section 3")]
    except OSError as exc:
        return None, [error(Position(relpath), f"cannot read the file: {exc.strerror}")]


def load_article(relpath: str, raw: bytes) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse one article file."""
    return load_yaml_text(relpath, raw, _ARTICLE_EMPTY_HINT)


def load_content(
    root: Path, cache: LoadCache | None = None
) -> tuple[ContentFiles, list[Diagnostic]]:
    """Read site, people and glossary below the project root, and find every article.

    With a `cache`, a file whose bytes are unchanged is not parsed again.
    """
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()

    def read(relpath: str, required: bool) -> YamlFile | None:
        raw, problems = read_bytes(root, relpath, required)
        diagnostics.extend(problems)
        if raw is None:
            return None
        seen.add(relpath)
        cached = cache.get(relpath) if cache is not None else None
        if cached is not None and cached[0] == raw:
            loaded, problems = cached[1], cached[2]
        else:
            loaded, problems = load_yaml_text(relpath, raw, _EMPTY_HINTS[relpath])
            if cache is not None:
                cache[relpath] = (raw, loaded, problems)
        diagnostics.extend(problems)
        return loaded

    diagnostics.extend(_misnamed_files(root))
    content = ContentFiles(
        site=read("content/site.yaml", required=True),
        people=read("content/people.yaml", required=False),
        glossary=read("content/glossary.yaml", required=False),
        article_paths=_article_paths(root),
    )
    if cache is not None:
        for gone in set(cache) - seen:
            del cache[gone]
    return content, diagnostics


def _article_paths(root: Path) -> tuple[str, ...]:
    """`content/articles/*.yaml`, sorted; scandir, as pathlib costs the preview milliseconds."""
    try:
        with os.scandir(root / "content" / "articles") as entries:
            names = [e.name for e in entries if e.name.endswith(".yaml") and e.is_file()]
    except OSError:  # no articles folder (yet)
        return ()
    return tuple(f"content/articles/{name}" for name in sorted(names))


def _misnamed_files(root: Path) -> list[Diagnostic]:
    """`.yml` files would be skipped without a word; say so instead."""
    content = root / "content"
    candidates = [
        *(content.glob("*.yml") if content.is_dir() else ()),
        *((content / "articles").glob("*.yml") if (content / "articles").is_dir() else ()),
    ]
    return [
        error(
            Position(p.relative_to(root).as_posix()),
            "content files end in `.yaml`; this `.yml` file is not read",
            hint=f"rename it to `{p.with_suffix('.yaml').name}`",
        )
        for p in sorted(candidates)
    ]
