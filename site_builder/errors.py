"""Diagnostics: every problem an editor can cause, located and explained.

Stages never raise on bad content; they return diagnostics next to their result
so that one run reports every problem at once. Only the orchestrator decides to
stop, and it does so before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file; line and column are 1-based, as editors count."""

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
    """Suggest the closest known name, or nothing when none is close."""
    import difflib

    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f"did you mean `{matches[0]}`?" if matches else ""


class ContentError(Exception):
    """Raised by the build when the content has errors; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{sum(d.is_error for d in diagnostics)} error(s)")
        self.diagnostics = diagnostics
