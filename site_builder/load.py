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

import functools
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
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
MiB = 1024 * 1024
MAX_READ_BYTES = 16 * MiB
"""The most the build reads from one content file, seed or template: hundreds of times a real
one, and little enough that a stray disk image or a link to `/dev/zero` cannot exhaust memory."""
MAX_COPY_BYTES = 64 * MiB
"""The most it copies from one static file (fonts, images): GitHub Pages refuses 100 MB."""


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
    if (nul := text.find("\0")) >= 0:  # data, not text: no line of it is shown in messages
        return YamlFile(path, "", None), [_binary(path, text, nul)]
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
        line, column = _line_column(before, len(before))
        return None, [
            error(
                Position(path, line, column),
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="save it as UTF-8 (most editors: 'Save with encoding' / 'Reopen with encoding')",
            )
        ]


def load_text_file(root: Path, relpath: str) -> tuple[TextFile | None, list[Diagnostic]]:
    """Read a seed; a missing, unsafe or undecodable file is a diagnostic, not an exception."""
    raw, problems = read_bytes(root, relpath)
    if raw is None:
        return None, problems
    text, problems = decode_utf8(relpath, raw)
    if text is None:
        return None, problems
    if (nul := text.find("\0")) >= 0:
        return None, [_binary(relpath, text, nul)]
    # A leading byte-order mark says how the file is encoded; it is not part of the text.
    return TextFile(relpath, text.removeprefix("\ufeff"), text.startswith("\ufeff")), problems


def _binary(path: str, text: str, offset: int) -> Diagnostic:
    """A NUL byte: the file is data, not text, and none of it is shown."""
    line, column = _line_column(text, offset)
    return error(
        Position(path, line, column),
        "the file is binary, not text (it contains a NUL byte)",
        hint="content files and seeds are plain UTF-8 text: check that this is the right file",
    )


_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
"""Every line break `str.splitlines` knows: a seed's paragraphs are its lines, so lines in
messages are counted the same way; in YAML the same (libyaml's breaks, the rest are refused)."""


def line_number(text: str, offset: int) -> int:
    """The 1-based line of `text` that `offset` falls on; CR, LF and CRLF each end a line."""
    return sum(1 for _ in _LINE_BREAK.finditer(text, 0, offset)) + 1


def _line_column(text: str, offset: int) -> tuple[int, int]:
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


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
    lines = text.splitlines()
    if line > len(lines) or column > len(lines[line - 1]):
        return ""
    return lines[line - 1][column - 1]


class _Open:
    """A mapping or list whose end event has not come yet."""

    __slots__ = ("invalid", "is_map", "items", "key", "keys", "position")

    def __init__(self, is_map: bool, position: Position, invalid: bool) -> None:
        self.is_map = is_map
        self.position = position
        self.items: list[Node] | list[tuple[Scalar, Node]] = []
        """A list's items, or a mapping's entries."""
        self.key: Node | None = None
        """In a mapping: the key read and waiting for its value."""
        self.keys: dict[str, Position] = {}
        """In a mapping: where each key was first written, to name both lines of a duplicate."""
        self.invalid = invalid
        """Refused (an explicit tag): read to its end, then replaced by one invalid value."""


