"""Render stage: turn the linked site into page texts, by output path.

Templates get plain data (dicts of strings, numbers, lists and Markup made
here), never model objects, so what a template can reach is exactly what this
module hands it. Jinja runs with autoescape and StrictUndefined: an editor's
text is always escaped, and a template typo is a build error, not a blank.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import unescape as _unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from . import pages
from . import structured as structured_data
from .errors import Diagnostic, Position, error, sort_diagnostics
from .load import Refusal, decode_utf8, files_inside, inspect_inside, read_inside
from .markup import (
    Attribution,
    MarkdownRenderer,
    SpanStyle,
    annotate_paragraph,
    cjk_markup,
    mark_cjk,
)
from .model import AnchoredArticle, Occurrence, Person, Place, Site, Term
from .parallel import fork_map
from .templating import COMPILED_AS, TEMPLATING_SOURCES, SiteEnvironment, escape_text
from .textmatch import NameMatcher, normalize, normalize_needle
from .urls import (
    GLOSSARY_INDEX,
    HOME,
    NOT_FOUND,
    PEOPLE_INDEX,
    SEARCH,
    SITEMAP,
    TEMPLATE_PATHS,
    absolute,
    article_path,
    at,
    collection_path,
    note_id,
    page_path,
    paragraph_id,
    person_path,
    relative,
    root_prefix,
    target_path,
    term_path,
)

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


def template_fingerprints(env: jinja2.Environment) -> dict[str, int]:
    """Each page template's fingerprint: a hash of its source and of every template it uses.

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
        fingerprints[name] = hash(tuple(sorted((n, sources[n]) for n in seen)))
    return fingerprints


@dataclass(frozen=True)
class PagePlan:
    """A page before rendering: what it is made from, and how to make its template context.

    Two plans with equal `inputs` and unchanged templates render to the same bytes, which
    is what lets an incremental build skip a page. `inputs` must therefore hold everything
    `context` reads.
    """

    path: str
    template: str
    inputs: tuple[Any, ...]
    context: Callable[[], dict[str, Any]] = field(compare=False)


@dataclass(frozen=True)
class PlannedArticle:
    """What planning found for one article: its page, and its entry on the home page."""

    article: AnchoredArticle
    page: PagePlan
    summary: dict[str, Any]
    summary_key: tuple[Any, ...]
    """The summary, frozen for the home page's inputs."""


@dataclass
class PlanMemo:
    """Article page plans of the previous build (serve keeps one), reused for an article that
    is equal to the one planned while the people, terms and settings its page shows are equal:
    planning an article page reads all its places, which on a large site costs more than
    the rest of a one-edit rebuild."""

    shown: tuple[Any, ...] = ()
    """Site settings, base URL, people and terms the plans below were made with."""
    articles: dict[str, PlannedArticle] = field(default_factory=dict)
    """By slug."""
    note_hits: dict[str, tuple[AnchoredArticle, dict[str, list[NoteHit]]]] = field(
        default_factory=dict
    )
    """By slug: the notes of the article that name terms, with the article they were found in."""
    splits: dict[str, tuple[tuple[Any, ...], list[list[pages.Section]]]] = field(
        default_factory=dict
    )
    """By a person's or term's page path: its cards cut into pages, with the page's inputs.
    Cutting needs every card made, which for every person and term is most of a rebuild."""


def plan_site(
    site: Site, base_url: str, markdown: MarkdownRenderer, memo: PlanMemo | None = None
) -> list[PagePlan]:
    """Every page and feed of the site, in output order (static assets are the write stage's)."""
    memo = memo if memo is not None else PlanMemo()
    content = site.content
    shown = (content.site, base_url, content.people, content.terms)
    if memo.shown != shown:
        memo.shown, memo.articles, memo.note_hits, memo.splits = shown, {}, {}, {}
    markdown.use_cjk_lang(content.site.cjk_lang)
    planner = _Planner(site, base_url, markdown, memo)
    plans = list(planner.plans())
    slugs = {a.spec.slug for a in site.articles}
    for gone in set(memo.articles) - slugs:
        del memo.articles[gone]
    memo.note_hits = {slug: kept for slug, kept in memo.note_hits.items() if slug in slugs}
    memo.splits = {path: kept for path, kept in memo.splits.items() if path in planner.split_bases}
    return plans


