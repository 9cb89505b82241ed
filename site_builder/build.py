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
from .options import BuildOptions, BuildReport, Changes
from .parallel import cycle_collector_paused
from .publish import Publisher
from .records import records_of, stale_record_problems
from .resolve import ArticleContext, gather_site
from .search import SearchIndexError, index_language, write_failure
from .siteroot import scan_theme, site_files, static_files
from .write import SiteWriteError, Staged, Staging, check_output_folder

Copies = list[tuple[str, Path]]


def resolve_site(
    options: BuildOptions, memo: BuildMemo | None = None, changes: Changes | None = None
) -> tuple[Site | None, list[Diagnostic]]:
    """Load, validate, anchor and link: everything the pages are made from."""
    memo = memo if memo is not None else BuildMemo()
    files, diagnostics = memo.load_content(options.project)
    options.report_stage("check", len(files.article_paths))
    catalog, problems = memo.validate_catalog(files)
    names, name_problems = memo.compile_names(catalog)
    known = catalog.known_people, catalog.known_terms, catalog.site.autolink
    context = ArticleContext(options.project, *known, names)
    resolved = memo.resolve_articles(context, files.article_paths, options.workers, changes)
    problems = diagnostics + problems
    return gather_site(
        files, catalog, resolved, problems, name_problems, memo.references.collect_site
    )


def render_pages(site: Site, options: BuildOptions) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every file made from the site, each rendered afresh, in memory."""
    files, problems = BuildMemo().render_pages(site, options, None)
    return {path: made.data or b"" for path, made in files.items()}, problems


def check(options: BuildOptions) -> BuildReport:
    """Run every stage but the write."""
    return Builder(options).check()


def build(options: BuildOptions) -> BuildReport:
    """Build the site into the output folder, or report why not and leave it untouched."""
    return Builder(options).build()


class Builder:
    """Runs the stages for one project again and again; its memo redoes only what changed.

    The live preview keeps one; `build` and `check` use a fresh one. Nothing is written
    unless the whole build succeeded. Each stage is told to `options.progress` as it
    starts (`check`, `render`, `write`, `index`): a phase timer times the gaps.
    """

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.memo = BuildMemo()
        self.publisher = Publisher(options, self.memo.output)
        self._caught_up = False
        """Whether the memo has been through every change a watcher reported: a build that
        stopped short (raised, or found the output folder unusable) may have skipped some."""

    def build(self, changes: Changes | None = None) -> BuildReport:
        """Build, and write what changed since the last successful build. `changes`: what
        a watcher saw change since this builder's previous build, when it watches."""
        started, options = time.perf_counter(), self.options
        changes, self._caught_up = changes if self._caught_up else None, False
        with cycle_collector_paused():
            diagnostics = check_output_folder(options.out_dir, options.project)
            if diagnostics:
                return BuildReport.of(diagnostics, options, started)
            try:
                with self.publisher.staging() as staging:
                    site, files, copies, diagnostics = self._make(staging, changes)
                    self._caught_up = True
                    if site is None or files is None or options.fails(diagnostics):
                        return BuildReport.of(diagnostics, options, started)
                    pages = sum(1 for path in self.memo.pages.pages if path.endswith(".html"))
                    diagnostics, written = self.publisher.publish(
                        site, staging, files, copies, pages, diagnostics
                    )
            except SiteWriteError as exc:
                return BuildReport.of([write_failure(options.out_dir, exc)], options, started)
        return BuildReport.of(diagnostics, options, started, written)

    def check(self) -> BuildReport:
        """Every stage but the write: report every problem a build would meet."""
        started = time.perf_counter()
        with cycle_collector_paused():
            diagnostics = self._make(None)[3]
        return BuildReport.of(diagnostics, self.options, started)

    def _make(
        self, staging: Staging | None, changes: Changes | None = None
    ) -> tuple[Site | None, dict[str, Staged] | None, Copies, list[Diagnostic]]:
        """Resolve, and render into `staging` (in memory for a check, which has none): the
        site, its files and copies (None when not rendered)."""
        options, memo = self.options, self.memo
        memo.notice(changes)
        site, diagnostics = resolve_site(options, memo, changes)
        diagnostics += memo.keep_schemas_current(options.project, options.strict)
        if site is not None and options.strict:
            diagnostics += stale_record_problems(options.project, records_of(site))
        copies, theme_problems = scan_theme(options.project)
        diagnostics += theme_problems
        # A check goes on past a warning under --strict, to report template errors as well.
        if site is None or (options.fails(diagnostics) if staging is not None else theme_problems):
            return site, None, copies, diagnostics
        files, problems = memo.render_pages(site, options, staging)
        cjk = memo.pages.shows_cjk(site)
        self.publisher.language = index_language(site.content.site.language, cjk)
        files, copies, placing = site_files(files, options.project, copies)
        return site, files, copies, diagnostics + problems + (placing if not problems else [])

    def refresh_search(self) -> None:
        """Re-index the built site for search, when Pagefind is there to do it.

        The live preview builds with `search=False` and calls this after its pages are
        live, so the index catches up without delaying the reload. Raises
        SearchIndexError when Pagefind fails.
        """
        self.publisher.refresh_search()


__all__ = [
    "BuildOptions",
    "BuildReport",
    "Builder",
    "Changes",
    "SearchIndexError",
    "build",
    "check",
    "records_of",
    "render_pages",
    "resolve_site",
    "static_files",
]
