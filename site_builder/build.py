"""The build: load -> validate -> anchor -> link -> render -> write, and nothing else.

Everything is loaded, checked and rendered in memory before a single file is
written, so a run with errors reports all of them and leaves `output/` alone.
`check` is the same run without the write.
"""

from __future__ import annotations

import functools
import gc
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
from .export import export_article, source_bytes
from .feed import atom_feed
from .link import Found, Names, collect_site, compile_names, link_article
from .load import (
    MAX_COPY_BYTES,
    ContentFiles,
    LoadCache,
    Refusal,
    YamlFile,
    files_inside,
    inspect_inside,
    load_article,
    load_content,
    load_text_file,
    read_bytes,
)
from .markup import MarkdownRenderer
from .model import AnchoredArticle, Autolink, Content, Site
from .parallel import fork_map
from .progress import ProgressCallback
from .records import (
    article_changes,
    finding_diagnostic,
    record_json,
    record_of,
    seed_bytes_of,
    stale_records,
    write_records,
)
from .render import (
    PARALLEL_THRESHOLD,
    PagePlan,
    PlanMemo,
    TemplateFailure,
    make_environment,
    markdown_sources,
    plan_site,
    render_plans,
    template_fingerprints,
    template_problems,
    themes,
)
from .schema import ProjectIds, ids_of, stale_schema_files, write_schema_files
from .search import (
    INDEX_LANGUAGE,
    SearchIndexError,
    index_language,
    index_site,
    pagefind_executable,
    refresh_index,
    shows_cjk,
)
from .siteroot import place_root_files, robots_txt, root_files
from .urls import FEED, ROBOTS, collection_path, source_path
from .validate import (
    Catalog,
    CheckedArticle,
    Known,
    validate_across,
    validate_article,
    validate_catalog,
)
from .write import SiteWriteError, check_output_folder, update_site, write_site


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


@dataclass(frozen=True)
class ResolvedArticle:
    """One article taken as far as it goes by itself: loaded, checked, anchored and linked."""

    path: str
    text: str
    """The YAML as written, for the source lines of messages."""
    checked: CheckedArticle | None
    """None when the file could not be read."""
    linked: tuple[AnchoredArticle, Found] | None
    """The article with its autolinks and its places for person and term pages; None when
    it could not be anchored."""
    diagnostics: tuple[Diagnostic, ...]
    seed_text: str = ""
    """The seed as it was anchored against, when it was."""


@dataclass(frozen=True)
class _Shared:
    """What every article is resolved against, and nothing more: a change here (a new
    person, a new alias) resolves every article again, while a new bio resolves none."""

    root: Path
    people: Known
    terms: Known
    autolink: Autolink
    names: Names


@dataclass
class BuildMemo:
    """Results one build can lend the next (serve keeps one). Everything in it is kept with
    the complete input it was made from, and reused only while that input is unchanged."""

    files: LoadCache = field(default_factory=dict)
    """Site, people and glossary, parsed."""
    catalog: tuple[tuple[YamlFile | None, ...], Catalog, list[Diagnostic]] | None = None
    """The shared files validated, by the identity of their parsed trees."""
    names: tuple[tuple[object, ...], Names, list[Diagnostic]] | None = None
    """The people's and terms' names, compiled, with the warnings that gave."""
    shared: _Shared | None = None
    """What the articles below were resolved against."""
    articles: dict[str, _KeptArticle] = field(default_factory=dict)
    """By article path. Only articles without a problem are kept, so every message comes
    from a fresh reading."""
    schema_ids: ProjectIds | None = None
    """The ids `schemas/` was last brought up to date with, so a rebuild skips it."""


# Below this many articles to resolve, starting worker processes costs more than it saves.
PARALLEL_ARTICLES = 60


