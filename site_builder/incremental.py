"""Every memo of the build: what one build lends the next, and when it may.

The live preview keeps one `BuildMemo` between builds; `check` and a plain `build` start
from an empty one, so the stages run in full. Each result is kept with what it was made
from, compared by content (bytes, or values equal to those it read), never by the
identity of an object of an earlier build, and reused only while that is unchanged.
Whether a file is unchanged is told by its stamp, or, in the preview, by what the
watcher saw (`options.Changes`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import os
import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from .errors import Diagnostic
from .feed import feed_of
from .link import BookKey, Books, Linked, Names, article_books, compile_names, site_of
from .load import (
    ContentFiles,
    YamlFile,
    load_content,
    load_text_file,
    load_yaml_text,
    read_bytes,
)
from .markup import MarkdownRenderer
from .model import AnchoredArticle, Content, Site
from .parallel import fork_map
from .plan import (
    Common,
    PageJob,
    PlannedArticle,
    plan_article,
    plan_site,
    sitemap_job,
)
from .render import (
    TemplateFailure,
    failure_problems,
    make_environment,
    render_jobs,
    template_error,
    template_fingerprints,
)
from .resolve import ArticleContext, ResolvedArticle, resolve_article, unreadable_article
from .schema import ProjectIds, complete_ids, update_schemas
from .search import content_shows_cjk, write_failure
from .siteroot import built_files
from .validate import Catalog, validate_catalog
from .write import SiteWriteError, Staged, Staging, kept_in_memory, swap_in, update_from

if TYPE_CHECKING:
    from .options import BuildOptions, Changes

# Below this many articles to resolve, starting worker processes costs more than it saves.
PARALLEL_ARTICLES = 60

_FileKey = tuple[tuple[str, str] | None, ...]
"""Site, people and glossary by their path and text: what `validate_catalog` reads of them."""


@dataclass
class PageMemo:
    """Rendered pages of the previous build, by job, with what they were made from."""

    pages: dict[str, tuple[PageJob, list[tuple[str, Staged]]]] = field(default_factory=dict)
    """A job's first path -> the job and the pages it made (sizes and digests: the pages
    themselves are on disk)."""
    templates: dict[str, str] = field(default_factory=dict)
    """Template name -> fingerprint of its source and everything it extends or includes."""
    environment: jinja2.Environment | None = None
    """What those templates were read with: the preview keeps it (and its compiled
    templates) while its watcher sees nothing change in templates/."""
    markdown: MarkdownRenderer = field(default_factory=MarkdownRenderer)
    scope: tuple[Any, ...] = ()
    """The settings, people and terms the article plans below were made with."""
    articles: dict[str, tuple[AnchoredArticle, PlannedArticle]] = field(default_factory=dict)
    """By slug: each article's plan, kept while the article and `scope` are equal; planning
    an article reads all its places."""
    feed: tuple[tuple[Any, ...], bytes] | None = None
    """The feed, with the settings, base URL and articles' feed items it was made from."""
    cjk: tuple[tuple[Any, ...], bool] | None = None
    """The settings, people and terms last asked about, and whether they show CJK."""

    def atom_feed(self, site: Site, base_url: str) -> bytes:
        """`feed.feed_of` the articles planned, again only when what it shows changed."""
        items = tuple(planned.feed for _, planned in self.articles.values())
        made_from = (site.content.site, base_url, items)
        if self.feed is None or self.feed[0] != made_from:
            self.feed = (made_from, feed_of(*made_from))
        return self.feed[1]

    def shows_cjk(self, site: Site) -> bool:
        """`search.shows_cjk` of the site last rendered, from its articles' plans."""
        content = site.content
        # Not the articles: an edit of one would redo the whole question.
        shown_from = (content.site, content.people, content.terms)
        if self.cjk is None or self.cjk[0] != shown_from:
            self.cjk = (shown_from, content_shows_cjk(content))
        return self.cjk[1] or any(planned.cjk for _, planned in self.articles.values())

    def plan_articles(self, site: Site, common: Common) -> list[PlannedArticle]:
        """`plan.plan_article` for each article, again only for those that changed."""
        content = site.content
        scope = (common, content.people, content.terms)
        if self.scope != scope:
            self.scope, self.articles = scope, {}
        people = {p.id: p for p in content.people}
        terms = {t.id: t for t in content.terms}
        kept: dict[str, tuple[AnchoredArticle, PlannedArticle]] = {}
        for article in site.articles:
            slug = article.spec.slug
            previous = self.articles.get(slug)
            if previous is None or not _same(previous[0], article):
                planned = plan_article(common, article, people, terms)
                previous = (article, planned)
            kept[slug] = previous
        self.articles = kept
        return [planned for _, planned in kept.values()]

    def split(
        self, jobs: list[PageJob], fingerprints: dict[str, str], on_disk: dict[str, Staged]
    ) -> tuple[dict[str, list[tuple[str, Staged]]], list[PageJob]]:
        """The jobs' pages kept from the last build (an equal job, the same template, every
        page as `on_disk` holds it: a build that rendered but did not write leaves its
        pages nowhere), and the jobs to render."""
        kept: dict[str, list[tuple[str, Staged]]] = {}
        stale: list[PageJob] = []
        for job in jobs:
            previous = self.pages.get(job.path)
            if (
                previous is not None
                and previous[0] == job
                and self.templates.get(job.template) == fingerprints.get(job.template)
                and all(_same(on_disk.get(path), made) for path, made in previous[1])
            ):
                kept[job.path] = previous[1]
            else:
                stale.append(job)
        return kept, stale


