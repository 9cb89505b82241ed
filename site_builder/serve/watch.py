"""Watch a project's sources and call back once per burst of changes.

Editors save in many ways: write in place, write a temp file and rename it over
the original (vim, VS Code, JetBrains), keep swap and backup files next to the
real one. So the watches are on folders, recursively, and every created,
modified, deleted or moved file counts, except editors' own scratch files and
what the build writes itself (content/anchors/). A save produces several events
within milliseconds; they are collected until the folder has been quiet for a
moment and handed over as one set of paths, and whatever arrives while the
callback runs becomes exactly one more call after it. The moment is short when
every file of the burst was last seen whole (closed after writing, renamed into
place, or deleted), and longer while one may still be half written.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

WATCHED_FOLDERS = ("content", "seeds", "templates")
"""What a build reads; everything else in the project (output/, .git, .venv) is not watched."""

BUILD_WRITES = (("content", "anchors"),)
"""Folders inside watched ones that the build writes itself (the anchor records): a change
there is the build's own doing, and rebuilding for it would loop."""

EDITOR_SCRATCH = (
    ".*.sw?",  # vim swap files: .name.swp, .swo, .swx ...
    "*.swp",  # vim swap files kept out of sight elsewhere, or of a file with no name
    "*.swx",
    "*~",  # vim, emacs and nano backups
    ".#*",  # emacs lock files
    "#*#",  # emacs auto-saves
    "*.tmp",
    ".*.tmp*",  # hidden temp files of write-then-rename saves (.story.yaml.tmp1234)
    "*___jb_tmp___",  # JetBrains safe write
    "*___jb_old___",
    ".goutputstream-*",  # GNOME's safe write (gedit)
    "*.kate-swp",  # kate's swap file
    ".~lock.*#",  # LibreOffice's lock file
    ".nfs*",  # a deleted file still open on NFS
    ".DS_Store",
)
"""Names editors give their swap, lock, backup and temp files (shell patterns, case-sensitive)."""

_SED_TEMP = re.compile(r"sed[A-Za-z0-9]{6}")
"""`sed -i` writes to `sed` and six random letters or digits, then renames it over the file."""
_VIM_PROBE_FIRST, _VIM_PROBE_STEP = 4913, 123
"""vim probes a folder with a file named 4913, or 5036, 5159 ... while that name is taken."""

_EVENTS = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    FileAttribEvent,  # `touch` to force a rebuild
    FileClosedEvent,  # a file written in place is whole (inotify's IN_CLOSE_WRITE)
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
"""Opened events, closes without a write and folders' own "modified" events add nothing."""

_SETTLING = (FileClosedEvent, FileMovedEvent, FileDeletedEvent)
"""Events after which their files are whole: closed after a write, renamed into place, gone."""

ChangeCallback = Callable[[frozenset[Path]], None]


def is_scratch_file(name: str) -> bool:
    """Tell an editor's swap, backup or temp file from a real source file.

    A source file has an extension (`.yaml`, `.txt`, `.html`, `.css`); the bare names
    below never do, so a real file never looks like one of them.
    """
    return (
        any(fnmatch.fnmatchcase(name, pattern) for pattern in EDITOR_SCRATCH)
        or _SED_TEMP.fullmatch(name) is not None
        or _is_vim_probe(name)
    )


def _is_vim_probe(name: str) -> bool:
    if not (name.isascii() and name.isdigit() and len(name) <= 6):
        return False
    number = int(name)
    return number >= _VIM_PROBE_FIRST and (number - _VIM_PROBE_FIRST) % _VIM_PROBE_STEP == 0


def is_relevant(path: Path, project: Path, ignore: Iterable[Path] = ()) -> bool:
    """Whether a change at `path` (absolute) can change the built site."""
    try:
        relative = path.relative_to(project)
    except ValueError:
        return False
    if not relative.parts or relative.parts[0] not in WATCHED_FOLDERS:
        return False
    if any(relative.parts[: len(folder)] == folder for folder in BUILD_WRITES):
        return False
    if any(path == other or path.is_relative_to(other) for other in ignore):
        return False
    return not is_scratch_file(path.name)


