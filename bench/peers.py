"""The benchmark corpus as a Hugo, a Pelican and an MkDocs site, as equivalent as each allows.

Every tool gets the same pages: one per article (the annotated text as HTML spans inside
Markdown, its notes below it as Markdown), one per person and per term (details, Markdown bio
or definition, every place the name occurs with its sentence), and indexes. Where a tool has
the machinery, it does the cross-referencing itself (Hugo: taxonomies `people` and `terms`,
whose term pages walk each article's `refs`); where it has not (Pelican, MkDocs), the
generator writes the lists into the person and term pages, so those tools are spared that work.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable

from bench.model import Annotation, Article, Corpus, Person, Term, q, sentence_around

Links = dict[str, str]
"""Folder prefix, relative to an article page, for "people" and "terms"."""

# --- Shared pieces ---------------------------------------------------------------------------


def _span(a: Annotation, names: dict[str, str], links: Links) -> tuple[str, str]:
    """Opening and closing HTML of one annotation, with FORMAT.md section 8's data attributes."""
    attrs = f'id="{a.id}" data-annotation-id="{a.id}" data-annotation-type="{a.type}"'
    if a.type == "mention":
        return f'<a class="mention" {attrs} href="{links["people"]}{a.target}/">', "</a>"
    if a.type == "term":
        return f'<a class="term" {attrs} href="{links["terms"]}{a.target}/">', "</a>"
    if a.type == "quote":
        who = f' <a class="speaker" href="{links["people"]}{a.target}/">({html.escape(names[a.target or ""])})</a>'
        return f'<q class="quote" {attrs} data-speaker="{a.target}">', "</q>" + who
    return f'<span class="note" {attrs}>', f'</span><sup><a href="#n-{a.id}">note</a></sup>'


def _autolinks(
    article: Article, links: Links, kinds: dict[str, str]
) -> list[tuple[int, int, str, str]]:
    """The first unannotated place of each person or term the article does not annotate."""
    annotated = {a.target for a in article.annotations if a.type in ("mention", "term")}
    seen: set[str] = set()
    spans = []
    for use in article.uses:
        if use.kind == "name" and use.who not in annotated and use.who not in seen:
            seen.add(use.who)
            folder = links[kinds[use.who]]
            spans.append(
                (use.start, use.end, f'<a class="autolink" href="{folder}{use.who}/">', "</a>")
            )
    return spans


def _nest(text: str, offset: int, spans: list[tuple[int, int, str, str]]) -> str:
    """Escape `text` and wrap the spans (nested, never crossing) inside it."""
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, int, str, str]] = []

    def close_until(limit: int) -> None:
        nonlocal pos
        while stack and stack[-1][1] - offset <= limit:
            end = stack.pop()
            out.extend((html.escape(text[pos : end[1] - offset], quote=False), end[3]))
            pos = end[1] - offset

    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        close_until(span[0] - offset)
        out.extend((html.escape(text[pos : span[0] - offset], quote=False), span[2]))
        pos = span[0] - offset
        stack.append(span)
    close_until(len(text))
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def article_html(
    article: Article, names: dict[str, str], links: Links, kinds: dict[str, str]
) -> str:
    """The annotated body, one HTML paragraph per seed line, as Markdown's inline HTML."""
    spans = [(a.start, a.end, *_span(a, names, links)) for a in article.annotations]
    spans += _autolinks(article, links, kinds)
    body, paragraphs, offset = article.body, [], 0
    for number, line in enumerate(body.split("\n"), start=1):
        if line.strip():
            inside = [s for s in spans if offset <= s[0] < offset + len(line)]
            paragraphs.append(f'<a id="p{number}"></a>{_nest(line, offset, inside)}')
        offset += len(line) + 1
    return "\n\n".join(paragraphs) + "\n"


def notes_markdown(article: Article) -> str:
    """The article's notes, rendered by each tool's Markdown, below the text."""
    notes = [a for a in article.annotations if a.note]
    parts = ["## Notes\n"]
    for a in notes:
        parts.append(f'<a id="n-{a.id}"></a>**{a.text}**\n\n{a.note}')
    return "\n".join(parts)


def _uses_by_name(corpus: Corpus) -> dict[str, list[tuple[Article, str, str, str]]]:
    """who -> (article, kind, anchor, context) for every place a name occurs."""
    book: dict[str, list[tuple[Article, str, str, str]]] = defaultdict(list)
    for article in corpus.articles:
        for use in article.uses:
            context = sentence_around(article.body, use.start, use.end)
            book[use.who].append((article, use.kind, use.anchor, context))
    return book


def _reference_list(
    uses: Iterable[tuple[Article, str, str, str]], href: Callable[[Article, str], str]
) -> str:
    lines = [
        f"- [{kind}]({href(article, anchor)}) in *{article.title}*: {html.escape(context, quote=False)}"
        for article, kind, anchor, context in uses
    ]
    return "\n".join(lines) + "\n" if lines else "No occurrences.\n"