def resolve_site(
    options: BuildOptions, memo: BuildMemo | None = None
) -> tuple[Site | None, list[Diagnostic]]:
    """Load, validate, anchor and link: everything the pages are made from.

    Each article goes through the stages by itself, on every core for a large site; then
    what spans articles is checked and gathered: ids unique site-wide, back-references.
    """
    memo = memo if memo is not None else BuildMemo()
    root = options.project
    files, diagnostics = load_content(root, memo.files)
    options.report_stage("check", len(files.article_paths))
    catalog, problems = _validate_catalog(files, memo)
    diagnostics += problems
    names, name_problems = _compile_names(catalog, memo)
    shared = _Shared(root, catalog.known_people, catalog.known_terms, catalog.site.autolink, names)
    if memo.shared != shared:
        memo.shared, memo.articles = shared, {}
    resolved = _resolve_articles(shared, files.article_paths, memo, options.workers)
    for article in resolved:
        diagnostics += article.diagnostics
    diagnostics += validate_across(a.checked for a in resolved if a.checked is not None)
    linked = sorted((a.linked for a in resolved if a.linked), key=lambda lk: lk[0].spec.slug)
    specs = sorted(
        (a.checked.spec for a in resolved if a.checked and a.checked.spec), key=lambda s: s.slug
    )
    content = Content(catalog.site, catalog.people, catalog.terms, tuple(specs))
    # Unused people and terms are only news when nothing else is wrong: a broken article
    # or a misspelt `person:` makes people look unused, and those warnings would bury it.
    report_unused = not any(d.is_error for d in diagnostics)
    with _blame("content/"):
        site, problems = collect_site(content, linked, report_unused=report_unused)
    diagnostics += name_problems + problems
    texts = {f.path: f.text for f in (files.site, files.people, files.glossary) if f is not None}
    texts.update((a.path, a.text) for a in resolved)
    diagnostics = _with_source_lines(sort_diagnostics(diagnostics), texts)
    return (None if any(d.is_error for d in diagnostics) else site), diagnostics


def keep_schemas_current(options: BuildOptions, memo: BuildMemo) -> list[Diagnostic]:
    """Write `schemas/` again where the ids of people and terms changed (FORMAT.md section 9).

    Only from people and glossary files that could be read: a schema listing no ids would
    flag every reference while the editor fixes a typo. With `--strict` (as in CI) nothing
    is written and a stale schema is a warning, so it fails the run, as an anchor record
    that would change does.
    """
    if memo.catalog is None:
        return []
    catalog = memo.catalog[1]
    if not (catalog.known_people.complete and catalog.known_terms.complete):
        return []
    ids = ids_of(catalog)
    if memo.schema_ids == ids:
        return []
    project = options.project
    if options.strict:
        if not (project / "schemas").is_dir():
            return []
        return [
            warning(
                Position(f"schemas/{name}"),
                "out of date: it does not list the current people and terms",
                "run `site-builder check` without --strict to update it, and commit schemas/",
            )
            for name in stale_schema_files(project, ids)
        ]
    try:
        write_schema_files(project, ids)
    except OSError as exc:
        return [warning(Position("schemas"), f"cannot update the schemas: {exc}")]
    memo.schema_ids = ids
    return []


def _validate_catalog(files: ContentFiles, memo: BuildMemo) -> tuple[Catalog, list[Diagnostic]]:
    """The catalog of the last build while site, people and glossary are the same parsed files
    (the load cache hands back the very same objects for unchanged bytes)."""
    shared_files = (files.site, files.people, files.glossary)
    kept = memo.catalog
    if kept is None or any(a is not b for a, b in zip(kept[0], shared_files, strict=True)):
        kept = memo.catalog = (shared_files, *validate_catalog(files))
    return kept[1], list(kept[2])


def _compile_names(catalog: Catalog, memo: BuildMemo) -> tuple[Names, list[Diagnostic]]:
    key = (
        tuple((p.id, p.names, p.position) for p in catalog.people),
        tuple((t.id, t.names, t.position) for t in catalog.terms),
    )
    if memo.names is None or memo.names[0] != key:
        memo.names = (key, *compile_names(catalog.people, catalog.terms))
    return memo.names[1], memo.names[2]


def _resolve_articles(
    shared: _Shared, paths: tuple[str, ...], memo: BuildMemo, jobs: int
) -> list[ResolvedArticle]:
    """Every article resolved, in `paths` order: from the memo while its file and its seed
    are unchanged, otherwise afresh, in parallel when there are enough of them."""
    results: dict[str, ResolvedArticle] = {}
    todo: list[tuple[str, bytes]] = []
    for path in paths:
        kept = memo.articles.get(path)
        if kept is not None and kept.still_fresh(shared.root):
            results[path] = kept.article
            continue
        raw, problems = read_bytes(shared.root, path)
        if raw is None:
            results[path] = ResolvedArticle(path, "", None, None, tuple(problems))
        else:
            todo.append((path, raw))
    resolve = functools.partial(resolve_article, shared)
    fresh = None
    if jobs > 1 and len(todo) >= PARALLEL_ARTICLES:
        fresh = fork_map(resolve, todo, jobs)
    for (path, raw), article in zip(todo, fresh or map(resolve, todo), strict=True):
        results[path] = article
        if not article.diagnostics:
            memo.articles[path] = _KeptArticle.of(shared.root, article, raw)
        else:
            memo.articles.pop(path, None)
    for gone in set(memo.articles) - set(paths):
        del memo.articles[gone]
    return [results[path] for path in paths]


