"""What a build is asked to do (`BuildOptions`; `Changes`, from a watcher) and what it did
(`BuildReport`)."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import Diagnostic
from .progress import ProgressCallback


@dataclass(frozen=True)
class BuildOptions:
    project: Path
    out: Path | None = None
    """Defaults to `output/` in the project."""
    base_url: str | None = None
    """Overrides `base_url` from site.yaml (e.g. for a preview deployment)."""
    strict: bool = False
    """Treat warnings as errors."""
    search: bool = True
    """Index the pages for search with Pagefind (the preview may leave it out for speed)."""
    jobs: int = 0
    """Processes to render pages on; 0 means one per core. The preview renders in-process."""
    progress: ProgressCallback | None = field(default=None, compare=False)
    """Told the start of each stage and its number of items (the command line's progress)."""
    records: Literal["write", "check"] = "write"
    """Whether a successful build writes `content/anchors/` (FORMAT.md section 10), or only
    reports what changed, as the live preview does (a write would wake its own watcher).
    `--strict` never writes them."""

    def report_stage(self, stage: str, count: int) -> None:
        """Tell `progress`, if any, that a stage of `count` items starts."""
        if self.progress is not None:
            self.progress(stage, count)

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "output"

    def fails(self, diagnostics: list[Diagnostic]) -> bool:
        """Whether these problems fail the run: any error, or anything at all under --strict."""
        return any(d.is_error or self.strict for d in diagnostics)


@dataclass(frozen=True)
class Changes:
    """What a watcher saw change in the project since the previous build.

    The live preview passes it to `Builder.build`, so a rebuild reads again only what
    changed, not a stamp of every article and seed (at 1,000 articles, 2,000 stat calls).
    A file below one of the `watched` folders and not in `paths` is taken to be as the
    previous build read it; any other file is looked at as always.
    """

    paths: frozenset[str]
    """Project-relative POSIX paths of the files created, changed, moved or deleted."""
    watched: tuple[str, ...]
    """The project's top-level folders the watcher sees every change in."""

    def may_have_changed(self, path: str) -> bool:
        """Whether the file at `path` (project-relative, POSIX) needs looking at again:
        outside the watched folders, or it or a folder it is in changed."""
        return (
            path in self.paths
            or path.startswith(self._folders)
            or not path.startswith(self._watched)
        )

    def may_have_changed_below(self, folder: str) -> bool:
        """Whether a file below `folder` (a top-level folder of the project) may have changed."""
        below = folder + "/"
        return folder not in self.watched or any(
            path == folder or path.startswith(below) for path in self.paths
        )

    @functools.cached_property
    def _folders(self) -> tuple[str, ...]:
        # Each path as a folder; str.startswith tests them all at once, as a preview
        # rebuild asks about every article and seed.
        return tuple(path + "/" for path in self.paths)

    @functools.cached_property
    def _watched(self) -> tuple[str, ...]:
        return tuple(folder + "/" for folder in self.watched)


@dataclass(frozen=True)
class BuildReport:
    """What a build or check did: its problems, and what it wrote."""

    diagnostics: list[Diagnostic]
    files_written: int = 0
    seconds: float = 0.0
    failed: bool = False
    written: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @classmethod
    def of(
        cls,
        diagnostics: list[Diagnostic],
        options: BuildOptions,
        started: float,
        written: tuple[str, ...] = (),
    ) -> BuildReport:
        """The report of a run that started at `started` (`time.perf_counter()`)."""
        return cls(
            diagnostics=diagnostics,
            files_written=len(written),
            seconds=time.perf_counter() - started,
            failed=options.fails(diagnostics),
            written=written,
        )