def person_markdown(p: Person) -> str:
    native = f"{p.native}, " if p.native else ""
    roles = "\n".join(f"- {title}, from {year}" for title, year in p.roles)
    return f"{native}*{p.summary}*\n\n{p.bio}\n## Roles\n\n{roles}\n\n## Quotes and mentions\n\n"


def term_markdown(t: Term, see_also: Callable[[str], str], names: dict[str, str]) -> str:
    native = f"{t.native} ({t.transliteration})\n\n" if t.native else ""
    renderings = "".join(f"- {text} ({by})\n" for text, by in t.renderings)
    see = ", ".join(f"[{names[s]}]({see_also(s)})" for s in t.see_also)
    return f"{native}{t.definition}\n{renderings}\nSee also: {see}\n\n## Occurrences\n\n"


def _lookups(corpus: Corpus) -> tuple[dict[str, str], dict[str, str]]:
    names = {p.id: p.name for p in corpus.people} | {t.id: t.term for t in corpus.terms}
    kinds = {p.id: "people" for p in corpus.people} | {t.id: "terms" for t in corpus.terms}
    return names, kinds


# --- Hugo ------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/bench/"
title = {title}
disableKinds = ["rss"]
enableRobotsTXT = false

[taxonomies]
  person = "people"
  glossaryterm = "terms"

[markup.goldmark.renderer]
  unsafe = true
"""

HUGO_LAYOUTS = {
    "layouts/baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body><nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "/people/" | relURL }}">People</a> <a href="{{ "/terms/" | relURL }}">Glossary</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "layouts/home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range where site.RegularPages "Section" "articles" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>, {{ .Params.publisher }}, {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ end }}
""",
    "layouts/page.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Params.publisher }}, {{ .Date.Format "2006-01-02" }}</p>
{{ .Content }}</article>
{{ end }}
""",
    "layouts/section.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
""",
    "layouts/taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
""",
    "layouts/term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
{{ $key := .Data.Term }}<ul>
{{ range .Pages }}{{ $page := . }}{{ range .Params.refs }}{{ if eq .who $key }}<li><a href="{{ $page.RelPermalink }}#{{ .id }}">{{ .kind }}</a> in <cite>{{ $page.Title }}</cite>: {{ .context }}</li>
{{ end }}{{ end }}{{ end }}</ul>
{{ end }}
""",
}


def _hugo_article(article: Article, names: dict[str, str], kinds: dict[str, str]) -> str:
    links = {"people": "../../people/", "terms": "../../terms/"}
    refs = "".join(
        f"  - {{who: {u.who}, kind: {u.kind}, id: {u.anchor}, context: {q(sentence_around(article.body, u.start, u.end))}}}\n"
        for u in article.uses
    )
    front = (
        f"---\ntitle: {q(article.title)}\ndate: {article.date.isoformat()}\nslug: {article.slug}\n"
        f"publisher: {q(article.publisher)}\npeople: [{', '.join(article.people)}]\n"
        f"terms: [{', '.join(article.terms)}]\nrefs:\n{refs}---\n"
    )
    return front + article_html(article, names, links, kinds) + "\n" + notes_markdown(article)


def hugo_files(corpus: Corpus) -> dict[str, str]:
    """A Hugo site: articles in a section; people and terms as taxonomies with their own pages."""
    names, kinds = _lookups(corpus)
    files = {"hugo.toml": HUGO_CONFIG.format(title=q(corpus.title)), **HUGO_LAYOUTS}
    files["content/articles/_index.md"] = '---\ntitle: "Articles"\n---\n'
    for a in corpus.articles:
        files[f"content/articles/{a.slug}.md"] = _hugo_article(a, names, kinds)
    for p in corpus.people:
        body = person_markdown(p).removesuffix("## Quotes and mentions\n\n")
        files[f"content/people/{p.id}/_index.md"] = f"---\ntitle: {q(p.name)}\n---\n{body}"
    for t in corpus.terms:
        body = term_markdown(t, lambda s: f"../{s}/", names).removesuffix("## Occurrences\n\n")
        files[f"content/terms/{t.id}/_index.md"] = f"---\ntitle: {q(t.term)}\n---\n{body}"
    files["content/people/_index.md"] = '---\ntitle: "People"\n---\n'
    files["content/terms/_index.md"] = '---\ntitle: "Glossary"\n---\n'
    return files


# --- Pelican ---------------------------------------------------------------------------------

