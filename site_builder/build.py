"""The build: load -> validate -> anchor -> link -> render -> write, and nothing else.

Everything is loaded, checked and rendered in memory before a single file is
written, so a run with errors reports all of them and leaves `output/` alone.
`check` is the same run without the write.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .anchor import anchor_article
from .errors import (
    Diagnostic,
    InternalError,
    Position,
    error,
    sort_diagnostics,
    warning,
)
from .link import LinkMemo, link_site
from .load import ContentFiles, LoadCache, load_content, load_text_file
from .markup import MarkdownRenderer
from .model import AnchoredArticle, ArticleSpec, Site
from .render import (
    PagePlan,
    make_environment,
    plan_site,
    render_plans,
    template_fingerprints,
    theme_dirs,
)
from .search import SearchIndexError, index_site, pagefind_executable, refresh_index
from .validate import ValidateMemo, validate_content
from .write import check_output_folder, update_site, write_site


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

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    @property
    def out_dir(self) -> Path:
        return self.out if self.out is not None else self.project / "output"


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


@dataclass
class BuildMemo:
    """Results one build can lend the next (serve keeps one): anchors by article and seed,
    name scans by body. Everything in it is keyed by its complete input."""

    anchors: dict[tuple[ArticleSpec, str], tuple[AnchoredArticle | None, list[Diagnostic]]] = field(
        default_factory=dict
    )
    links: LinkMemo = field(default_factory=LinkMemo)
    files: LoadCache = field(default_factory=dict)
    validated: ValidateMemo = field(default_factory=ValidateMemo)


def resolve_site(
    options: BuildOptions, memo: BuildMemo | None = None
) -> tuple[Site | None, list[Diagnostic]]:
    """Load, validate, anchor and link: everything the pages are made from."""
    memo = memo if memo is not None else BuildMemo()
    anchors: dict[tuple[ArticleSpec, str], tuple[AnchoredArticle | None, list[Diagnostic]]] = {}
    root = options.project
    files, diagnostics = load_content(root, memo.files)
    content, problems = validate_content(files, root, memo.validated)
    diagnostics += problems
    anchored: list[AnchoredArticle] = []
    for spec in content.articles:
        if not spec.source:
            continue
        seed, problems = load_text_file(root, spec.source)
        diagnostics += [_at(d, spec.source_position) for d in problems]
        if seed is None:
            continue
        key = (spec, seed.text)
        with _blame(spec.path):
            article, problems = anchors[key] = memo.anchors.get(key) or anchor_article(spec, seed)
        diagnostics += problems
        if article is not None:
            anchored.append(article)
    memo.anchors = anchors  # only what this build used, so the memo never outgrows the site
    # Unused people and terms are only news when nothing else is wrong: a broken article
    # or a misspelt `person:` makes people look unused, and those warnings would bury it.
    report_unused = not any(d.is_error for d in diagnostics)
    with _blame("content/"):
        site, problems = link_site(content, anchored, memo.links, report_unused=report_unused)
    diagnostics += problems
    diagnostics = _with_source_lines(sort_diagnostics(diagnostics), files)
    return (None if any(d.is_error for d in diagnostics) else site), diagnostics


@contextmanager
def _blame(input_path: str) -> Iterator[None]:
    """Turn a bug met while processing `input_path` into an InternalError that names it."""
    try:
        yield
    except InternalError:
        raise
    except Exception as exc:
        raise InternalError(input_path) from exc


def _at(diagnostic: Diagnostic, fallback: Position) -> Diagnostic:
    """A seed problem without a line is reported where the article names the seed."""
    if diagnostic.position.line:
        return diagnostic
    return error(fallback, f"{diagnostic.position.path}: {diagnostic.message}", diagnostic.hint)


def _with_source_lines(diagnostics: list[Diagnostic], files: ContentFiles) -> list[Diagnostic]:
    texts = {
        f.path: f.text
        for f in (files.site, files.people, files.glossary, *files.articles)
        if f is not None
    }
    result = []
    for d in diagnostics:
        text = texts.get(d.position.path)
        if text and d.position.line and not d.source_line:
            lines = text.splitlines()
            if d.position.line <= len(lines):
                d = Diagnostic(
                    d.position, d.severity, d.message, d.hint, lines[d.position.line - 1]
                )
        result.append(d)
    return result


@dataclass
class PageMemo:
    """Rendered pages of the previous build, by path, with what they were made from."""

    pages: dict[str, tuple[PagePlan, bytes]] = field(default_factory=dict)
    templates: dict[str, int] = field(default_factory=dict)
    """Template name -> fingerprint of its source and everything it extends or includes."""
    markdown: MarkdownRenderer = field(default_factory=MarkdownRenderer)


def render_pages(
    site: Site, options: BuildOptions, memo: PageMemo | None = None
) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Render every page, reusing from `memo` the pages whose inputs and templates are unchanged.

    A broken template is reported like a content error.
    """
    memo = memo if memo is not None else PageMemo()
    base_url = options.base_url or site.content.site.base_url
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    env = make_environment(options.project)
    try:
        fingerprints = template_fingerprints(env)
        pages: dict[str, tuple[PagePlan, bytes]] = {}
        stale: list[PagePlan] = []
        for plan in plan_site(site, base_url, memo.markdown):
            previous = memo.pages.get(plan.path)
            fingerprint = fingerprints.get(plan.template)
            if (
                previous is not None
                and previous[0] == plan
                and memo.templates.get(plan.template) == fingerprint
            ):
                pages[plan.path] = previous
            else:
                stale.append(plan)
        for plan, data in zip(stale, render_plans(stale, env, options.workers), strict=True):
            pages[plan.path] = (plan, data)
        pages = dict(sorted(pages.items()))
    except jinja2.TemplateSyntaxError as exc:
        where = Position(_template_path(options.project, exc.filename), exc.lineno or 0, 1)
        return {}, [error(where, f"template error: {exc.message}")]
    except jinja2.TemplateError as exc:
        return {}, [
            error(
                Position("templates"),
                f"template error: {exc}",
                "a template uses a value the build does not provide",
            )
        ]
    memo.pages = pages
    memo.templates = fingerprints
    files = {path: data for path, (_, data) in pages.items()}
    files[".nojekyll"] = b""
    if site.content.site.cname:  # GitHub Pages reads the custom domain from this file
        files["CNAME"] = site.content.site.cname.encode("ascii") + b"\n"
    return files, []