class Debouncer:
    """Collect paths and call back with all of them once they stop coming.

    The callback runs on the debouncer's own thread, one call at a time, so a
    slow rebuild never overlaps the next one; paths added meanwhile wait for
    it and go into the single call that follows.
    """

    def __init__(
        self,
        callback: ChangeCallback,
        quiet: float = 0.02,
        max_wait: float = 0.5,
        settled_quiet: float = 0.001,
    ):
        self._callback = callback
        self._quiet = quiet
        """Seconds without new paths that end a burst while a file may be half written."""
        self._settled_quiet = min(settled_quiet, quiet)
        """Seconds that end a burst whose files were all last seen whole: long enough for
        the rest of one save's events to arrive. Files saved one after another (an editor's
        "save all") may take a second rebuild, which redoes only what they touched."""
        self._max_wait = max_wait
        """A burst that never goes quiet (a script writing in a loop) is cut after this long."""
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._unsettled: set[Path] = set()
        """Pending paths whose last event may be followed by more writes (created, modified)."""
        self._first = self._last = 0.0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="site-builder-rebuild")

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path], settled: bool = False) -> None:
        """Note changed paths; the callback sees them after the burst ends. `settled`: the
        event says the files are whole now (see `_SETTLING`)."""
        paths = set(paths)
        if not paths:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending |= paths
            if settled:
                self._unsettled -= paths
            else:
                self._unsettled |= paths
            self._last = now
            self._cond.notify_all()

    def stop(self) -> None:
        """Drop pending paths, let a running callback finish, and end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self._callback(batch)
            except Exception:  # a failing callback must not end the watching
                traceback.print_exc()

    def _next_batch(self) -> frozenset[Path] | None:
        with self._cond:
            while not self._stopping and not self._pending:
                self._cond.wait()
            while not self._stopping:
                quiet = self._quiet if self._unsettled else self._settled_quiet
                deadline = min(self._last + quiet, self._first + self._max_wait)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._stopping:
                return None
            batch = frozenset(self._pending)
            self._pending.clear()
            self._unsettled.clear()
            return batch


class _Handler(FileSystemEventHandler):
    """Turn watchdog events into relevant paths for the debouncer."""

    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self._watcher._notice([Path(os.fsdecode(p)) for p in paths if p], event)


class Watcher:
    """Watch content/, seeds/ and templates/ of a project; call back once per burst of changes.

    Each watched folder gets its own recursive watch; the project folder itself
    gets a shallow one, so that a watched folder created (or renamed into
    place) after the start is picked up too.
    """

    def __init__(
        self,
        project: Path,
        on_change: ChangeCallback,
        *,
        quiet: float = 0.02,
        ignore: Iterable[Path] = (),
    ) -> None:
        self.project = project.resolve()
        self._ignore = [p.resolve() for p in ignore] + [self.project / "output"]
        self._debouncer = Debouncer(on_change, quiet=quiet)
        self._observer: BaseObserver = Observer()
        self._observer.name = "site-builder-watch"
        self._handler = _Handler(self)
        self._watches: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start watching; changes made after this returns are seen."""
        self._debouncer.start()
        self._schedule(self.project, recursive=False)
        for name in WATCHED_FOLDERS:
            self._watch_folder(name)
        self._observer.start()

    def stop(self) -> None:
        """Stop watching and wait for the watch threads and a running callback to end."""
        self._observer.stop()
        with contextlib.suppress(RuntimeError):  # never started
            self._observer.join()
        self._debouncer.stop()

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _notice(self, paths: list[Path], event: FileSystemEvent) -> None:
        if event.is_directory:
            for folder in paths:
                self._rewatch_top_level(folder)
        relevant = (p for p in paths if is_relevant(p, self.project, self._ignore))
        self._debouncer.add(relevant, settled=isinstance(event, _SETTLING))

    def _rewatch_top_level(self, folder: Path) -> None:
        """A watched folder appeared, vanished or was renamed: watch what is there now.

        An inotify watch follows the folder it was put on, not its name, so a
        folder renamed away must lose its watch and one renamed into place gain one.
        """
        if folder.parent == self.project and folder.name in WATCHED_FOLDERS:
            self._watch_folder(folder.name)

    def _watch_folder(self, name: str) -> None:
        with self._lock:
            old = self._watches.pop(name, None)
            if old is not None:
                with contextlib.suppress(KeyError, RuntimeError):
                    self._observer.unschedule(old)
            folder = self.project / name
            if folder.is_dir():
                self._watches[name] = self._schedule(folder, recursive=True)

    def _schedule(self, folder: Path, *, recursive: bool) -> ObservedWatch:
        return self._observer.schedule(
            self._handler, str(folder), recursive=recursive, event_filter=_EVENTS
        )