_RACY_NS = 2_000_000_000
"""A file written this shortly before its stamp was taken may have changed again without the
stamp showing it (some file systems keep times to the second or two): then its content
decides, as in git's racy-clean check."""


@dataclass(frozen=True)
class _Stamp:
    """A file's modification time, size and inode when last seen, and when that was."""

    path: Path
    seen: tuple[int, int, int] | None
    taken_ns: int

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        taken = time.time_ns()
        try:
            info = path.stat()
        except OSError:
            return cls(path, None, taken)
        return cls(path, (info.st_mtime_ns, info.st_size, info.st_ino), taken)

    def trusted(self) -> bool:
        """True when the file still has this stamp and the stamp is not racy."""
        now = _Stamp.of(self.path).seen
        return now is not None and now == self.seen and now[0] < self.taken_ns - _RACY_NS


@dataclass(frozen=True)
class _KeptArticle:
    """A resolved article in the memo, with what it was resolved from."""

    article: ResolvedArticle
    raw: bytes
    stamp: _Stamp
    seed: _Stamp | None

    @classmethod
    def of(cls, root: Path, article: ResolvedArticle, raw: bytes) -> _KeptArticle:
        # Stamped after the files were read: a save in between leaves a stamp too recent
        # to trust (_RACY_NS), so the next build compares the bytes it resolved.
        seed = article.linked[0].spec.source if article.linked else ""
        return cls(
            article, raw, _Stamp.of(root / article.path), _Stamp.of(root / seed) if seed else None
        )

    def still_fresh(self, root: Path) -> bool:
        """Whether the article file and its seed are as they were resolved."""
        if not self.stamp.trusted():
            raw, _ = read_bytes(root, self.article.path)
            if raw != self.raw:
                return False
        if self.seed is None or self.seed.trusted():
            return True
        seed, _ = load_text_file(root, self.seed.path.relative_to(root).as_posix())
        return seed is not None and seed.text == self.article.seed_text


def resolve_article(shared: _Shared, job: tuple[str, bytes]) -> ResolvedArticle:
    """Load, validate, anchor and link one article (its file's path and bytes)."""
    path, raw = job
    with _blame(path):
        file, diagnostics = load_article(path, raw)
        checked = validate_article(file, shared.root, shared.people, shared.terms)
        diagnostics += checked.diagnostics
        spec = checked.spec
        linked, seed_text = None, ""
        if spec is not None and spec.source:
            seed, problems = load_text_file(shared.root, spec.source)
            diagnostics += [_at(d, spec.source_position) for d in problems]
            if seed is not None:
                anchored, problems = anchor_article(spec, seed)
                findings, problems = article_changes(shared.root, spec, seed, problems)
                diagnostics += problems
                diagnostics += [finding_diagnostic(f, spec.source, seed.text) for f in findings]
                if anchored is not None:
                    linked = link_article(anchored, shared.names, shared.autolink)
                    seed_text = seed.text
    return ResolvedArticle(path, file.text, checked, linked, tuple(diagnostics), seed_text)


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


_YAML_LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Where YAML breaks lines, so that line numbers agree; `str.splitlines` also breaks at form
feeds and other controls, which would cut the very line that holds one."""


def _with_source_lines(diagnostics: list[Diagnostic], texts: dict[str, str]) -> list[Diagnostic]:
    """Attach the line each message points at, so it can be shown under the message."""
    result = []
    for d in diagnostics:
        text = texts.get(d.position.path)
        if text and d.position.line and not d.source_line:
            lines = _YAML_LINE_BREAKS.split(text)
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
    plans: PlanMemo = field(default_factory=PlanMemo)


def render_pages(
    site: Site, options: BuildOptions, memo: PageMemo | None = None
) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Render every page, reusing from `memo` the pages whose inputs and templates are unchanged.

    A broken template is reported like a content error, at its own line: every place where
    a template went wrong, once, with the first page it went wrong on.
    """
    memo = memo if memo is not None else PageMemo()
    base_url = options.base_url or site.content.site.base_url
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    env = make_environment(options.project)
    try:
        fingerprints = template_fingerprints(env)
        pages: dict[str, tuple[PagePlan, bytes]] = {}
        stale: list[PagePlan] = []
        for plan in plan_site(site, base_url, memo.markdown, memo.plans):
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
        options.report_stage("render", len(stale))
        if options.workers > 1 and len(stale) >= PARALLEL_THRESHOLD:
            memo.markdown.render_all(markdown_sources(site), options.workers)
        failures: list[TemplateFailure] = []
        for plan, data in zip(stale, render_plans(stale, env, options.workers), strict=True):
            if isinstance(data, TemplateFailure):
                failures.append(data)
            else:
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
    if failures:
        return {}, _template_problems(options.project, failures)
    memo.pages = pages
    memo.templates = fingerprints
    files = {path: data for path, (_, data) in pages.items()}
    files.update(export_files(site, base_url))
    files[".nojekyll"] = b""
    files[FEED] = atom_feed(site, base_url)
    files[ROBOTS] = robots_txt(base_url)  # unless templates/root/ has one: site_files
    if site.content.site.cname:  # GitHub Pages reads the custom domain from this file
        files["CNAME"] = site.content.site.cname.encode("ascii") + b"\n"
    return files, []