_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The type YAML resolves a plain scalar to, from its text alone.

    Content repeats its keys and values (`type`, `mention`, people's ids) across files:
    each distinct one is matched against YAML's patterns once, in a cache of bounded size.
    """
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)).rsplit(":", 1)[-1]


_QUOTED_TAG = _RESOLVER.resolve(yaml.ScalarNode, "", (False, True)).rsplit(":", 1)[-1]
"""What a quoted or block scalar resolves to, whatever its text: "str"."""


def _is_plain_key(key: Scalar, keys: dict[str, Position]) -> bool:
    """A key that may stand as it is: not refused, not a merge key, not written before.

    Any other goes through `_TreeBuilder.add_entry`, which reports it.
    """
    return key.text not in keys and key.tag not in _NOT_PLAIN_KEY_TAGS and key.text != "<<"


_NOT_PLAIN_KEY_TAGS = frozenset((INVALID, "merge"))

# The loader makes a Position and a Scalar per value (hundreds of thousands on a large site):
# `tuple.__new__` builds the named tuple in C, skipping its generated Python `__new__`.
_new_tuple = tuple.__new__


class _TreeBuilder:
    """Build our tree from the parser's events, in one pass and without recursion.

    Working from events rather than composed nodes, every `&anchor` and
    `*alias` is refused where it is written (the composer would hand an alias
    back as the very node it names, expanding an alias bomb), and nesting depth
    is bounded before anything deep is built (libyaml's composer recurses in C,
    unbounded). Scalars, nine events in ten, take the short way of `add_scalar`.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Diagnostic] = []
        self.stack: list[_Open] = []
        self.root: Node | None = None

    def build(self, text: str) -> Node | None:
        loader = _Loader(text)
        try:  # get_event, called from C by `iter`, skips yaml.parse's generator
            return self.read(iter(loader.get_event, None))
        finally:
            loader.dispose()

    def read(self, events: Iterator[yaml.Event]) -> Node | None:
        documents = 0
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:  # by far the most common: tested first, exactly
                self.add_scalar(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.fail(event, "invalid YAML: a second document in the file", _ONE_DOCUMENT)
                    return None
            elif kind is yaml.AliasEvent:
                self.fail(event, f"the alias `*{event.anchor}`: {_NO_ALIASES}", _WRITE_IT_OUT)
                self.add(Scalar("", INVALID, False, self.position(event)))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if not self.open(event, kind is yaml.MappingStartEvent):
                    return None
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.close()
        return self.root

    def add_scalar(self, event: yaml.ScalarEvent) -> None:
        """The short way for most of a file: an untagged scalar, as a list item, a key, or the
        value of a key that may stand. Anything else is left to `tagged_scalar` and `add`."""
        mark = event.start_mark
        position = _new_tuple(Position, (self.path, mark.line + 1, mark.column + 1))
        if event.anchor is None and event.tag is None:
            value = event.value
            tag = _plain_tag(value) if event.implicit[0] else _QUOTED_TAG
            node = _new_tuple(Scalar, (value, tag, bool(event.style), position))
        else:
            node = self.tagged_scalar(event, position)
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if not frame.is_map:
            frame.items.append(node)  # type: ignore[arg-type]
        elif (key := frame.key) is None:
            frame.key = node
        elif type(key) is Scalar and _is_plain_key(key, frame.keys):
            frame.key = None
            frame.keys[key.text] = key.position
            frame.items.append((key, node))  # type: ignore[arg-type]
        else:
            self.add_entry(frame, node)

    def position(self, event: yaml.Event) -> Position:
        mark = event.start_mark
        return _new_tuple(Position, (self.path, mark.line + 1, mark.column + 1))

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

    def tagged_scalar(self, event: yaml.ScalarEvent, position: Position) -> Scalar:
        """A scalar written with an anchor or a tag: refused, or typed as its tag says."""
        if self.refuse_anchor_and_tag(event):
            return Scalar("", INVALID, False, position)
        if event.tag not in (None, "!"):
            tag = event.tag.rsplit(":", 1)[-1]
        else:  # `!` alone asks for the type YAML would give the text plain
            tag = _plain_tag(event.value) if event.implicit[0] else _QUOTED_TAG
        return Scalar(event.value, tag, bool(event.style), position)

    def open(self, event: yaml.CollectionStartEvent, is_map: bool) -> bool:
        if len(self.stack) >= _MAX_DEPTH:
            self.fail(event, f"the file nests lists and mappings more than {_MAX_DEPTH} deep")
            return False
        untagged = event.anchor is None and event.tag is None  # nearly every one
        invalid = not untagged and self.refuse_anchor_and_tag(event)
        self.stack.append(_Open(is_map, self.position(event), invalid))
        return True

    def close(self) -> None:
        frame = self.stack.pop()
        node: Node
        if frame.invalid:
            node = Scalar("", INVALID, False, frame.position)
        elif frame.is_map:
            node = MapNode(tuple(frame.items), frame.position)  # type: ignore[arg-type]
        else:
            node = SeqNode(tuple(frame.items), frame.position)  # type: ignore[arg-type]
        self.add(node)

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        if not frame.is_map:
            frame.items.append(node)  # type: ignore[arg-type]
        elif frame.key is None:
            frame.key = node
        else:
            self.add_entry(frame, node)

    def add_entry(self, frame: _Open, value: Node) -> None:
        """The value of the key read just before: the entry stands if its key may."""
        key, frame.key = frame.key, None
        if not isinstance(key, Scalar):
            assert key is not None
            self.problems.append(
                error(key.position, "a key must be plain text, not a list or mapping")
            )
        elif self.accept_key(key, frame):
            frame.items.append((key, value))  # type: ignore[arg-type]

    def accept_key(self, key: Scalar, frame: _Open) -> bool:
        """Whether a key may stand; a refused one is reported and its entry dropped."""
        if key.is_invalid:
            return False
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


def files_inside(
    boundary: Path, folder: Path, shown: str
) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """Every entry below `folder` that is not a folder, by its path relative to `folder`,
    sorted; and a problem for each folder there that is a link out of `boundary`.

    Links to folders inside `boundary` are followed, except back into their own ancestors.
    Files are only listed: what they are (a link out, a FIFO) is for `inspect_inside` to say.
    `shown` is how messages name `folder`.
    """
    try:
        if not folder.is_dir():
            return [], []
        if not folder.resolve().is_relative_to(boundary.resolve()):
            return [], [error(Position(_first_link_out(boundary, folder, shown)), *OUTSIDE)]
    except (OSError, RuntimeError):
        return [], []
    found: list[tuple[str, Path]] = []
    problems: list[Diagnostic] = []
    for top, dirs, files in os.walk(folder, followlinks=True):
        below = Path(top).relative_to(folder)
        dirs[:] = [
            name
            for name in sorted(dirs)
            if _may_enter(
                boundary, Path(top), name, f"{shown}/{(below / name).as_posix()}", problems
            )
        ]
        found += [((below / name).as_posix(), Path(top, name)) for name in files]
    return sorted(found), problems


def _first_link_out(boundary: Path, folder: Path, shown: str) -> str:
    """How messages name the first folder on the way to `folder` that leads out of `boundary`:
    `templates`, when it is `templates/` that links out, not `templates/static`."""
    try:
        parts = folder.relative_to(boundary).parts
    except ValueError:
        return shown
    inside = boundary.resolve()
    for depth in range(1, len(parts)):
        if not boundary.joinpath(*parts[:depth]).resolve().is_relative_to(inside):
            return shown.rsplit("/", len(parts) - depth)[0]
    return shown


def _may_enter(
    boundary: Path, top: Path, name: str, shown: str, problems: list[Diagnostic]
) -> bool:
    """Whether the walk goes into `top/name`: a link out of `boundary` is reported instead."""
    try:
        real, here = (top / name).resolve(), top.resolve()
    except (OSError, RuntimeError):
        return False
    if not real.is_relative_to(boundary.resolve()):
        problems.append(error(Position(shown), *OUTSIDE))
        return False
    return not here.is_relative_to(real)  # a link to an ancestor would loop for ever


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


Parse = Callable[[str, bytes, str], tuple[YamlFile, list[Diagnostic]]]
"""Parses one file's bytes: `load_yaml_text` itself, or the same kept by its bytes
(incremental.py)."""


def read_bytes(
    root: Path, relpath: str, required: bool = True
) -> tuple[bytes | None, list[Diagnostic]]:
    """A file's bytes, read as `read_inside` does; any problem is a diagnostic, not an exception."""
    try:
        outcome = read_inside(root, root / relpath)
    except FileNotFoundError:
        if not required:
            return None, []
        return None, [error(Position(relpath), "missing file", hint="see FORMAT.md section 3")]
    except OSError as exc:
        return None, [error(Position(relpath), f"cannot read the file: {exc.strerror}")]
    if isinstance(outcome, Refusal):
        return None, [error(Position(relpath), outcome.message, outcome.hint)]
    return outcome, []


# --- what the build may read -------------------------------------------------


class Refusal(NamedTuple):
    """Why an input file is not read: a link out of the project, not a regular file, too big."""

    message: str
    hint: str


OUTSIDE = Refusal(
    "this is a link to a place outside the project",
    "the build reads nothing outside the project: copy the file in instead of linking to it",
)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# Opening never waits for a FIFO's writer nor makes a terminal ours; a link swapped in after
# the path was resolved is refused by the kernel rather than followed.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in an editor's words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def inspect_inside(boundary: Path, path: Path, cap: int = MAX_READ_BYTES) -> Path | Refusal:
    """The real path of `path` when it is a regular file of at most `cap` bytes inside
    `boundary` (links followed); otherwise why not.

    Only `stat` is called, never `open`: a FIFO or a device is refused before anything
    could wait on it. OSError (FileNotFoundError included) is the caller's to report.
    """
    try:
        target = path.resolve()
        inside = target.is_relative_to(boundary.resolve())
    except RuntimeError:  # a loop of links
        return Refusal(
            "this link cannot be followed: it leads round in a loop",
            "point it at a file, or replace it with the file itself",
        )
    if not inside:
        return OUTSIDE
    return _checked_file(target, os.stat(target), cap) or target


def _checked_file(target: Path, info: os.stat_result, cap: int) -> Refusal | None:
    if not stat.S_ISREG(info.st_mode):
        return Refusal(
            f"this is {file_kind(info.st_mode)}, not a file",
            "the build reads only regular files: replace it with one, or remove it",
        )
    if info.st_size > cap:
        return _too_large(cap)
    return None


def _too_large(cap: int) -> Refusal:
    return Refusal(
        f"the file is larger than {cap // MiB} MiB, the most the build takes from one file",
        "check that this is the right file; see 'Safety' in README.md for the limits",
    )


def read_inside(boundary: Path, path: Path, cap: int = MAX_READ_BYTES) -> bytes | Refusal:
    """Read `path` if `inspect_inside` accepts it, never more than `cap` bytes, never blocking.

    The file is checked again once open, so a file swapped for a FIFO in between is still
    refused, and one that grows past the cap while it is read is refused too.
    """
    target = inspect_inside(boundary, path, cap)
    if isinstance(target, Refusal):
        return target
    fd = os.open(target, _OPEN_FLAGS)
    with open(fd, "rb", closefd=True) as file:
        refusal = _checked_file(target, os.fstat(fd), cap)
        if refusal is not None:
            return refusal
        data = file.read(cap + 1)
    return _too_large(cap) if len(data) > cap else data


def load_article(relpath: str, raw: bytes) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse one article file."""
    return load_yaml_text(relpath, raw, _ARTICLE_EMPTY_HINT)


def load_content(root: Path, parse: Parse | None = None) -> tuple[ContentFiles, list[Diagnostic]]:
    """Read site, people and glossary below the project root, and find every article."""
    diagnostics: list[Diagnostic] = []
    parse = parse if parse is not None else load_yaml_text

    def read(relpath: str, required: bool) -> YamlFile | None:
        raw, problems = read_bytes(root, relpath, required)
        diagnostics.extend(problems)
        if raw is None:  # a file there but refused counts as unreadable, not as absent
            return YamlFile(relpath, "", None) if problems else None
        loaded, problems = parse(relpath, raw, _EMPTY_HINTS[relpath])
        diagnostics.extend(problems)
        return loaded

    article_paths, unread = _article_paths(root)
    diagnostics.extend(unread)
    content = ContentFiles(
        site=read("content/site.yaml", required=True),
        people=read("content/people.yaml", required=False),
        glossary=read("content/glossary.yaml", required=False),
        article_paths=article_paths,
    )
    return content, diagnostics


def _article_paths(root: Path) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """`content/articles/*.yaml`, sorted, and a problem for each file there the build would
    otherwise pass over in silence; scandir, as pathlib costs the preview milliseconds.

    Every `.yaml` name is an article, whatever it is: one that is a folder or a FIFO is
    reported by the reader rather than skipped.
    """
    problems = _misnamed_files(root, "content")
    try:
        with os.scandir(root / "content" / "articles") as entries:
            found = sorted((e.name, e.is_dir()) for e in entries if not _is_editor_lock(e.name))
    except OSError:  # no articles folder (yet)
        return (), problems
    names = []
    for name, is_dir in found:
        relpath = f"content/articles/{name}"
        if name.endswith(".yaml"):
            names.append(relpath)
        elif is_dir:
            problems += _files_in_subfolder(root, relpath)
        elif _looks_like_yaml(name):
            problems.append(_misnamed(relpath))
    return tuple(names), problems


def _is_editor_lock(name: str) -> bool:
    """Emacs' `.#name.yaml` lock: a dangling link while a file is being edited, not content."""
    return name.startswith(".#")


def _looks_like_yaml(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml"))


def _misnamed_files(root: Path, folder: str) -> list[Diagnostic]:
    """`.yml` or `.YAML` files would be skipped without a word; say so instead."""
    try:
        with os.scandir(root / folder) as entries:
            names = sorted(e.name for e in entries if not e.name.endswith(".yaml"))
    except OSError:
        return []
    return [
        _misnamed(f"{folder}/{name}")
        for name in names
        if _looks_like_yaml(name) and not _is_editor_lock(name)
    ]


def _misnamed(relpath: str) -> Diagnostic:
    path = PurePosixPath(relpath)
    return error(
        Position(relpath),
        f"content files end in `.yaml`; this `{path.suffix}` file is not read",
        hint=f"rename it to `{path.stem}.yaml`",
    )


def _files_in_subfolder(root: Path, relpath: str) -> list[Diagnostic]:
    """Articles are read from `content/articles/` itself: each YAML file below it is reported.

    A sub-folder that is a link out of the project is reported as that, without listing it.
    """
    folder = root / relpath
    try:
        if not folder.resolve().is_relative_to(root.resolve()):
            return [error(Position(relpath), *OUTSIDE)]
    except (OSError, RuntimeError):
        return []
    problems = []
    for top, dirs, files in os.walk(folder, onerror=None, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            if _looks_like_yaml(name) and not _is_editor_lock(name):
                below = Path(top, name).relative_to(root).as_posix()
                problems.append(
                    error(
                        Position(below),
                        "articles are read from `content/articles/` itself; "
                        "this file in a sub-folder is not read",
                        hint=f"move it to `content/articles/{PurePosixPath(name).stem}.yaml`",
                    )
                )
    return problems
