"""What the command line shows while it works: a progress line on a terminal, colour for
`error:` and `warning:`, and the stages of a `--verbose` run.

Nothing here changes what a run prints when standard error is not a terminal (a pipe, a
CI log, an editor's build panel): only the diagnostics and the one summary line, as
before. On a terminal, a build that takes longer than `DELAY` seconds shows one line,
rewritten in place (stage, count, elapsed time, a bar of the stages), and erased before
anything else is printed.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

DELAY = 2.0
"""Seconds before the progress line appears: a quick build shows nothing but its result.
The environment variable SITE_BUILDER_PROGRESS_DELAY sets another (0: at once)."""
INTERVAL = 0.1

ProgressCallback = Callable[[str, int], None]
"""Called by the build at the start of each stage: (stage, how many items it has)."""

STAGE_WORDS = {
    "check": ("checking", "article"),
    "render": ("rendering", "page"),
    "write": ("writing", "file"),
    "index": ("indexing for search", "page"),
}


def describe(stage: str, count: int) -> str:
    """`rendering 3,012 pages`."""
    verb, noun = STAGE_WORDS.get(stage, (stage, "item"))
    if stage == "index":
        return f"{verb}: {count:,} {noun}{'' if count == 1 else 's'}"
    return f"{verb} {count:,} {noun}{'' if count == 1 else 's'}"


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is an interactive terminal (not a pipe, a file or a dumb terminal)."""
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def wants_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR is set to anything (https://no-color.org)."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


_STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[1;35m", "path": "\x1b[1m"}
_RESET = "\x1b[0m"


def colour_diagnostic(text: str) -> str:
    """A formatted diagnostic with its location in bold and `error:`/`warning:` coloured."""
    first, newline, rest = text.partition("\n")
    for severity in ("error", "warning"):
        marker = f": {severity}: "
        where, found, message = first.partition(marker)
        if found:
            first = (
                f"{_STYLES['path']}{where}:{_RESET} "
                f"{_STYLES[severity]}{severity}:{_RESET} {message}"
            )
            break
    return first + newline + rest


def colour_summary(text: str) -> str:
    """The summary line, its counts of errors and warnings (when not 0) in their colours."""
    for severity in ("error", "warning"):
        text = re.sub(
            rf"\b[1-9][0-9]* {severity}\(s\)",
            lambda m, s=severity: f"{_STYLES[s]}{m.group(0)}{_RESET}",
            text,
        )
    return text


@dataclass
class _State:
    stage: str = ""
    count: int = 0
    done: int = 0
    shown: bool = False


def progress_delay() -> float:
    """`DELAY`, or the seconds SITE_BUILDER_PROGRESS_DELAY gives."""
    try:
        return max(float(os.environ.get("SITE_BUILDER_PROGRESS_DELAY", DELAY)), 0.0)
    except ValueError:
        return DELAY


class TerminalProgress:
    """One progress line on a terminal for a run of `stages` stages; a context manager.

    A thread redraws the line every `INTERVAL` once `DELAY` has passed, so a long stage
    still shows its time going by; the line is erased when the run ends.
    """

    def __init__(self, stream: TextIO, stages: int, delay: float | None = None) -> None:
        self.stream = stream
        self.stages = max(stages, 1)
        self.delay = progress_delay() if delay is None else delay
        self.started = time.monotonic()
        self.state = _State()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="progress", daemon=True)

    def __enter__(self) -> TerminalProgress:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join()
        with self.lock:
            if self.state.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()

    def __call__(self, stage: str, count: int) -> None:
        """The build's progress callback."""
        with self.lock:
            if self.state.stage:
                self.state.done += 1
            self.state.stage, self.state.count = stage, count
        if time.monotonic() - self.started >= self.delay:
            self._draw()

    def _tick(self) -> None:
        while not self.stopped.wait(INTERVAL):
            if time.monotonic() - self.started >= self.delay:
                self._draw()

    def _draw(self) -> None:
        with self.lock:
            state = self.state
            if not state.stage:
                return
            done = min(state.done, self.stages - 1)
            width = 20
            filled = width * done // self.stages
            bar = "#" * filled + "-" * (width - filled)
            elapsed = time.monotonic() - self.started
            line = (
                f"site-builder: [{bar}] {done + 1}/{self.stages} "
                f"{describe(state.stage, state.count)} ({elapsed:.1f}s)"
            )
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            state.shown = True


class VerboseStages:
    """`--verbose`: a line per stage, with how long the previous one took."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last: tuple[str, int, float] | None = None

    def __call__(self, stage: str, count: int) -> None:
        self.finish()
        self.last = (stage, count, time.perf_counter())

    def finish(self) -> None:
        """Report the stage under way as done."""
        if self.last is not None:
            stage, count, started = self.last
            seconds = time.perf_counter() - started
            print(f"site-builder: {describe(stage, count)} ({seconds:.2f}s)", file=self.stream)
            self.last = None


def combine(*callbacks: ProgressCallback | None) -> ProgressCallback | None:
    """One callback calling each of `callbacks` that is not None."""
    chosen = [c for c in callbacks if c is not None]
    if not chosen:
        return None

    def call(stage: str, count: int) -> None:
        for callback in chosen:
            callback(stage, count)

    return call