def export_files(site: Site, base_url: str) -> dict[str, bytes]:
    """Each article's seed and its annotations as W3C Web Annotation data (FORMAT.md §11)."""
    files = {}
    language = site.content.site.language
    for article in site.articles:
        slug = article.spec.slug
        files[source_path(slug)] = source_bytes(article)
        files[collection_path(slug)] = export_article(article, base_url, language)
    return files


def _template_problems(project: Path, failures: list[TemplateFailure]) -> list[Diagnostic]:
    """One error per place in a template that failed, naming the first page it failed on."""
    pages: dict[tuple[str, int, str, str], list[str]] = {}
    for failure in failures:
        key = (failure.filename, failure.line, failure.message, failure.hint)
        pages.setdefault(key, []).append(failure.page)
    problems = []
    for (filename, line, message, hint), failed in pages.items():
        where = Position(_template_path(project, filename), line, 1 if line else 0)
        others = f" and {len(failed) - 1} other page(s)" if len(failed) > 1 else ""
        rendering = f"while rendering {failed[0]}{others}"
        problems.append(
            error(where, f"template error: {message}", "\n".join(filter(None, (hint, rendering))))
        )
    return sort_diagnostics(problems)


def site_files(
    files: dict[str, bytes], project: Path, copies: list[tuple[str, Path]]
) -> tuple[dict[str, bytes], list[tuple[str, Path]], list[Diagnostic]]:
    """The rendered files with what is copied as is: `copies` (the checked `static/` files),
    and `templates/root/` at the root of the site (a name that clashes with a built file is
    an error)."""
    root, problems = root_files(project)
    files, copies, clashes = place_root_files(files, copies, root, project)
    return files, copies, problems + clashes


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
    return scan_static_files(project)[0]


