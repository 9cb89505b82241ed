"""Diagnostics: every problem an editor can cause, located and explained.

Stages never raise on bad content; they return diagnostics next to their result
so that one run reports every problem at once. Only the orchestrator decides to
stop, and it does so before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        """Render as `path:line:col: error: message`, the form editors' tools make clickable."""
        pos = self.position
        where = pos.path
        if pos.line:
            where += f":{pos.line}:{max(pos.column, 1)}"
        lines = [f"{where}: {self.severity.value}: {self.message}"]
        if self.source_line:
            lines.append("  " + self.source_line.rstrip("\r\n"))
            if pos.column:
                lines.append("  " + _caret_padding(self.source_line, pos.column) + "^")
        lines.extend("  " + hint_line for hint_line in self.hint.splitlines())
        return "\n".join(lines)


def _caret_padding(source_line: str, column: int) -> str:
    # Keep tabs so the caret lines up under the same character in a terminal.
    prefix = source_line[: column - 1]
    return "".join("\t" if ch == "\t" else " " for ch in prefix)


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
