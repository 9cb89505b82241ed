"""The write stage: put a built site in place, index it for search, keep its records.

Nothing here decides what the site holds. It lends the build a staging folder that the
pages are rendered into, and puts it in place only after the whole build succeeded
(write.py swaps the complete folder in, or moves in only what changed since the last
write, as `OutputMemo` knows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Diagnostic
from .incremental import OutputMemo
from .model import Site
from .options import BuildOptions
from .records import records_of, write_records
from .search import (
    INDEX_LANGUAGE,
    SearchIndexError,
    index_site,
    pagefind_executable,
    pagefind_missing,
    refresh_index,
    write_failure,
)
from .write import SiteWriteError, Staged, Staging, staging_beside


class Publisher:
    """Writes one project's site again and again, with its search index."""

    def __init__(self, options: BuildOptions, output: OutputMemo) -> None:
        self.options = options
        self.output = output
        self.language: str | None = INDEX_LANGUAGE
        """What Pagefind indexes the pages as (search.index_language), from the last build."""

    @contextmanager
    def staging(self) -> Iterator[Staging]:
        """The folder this build's files are written into before any goes live (removed at
        the end); the whole new site, unless the last write's folder is there to update.
        SiteWriteError when it cannot be made."""
        out = self.options.out_dir
        with staging_beside(out, self.output.whole(out)) as staging:
            yield staging

    def publish(
        self,
        site: Site,
        staging: Staging,
        files: dict[str, Staged],
        copies: list[tuple[str, Path]],
        pages: int,
        diagnostics: list[Diagnostic],
    ) -> tuple[list[Diagnostic], tuple[str, ...]]:
        """Put the staged site in place with its index (of `pages` pages), then write the
        anchor records; the problems, and the paths written or deleted."""
        options = self.options
        search = options.search and pagefind_executable() is not None
        if options.search and not search:
            diagnostics.append(pagefind_missing())
        options.report_stage("write", len(files) + len(copies))

        def index(staging: Path) -> None:
            options.report_stage("index", pages)
            index_site(staging, self.language)

        reindex = self.reindex if search else None
        try:
            written = self.output.write(staging, files, copies, index if search else None, reindex)
        except (SearchIndexError, SiteWriteError, OSError) as exc:
            return [*diagnostics, write_failure(options.out_dir, exc)], ()
        if options.records == "write" and not options.strict:
            diagnostics += write_records(options.project, records_of(site))
        return diagnostics, written

    def refresh_search(self) -> None:
        """Re-index the written site for search, when Pagefind is there to do it."""
        if self.output.written and pagefind_executable() is not None:
            self.reindex(self.options.out_dir)

    def reindex(self, out: Path) -> None:
        refresh_index(out, self.language)