PELICAN_CONF = """\
# Generated by bench/peers.py: only what the benchmark's pages need.
AUTHOR = "bench"
SITENAME = {title}
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
RELATIVE_URLS = True
ARTICLE_URL = "articles/{{slug}}/"
ARTICLE_SAVE_AS = "articles/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
DEFAULT_PAGINATION = False
# Off: the theme's menu of every page would make each page list thousands of links.
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False
# Off: feeds and the tag, category, author and archive listings site-builder does not make.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
"""


def _pelican_page(title: str, save_as: str, body: str) -> str:
    return f"Title: {title}\nSave_as: {save_as}/index.html\nURL: {save_as}/\n\n{body}"


def pelican_files(corpus: Corpus) -> dict[str, str]:
    """A Pelican site: articles, plus person, term and index pages written out as pages."""
    names, kinds = _lookups(corpus)
    links = {"people": "../../people/", "terms": "../../glossary/"}
    files = {"pelicanconf.py": PELICAN_CONF.format(title=q(corpus.title))}
    for a in corpus.articles:
        head = f"Title: {a.title}\nDate: {a.date.isoformat()}\nSlug: {a.slug}\nCategory: articles\nSummary: {a.publisher}, {a.date.isoformat()}\n\n"
        files[f"content/articles/{a.slug}.md"] = (
            head + article_html(a, names, links, kinds) + "\n" + notes_markdown(a)
        )
    book = _uses_by_name(corpus)

    def href(article: Article, anchor: str) -> str:
        return f"../../articles/{article.slug}/#{anchor}"

    for p in corpus.people:
        body = person_markdown(p) + _reference_list(book[p.id], href)
        files[f"content/pages/people/{p.id}.md"] = _pelican_page(p.name, f"people/{p.id}", body)
    for t in corpus.terms:
        body = term_markdown(t, lambda s: f"../{s}/", names) + _reference_list(book[t.id], href)
        files[f"content/pages/glossary/{t.id}.md"] = _pelican_page(t.term, f"glossary/{t.id}", body)
    people = "".join(
        f"- [{p.name}]({p.id}/)\n" for p in sorted(corpus.people, key=lambda p: p.name)
    )
    terms = "".join(f"- [{t.term}]({t.id}/)\n" for t in sorted(corpus.terms, key=lambda t: t.term))
    files["content/pages/people.md"] = _pelican_page("People", "people", people)
    files["content/pages/glossary.md"] = _pelican_page("Glossary", "glossary", terms)
    return files


# --- MkDocs ----------------------------------------------------------------------------------

MKDOCS_CONFIG = """\
# Generated by bench/peers.py. Only the indexes are in the nav: a nav of every page would make
# each page carry thousands of links. MkDocs' default search plugin stays on, as site-builder
# indexes its pages for search too (with Pagefind).
site_name: {title}
docs_dir: docs
theme:
  name: mkdocs
nav:
  - Home: index.md
  - People: people/index.md
  - Glossary: glossary/index.md
"""


def mkdocs_files(corpus: Corpus) -> dict[str, str]:
    """An MkDocs site: the same pages as Markdown files, links between them checked by MkDocs."""
    names, kinds = _lookups(corpus)
    links = {"people": "../../people/", "terms": "../../glossary/"}
    files = {"mkdocs.yml": MKDOCS_CONFIG.format(title=q(corpus.title))}
    for a in corpus.articles:
        head = f"# {a.title}\n\n{a.publisher}, {a.date.isoformat()}\n\n"
        files[f"docs/articles/{a.slug}.md"] = (
            head + article_html(a, names, links, kinds) + "\n" + notes_markdown(a)
        )
    book = _uses_by_name(corpus)

    def href(article: Article, anchor: str) -> str:
        return f"../articles/{article.slug}.md#{anchor}"

    for p in corpus.people:
        body = f"# {p.name}\n\n" + person_markdown(p) + _reference_list(book[p.id], href)
        files[f"docs/people/{p.id}.md"] = body
    for t in corpus.terms:
        body = f"# {t.term}\n\n" + term_markdown(t, lambda s: f"{s}.md", names)
        files[f"docs/glossary/{t.id}.md"] = body + _reference_list(book[t.id], href)
    articles = "".join(f"- [{a.title}](articles/{a.slug}.md)\n" for a in corpus.articles)
    people = "".join(
        f"- [{p.name}]({p.id}.md)\n" for p in sorted(corpus.people, key=lambda p: p.name)
    )
    terms = "".join(
        f"- [{t.term}]({t.id}.md)\n" for t in sorted(corpus.terms, key=lambda t: t.term)
    )
    files["docs/index.md"] = f"# {corpus.title}\n\n{articles}"
    files["docs/people/index.md"] = f"# People\n\n{people}"
    files["docs/glossary/index.md"] = f"# Glossary\n\n{terms}"
    return files


WRITERS: dict[str, Callable[[Corpus], dict[str, str]]] = {
    "hugo": hugo_files,
    "pelican": pelican_files,
    "mkdocs": mkdocs_files,
}