def scan_static_files(project: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The assets `static_files` names, each as the real file to copy, and a problem for each
    one refused: a link out of the project, not a regular file, or over MAX_COPY_BYTES.

    A refused file of the project's own is not replaced by the theme's file of that name:
    the build fails, rather than publish something the editor did not put there.
    """
    chosen: dict[str, Path | None] = {}
    problems: list[Diagnostic] = []
    for theme in themes(project):
        static = theme.folder / "static"
        found, refused = files_inside(theme.boundary, static, theme.relpath(static))
        problems += refused
        for relpath, source in found:
            name = f"static/{relpath}"
            if name in chosen:
                continue
            try:
                outcome = inspect_inside(theme.boundary, source, MAX_COPY_BYTES)
            except OSError as exc:
                outcome = Refusal(f"cannot read the file: {exc.strerror}", "")
            if isinstance(outcome, Refusal):
                problems.append(error(Position(theme.relpath(source)), *outcome))
            chosen[name] = outcome if isinstance(outcome, Path) else None
    return sorted((name, path) for name, path in chosen.items() if path is not None), problems


def scan_theme(project: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The static files to copy, and every problem with the templates and those files."""
    copies, problems = scan_static_files(project)
    # A link out above `static/` is met by both scans: it is one problem.
    return copies, list(dict.fromkeys(template_problems(project) + problems))


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a build runs.

    A build makes millions of objects that live until it ends, and next to no reference
    cycles: the collector's passes over ever more objects took a fifth of a large build
    (at 1,000 articles, 0.6 s of a parallel resolve's 2.4 s). Reference counting still
    frees everything else at once; the cycles wait for the collector's next pass.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check(options: BuildOptions) -> BuildReport:
    """Run every stage but the write."""
    started = time.perf_counter()
    with _cycle_collector_paused():
        memo = BuildMemo()
        site, diagnostics = resolve_site(options, memo)
        diagnostics += keep_schemas_current(options, memo)
        if site is not None and options.strict:
            diagnostics += stale_record_problems(options.project, records_of(site))
        copies, theme_problems = scan_theme(options.project)
        diagnostics = diagnostics + theme_problems
        if site is not None and not theme_problems:
            files, problems = render_pages(site, options)
            if not problems:
                problems = site_files(files, options.project, copies)[2]
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
        self.search_language: str | None = INDEX_LANGUAGE
        """What Pagefind indexes the pages as (search.index_language), from the last build."""

    def build(self) -> BuildReport:
        """Build, and write what changed since the last successful build."""
        with _cycle_collector_paused():
            return self._build()

    def _build(self) -> BuildReport:
        started = time.perf_counter()
        options = self.options
        diagnostics = check_output_folder(options.out_dir, options.project)
        if diagnostics:
            return _report(diagnostics, options, started)
        site, diagnostics = resolve_site(options, self.memo)
        diagnostics += keep_schemas_current(options, self.memo)
        if site is not None and options.strict:
            diagnostics += stale_record_problems(options.project, records_of(site))
        copies, theme_problems = scan_theme(options.project)
        diagnostics = diagnostics + theme_problems
        if site is None or _fails(diagnostics, options.strict):
            return _report(diagnostics, options, started)
        files, problems = render_pages(site, options, self.pages)
        self.search_language = index_language(site.content.site.language, shows_cjk(site))
        files, copies, placing = site_files(files, options.project, copies)
        diagnostics = diagnostics + problems + (placing if not problems else [])
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
        options.report_stage("write", len(files) + len(copies))
        try:
            written = self._write(files, copies, search)
        except (SearchIndexError, SiteWriteError, OSError) as exc:
            problem = _write_failure(options.out_dir, exc)
            return _report([*diagnostics, problem], options, started)
        if options.records == "write" and not options.strict:
            diagnostics += write_records(options.project, records_of(site))
        return _report(diagnostics, options, started, written)

    def refresh_search(self) -> None:
        """Re-index the built site for search, when Pagefind is there to do it.

        The live preview builds with `search=False` and calls this after its pages are
        live, so the index catches up without delaying the reload.
        """
        if self.written and pagefind_executable() is not None:
            refresh_index(self.options.out_dir, self.search_language)

    def _index(self, staging: Path) -> None:
        pages = sum(1 for path in self.pages.pages if path.endswith(".html"))
        self.options.report_stage("index", pages)
        index_site(staging, self.search_language)

    def _write(
        self, files: dict[str, bytes], copies: list[tuple[str, Path]], search: bool
    ) -> tuple[str, ...]:
        assets = {path: (source, *_stat(source)) for path, source in copies}
        out = self.options.out_dir
        if not self.written or not out.is_dir():
            write_site(out, files, copies, finish=self._index if search else None)
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
                refresh_index(out, self.search_language)
        self.written = files
        self.assets = assets
        return tuple(sorted(changed))


def records_of(site: Site) -> dict[str, bytes]:
    """Every article's anchor record, as its file would hold it, by slug."""
    return {a.spec.slug: record_json(record_of(a, seed_bytes_of(a))) for a in site.articles}


def stale_record_problems(project: Path, records: dict[str, bytes]) -> list[Diagnostic]:
    """Under `--strict`, which never writes records: each record that a build would write
    or delete, as an error, so that CI proves the committed records match the content."""
    changed, gone = stale_records(project, records)
    hint = "run `site-builder build` without --strict, and commit content/anchors/"
    return [
        error(
            Position(path),
            "out of date: the anchor record does not match the content"
            if (project / path).is_file()
            else "missing: this article has no anchor record yet",
            hint,
        )
        for path in changed
    ] + [
        error(Position(path), "out of date: no article has this anchor record", hint)
        for path in gone
    ]


def _write_failure(out: Path, exc: Exception) -> Diagnostic:
    """The error for a build that could not be put in place; the previous site is untouched."""
    kept = "the previous site is untouched"
    if isinstance(exc, SearchIndexError):
        return error(Position(str(out)), f"search indexing failed: {exc}", kept)
    if isinstance(exc, SiteWriteError):
        hint = f"{kept}; check the disk's free space and permissions"
        return error(Position(str(out)), str(exc), hint)
    return error(Position(str(out)), f"cannot write the site: {exc}", kept)


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
