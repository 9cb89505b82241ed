"""The build: load -> validate -> anchor -> link -> render -> write, and nothing else.

Everything is loaded, checked and rendered in memory before a single file is
written, so a run with errors reports all of them and leaves `output/` alone.
`check` is the same run without the write. The stages do the work; what one build
lends the next is incremental.py's.
"""

from __future__ import annotations

import time
from pathlib import Path

from .errors import Diagnostic
from .incremental import BuildMemo
from .model import Site
from .options import BuildOptions, BuildReport
from .parallel import cycle_collector_paused
from .records import records_of, stale_record_problems, write_records
from .resolve import ArticleContext, gather_site
from .search import (
    INDEX_LANGUAGE,
    SearchIndexError,
    index_language,
    index_site,
    pagefind_executable,
    pagefind_missing,
    refresh_index,
    shows_cjk,
    write_failure,
)
from .siteroot import scan_theme, site_files, static_files
from .write import SiteWriteError, check_output_folder


def resolve_site(
    options: BuildOptions, memo: BuildMemo | None = None
) -> tuple[Site | None, list[Diagnostic]]:
    """Load, validate, anchor and link: everything the pages are made from."""
    memo = memo if memo is not None else BuildMemo()
    files, diagnostics = memo.load_content(options.project)
    options.report_stage("check", len(files.article_paths))
    catalog, problems = memo.validate_catalog(files)
    names, name_problems = memo.compile_names(catalog)
    known = catalog.known_people, catalog.known_terms, catalog.site.autolink
    context = ArticleContext(options.project, *known, names)
    resolved = memo.resolve_articles(context, files.article_paths, options.workers)
    return gather_site(files, catalog, resolved, diagnostics + problems, name_problems)


def render_pages(site: Site, options: BuildOptions) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every file made from the site, each rendered afresh."""
    return BuildMemo().render_pages(site, options)


def check(options: BuildOptions) -> BuildReport:
    """Run every stage but the write."""
    return Builder(options).check()


def build(options: BuildOptions) -> BuildReport:
    """Build the site into the output folder, or report why not and leave it untouched."""
    return Builder(options).build()


class Builder:
    """Runs the stages for one project again and again; its memo redoes only what changed.

    The live preview keeps one; `build` and `check` use a fresh one. Nothing is written
    unless the whole build succeeded. The stages are told to `options.progress` as they
    start (`check`, `render`, `write`, `index`), which is how a phase timer times them.
    """

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.memo = BuildMemo()
        self.search_language: str | None = INDEX_LANGUAGE
        """What Pagefind indexes the pages as (search.index_language), from the last build."""

    def build(self) -> BuildReport:
        """Build, and write what changed since the last successful build."""
        with cycle_collector_paused():
            return self._run(write=True)

    def check(self) -> BuildReport:
        """Every stage but the write: report every problem a build would meet."""
        with cycle_collector_paused():
            return self._run(write=False)

    def _run(self, write: bool) -> BuildReport:
        started, options, memo = time.perf_counter(), self.options, self.memo
        diagnostics = check_output_folder(options.out_dir, options.project) if write else []
        if diagnostics:
            return _report(diagnostics, options, started)
        site, diagnostics = resolve_site(options, memo)
        diagnostics += memo.keep_schemas_current(options.project, options.strict)
        if site is not None and options.strict:
            diagnostics += stale_record_problems(options.project, records_of(site))
        copies, theme_problems = scan_theme(options.project)
        diagnostics += theme_problems
        # A check goes on past a warning under --strict, to report template errors as well.
        if site is None or (options.fails(diagnostics) if write else theme_problems):
            return _report(diagnostics, options, started)
        files, problems = memo.render_pages(site, options)
        self.search_language = index_language(site.content.site.language, shows_cjk(site))
        files, copies, placing = site_files(files, options.project, copies)
        diagnostics += problems + (placing if not problems else [])
        if not write or options.fails(diagnostics):
            return _report(diagnostics, options, started)
        search = options.search and pagefind_executable() is not None
        if options.search and not search:
            diagnostics.append(pagefind_missing())
        options.report_stage("write", len(files) + len(copies))
        try:
            reindex = self._reindex if search else None
            written = memo.output.write(
                options.out_dir, files, copies, self._index if search else None, reindex
            )
        except (SearchIndexError, SiteWriteError, OSError) as exc:
            return _report([*diagnostics, write_failure(options.out_dir, exc)], options, started)
        if options.records == "write" and not options.strict:
            diagnostics += write_records(options.project, records_of(site))
        return _report(diagnostics, options, started, written)

    def refresh_search(self) -> None:
        """Re-index the built site for search, when Pagefind is there to do it.

        The live preview builds with `search=False` and calls this after its pages are
        live, so the index catches up without delaying the reload.
        """
        if self.memo.output.written and pagefind_executable() is not None:
            self._reindex(self.options.out_dir)

    def _index(self, staging: Path) -> None:
        pages = sum(1 for path in self.memo.pages.pages if path.endswith(".html"))
        self.options.report_stage("index", pages)
        index_site(staging, self.search_language)

    def _reindex(self, out: Path) -> None:
        refresh_index(out, self.search_language)


def _report(
    diagnostics: list[Diagnostic],
    options: BuildOptions,
    started: float,
    written: tuple[str, ...] = (),
) -> BuildReport:
    return BuildReport(
        diagnostics=diagnostics,
        files_written=len(written),
        seconds=time.perf_counter() - started,
        failed=options.fails(diagnostics),
        written=written,
    )


__all__ = [
    "BuildOptions",
    "BuildReport",
    "Builder",
    "build",
    "check",
    "records_of",
    "render_pages",
    "resolve_site",
    "static_files",
]