@dataclass
class OutputMemo:
    """What the output folder holds since the last successful write."""

    written: dict[str, Staged] = field(default_factory=dict)
    assets: dict[str, tuple[Path, int, int]] = field(default_factory=dict)
    """Copied files by site path: their source, modification time and size."""

    def whole(self, out: Path) -> bool:
        """Whether the next write makes the whole site afresh: the first time, or when the
        folder written last is gone."""
        return not self.written or not out.is_dir()

    def write(
        self,
        staging: Staging,
        files: dict[str, Staged],
        copies: list[tuple[str, Path]],
        index: Callable[[Path], None] | None,
        reindex: Callable[[Path], None] | None,
    ) -> tuple[str, ...]:
        """Swap the whole staged folder in when it is `whole` (`index` runs on it before the
        swap); otherwise move in only the staged files that changed, delete those gone, and
        `reindex` the live folder when a page changed. The paths written or deleted."""
        assets = {path: (source, *_stat(source)) for path, source in copies}
        written = self.written
        if staging.whole:
            swap_in(staging, files, copies, finish=index)
            changed = set(files) | set(assets)
        else:
            pages = [p for p, made in files.items() if written.get(p) != made]
            fresh = [
                (p, src) for p, (src, *stat) in assets.items() if self.assets.get(p) != (src, *stat)
            ]
            removed = (set(written) - set(files)) | (set(self.assets) - set(assets))
            update_from(staging, pages, fresh, removed)
            changed = set(pages) | {p for p, _ in fresh} | removed
            if reindex is not None and any(p.endswith(".html") for p in changed):
                reindex(staging.out)
        self.written = files
        self.assets = assets
        return tuple(sorted(changed))


@dataclass
class ReferenceMemo:
    """The back-references of the last build, gathered article by article, so that a
    rebuild regathers only the lists the changed articles are in."""

    linked: list[Linked] = field(default_factory=list)
    """The articles last gathered, in site order."""
    parts: list[Books] = field(default_factory=list)
    """Each of those articles' own back-references (`link.article_books`)."""
    holders: dict[BookKey, list[int]] = field(default_factory=dict)
    """Each list's articles, by their index in `linked`, in order."""
    books: Books = field(default_factory=dict)

    def collect_site(
        self, content: Content, linked: list[Linked], report_unused: bool
    ) -> tuple[Site, list[Diagnostic]]:
        """`link.collect_site`, regathering only the lists whose articles changed."""
        slugs = [a.article.spec.slug for a in linked]
        if slugs != [a.article.spec.slug for a in self.linked]:
            self.linked, self.parts, self.holders, self.books = [], [], {}, {}
            for index, article in enumerate(linked):
                self.linked.append(article)
                self.parts.append(article_books(article))
                for key in self.parts[index]:
                    self.holders.setdefault(key, []).append(index)
            self.books = {key: self._gathered(key) for key in self.holders}
        else:
            for index, article in enumerate(linked):
                if not _same(article, self.linked[index]):
                    self._replace(index, article)
        return site_of(content, [a.article for a in linked], self.books, report_unused)

    def _replace(self, index: int, article: Linked) -> None:
        before, after = self.parts[index], article_books(article)
        self.linked[index], self.parts[index] = article, after
        for key in before.keys() | after.keys():
            holders = self.holders.setdefault(key, [])
            if key not in after:
                holders.remove(index)
            elif key not in before:
                bisect.insort(holders, index)
            if holders:
                self.books[key] = self._gathered(key)
            else:
                del self.holders[key], self.books[key]

    def _gathered(self, key: BookKey) -> tuple[Any, ...]:
        return tuple(item for index in self.holders[key] for item in self.parts[index][key])


