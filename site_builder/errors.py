"""Diagnostics: every problem an editor can cause, located and explained.

Stages never raise on bad content; they return diagnostics next to their result
so that one run reports every problem at once. Only the orchestrator decides to
stop, and it does so before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Position(NamedTuple):
    """A place in a file; line and column are 1-based, as editors count.

    A named tuple rather than a frozen dataclass: the loader makes one per YAML
    value (hundreds of thousands on a large site), and tuples are built several
    times faster; both are immutable and compare and sort the same way.
    """

    path: str
    """Path relative to the project folder, with forward slashes."""
    line: int = 0
    """0 when the problem concerns the file as a whole."""
    column: int = 0


@dataclass(frozen=True)
class Diagnostic:
    """One problem, with where it is and how to fix it."""

    position: Position
    severity: Severity
    message: str
    hint: str = ""
    """Extra lines shown under the message: a closest passage, a did-you-mean, a fix."""
    source_line: str = ""
    """The offending line of the file, shown with a caret under the column."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """Render as `path:line:col: error: message`, the form editors' tools make clickable.

        Everything quoted from content is shown with its control characters escaped, so
        a file cannot hide, recolour or rewrite its own message in a terminal; a long
        source line is cut around the column, with the caret still under its character.
        """
        pos = self.position
        where = escape_controls(pos.path)
        if pos.line:
            where += f":{pos.line}:{max(pos.column, 1)}"
        elif _names_a_file(pos.path):
            where += ":1:1"  # the file as a whole: its start, so that tools can open it
        lines = [f"{where}: {self.severity.value}: {escape_controls(self.message)}"]
        if self.source_line:
            excerpt, column = _excerpt(self.source_line.rstrip("\r\n"), pos.column)
            lines.append("  " + escape_controls(excerpt))
            if pos.column:
                lines.append("  " + _caret_padding(excerpt, column) + "^")
        # Split on line feeds only: the other line breaks `splitlines` knows (CR, form feed,
        # U+2028) come from content, and are escaped rather than obeyed.
        hint_lines = self.hint.rstrip("\n").split("\n") if self.hint else []
        lines.extend("  " + escape_controls(hint_line) for hint_line in hint_lines)
        return "\n".join(lines)

    def as_strict_error(self) -> Diagnostic:
        """This warning as the error `--strict` makes it, still recognisable as a warning."""
        if self.is_error:
            return self
        return Diagnostic(
            self.position, Severity.ERROR, f"(strict) {self.message}", self.hint, self.source_line
        )


_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls but the tab, DEL, the Unicode line and paragraph separators, and the
bidirectional overrides and isolates: characters that move the cursor, recolour or clear a
terminal, break a line or reorder what is shown."""


def escape_controls(text: str) -> str:
    """`text` with each control character written as a visible escape (`\\x1b`, `\\r`)."""
    return _CONTROLS.sub(_escape, text)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _names_a_file(path: str) -> bool:
    """Whether a position without a line names a file of the project (`content/site.yaml`),
    rather than an output folder given on the command line or the program itself.

    Project files are named relative to the project and have a suffix; output folders are
    named as given (often absolute), and neither they nor `site-builder` have one.
    """
    if path.startswith(("/", "../")):
        return False
    name = path.rpartition("/")[2].lstrip(".")
    return "." in name


_CONTEXT = 60
"""Characters of a long source line shown on each side of the column."""


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """The part of `line` around `column` (1-based), and the column within that part."""
    if len(line) <= 2 * _CONTEXT + 1:
        return line, column
    index = min(max(column - 1, 0), len(line))
    start = max(0, index - _CONTEXT)
    end = min(len(line), start + 2 * _CONTEXT + 1)
    start = max(0, min(start, end - 2 * _CONTEXT - 1))
    before = "…" if start > 0 else ""
    after = "…" if end < len(line) else ""
    return before + line[start:end] + after, column - start + len(before)


def _caret_padding(source_line: str, column: int) -> str:
    """What puts a caret under character `column` of the line as shown: tabs are kept, so a
    terminal lines them up the same; wide (CJK) characters take two cells, combining marks
    none, and an escaped control character the width of its escape."""
    padding = []
    for ch in source_line[: column - 1]:
        if ch == "\t":
            padding.append("\t")
        else:
            padding.append(" " * _display_width(ch))
    return "".join(padding)


def _display_width(ch: str) -> int:
    if _CONTROLS.match(ch):
        return len(escape_controls(ch))
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def error(position: Position, message: str, hint: str = "", source_line: str = "") -> Diagnostic:
    return Diagnostic(position, Severity.ERROR, message, hint, source_line)


def warning(position: Position, message: str, hint: str = "", source_line: str = "") -> Diagnostic:
    return Diagnostic(position, Severity.WARNING, message, hint, source_line)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order by file and place, so output is stable and reads top to bottom."""
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda d: (d.position, d.severity.value, d.message))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Suggest the closest known name, or nothing when none is close.

    Case and `_`/`-` slips are matched first: `Lu_Wei` finds `lu-wei` even
    though most of its characters differ.
    """
    import difflib

    known = sorted(candidates)
    folded = {_fold(c): c for c in reversed(known)}
    if _fold(word) in folded and folded[_fold(word)] != word:
        return f"did you mean `{folded[_fold(word)]}`?"
    matches = difflib.get_close_matches(_fold(word), list(folded), n=1, cutoff=0.6)
    return f"did you mean `{folded[matches[0]]}`?" if matches else ""


def _fold(word: str) -> str:
    return word.casefold().replace("_", "-").replace(" ", "-")


class InternalError(Exception):
    """A bug met while processing one input; carries that input so the report can name it.

    Raised from the original exception (`raise InternalError(path) from exc`), which
    stays available as `__cause__` for the report's type, message and place.
    """

    def __init__(self, input_path: str) -> None:
        super().__init__(input_path)
        self.input_path = input_path


@contextmanager
def blame(input_path: str) -> Iterator[None]:
    """Turn a bug met while processing `input_path` into an InternalError that names it."""
    try:
        yield
    except InternalError:
        raise
    except Exception as exc:
        raise InternalError(input_path) from exc


_YAML_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Where YAML breaks lines, so that line numbers agree; `str.splitlines` also breaks at form
feeds and other controls, which would cut the very line that holds one."""


def with_source_lines(diagnostics: list[Diagnostic], texts: dict[str, str]) -> list[Diagnostic]:
    """Attach the line each message points at, so it can be shown under the message."""
    result = []
    for d in diagnostics:
        text = texts.get(d.position.path)
        if text and d.position.line and not d.source_line:
            lines = _YAML_LINE_BREAKS.split(text)
            if d.position.line <= len(lines):
                d = Diagnostic(
                    d.position, d.severity, d.message, d.hint, lines[d.position.line - 1]
                )
        result.append(d)
    return result
