"""Render stage: run the planned jobs (plan.py) through the theme's templates, by path.

Templates get plain data (dicts of strings, numbers, lists and Markup that the jobs'
functions make), never model objects, so what a template can reach is exactly what a job
hands it. Jinja runs with autoescape and StrictUndefined: an editor's text is always
escaped, and a template typo is a build error, not a blank. The theme's files, the
environment and template errors as editors read them are here too.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .errors import Diagnostic, Position, error, sort_diagnostics
from .load import Refusal, decode_utf8, files_inside, inspect_inside, read_inside
from .markup import MarkdownRenderer, mark_cjk
from .parallel import fork_map
from .plan import PageJob
from .templating import COMPILED_AS, TEMPLATING_SOURCES, SiteEnvironment, escape_text
from .urls import TEMPLATE_PATHS
from .write import Staged

PACKAGE_THEME = Path(__file__).parent / "default_templates"
SOURCE_THEME = Path(__file__).parent.parent / "templates"


@dataclass(frozen=True)
class Theme:
    """A folder of templates, and the folder its links may lead into."""

    folder: Path
    boundary: Path
    """The project for the project's own templates; the theme folder itself for the default."""
    shown: str
    """How messages name the folder: `templates` for the project's own."""

    def relpath(self, path: Path) -> str:
        return f"{self.shown}/{path.relative_to(self.folder).as_posix()}"


def themes(project: Path) -> list[Theme]:
    """Where templates are looked up: the project's own first, then the default theme."""
    default = PACKAGE_THEME if PACKAGE_THEME.is_dir() else SOURCE_THEME
    found = [
        Theme(project / "templates", project, "templates"),
        Theme(default, default, str(default)),
    ]
    unique: list[Theme] = []
    for theme in found:
        if theme.folder.is_dir() and theme.folder.resolve() not in {
            u.folder.resolve() for u in unique
        }:
            unique.append(theme)
    return unique


def theme_dirs(project: Path) -> list[Path]:
    """The folders of `themes`, the project's own first."""
    return [theme.folder for theme in themes(project)]


TEMPLATE_SUFFIXES = (".html", ".xml")
"""Files under `templates/` (but `static/`) that are pages' templates, read on every build."""


class TemplateFileError(jinja2.TemplateSyntaxError):
    """A template file the build refuses (a link out, not a regular file, too large, not UTF-8)."""


def read_template(theme: Theme, path: Path) -> str | Diagnostic:
    """A template's text, read as every input is (see load.read_inside), or why not."""
    relpath = theme.relpath(path)
    try:
        raw = read_inside(theme.boundary, path)
    except OSError as exc:
        return error(Position(relpath), f"cannot read the file: {exc.strerror}")
    if isinstance(raw, Refusal):
        return error(Position(relpath), *raw)
    text, problems = decode_utf8(relpath, raw)
    return problems[0] if text is None else text


class ThemeLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader with the rules of every other input: a template that is a
    link out of the project, a FIFO or a device, too large or not UTF-8 is refused."""

    def __init__(self, themes: list[Theme]) -> None:
        self.themes = themes

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)  # refuses `..`
        for theme in self.themes:
            path = theme.folder.joinpath(*pieces)
            if os.path.lexists(path):
                return _source(theme, path, template)
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for theme in self.themes:
            for top, _, files in os.walk(theme.folder):
                below = Path(top).relative_to(theme.folder)
                found.update((below / name).as_posix() for name in files if name[:2] != ".#")
        return sorted(found)


def _source(theme: Theme, path: Path, template: str) -> tuple[str, str, Callable[[], bool]]:
    outcome = read_template(theme, path)
    if isinstance(outcome, Diagnostic):
        raise TemplateFileError(outcome.message, outcome.position.line or 1, template, str(path))
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = -1

    def uptodate() -> bool:
        try:
            return path.stat().st_mtime_ns == mtime
        except OSError:
            return False

    return outcome, str(path), uptodate


def template_problems(project: Path) -> list[Diagnostic]:
    """Every file under the project's `templates/` the build would refuse, found before any
    page is rendered (`static/` is checked where it is copied).

    Templates are read as the loader reads them; other files (under `root/`, or ones a
    template includes by another suffix) are checked without reading: links, kind, size.
    """
    theme = Theme(project / "templates", project, "templates")
    files, problems = files_inside(project, theme.folder, theme.shown)
    for relpath, path in files:
        if relpath.startswith("static/") or path.name.startswith(".#"):
            continue
        if path.name.endswith(TEMPLATE_SUFFIXES):
            outcome = read_template(theme, path)
            if isinstance(outcome, Diagnostic):
                problems.append(outcome)
        elif isinstance(problem := _inspected(theme, path), Diagnostic):
            problems.append(problem)
    return problems


def _inspected(theme: Theme, path: Path) -> Path | Diagnostic:
    try:
        outcome = inspect_inside(theme.boundary, path)
    except OSError as exc:
        return error(Position(theme.relpath(path)), f"cannot read the file: {exc.strerror}")
    return (
        error(Position(theme.relpath(path)), *outcome) if isinstance(outcome, Refusal) else outcome
    )


def make_environment(project: Path) -> jinja2.Environment:
    """A Jinja environment over the project's templates.

    Compiled templates are cached on disk (in the user's cache folder, keyed by each
    template's source), so a build or a preview rebuild does not spend most of its
    time compiling templates that have not changed.
    """
    env = SiteEnvironment(
        loader=ThemeLoader(themes(project)),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cjk"] = _cjk_filter
    env.globals["urls"] = dict(TEMPLATE_PATHS)
    return env


@jinja2.pass_context
def _cjk_filter(context: jinja2.runtime.Context, value: Any) -> Markup:
    """`{{ name|cjk }}`: the value escaped, its CJK runs marked with the site's `cjk_lang`.

    Markup (a rendered note, say) is taken as it is: it was marked when it was made.
    """
    if isinstance(value, Markup):
        return value
    # A name or a title nearly always: escaped as `escape` does, without its Markup copy.
    escaped = escape_text(value) if type(value) is str else str(escape(value))
    return Markup(mark_cjk(escaped, context["site"]["cjk_lang"]))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's compiled templates under $XDG_CACHE_HOME (or ~/.cache), or no cache at all.

    Not in the temp folder: that is for what a run cleans up after itself.
    """
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    # Apart from templates compiled by other versions, which may print values differently.
    folder = Path(base) / "site-builder" / "templates" / COMPILED_AS
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time, as before
    return jinja2.FileSystemBytecodeCache(str(folder))


_TEMPLATE_REFERENCE = re.compile(
    r"""\{%-?\s*(?:extends|include|import|from)\s+(?:(["'])(.*?)\1)?"""
)


def _referenced(source: str, every: set[str]) -> set[str]:
    """Templates a source extends, includes or imports.

    A regex rather than Jinja's parser, which took most of a small build's time; a name
    that is not a plain string (`{% include variable %}`) counts as depending on all.
    """
    names: set[str] = set()
    for match in _TEMPLATE_REFERENCE.finditer(source):
        if match.group(2) is None:
            return every
        names.add(match.group(2))
    return names


def template_fingerprints(env: jinja2.Environment) -> dict[str, str]:
    """Each page template's fingerprint: a SHA-256 of its source and of every template it uses.

    A page is re-rendered when its template's fingerprint changes, so editing `_letters.html`
    re-renders the two index pages and nothing else.
    """
    sources = {
        name: env.loader.get_source(env, name)[0]
        for name in env.list_templates()
        if name.endswith((".html", ".xml")) and not name.startswith("static/")
    }
    every = set(sources)
    uses = {name: _referenced(source, every) for name, source in sources.items()}
    fingerprints = {}
    for name in sources:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in sources:
                continue
            seen.add(current)
            todo.extend(uses[current])
        digest = hashlib.sha256()
        for used in sorted(seen):
            for part in (used, sources[used]):
                data = part.encode("utf-8", "surrogatepass")
                digest.update(len(data).to_bytes(8, "big") + data)  # lengths: no two read alike
        fingerprints[name] = digest.hexdigest()
    return fingerprints


def render_page(template: str, context: dict[str, Any], env: jinja2.Environment) -> str:
    """Render one page's context with its template."""
    return env.get_template(template).render(context)


@dataclass(frozen=True)
class TemplateFailure:
    """A page its template could not render: where in which template file, and why.

    Plain data, so that it crosses back from a worker process as it is.
    """

    filename: str
    """The template file, as its loader found it (an absolute path); "" when unknown."""
    line: int
    """The template's own line, 1-based; 0 when unknown."""
    message: str
    hint: str
    page: str
    """The page being rendered, e.g. `articles/xi/index.html`."""


# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 120


RenderedJob = list[tuple[str, Staged]] | TemplateFailure
"""A job's pages as (path, what `put` made of it), or where its template failed."""


def render_jobs(
    jobs: list[PageJob],
    env: jinja2.Environment,
    markdown: MarkdownRenderer,
    workers: int,
    put: Callable[[str, bytes], Staged],
) -> list[RenderedJob]:
    """Make and render each job's pages, on `workers` processes when there are enough jobs
    to pay for it, and hand each page to `put` as it is made (a worker writes its own
    pages: only their sizes and digests come back).

    Each job is made and rendered by itself, so the bytes are the same either way. A page
    whose template fails (a division by zero, an unknown filter, a template that extends
    itself) gives its job a TemplateFailure; a bug of the build itself is raised, as is
    `put`'s SiteWriteError.
    """
    render = functools.partial(_render_job, env=env, markdown=markdown, put=put)
    if workers > 1 and len(jobs) >= PARALLEL_THRESHOLD:
        rendered = fork_map(render, jobs, workers)
        if rendered is not None:
            return rendered
    return [render(job) for job in jobs]


def _render_job(
    job: PageJob,
    env: jinja2.Environment,
    markdown: MarkdownRenderer,
    put: Callable[[str, bytes], Staged],
) -> RenderedJob:
    done: list[tuple[str, Staged]] = []
    path = job.path
    try:
        for path, made in job.pages(markdown):
            if isinstance(made, bytes):  # a file the job made whole, not a page
                done.append((path, put(path, made)))
            else:
                page = render_page(job.template, made, env).encode("utf-8")
                done.append((path, put(path, page)))
    except Exception as exc:
        failure = template_failure(exc, path)
        if failure is None:
            raise
        return failure
    return done


def template_error(project: Path, exc: jinja2.TemplateError) -> Diagnostic:
    """A template that could not be compiled, or that asked for a value no page has."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = Position(template_path(project, exc.filename), exc.lineno or 0, 1)
        return error(where, f"template error: {exc.message}")
    return error(
        Position("templates"),
        f"template error: {exc}",
        "a template uses a value the build does not provide",
    )


def failure_problems(project: Path, failures: list[TemplateFailure]) -> list[Diagnostic]:
    """One error per place in a template that failed, naming the first page it failed on."""
    pages: dict[tuple[str, int, str, str], list[str]] = {}
    for failure in failures:
        key = (failure.filename, failure.line, failure.message, failure.hint)
        pages.setdefault(key, []).append(failure.page)
    problems = []
    for (filename, line, message, hint), failed in pages.items():
        where = Position(template_path(project, filename), line, 1 if line else 0)
        others = f" and {len(failed) - 1} other page(s)" if len(failed) > 1 else ""
        rendering = f"while rendering {failed[0]}{others}"
        problems.append(
            error(where, f"template error: {message}", "\n".join(filter(None, (hint, rendering))))
        )
    return sort_diagnostics(problems)


def template_path(project: Path, filename: str | None) -> str:
    """A template file as messages name it: relative to the project when inside it."""
    if not filename:
        return "templates"
    path = Path(filename)
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


_PACKAGE_DIRS = tuple(
    {str(Path(__file__).parent) + os.sep, str(Path(__file__).resolve().parent) + os.sep}
)
"""This package's folder, as its code objects may name it, for telling its frames apart."""


def template_failure(exc: BaseException, page: str) -> TemplateFailure | None:
    """What a template did wrong, when `exc` is its doing; None when it is a bug of the build.

    Jinja rewrites the traceback of an error raised while a template runs so that the
    template's frames carry its file and line; the innermost of them is where the template
    went wrong. An error raised in this package's code after that frame is the package's.
    """
    frames = [
        (
            tb.tb_frame.f_code.co_filename,
            tb.tb_lineno,
            "__jinja_exception__" in tb.tb_frame.f_globals,
        )
        for tb in _traceback_entries(exc)
    ]
    in_template = [i for i, (_, _, is_template) in enumerate(frames) if is_template]
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateFailure(
            exc.filename or "", exc.lineno or 0, exc.message or str(exc), "", page
        )
    if not in_template:
        if isinstance(exc, jinja2.TemplateError):
            return TemplateFailure("", 0, _describe(exc), _hint(exc), page)
        return None
    innermost = in_template[-1]
    if isinstance(exc, RecursionError):
        return _endless([(name, line) for name, line, is_template in frames if is_template], page)
    # The theme loader is this package's code that a template's `extends` or `include` calls:
    # what it raises there (a missing template) is the template's doing.
    loading = isinstance(exc, jinja2.TemplateNotFound | TemplateFileError)
    # SiteEnvironment reads and prints values in Jinja's stead: a value it is asked for
    # that the build does not provide (an UndefinedError raised through it) is too.
    reading = isinstance(exc, jinja2.UndefinedError)
    if not loading and any(
        name.startswith(_PACKAGE_DIRS) and not (reading and name in TEMPLATING_SOURCES)
        for name, _, _ in frames[innermost + 1 :]
    ):
        return None
    filename, line, _ = frames[innermost]
    return TemplateFailure(filename, line, _describe(exc), _hint(exc), page)


def _traceback_entries(exc: BaseException) -> Iterator[Any]:
    tb = exc.__traceback__
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _describe(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"no template named `{exc.name}`"
    return str(exc) or type(exc).__name__


def _hint(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return "a template uses a value the build does not provide"
    if isinstance(exc, jinja2.TemplateNotFound):
        return "templates are looked up in templates/, then in the default theme"
    return ""


def _endless(chain: list[tuple[str, int]], page: str) -> TemplateFailure:
    """An endless recursion through templates, located where its loop starts.

    The first template place that comes round again starts the loop: the same for every
    depth at which Python gave up, so serial and parallel builds report the same.
    """
    first_seen: dict[tuple[str, int], int] = {}
    for index, place in enumerate(chain):
        if place in first_seen:
            loop = chain[first_seen[place] : index + 1]
            steps = " -> ".join(f"{Path(name).name}:{line}" for name, line in loop)
            return TemplateFailure(
                place[0],
                place[1],
                f"rendering never ends: {steps}",
                "a template extends or includes itself (directly or through others), "
                "or a macro calls itself without end",
                page,
            )
        first_seen[place] = index
    name, line = chain[0]
    return TemplateFailure(name, line, "rendering never ends", "", page)