@dataclass
class BuildMemo:
    """Results one build can lend the next, each with the input it was made from."""

    files: dict[str, tuple[bytes, YamlFile, list[Diagnostic]]] = field(default_factory=dict)
    """Site, people and glossary by path: the bytes last parsed there, and what they gave."""
    catalog: tuple[_FileKey, Catalog, list[Diagnostic]] | None = None
    """The shared files validated, by their paths and texts."""
    names: tuple[tuple[object, ...], Names, list[Diagnostic]] | None = None
    """The people's and terms' names, compiled, with the warnings that gave."""
    names_from: tuple[object, ...] = ()
    """The people and terms those names were last asked for: equal ones (the catalog kept,
    most often) skip making the key above."""
    context: ArticleContext | None = None
    """What the articles below were resolved against."""
    articles: dict[str, _KeptArticle] = field(default_factory=dict)
    """By article path. Only articles without a problem are kept, so every message comes
    from a fresh reading."""
    followed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """By path of a kept article: the files it was read from, each also as the file a link
    there leads to, for a watcher's `Changes` (which name the file written, not a link to
    it). Made when a watcher first tells, as a build without one has no use for them."""
    schema_ids: ProjectIds | None = None
    """The ids `schemas/` was last brought up to date with, so a rebuild skips it."""
    schema_catalog: Catalog | None = None
    """The catalog those ids came from: while the memo keeps it, nothing needs asking."""
    references: ReferenceMemo = field(default_factory=ReferenceMemo)
    pages: PageMemo = field(default_factory=PageMemo)
    output: OutputMemo = field(default_factory=OutputMemo)

    def load_content(self, root: Path) -> tuple[ContentFiles, list[Diagnostic]]:
        """`load.load_content`, parsing again only the shared files whose bytes changed."""
        parsed: dict[str, tuple[bytes, YamlFile, list[Diagnostic]]] = {}

        def parse(path: str, raw: bytes, empty_hint: str) -> tuple[YamlFile, list[Diagnostic]]:
            kept = self.files.get(path)
            if kept is None or kept[0] != raw:
                kept = (raw, *load_yaml_text(path, raw, empty_hint))
            parsed[path] = kept
            return kept[1], kept[2]

        content = load_content(root, parse)
        self.files = parsed  # a file gone, or unreadable this time, is parsed afresh
        return content

    def validate_catalog(self, files: ContentFiles) -> tuple[Catalog, list[Diagnostic]]:
        """`validate.validate_catalog`, again only when site, people or glossary changed."""
        key = tuple(_file_key(f) for f in (files.site, files.people, files.glossary))
        if self.catalog is None or self.catalog[0] != key:
            self.catalog = (key, *validate_catalog(files))
        return self.catalog[1], list(self.catalog[2])

    def compile_names(self, catalog: Catalog) -> tuple[Names, list[Diagnostic]]:
        """`link.compile_names`, again only when an id, a name or where it is written changed."""
        if self.names is not None and self.names_from == (catalog.people, catalog.terms):
            return self.names[1], self.names[2]  # the same people and terms: the same names
        key = (
            tuple((p.id, p.names, p.position) for p in catalog.people),
            tuple((t.id, t.names, t.position) for t in catalog.terms),
        )
        if self.names is None or self.names[0] != key:
            self.names = (key, *compile_names(catalog.people, catalog.terms))
        self.names_from = (catalog.people, catalog.terms)
        return self.names[1], self.names[2]

    def resolve_articles(
        self,
        context: ArticleContext,
        paths: tuple[str, ...],
        jobs: int,
        changes: Changes | None = None,
    ) -> list[ResolvedArticle]:
        """Every article resolved, in `paths` order: kept while its file, its seed and the
        context are unchanged (by `changes` when a watcher gave them, otherwise by stamps),
        otherwise afresh, in parallel when there are enough of them."""
        if self.context != context:
            self.context, self.articles, self.followed = context, {}, {}
        if changes is not None:
            unfollowed = [kept for path, kept in self.articles.items() if path not in self.followed]
            self.followed.update(_followed(context.root, unfollowed))
        results: dict[str, ResolvedArticle] = {}
        todo: list[tuple[str, bytes]] = []
        for path in paths:
            kept = self.articles.get(path)
            if kept is not None and self._unchanged(kept, context.root, changes):
                results[path] = kept.article
                continue
            raw, problems = read_bytes(context.root, path)
            if raw is None:
                results[path] = unreadable_article(path, problems)
            else:
                todo.append((path, raw))
        resolve = functools.partial(resolve_article, context)
        fresh = None
        if jobs > 1 and len(todo) >= PARALLEL_ARTICLES:
            fresh = fork_map(resolve, todo, jobs)
        for (path, raw), article in zip(todo, fresh or map(resolve, todo), strict=True):
            results[path] = article
            self.followed.pop(path, None)
            if not article.diagnostics:
                self.articles[path] = _KeptArticle.of(context.root, article, raw)
            else:
                self.articles.pop(path, None)
        for gone in set(self.articles) - set(paths):
            del self.articles[gone]
            self.followed.pop(gone, None)
        return [results[path] for path in paths]

    def _unchanged(self, kept: _KeptArticle, root: Path, changes: Changes | None) -> bool:
        """Whether a kept article's file and seed are as they were resolved: unchanged by
        what a watcher saw, when it tells and can vouch for them; otherwise by stamps."""
        if changes is not None and not any(
            map(changes.may_have_changed, self.followed[kept.article.path])
        ):
            return True
        return kept.still_fresh(root)

    def keep_schemas_current(self, project: Path, strict: bool) -> list[Diagnostic]:
        """`schema.update_schemas` for the last catalog, unless `schemas/` already lists its
        ids. Only from people and glossary files that could be read: a schema listing no
        ids would flag every reference while the editor fixes a typo."""
        catalog = self.catalog[1] if self.catalog is not None else None
        if catalog is None or _same(catalog, self.schema_catalog):  # its ids were handled
            return []
        ids = complete_ids(catalog)
        if ids is None or ids == self.schema_ids:
            self.schema_catalog = catalog
            return []
        problems, current = update_schemas(project, ids, strict)
        if current:
            self.schema_ids, self.schema_catalog = ids, catalog
        return problems

    def notice(self, changes: Changes | None) -> None:
        """Before a build reads anything: let go of the templates (with their environment)
        unless a watcher saw nothing change below templates/. Done up front, as a build
        that fails before its pages must not leave them to the next."""
        if changes is None or changes.may_have_changed_below("templates"):
            self.pages.environment = None

    def render_pages(
        self, site: Site, options: BuildOptions, staging: Staging | None
    ) -> tuple[dict[str, Staged], list[Diagnostic]]:
        """Every file made from the site, rendering only the pages whose job or template
        changed since the last build, into `staging` (without one, each file's bytes are
        kept in memory). A whole staging folder gets every page afresh.

        A broken template is reported like a content error, at its own line: every place
        where a template went wrong, once, with the first page it went wrong on.
        """
        memo = self.pages
        put = staging.put if staging is not None else kept_in_memory
        # A page is reused only where the output folder holds it: a staging folder that
        # becomes the whole site gets every page afresh.
        on_disk = self.output.written if staging is not None and not staging.whole else {}
        base_url = options.base_url or site.content.site.base_url
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        markdown = memo.markdown
        markdown.use_cjk_lang(site.content.site.cjk_lang)
        try:
            env, fingerprints = memo.environment, memo.templates
            memo.environment = None  # kept again once the pages have rendered
            if env is None:
                env = make_environment(options.project)
                fingerprints = template_fingerprints(env)
            planned = memo.plan_articles(site, Common(site.content.site, base_url))
            jobs = plan_site(site, base_url, planned)
            pages, stale = memo.split(jobs, fingerprints, on_disk)
            options.report_stage("render", len(stale))
            failures: list[TemplateFailure] = []
            rendered = render_jobs(stale, env, markdown, options.workers, put)
            for job, made in zip(stale, rendered, strict=True):
                if isinstance(made, TemplateFailure):
                    failures.append(made)
                else:
                    pages[job.path] = made
            if not failures:
                # The sitemap lists the numbered pages, which only rendering tells.
                numbered = _numbered_pages(jobs, pages)
                sitemap = sitemap_job(site, base_url, numbered)
                jobs.append(sitemap)
                kept, stale = memo.split([sitemap], fingerprints, on_disk)
                pages.update(kept)
                sitemap_made = render_jobs(stale, env, markdown, 1, put)
                for job, made in zip(stale, sitemap_made, strict=True):
                    if isinstance(made, TemplateFailure):
                        failures.append(made)
                    else:
                        pages[job.path] = made
        except jinja2.TemplateError as exc:
            return {}, [template_error(options.project, exc)]
        except SiteWriteError as exc:
            return {}, [write_failure(options.out_dir, exc)]
        if failures:
            return {}, failure_problems(options.project, failures)
        memo.pages = {job.path: (job, pages[job.path]) for job in jobs}
        memo.templates, memo.environment = fingerprints, env
        # In the jobs' order, which is deterministic (the workers wrote the pages in any order).
        files = dict(itertools.chain.from_iterable(made for _, made in memo.pages.values()))
        try:
            files.update(
                (p, put(p, data)) for p, data in built_files(site, base_url, memo.atom_feed).items()
            )
        except SiteWriteError as exc:
            return {}, [write_failure(options.out_dir, exc)]
        return files, []


