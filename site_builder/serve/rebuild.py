"""The rebuild loop: build after each batch of changes, then tell the pages and the terminal.

A client of the build's public entry points only (`Builder`, `BuildOptions`,
`BuildReport`): it builds into the preview's private folder, publishes the new site
or its errors to `LiveSite`, prints one line per rebuild, and brings the search index
up to date once the edits pause, off the edit-to-page path.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from ..build import Builder, BuildOptions, BuildReport, Changes, SearchIndexError
from .events import LiveSite
from .watch import WATCHED_FOLDERS

BugReport = Callable[[BaseException], list[str]]
"""Turns an exception the build raised into the lines that report the bug (the CLI's)."""

QUIET_BEFORE_INDEXING = 1.0
"""Seconds without a new build before the preview's search index is brought up to date."""

BULK_CHANGE = 256
"""More changed files than this in one burst (a checkout, a copy) and the build looks at
every file itself: the kernel drops events when its queue overflows, and says only that."""


class RebuildLoop:
    """Builds one project again and again into `live.root`, one build at a time."""

    def __init__(
        self,
        project: Path,
        live: LiveSite,
        base_url: str,
        *,
        report_bug: BugReport,
        stream: TextIO | None = None,
    ) -> None:
        self.project = project
        self.live = live
        # This server's own address as base_url: the 404 page's absolute links work
        # locally. Search is indexed after each reload, off the edit-to-page path.
        # The preview reports moved anchors but writes no records: a write under content/
        # would wake its own watcher, and records are the build's to commit.
        # Every core (jobs=0): the first build of a large site forks its workers; a rebuild
        # after an edit has too little to redo to pass the build's thresholds for forking.
        options = BuildOptions(
            project, out=live.root, base_url=base_url, search=False, jobs=0, records="check"
        )
        self._builder = Builder(options)
        self._report_bug = report_bug
        self._stream = stream
        self._lock = threading.Lock()
        self._warnings: list[str] = []
        self._indexer = _SearchIndexer(self._refresh_search)

    def rebuild(self, changed: frozenset[Path]) -> None:
        """Build after `changed`; publish the new site or its errors; say so in one line."""
        with self._lock, self.live.rebuilding():
            started = time.perf_counter()
            changes = self._changes(changed)
            try:
                report = self._builder.build(changes)
            except Exception as exc:  # a bug in the build: report it, keep serving
                self._tell_bug(changed, self._report_bug(exc), time.perf_counter() - started)
                return
            if report.failed:
                self._tell_failure(changed, report)
            else:
                self._tell_success(changed, report)
                self._indexer.request()

    def _changes(self, changed: frozenset[Path]) -> Changes | None:
        """What the watcher saw, for the build; None (look at everything) for a bulk change
        or for a rebuild asked for without paths (the first, or one asked for by hand)."""
        if not changed or len(changed) > BULK_CHANGE:
            return None
        paths = frozenset(_relative(path, self.project) for path in changed)
        return Changes(paths, WATCHED_FOLDERS)

    def stop(self) -> None:
        """Wait for a running rebuild, then end the search indexer."""
        with self._lock:
            self._indexer.stop()

    def _tell_success(self, changed: frozenset[Path], report: BuildReport) -> None:
        warnings = [d.format() for d in report.diagnostics]
        if warnings != self._warnings:  # the same warnings at every save would drown the news
            self._say(*warnings)
        self._warnings = warnings
        line = f"built {report.files_written} files in {report.seconds:.2f}s"
        if warnings:
            line += f", {len(warnings)} warning(s)"
        self._say(self._headline(changed, line))
        self.live.succeeded()

    def _tell_failure(self, changed: frozenset[Path], report: BuildReport) -> None:
        self._warnings = []
        errors = len(report.errors)
        line = f"{errors} error(s) in {report.seconds:.2f}s; {self._kept()}"
        diagnostics = [d.format() for d in report.diagnostics]
        self._say(*diagnostics, self._headline(changed, line))
        self.live.failed(diagnostics, errors)

    def _tell_bug(self, changed: frozenset[Path], lines: list[str], seconds: float) -> None:
        self._warnings = []
        line = f"internal error in {seconds:.2f}s; {self._kept()}"
        self._say(*lines, self._headline(changed, line))
        self.live.failed(["\n".join(lines)], 1)

    def _kept(self) -> str:
        return "still serving the last good build" if self.live.build else "nothing to serve yet"

    def _headline(self, changed: frozenset[Path], outcome: str) -> str:
        if not changed:
            return f"site-builder: {outcome}"
        stamp = time.strftime("%H:%M:%S")
        return f"[{stamp}] {describe_changes(changed, self.project)} changed: {outcome}"

    def _refresh_search(self) -> None:
        """Bring the preview's search index up to date; runs on the indexer's thread."""
        try:
            self._builder.refresh_search()
        except (OSError, SearchIndexError) as exc:
            self._say(f"site-builder: search index not updated: {exc}")

    def _say(self, *lines: str) -> None:
        stream = self._stream or sys.stderr
        for line in lines:
            print(line, file=stream, flush=True)


class _SearchIndexer:
    """Re-indexes search on its own thread, so a reload never waits for Pagefind.

    Requests made while an index runs fold into one more run, as saves do for rebuilds.
    """

    def __init__(self, index: Callable[[], None]) -> None:
        self._index = index
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="site-builder-search", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            # Wait for a quiet spell: on a large site an index takes seconds of CPU, which
            # would otherwise slow the rebuilds of an editor saving again and again.
            while not self._stopping:
                self._wanted.clear()
                if not self._wanted.wait(QUIET_BEFORE_INDEXING):
                    break
            if self._stopping:
                return
            self._index()


def describe_changes(changed: Iterable[Path], project: Path, shown: int = 3) -> str:
    """Name the changed files as editors know them, relative to the project, a few at most."""
    names = sorted({_relative(p, project) for p in changed})
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" and {len(names) - shown} more"
    return text


def _relative(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()