def markdown_sources(site: Site) -> Iterator[str]:
    """Every Markdown text a page of the site may show: notes, bios, definitions."""
    for article in site.articles:
        yield from (place.note for place in article.places if place.note)
    yield from (person.bio for person in site.content.people if person.bio)
    yield from (term.definition for term in site.content.terms)


def render_plan(plan: PagePlan, env: jinja2.Environment) -> str:
    """Render one planned page with its template."""
    return env.get_template(plan.template).render(plan.context())


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


def render_plans(
    plans: list[PagePlan], env: jinja2.Environment, jobs: int
) -> list[bytes | TemplateFailure]:
    """Render pages, on `jobs` processes when there are enough of them to pay for it.

    Each page is rendered by itself, so the bytes are the same either way. A page whose
    template fails (a division by zero, an unknown filter, a template that extends itself)
    gives a TemplateFailure in its place; a bug of the build itself is raised.
    """
    render = functools.partial(_render_bytes, env=env)
    if jobs > 1 and len(plans) >= PARALLEL_THRESHOLD:
        rendered = fork_map(render, plans, jobs)
        if rendered is not None:
            return rendered
    return [render(plan) for plan in plans]


def _render_bytes(plan: PagePlan, env: jinja2.Environment) -> bytes | TemplateFailure:
    try:
        return render_plan(plan, env).encode("utf-8")
    except Exception as exc:
        failure = template_failure(exc, plan.path)
        if failure is None:
            raise
        return failure


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