def _numbered_pages(jobs: list[PageJob], pages: dict[str, list[tuple[str, Staged]]]) -> list[str]:
    """The pages after a job's first, in job order: an article's seed and export aside."""
    made = map(pages.__getitem__, map(operator.attrgetter("path"), jobs))
    return [
        path for pages in made if len(pages) > 1 for path, _ in pages[1:] if path[-5:] == ".html"
    ]


def _same(kept: object, new: object) -> bool:
    """Equal values; the identity test first only spares comparing a kept value field by
    field with itself (dataclasses' `==` has no such shortcut)."""
    return kept is new or kept == new


def _file_key(file: YamlFile | None) -> tuple[str, str] | None:
    return None if file is None else (file.path, file.text)


_RACY_NS = 2_000_000_000
"""A file written this shortly before its stamp was taken may have changed again without the
stamp showing it (some file systems keep times to the second or two): then its content
decides, as in git's racy-clean check."""


@dataclass(frozen=True)
class _Stamp:
    """A file's modification time, size and inode when last seen, and when that was."""

    path: str
    seen: tuple[int, int, int] | None
    taken_ns: int

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        taken = time.time_ns()
        return cls(str(path), _seen(str(path)), taken)

    def trusted(self) -> bool:
        """True when the stamp is not racy and the file still has it."""
        seen = self.seen
        return seen is not None and seen[0] < self.taken_ns - _RACY_NS and _seen(self.path) == seen


