"""Render stage: turn the linked site into page texts, by output path.

Templates get plain data (dicts of strings, numbers, lists and Markup made
here), never model objects, so what a template can reach is exactly what this
module hands it. Jinja runs with autoescape and StrictUndefined: an editor's
text is always escaped, and a template typo is a build error, not a blank.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .link import paragraph_anchor
from .markup import Attribution, MarkdownRenderer, SpanStyle, annotate_paragraph, highlight
from .model import AnchoredArticle, Occurrence, Person, Place, Site, Term

PACKAGE_THEME = Path(__file__).parent / "default_templates"
SOURCE_THEME = Path(__file__).parent.parent / "templates"


def theme_dirs(project: Path) -> list[Path]:
    """Where templates are looked up: the project's own first, then the default theme."""
    default = PACKAGE_THEME if PACKAGE_THEME.is_dir() else SOURCE_THEME
    dirs = [project / "templates", default]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in {u.resolve() for u in unique}:
            unique.append(d)
    return unique


def make_environment(project: Path) -> jinja2.Environment:
    """A Jinja environment over the project's templates, compiled once per build."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme_dirs(project)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class PageUrl:
    """Where a page lives: its file path in the output, and its clean public address."""

    path: str
    """e.g. `articles/xi/index.html`."""

    @property
    def root(self) -> str:
        """The relative prefix from this page back to the site root."""
        return "../" * self.path.count("/")

    @property
    def clean(self) -> str:
        """The address readers see: `articles/xi/` for `articles/xi/index.html`."""
        return self.path.removesuffix("index.html")


def article_path(slug: str) -> str:
    return f"articles/{slug}/index.html"


def person_path(pid: str) -> str:
    return f"people/{pid}/index.html"


def term_path(tid: str) -> str:
    return f"glossary/{tid}/index.html"


def render_site(site: Site, env: jinja2.Environment, base_url: str) -> dict[str, str]:
    """Every page and feed of the site, by output path (static assets are the write stage's)."""
    renderer = _Renderer(site, env, base_url, MarkdownRenderer())
    return dict(renderer.pages())


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


class _Renderer:
    """Holds what every page shares during one render: templates, site data, Markdown cache."""

    def __init__(
        self, site: Site, env: jinja2.Environment, base_url: str, markdown: MarkdownRenderer
    ) -> None:
        self.site = site
        self.env = env
        self.base_url = base_url
        self.md = markdown
        self.people = {p.id: p for p in site.content.people}
        self.terms = {t.id: t for t in site.content.terms}
        self.titles = {a.spec.slug: a.spec.title for a in site.articles}

    def pages(self) -> Iterator[tuple[str, str]]:
        yield self.page(
            "index.html",
            "index.html",
            "home",
            self.site.content.site.title,
            articles=[self.article_summary(a) for a in self.site.articles],
        )
        for article in self.site.articles:
            yield self.article_page(article)
        yield self.page(
            "people/index.html",
            "people.html",
            "people",
            "People",
            groups=letter_groups(map(self.person_summary, self.people.values()), "name"),
        )
        for person in self.people.values():
            yield self.person_page(person)
        yield self.page(
            "glossary/index.html",
            "glossary.html",
            "glossary",
            "Glossary",
            groups=letter_groups(map(self.term_summary, self.terms.values()), "term"),
        )
        for term in self.terms.values():
            yield self.term_page(term)
        yield self.page("404.html", "404.html", "404", "Page not found", absolute=True)
        yield (
            "sitemap.xml",
            self.env.get_template("sitemap.xml").render(
                urls=[self.base_url + PageUrl(p).clean for p in self.sitemap_paths()]
            ),
        )

    def sitemap_paths(self) -> list[str]:
        return [
            "index.html",
            *(article_path(a.spec.slug) for a in self.site.articles),
            "people/index.html",
            *(person_path(p) for p in self.people),
            "glossary/index.html",
            *(term_path(t) for t in self.terms),
        ]

    def page(
        self,
        path: str,
        template: str,
        kind: str,
        title: str,
        absolute: bool = False,
        description: str = "",
        **values: Any,
    ) -> tuple[str, str]:
        url = PageUrl(path)
        config = self.site.content.site
        context = {
            "site": {
                "title": config.title,
                "description": config.description,
                "language": config.language,
                "base_url": self.base_url,
            },
            "page": {
                "kind": kind,
                "title": title,
                "description": description or config.description,
                "canonical": "" if absolute else self.base_url + url.clean,
            },
            # 404.html is served at any depth, so only absolute links work there.
            "root": self.base_url if absolute else url.root,
            **values,
        }
        return path, self.env.get_template(template).render(context)

    # --- summaries for index pages ---------------------------------------

    def article_summary(self, article: AnchoredArticle) -> dict[str, Any]:
        spec = article.spec
        counts = {
            kind: sum(1 for p in article.places if p.type == kind and not p.auto)
            for kind in ("quote", "mention", "term", "note")
        }
        return {
            "slug": spec.slug,
            "title": spec.title,
            "publisher": spec.publisher,
            "date": spec.date.isoformat() if spec.date else "",
            "date_display": _display_date(spec.date),
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

    def article_page(self, article: AnchoredArticle) -> tuple[str, str]:
        spec = article.spec
        notes = [p for p in article.places if p.note]
        numbers = {p.id: n for n, p in enumerate(notes, start=1)}
        style = SpanStyle(href=self.place_href, note_numbers=numbers, attribution=self.attribution)
        opened: set[str] = set()
        paragraphs = []
        for index, paragraph in enumerate(article.body.paragraphs, start=1):
            here = [
                p for p in article.places if p.start < paragraph.end and paragraph.start < p.end
            ]
            paragraphs.append(
                {
                    "id": paragraph_anchor(index),
                    "html": annotate_paragraph(
                        article.body.text, paragraph.start, paragraph.end, here, style, opened
                    ),
                    "notes": [
                        self.note(p, numbers[p.id], article)
                        for p in here
                        if p.note and paragraph.start <= p.start
                    ],
                }
            )
        speakers = sorted({p.target for p in article.places if p.type == "quote"})
        return self.page(
            article_path(spec.slug),
            "article.html",
            "article",
            spec.title,
            description=f"{spec.title} ({spec.publisher}, {_display_date(spec.date)}), annotated"
            if spec.publisher
            else "",
            article={
                **self.article_summary(article),
                "original_url": spec.original_url,
                "permalink_base": self.base_url + PageUrl(article_path(spec.slug)).clean,
            },
            paragraphs=paragraphs,
            speakers=[self.person_summary(self.people[s]) for s in speakers],
        )

    def note(self, place: Place, number: int, article: AnchoredArticle) -> dict[str, Any]:
        label = " ".join(article.body.text[place.start : place.end].split())
        return {
            "id": f"note_{place.id}",
            "target": place.id,
            "number": number,
            "type": place.type,
            "label": label,
            "html": self.md.render(place.note),
        }

    def place_href(self, place: Place) -> str:
        path = person_path(place.target) if place.type == "mention" else term_path(place.target)
        return "../../" + path

    def attribution(self, place: Place) -> Attribution | None:
        if place.type != "quote":
            return None
        return Attribution("../../" + person_path(place.target), self.people[place.target].name)

    def person_page(self, person: Person) -> tuple[str, str]:
        return self.page(
            person_path(person.id),
            "person.html",
            "person",
            person.name,
            description=person.summary,
            person={
                **self.person_summary(person),
                "bio": self.md.render(person.bio) if person.bio else "",
                "roles": [{"title": r.title, "start": r.start, "end": r.end} for r in person.roles],
                "links": [{"label": lk.label, "url": lk.url} for lk in person.links],
            },
            quotes=self.occurrences(self.site.quotes_by.get(person.id, ())),
            mentions=self.occurrences(self.site.mentions_of.get(person.id, ())),
        )

    def term_page(self, term: Term) -> tuple[str, str]:
        return self.page(
            term_path(term.id),
            "term.html",
            "term",
            term.term,
            description=f"{term.term}: glossary entry",
            term={
                **self.term_summary(term),
                "aliases": list(term.aliases),
                "definition": self.md.render(term.definition),
                "renderings": [{"text": r.text, "by": r.by} for r in term.renderings],
                "see_also": [
                    self.term_summary(self.terms[t]) for t in term.see_also if t in self.terms
                ],
            },
            occurrences=self.occurrences(self.site.occurrences_of.get(term.id, ())),
        )

    def occurrences(self, found: Iterable[Occurrence]) -> list[dict[str, Any]]:
        return [
            {
                "article_title": self.titles[o.article_slug],
                "href": f"{article_path(o.article_slug)}#{o.anchor}",
                "context": highlight(o.before, o.text, o.after),
                "note": self.md.render(o.note) if o.note else "",
            }
            for o in found
        ]


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _display_date(date: Any) -> str:
    """`27 February 2014`, spelled out here so no locale setting can change a page."""
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}" if date else ""
