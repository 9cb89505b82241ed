"""One article by itself through load, validate, anchor and link.

Every article is resolved against the same `ArticleContext` and nothing else, so articles
can be resolved in any order, on any core, and kept between builds while their file, their
seed and the context are unchanged (incremental.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .anchor import anchor_article
from .errors import Diagnostic, Position, blame, error, sort_diagnostics, with_source_lines
from .link import Linked, Names, collect_site, link_article
from .load import ContentFiles, load_article, load_text_file
from .model import Autolink, Content, Site
from .records import article_changes, finding_diagnostic
from .validate import Catalog, CheckedArticle, Known, validate_across, validate_article


@dataclass(frozen=True)
class ArticleContext:
    """What every article is resolved against, and nothing more: a change here (a new
    person, a new alias) resolves every article again, while a new bio resolves none."""

    root: Path
    people: Known
    terms: Known
    autolink: Autolink
    names: Names


@dataclass(frozen=True)
class ResolvedArticle:
    """One article taken as far as it goes by itself: loaded, checked, anchored and linked."""

    path: str
    text: str
    """The YAML as written, for the source lines of messages."""
    checked: CheckedArticle | None
    """None when the file could not be read."""
    linked: Linked | None
    """The article with its autolinks, its places for person and term pages and its notes
    for the term pages they name; None when it could not be anchored."""
    diagnostics: tuple[Diagnostic, ...]
    seed_text: str = ""
    """The seed as it was anchored against, when it was."""


def resolve_article(context: ArticleContext, job: tuple[str, bytes]) -> ResolvedArticle:
    """Load, validate, anchor and link one article (its file's path and bytes)."""
    path, raw = job
    with blame(path):
        file, diagnostics = load_article(path, raw)
        checked = validate_article(file, context.root, context.people, context.terms)
        diagnostics += checked.diagnostics
        spec = checked.spec
        linked, seed_text = None, ""
        if spec is not None and spec.source:
            seed, problems = load_text_file(context.root, spec.source)
            diagnostics += [_at(d, spec.source_position) for d in problems]
            if seed is not None:
                anchored, problems = anchor_article(spec, seed)
                findings, problems = article_changes(context.root, spec, seed, problems)
                diagnostics += problems
                diagnostics += [finding_diagnostic(f, spec.source, seed.text) for f in findings]
                if anchored is not None:
                    linked = link_article(anchored, context.names, context.autolink)
                    seed_text = seed.text
    return ResolvedArticle(path, file.text, checked, linked, tuple(diagnostics), seed_text)


def unreadable_article(path: str, problems: list[Diagnostic]) -> ResolvedArticle:
    """An article whose file could not be read: only its problems."""
    return ResolvedArticle(path, "", None, None, tuple(problems))


Collector = Callable[[Content, list[Linked], bool], tuple[Site, list[Diagnostic]]]
"""`link.collect_site`, or a memo of it (the live preview keeps one)."""


def gather_site(
    files: ContentFiles,
    catalog: Catalog,
    resolved: list[ResolvedArticle],
    diagnostics: list[Diagnostic],
    name_problems: list[Diagnostic],
    collect: Collector = collect_site,
) -> tuple[Site | None, list[Diagnostic]]:
    """Check and gather what spans articles (ids unique site-wide, back-references) into the
    site; None with every problem, each with its source line, when any is an error.

    `diagnostics` are those of loading and of the catalog; `name_problems` those of
    compiling the names, which do not hide the warnings about unused people and terms.
    """
    for article in resolved:
        diagnostics += article.diagnostics
    diagnostics += validate_across(a.checked for a in resolved if a.checked is not None)
    linked = sorted((a.linked for a in resolved if a.linked), key=_linked_slug)
    specs = sorted((a.checked.spec for a in resolved if a.checked and a.checked.spec), key=_slug)
    content = Content(catalog.site, catalog.people, catalog.terms, tuple(specs))
    # Unused people and terms are only news when nothing else is wrong: a broken article
    # or a misspelt `person:` makes people look unused, and those warnings would bury it.
    report_unused = not any(d.is_error for d in diagnostics)
    with blame("content/"):
        site, problems = collect(content, linked, report_unused)
    diagnostics += name_problems + problems
    texts = {f.path: f.text for f in (files.site, files.people, files.glossary) if f is not None}
    texts.update((a.path, a.text) for a in resolved)
    diagnostics = with_source_lines(sort_diagnostics(diagnostics), texts)
    return (None if any(d.is_error for d in diagnostics) else site), diagnostics


_linked_slug = operator.attrgetter("article.spec.slug")
_slug = operator.attrgetter("slug")


def _at(diagnostic: Diagnostic, fallback: Position) -> Diagnostic:
    """A seed problem without a line is reported where the article names the seed."""
    if diagnostic.position.line:
        return diagnostic
    return error(fallback, f"{diagnostic.position.path}: {diagnostic.message}", diagnostic.hint)