def _seen(path: str) -> tuple[int, int, int] | None:
    # os.stat of a str: a preview rebuild checks two files per article, and Path.stat's
    # conversions were most of that time.
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


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
        seed = article.linked.article.spec.source if article.linked else ""
        return cls(
            article, raw, _Stamp.of(root / article.path), _Stamp.of(root / seed) if seed else None
        )

    @property
    def sources(self) -> tuple[str, ...]:
        """The article's file and its seed's, relative to the project."""
        linked = self.article.linked
        seed = linked.article.spec.source if linked else ""
        return (self.article.path, seed) if seed else (self.article.path,)

    def still_fresh(self, root: Path) -> bool:
        """Whether the article file and its seed are as they were resolved, by their stamps
        (or their bytes, when a stamp is too recent to trust)."""
        if not self.stamp.trusted():
            raw, _ = read_bytes(root, self.article.path)
            if raw != self.raw:
                return False
        if self.seed is None or self.seed.trusted():
            return True
        seed, _ = load_text_file(root, Path(self.seed.path).relative_to(root).as_posix())
        return seed is not None and seed.text == self.article.seed_text


def _followed(root: Path, articles: list[_KeptArticle]) -> dict[str, tuple[str, ...]]:
    """Each article's sources (relative to `root`), each followed by where links on the way
    lead, if elsewhere: an article linked to a file of content/ changes when that file is
    written. A path outside the project comes out as "../...", which no watcher vouches for.
    """
    top, real_root = str(root), os.path.realpath(root)
    folders: dict[str, str] = {}  # a few folders hold every article: resolved once each

    def relative_real(path: str) -> str:
        return Path(os.path.relpath(os.path.realpath(path), real_root)).as_posix()

    def real(path: str) -> str:
        folder, _, name = path.rpartition("/")
        if folder not in folders:
            folders[folder] = relative_real(os.path.join(top, folder))
        if os.path.islink(os.path.join(top, path)):
            return relative_real(os.path.join(top, path))
        return posixpath.normpath(posixpath.join(folders[folder], name))

    return {
        kept.article.path: tuple(dict.fromkeys((*kept.sources, *map(real, kept.sources))))
        for kept in articles
    }


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size
