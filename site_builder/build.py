"""The build: load -> validate -> anchor -> link -> render -> write, and nothing else.

Everything is loaded, checked and rendered in memory before a single file is
written, so a run with errors reports all of them and leaves `output/` alone.
`check` is the same run without the write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .anchor import anchor_article
from .errors import ContentError, Diagnostic, Position, error, sort_diagnostics
from .link import link_site
from .load import ContentFiles, load_content, load_text_file
from .model import AnchoredArticle, Site
from .render import make_environment, render_site, theme_dirs
from .validate import validate_content
from .write import check_output_folder, write_site


@dataclass(frozen=True)
class BuildOptions:
    project: Path
    out: Path | None = None
    """Defaults to `output/` in the project."""
    base_url: str | None = None
    """Overrides `base_url` from site.yaml (e.g. for a preview deployment)."""
    strict: bool = False
    """Treat warnings as errors."""

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


def resolve_site(options: BuildOptions) -> tuple[Site | None, list[Diagnostic]]:
    """Load, validate, anchor and link: everything the pages are made from."""
    root = options.project
    files, diagnostics = load_content(root)
    content, problems = validate_content(files, root)
    diagnostics += problems
    anchored: list[AnchoredArticle] = []
    for spec in content.articles:
        if not spec.source:
            continue
        seed, problems = load_text_file(root, spec.source)
        diagnostics += [_at(d, spec.source_position) for d in problems]
        if seed is None:
            continue
        article, problems = anchor_article(spec, seed)
        diagnostics += problems
        if article is not None:
            anchored.append(article)
    site, problems = link_site(content, anchored)
    diagnostics += problems
    diagnostics = _with_source_lines(sort_diagnostics(diagnostics), files)
    return (None if any(d.is_error for d in diagnostics) else site), diagnostics


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


def render_pages(site: Site, options: BuildOptions) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Render every page; a broken template is reported like a content error."""
    base_url = options.base_url or site.content.site.base_url
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    try:
        pages = render_site(site, make_environment(options.project), base_url)
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
    files = {path: text.encode("utf-8") for path, text in pages.items()}
    files[".nojekyll"] = b""
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
    started = time.perf_counter()
    diagnostics = check_output_folder(options.out_dir, options.project)
    if diagnostics:
        return _report(diagnostics, options, started)
    site, diagnostics = resolve_site(options)
    if site is None or _fails(diagnostics, options.strict):
        return _report(diagnostics, options, started)
    files, problems = render_pages(site, options)
    diagnostics = diagnostics + problems
    if _fails(diagnostics, options.strict):
        return _report(diagnostics, options, started)
    copies = static_files(options.project)
    try:
        write_site(options.out_dir, files, copies)
    except OSError as exc:
        problem = error(Position(str(options.out_dir)), f"cannot write the site: {exc}")
        return _report([*diagnostics, problem], options, started)
    written = tuple(sorted([*files, *(path for path, _ in copies)]))
    return _report(diagnostics, options, started, written)


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


__all__ = ["BuildOptions", "BuildReport", "ContentError", "build", "check", "resolve_site"]