def _sort_key(name: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", name).casefold()
    return ("".join(ch for ch in folded if not unicodedata.combining(ch)), name)


def _initial(name: str) -> str:
    first = _sort_key(name)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def letter_groups(items: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Sort A to Z and group by initial letter, for the index pages and their letter bar."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda i: _sort_key(i[key])):
        groups.setdefault(_initial(item[key]), []).append(item)
    return [{"letter": letter, "entries": members} for letter, members in sorted(groups.items())]


class _Planner:
    """Plans every page of one build; holds the lookups all pages share."""

    def __init__(
        self,
        site: Site,
        base_url: str,
        markdown: MarkdownRenderer,
        memo: PlanMemo,
    ) -> None:
        self.site = site
        self.memo = memo
        self.article_plans = memo.articles
        """Reusable plans, which this planner also fills; see PlanMemo."""
        self.split_bases: set[str] = set()
        self.base_url = base_url
        self.md = markdown
        self.people = {p.id: p for p in site.content.people}
        self.terms = {t.id: t for t in site.content.terms}
        self.common = (site.content.site, base_url)
        self.words = site.content.site.words
        self.numbered_pages: list[str] = []
        """Pages 2, 3, ... of people and terms, as planned; the sitemap lists them too."""

    def planned(self, article: AnchoredArticle) -> PlannedArticle:
        """The article's page plan and index entry, reused while the article is equal to the
        one it was made from (the very same object costs nothing to compare)."""
        kept = self.article_plans.get(article.spec.slug)
        if kept is None or kept.article != article:
            summary = self.article_summary(article)
            kept = PlannedArticle(article, self.article_page(article), summary, _frozen(summary))
            self.article_plans[article.spec.slug] = kept
        return kept

    def plans(self) -> Iterator[PagePlan]:
        planned = [self.planned(a) for a in self.site.articles]
        articles = [p.summary for p in planned]
        yield self.plan(
            HOME,
            "index.html",
            "home",
            self.site.content.site.title,
            (tuple(p.summary_key for p in planned),),
            structured=lambda url: structured_data.website(
                self.site.content.site.title, self.site.content.site.description, url
            ),
            articles=articles,
        )
        for entry in planned:
            yield entry.page
        people = [self.person_summary(p) for p in self.people.values()]
        yield self.plan(
            PEOPLE_INDEX,
            "people.html",
            "people",
            self.words.text("people"),
            (_frozen(people),),
            groups=lambda: letter_groups(people, "name"),
        )
        for person in self.people.values():
            yield from self.person_page(person)
        terms = [self.term_summary(t) for t in self.terms.values()]
        yield self.plan(
            GLOSSARY_INDEX,
            "glossary.html",
            "glossary",
            self.words.text("glossary"),
            (_frozen(terms),),
            structured=lambda url: structured_data.term_set(
                self.words.text("glossary_set", site=self.site.content.site.title),
                url,
                [(t["term"], self.absolute(t["href"])) for t in terms],
            ),
            groups=lambda: letter_groups(terms, "term"),
        )
        for term in self.terms.values():
            yield from self.term_page(term)
        yield self.plan(
            NOT_FOUND, "404.html", "404", self.words.text("not_found"), (), absolute=True
        )
        # Search results come from Pagefind in the browser; the page itself is a form and,
        # without JavaScript, links to the indexes. It is left out of the sitemap.
        yield self.plan(SEARCH, "search.html", "search", self.words.text("search"), ())
        urls = tuple(self.absolute(p) for p in self.sitemap_paths())
        yield PagePlan(SITEMAP, "sitemap.xml", (urls,), lambda: {"urls": urls})

    def sitemap_paths(self) -> list[str]:
        return [
            HOME,
            *(article_path(a.spec.slug) for a in self.site.articles),
            PEOPLE_INDEX,
            *(person_path(p) for p in self.people),
            GLOSSARY_INDEX,
            *(term_path(t) for t in self.terms),
            *self.numbered_pages,
            *(collection_path(a.spec.slug) for a in self.site.articles),
        ]

    def plan(
        self,
        path: str,
        template: str,
        kind: str,
        title: str,
        inputs: tuple[Any, ...],
        absolute: bool = False,
        description: str = "",
        structured: Callable[[str], dict[str, Any]] | None = None,
        **values: Any,
    ) -> PagePlan:
        """A page with the context every template shares; callables in `values` run lazily.

        `structured` makes the page's schema.org data from its canonical URL.
        """
        config = self.site.content.site
        canonical = "" if absolute else self.absolute(path)

        def context() -> dict[str, Any]:
            return {
                "site": {
                    "title": config.title,
                    "description": config.description,
                    "language": config.language,
                    "base_url": self.base_url,
                    "cjk_lang": config.cjk_lang,
                },
                "page": {
                    "kind": kind,
                    "title": title,
                    "description": description or config.description,
                    "canonical": canonical,
                    "og_type": _OG_TYPES.get(kind, "website"),
                    "jsonld": structured_data.json_ld(structured(canonical)) if structured else "",
                },
                # 404.html is served at any depth, so only absolute links work there.
                "root": self.base_url if absolute else root_prefix(path),
                # The theme's words: `t("key")`, `t("key", n=count)`; the scripts' as JSON.
                "t": config.words.for_template,
                "script_words": config.words.for_script,
                **{k: v() if callable(v) else v for k, v in values.items()},
            }

        return PagePlan(path, template, (self.common, title, description, *inputs), context)

    # --- summaries for index pages ---------------------------------------

    def article_summary(self, article: AnchoredArticle) -> dict[str, Any]:
        spec = article.spec
        counts = {
            kind: sum(1 for p in article.places if p.type == kind and not p.auto)
            for kind in ("quote", "mention", "term", "note")
        }
        counts["notes_total"] = sum(1 for p in article.places if p.note)  # every numbered note
        return {
            "slug": spec.slug,
            "title": spec.title,
            "publisher": spec.publisher,
            "date": spec.date.isoformat() if spec.date else "",
            "date_display": self.words.date(spec.date),
            "href": article_path(spec.slug),
            "counts": counts,
        }

    def person_summary(self, person: Person) -> dict[str, Any]:
        return {
            "id": person.id,
            "name": person.name,
            "native": person.native,
            "summary": person.summary,
            "href": person_path(person.id),
            "quotes": len(self.site.quotes_by.get(person.id, ())),
            "mentions": len(self.site.mentions_of.get(person.id, ())),
        }

    def term_summary(self, term: Term) -> dict[str, Any]:
        return {
            "id": term.id,
            "term": term.term,
            "native": term.native,
            "transliteration": term.transliteration,
            "href": term_path(term.id),
            "occurrences": len(self.site.occurrences_of.get(term.id, ())),
        }

    # --- pages -----------------------------------------------------------

    def article_page(self, article: AnchoredArticle) -> PagePlan:
        spec = article.spec
        speakers = tuple(sorted({p.target for p in article.places if p.type == "quote"}))
        speaker_links = [{"name": self.people[s].name, "href": person_path(s)} for s in speakers]
        named = sorted({p.target for p in article.places if p.type in ("quote", "mention")})
        people = {n: (self.people[n].name, self.absolute(person_path(n))) for n in named}
        summary = self.article_summary(article)
        description = (
            self.words.text(
                "article_description",
                title=spec.title,
                publisher=spec.publisher,
                date=self.words.date(spec.date),
            )
            if spec.publisher
            else ""
        )
        popovers = self.popovers(article)
        return self.plan(
            article_path(spec.slug),
            "article.html",
            "article",
            spec.title,
            (article, _frozen(speaker_links), _frozen(people), _frozen(popovers)),
            description=description,
            structured=lambda url: structured_data.news_article(
                article,
                url,
                people,
                self.site.content.site.language,
                structured_data.editors(self.site.content.site.title, self.base_url),
            ),
            article=lambda: {
                **summary,
                "annotations_href": collection_path(spec.slug),
                "original_url": spec.original_url,
                "original_host": _host(spec.original_url),
                "permalink_base": self.absolute(article_path(spec.slug)),
            },
            paragraphs=lambda: self.paragraphs(article),
            speakers=speaker_links,
            popovers=popovers,
        )

    def popovers(self, article: AnchoredArticle) -> list[dict[str, str]]:
        """What the popover of each person and term the article links to shows, in plain text.

        Embedded in the article page, so a popover needs no request; plain text (the
        definition or bio without its Markdown) keeps it short and safe to clone.
        """
        page = article_path(article.spec.slug)
        linked = sorted(
            {(p.type == "term", p.target) for p in article.places if p.type in _LINKED_TYPES}
        )
        return [
            self.term_popover(self.terms[target], page)
            if is_term
            else self.person_popover(target, page)
            for is_term, target in linked
        ]

    def person_popover(self, pid: str, page: str) -> dict[str, str]:
        person = self.people[pid]
        return {
            "href": relative(page, person_path(pid)),
            "name": self.cjk(person.name),
            "native": self.cjk(person.native),
            "transliteration": "",
            "text": self.cjk(person.summary or self.md.plain(person.bio, _POPOVER_CHARS)),
            "more": self.words.text("person_page"),
        }

    def term_popover(self, term: Term, page: str) -> dict[str, str]:
        return {
            "href": relative(page, term_path(term.id)),
            "name": self.cjk(term.term),
            "native": self.cjk(term.native),
            "transliteration": term.transliteration,
            "text": self.cjk(self.md.plain(term.definition, _POPOVER_CHARS)),
            "more": self.words.text("glossary_entry"),
        }

    def paragraphs(self, article: AnchoredArticle) -> list[dict[str, Any]]:
        notes = [p for p in article.places if p.note]
        numbers = {p.id: n for n, p in enumerate(notes, start=1)}
        page = article_path(article.spec.slug)
        style = SpanStyle(
            href=lambda place: relative(page, target_path(place.type, place.target)),
            note_numbers=numbers,
            attribution=functools.partial(self.attribution, page=page),
            cjk_lang=self.site.content.site.cjk_lang,
            note_ref=self.words.text("note_ref"),
            quotation_by=self.words.text("quotation_by"),
        )
        opened: set[str] = set()
        paragraphs = []
        # Places come in document order: each paragraph takes the next that start before its end
        # and keeps those still open, so no paragraph looks at every place of the article.
        places, taken = article.places, 0
        here: list[Place] = []
        for index, paragraph in enumerate(article.body.paragraphs, start=1):
            while taken < len(places) and places[taken].start < paragraph.end:
                here.append(places[taken])
                taken += 1
            here = [p for p in here if paragraph.start < p.end]
            starting = [p for p in here if paragraph.start <= p.start]
            anchor = paragraph_id(index)
            paragraphs.append(
                {
                    "id": anchor,
                    "html": annotate_paragraph(
                        article.body.text, paragraph.start, paragraph.end, here, style, opened
                    ),
                    "speakers": sum(1 for p in starting if p.type == "quote"),
                    "notes": [
                        self.note(p, numbers[p.id], article, anchor) for p in starting if p.note
                    ],
                }
            )
        return paragraphs

    def note(
        self, place: Place, number: int, article: AnchoredArticle, paragraph: str
    ) -> dict[str, Any]:
        words = article.body.text[place.start : place.end].split()
        label = " ".join(words[:_LABEL_WORDS]) + (" …" if len(words) > _LABEL_WORDS else "")
        return {
            "id": note_id(place.id),
            "target": place.id,
            "paragraph": paragraph,
            "number": number,
            "type": place.type,
            "label": self.cjk(label),
            "html": _with_hosts(self.md.render(place.note)),
        }

    def attribution(self, place: Place, page: str) -> Attribution | None:
        """A quote's speaker, linked from the article page `page`."""
        if place.type != "quote":
            return None
        speaker = self.people[place.target]
        return Attribution(relative(page, person_path(place.target)), speaker.name)

    def person_page(self, person: Person) -> Iterator[PagePlan]:
        """The person's page, and pages 2, 3, ... when their places are too many for one."""
        quotes = self.site.quotes_by.get(person.id, ())
        mentions = tuple(
            pages.without_repeated_quotes(self.site.mentions_of.get(person.id, ()), quotes)
        )
        slugs = {o.article_slug for o in (*quotes, *mentions)}
        dates = tuple(sorted((s, self.dates.get(s)) for s in slugs))
        details = lambda: {  # noqa: E731 - read by every numbered page, made on demand
            **self.person_summary(person),
            "name_html": self.cjk(person.name),
            "bio": self.md.render(person.bio) if person.bio else "",
            "roles": [{"title": r.title, "start": r.start, "end": r.end} for r in person.roles],
            "links": [{"label": lk.label, "url": lk.url} for lk in person.links],
        }
        sections = functools.cache(lambda: self.person_sections(person, quotes, mentions))
        yield from self.paged(
            person_path(person.id),
            "person.html",
            "person",
            person.name,
            (person, quotes, mentions, dates, self.site.content.site.cjk_lang),
            sections,
            description=person.summary or self.md.plain(person.bio, 160),
            structured=lambda url: structured_data.person(person, url, self.md.plain(person.bio)),
            person=details,
        )

    def person_sections(
        self, person: Person, quotes: Iterable[Occurrence], mentions: Iterable[Occurrence]
    ) -> list[pages.Section]:
        lang = self.site.content.site.cjk_lang
        quote_cards = [self.card(o, pages.speaker_context(o, person.name, lang)) for o in quotes]
        mention_cards = [self.card(o, pages.plain_context(o, lang)) for o in mentions]
        listed = [
            pages.Section(key, tuple(self.dressed(groups, person)), len(cards))
            for key, cards in (("quotes", quote_cards), ("mentions", mention_cards))
            if (groups := pages.group_by_article(cards, self.dates))
        ]
        return listed

    def dressed(
        self, groups: list[dict[str, Any]], person: Person | None = None
    ) -> Iterator[dict[str, Any]]:
        """Each article's group with its link and date, and for a person, the roles they
        held on that date and those they took up later."""
        for group in groups:
            held, later = pages.roles_on(person.roles, group["date"]) if person else ([], [])
            yield {
                **group,
                "href": article_path(group["slug"]),
                "date_iso": group["date"].isoformat() if group["date"] else "",
                "date_display": self.words.date(group["date"]),
                "roles_then": held,
                "roles_later": later,
            }

    def term_page(self, term: Term) -> Iterator[PagePlan]:
        """The term's page, and pages 2, 3, ... when its places are too many for one."""
        found = self.site.occurrences_of.get(term.id, ())
        in_notes = tuple(self.notes_naming.get(term.id, ()))
        see_also = [self.term_summary(self.terms[t]) for t in term.see_also if t in self.terms]
        slugs = {o.article_slug for o in found} | {n.article_slug for n in in_notes}
        dates = tuple(sorted((s, self.dates.get(s)) for s in slugs))
        lang = self.site.content.site.cjk_lang

        def sections() -> list[pages.Section]:
            cards = sorted(
                [
                    *(self.card(o, pages.plain_context(o, lang)) for o in found),
                    *(self.note_card(n) for n in in_notes),
                ],
                key=lambda c: (c["article_slug"], c["offset"], c["kind"] == "note"),
            )
            groups = pages.group_by_article(cards, self.dates)
            return (
                [pages.Section("texts", tuple(self.dressed(groups)), len(cards))] if groups else []
            )

        yield from self.paged(
            term_path(term.id),
            "term.html",
            "term",
            term.term,
            (term, found, in_notes, _frozen(see_also), dates, lang),
            functools.cache(sections),
            description=self.md.plain(term.definition, 160),
            structured=lambda url: structured_data.term(
                term, url, self.absolute(GLOSSARY_INDEX), self.md.plain(term.definition)
            ),
            term=lambda: {
                **self.term_summary(term),
                "term_html": self.cjk(term.term),
                "aliases": list(term.aliases),
                "definition": self.md.render(term.definition),
                "renderings": [{"text": r.text, "by": r.by} for r in term.renderings],
                "see_also": see_also,
            },
        )

    def paged(
        self,
        base: str,
        template: str,
        kind: str,
        title: str,
        inputs: tuple[Any, ...],
        sections: Callable[[], list[pages.Section]],
        **values: Any,
    ) -> Iterator[PagePlan]:
        """Page 1 at `base` and a numbered page for every further page of `sections`' cards.

        How many pages there are depends on the cards, so it is worked out while planning;
        each page's context still renders only its own cards.
        """
        self.split_bases.add(base)
        kept = self.memo.splits.get(base)
        if kept is None or kept[0] != inputs:
            kept = self.memo.splits[base] = (inputs, pages.paginate(sections(), pages.card_size))
        split = kept[1]
        count = len(split)
        for number, page_sections in enumerate(split, start=1):
            path = page_path(base, number)
            if number > 1:
                self.numbered_pages.append(path)
            pager = {
                "number": number,
                "count": count,
                "prev": page_path(base, number - 1) if number > 1 else "",
                "next": page_path(base, number + 1) if number < count else "",
                "first": base,
            }
            yield self.plan(
                path,
                template,
                kind,
                title
                if number == 1
                else self.words.text("title_page_of", title=title, number=number, count=count),
                (*inputs, number),
                sections={s.key: s for s in page_sections},
                pager=pager,
                **values,
            )

    def card(self, occurrence: Occurrence, sentence: pages.Sentence) -> dict[str, Any]:
        """One place in a text, as a person's or term's page lists it."""
        return {
            "kind": occurrence.type,
            "article_slug": occurrence.article_slug,
            "article_title": occurrence.article_title,
            "offset": occurrence.offset,
            "href": at(article_path(occurrence.article_slug), occurrence.anchor),
            "context": pages.context_markup(sentence),
            "note": self.md.render(occurrence.note) if occurrence.note else "",
            "note_number": 0,
        }

    def note_card(self, hit: NoteHit) -> dict[str, Any]:
        """A note that names the term: its passage in the text, and the note itself."""
        lang = self.site.content.site.cjk_lang
        return {
            "kind": "note",
            "article_slug": hit.article_slug,
            "article_title": hit.article_title,
            "offset": hit.offset,
            "href": at(article_path(hit.article_slug), hit.anchor),
            "context": cjk_markup(hit.passage, lang),
            "note": self.md.render(hit.note),
            "note_number": hit.number,
        }

    @functools.cached_property
    def dates(self) -> dict[str, datetime.date | None]:
        """Each article's date, by slug."""
        return {a.spec.slug: a.spec.date for a in self.site.articles}

    @functools.cached_property
    def notes_naming(self) -> dict[str, list[NoteHit]]:
        """Term id -> the notes whose text names the term (a term's own note left out)."""
        return notes_naming_terms(self.site, self.md, self.memo.note_hits)

    def cjk(self, text: str) -> Markup:
        return cjk_markup(text, self.site.content.site.cjk_lang)

    def absolute(self, path: str) -> str:
        """The clean public URL of a page, for metadata that leaves the site."""
        return absolute(self.base_url, path)


@dataclass(frozen=True)
class NoteHit:
    """A note whose text names a term, for the term's page."""

    article_slug: str
    article_title: str
    anchor: str
    """The note's id in its article page."""
    number: int
    """The note's number in its article."""
    passage: str
    """The annotated passage the note is on."""
    note: str
    """Markdown source."""
    offset: int


def notes_naming_terms(
    site: Site,
    markdown: MarkdownRenderer,
    kept: dict[str, tuple[AnchoredArticle, dict[str, list[NoteHit]]]] | None = None,
) -> dict[str, list[NoteHit]]:
    """Term id -> every note whose text names the term, by any of its names, in article order.

    A term annotation's own note is left out for that term: its page shows it with the place.
    `kept` holds each article's hits from an earlier build with the same terms (PlanMemo),
    reused while the article is equal, and is brought up to date.
    """
    kept = kept if kept is not None else {}
    owner = {normalize_needle(name): term.id for term in site.content.terms for name in term.names}
    owner.pop("", None)
    matcher = NameMatcher(owner)
    found: dict[str, list[NoteHit]] = {}
    for article in site.articles:
        hits = kept.get(article.spec.slug)
        if hits is None or hits[0] != article:
            hits = kept[article.spec.slug] = (
                article,
                _note_hits(article, owner, matcher, markdown),
            )
        for tid, notes in hits[1].items():
            found.setdefault(tid, []).extend(notes)
    return found


def _note_hits(
    article: AnchoredArticle,
    owner: dict[str, str],
    matcher: NameMatcher,
    markdown: MarkdownRenderer,
) -> dict[str, list[NoteHit]]:
    """Term id -> the notes of one article that name the term, in text order."""
    found: dict[str, list[NoteHit]] = {}
    noted = [p for p in article.places if p.note]
    for number, place in enumerate(noted, start=1):
        named = {
            owner[name] for _, _, name in matcher.find(normalize(markdown.plain(place.note)).text)
        }
        if place.type == "term":
            named.discard(place.target)
        passage = " ".join(article.body.text[place.start : place.end].split())
        for tid in sorted(named):
            found.setdefault(tid, []).append(
                NoteHit(
                    article.spec.slug,
                    article.spec.title,
                    note_id(place.id),
                    number,
                    passage,
                    place.note,
                    place.start,
                )
            )
    return found


def _frozen(value: Any) -> Any:
    """A hashable, comparable copy of plain data, for a plan's inputs."""
    if isinstance(value, str | int):  # most values: checked first, as the preview calls this a lot
        return value
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


_OG_TYPES = {"article": "article", "person": "profile"}

_LINKED_TYPES = ("quote", "mention", "term")
"""Annotations whose person or term the article links to (a quote, through its attribution)."""
_POPOVER_CHARS = 280
_LABEL_WORDS = 8
"""A note's label quotes at most this many words of its passage (endnotes and print)."""

_EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)"')


def _host(url: str) -> str:
    """`digichina.stanford.edu` for a link there: what a printed page shows of a URL."""
    host = (urlsplit(_unescape(url)).hostname or "") if url else ""
    return host.removeprefix("www.")


def _with_hosts(rendered: Markup) -> Markup:
    """Rendered Markdown whose web links carry `data-host`, for print to show instead of the URL.

    markdown-it writes every link as `<a href="...">`, its URL attribute-escaped, so the
    pattern sees exactly the links it writes.
    """
    return Markup(
        _EXTERNAL_LINK.sub(
            lambda m: f'{m.group(0)} data-host="{escape(_host(m.group(1)))}"', str(rendered)
        )
    )