def _template_path(project: Path, filename: str | None) -> str:
    if not filename:
        return "templates"
    path = Path(filename)
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def static_files(project: Path) -> list[tuple[str, Path]]:
    """Assets under `templates/static/`, the project's own taking precedence over the theme's."""
    chosen: dict[str, Path] = {}
    for theme in theme_dirs(project):
        static = theme / "static"
        for source in sorted(static.rglob("*")) if static.is_dir() else ():
            if source.is_file():
                chosen.setdefault(source.relative_to(theme).as_posix(), source)
    return sorted(chosen.items())


def check(options: BuildOptions) -> BuildReport:
    """Run every stage but the write."""
    started = time.perf_counter()
    site, diagnostics = resolve_site(options)
    if site is not None:
        _, problems = render_pages(site, options)
        diagnostics = diagnostics + problems
    return _report(diagnostics, options, started)


def build(options: BuildOptions) -> BuildReport:
    """Build the site into the output folder, or report why not and leave it untouched."""
    return Builder(options).build()


class Builder:
    """Builds one project again and again, redoing only what its inputs changed.

    The live preview keeps one; a plain `build` uses a fresh one. The first build swaps
    a complete new folder in; later ones rewrite only the files whose bytes changed and
    delete the pages that are gone. Either way, nothing is written unless the whole
    build succeeded.
    """

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self.memo = BuildMemo()
        self.pages = PageMemo()
        self.written: dict[str, bytes] = {}
        self.assets: dict[str, tuple[Path, int, int]] = {}

    def build(self) -> BuildReport:
        """Build, and write what changed since the last successful build."""
        started = time.perf_counter()
        options = self.options
        diagnostics = check_output_folder(options.out_dir, options.project)
        if diagnostics:
            return _report(diagnostics, options, started)
        site, diagnostics = resolve_site(options, self.memo)
        if site is None or _fails(diagnostics, options.strict):
            return _report(diagnostics, options, started)
        files, problems = render_pages(site, options, self.pages)
        diagnostics = diagnostics + problems
        if _fails(diagnostics, options.strict):
            return _report(diagnostics, options, started)
        search = options.search and pagefind_executable() is not None
        if options.search and not search:
            diagnostics.append(
                warning(
                    Position("pyproject.toml"),
                    "Pagefind is not installed: the site is built without its search index",
                    "pip install 'pagefind[extended]'",
                )
            )
        try:
            written = self._write(files, static_files(options.project), search)
        except SearchIndexError as exc:
            problem = error(Position(str(options.out_dir)), f"search indexing failed: {exc}")
            return _report([*diagnostics, problem], options, started)
        except OSError as exc:
            problem = error(Position(str(options.out_dir)), f"cannot write the site: {exc}")
            return _report([*diagnostics, problem], options, started)
        return _report(diagnostics, options, started, written)

    def refresh_search(self) -> None:
        """Re-index the built site for search, when Pagefind is there to do it.

        The live preview builds with `search=False` and calls this after its pages are
        live, so the index catches up without delaying the reload.
        """
        if self.written and pagefind_executable() is not None:
            refresh_index(self.options.out_dir)

    def _write(
        self, files: dict[str, bytes], copies: list[tuple[str, Path]], search: bool
    ) -> tuple[str, ...]:
        assets = {path: (source, *_stat(source)) for path, source in copies}
        out = self.options.out_dir
        if not self.written or not out.is_dir():
            write_site(out, files, copies, finish=index_site if search else None)
            changed = set(files) | set(assets)
        else:
            pages = {p: data for p, data in files.items() if self.written.get(p) != data}
            fresh = [
                (p, src) for p, (src, *stat) in assets.items() if self.assets.get(p) != (src, *stat)
            ]
            removed = (set(self.written) - set(files)) | (set(self.assets) - set(assets))
            update_site(out, pages, fresh, removed)
            changed = set(pages) | {p for p, _ in fresh} | removed
            if search and any(p.endswith(".html") for p in changed):
                refresh_index(out)
        self.written = files
        self.assets = assets
        return tuple(sorted(changed))


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _fails(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.is_error or strict for d in diagnostics)


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
        failed=_fails(diagnostics, options.strict),
        written=written,
    )


__all__ = [
    "BuildOptions",
    "BuildReport",
    "Builder",
    "build",
    "check",
    "resolve_site",
]
