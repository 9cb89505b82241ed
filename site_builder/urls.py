"""The site's URL and id scheme: where each file of the site lives, how pages link to one
another, and the ids inside pages (FORMAT.md sections 6 and 8; docs/format.md, "What the
build produces"). Every other module, and the templates (through the `urls` global that
render.py registers), take paths and ids from here, so the scheme is written once.

Paths
    A page's path is its file in the output, relative to the site root, and names the file:
    `index.html`, `articles/<slug>/index.html`, `people/<id>/index.html` (page n >= 2 of a
    person's places: `people/<id>/<n>/index.html`), `glossary/<id>/index.html` (and
    `glossary/<id>/<n>/index.html`), `people/index.html`, `glossary/index.html`,
    `search/index.html`, `404.html`; beside them `feed.xml`, `sitemap.xml`, `robots.txt`,
    `articles/<slug>/source.txt` and `annotations/<slug>.jsonld`.

Links
    A link from one page to another is relative and names the file: up to the root
    (`../` per folder of the page linking), then down the target's path, so
    `articles/a/index.html` links to `people/xi/index.html` as
    `../../people/xi/index.html`. The site then works at a domain root, under a project
    path and opened from disk. `404.html`, served at any depth, links absolutely instead.
    What leaves the site (canonical links, permalinks, the feed, the sitemap, the export)
    is absolute and clean: `<base_url>articles/<slug>/`, without `index.html`.

Ids
    An annotation's id is the editor's (`internet-users-2013`, as schema.ID_PATTERN allows)
    or derived from its type and the first words of its text (`quote-efforts-should-be-made`;
    letters of other scripts are kept: `term-网络强国`); the n-th place of the same text gets
    `<id>-<n>`. Neither ever contains `_` or white space.
    Ids the build makes up for its own elements contain `_` (`para_3`, `note_<id>`,
    `note_<id>_body`, `letter_A`, `quotes_<slug>`, `notes_heading`), which an editor's or a
    derived id never does, so the two can never clash. The reading and search scripts
    (templates/static/*.js) find paragraphs and notes by these `para_` and `note_` prefixes.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

INDEX = "index.html"
"""The file a folder's clean URL (`articles/xi/`) serves."""

HOME = INDEX
PEOPLE_INDEX = f"people/{INDEX}"
GLOSSARY_INDEX = f"glossary/{INDEX}"
SEARCH = f"search/{INDEX}"
NOT_FOUND = "404.html"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"

PEOPLE_FOLDER = "people"
GLOSSARY_FOLDER = "glossary"

TEMPLATE_PATHS = {
    "home": HOME,
    "people": PEOPLE_INDEX,
    "glossary": GLOSSARY_INDEX,
    "search": SEARCH,
    "feed": FEED,
}
"""The fixed pages templates link to, as `{{ root }}{{ urls.people }}`."""

# --- page paths ---------------------------------------------------------------------------


def article_path(slug: str) -> str:
    """`articles/<slug>/index.html`: the annotated text."""
    return f"articles/{slug}/{INDEX}"


def person_path(pid: str, number: int = 1) -> str:
    """`people/<id>/index.html`, or `people/<id>/<n>/index.html` for page n of their places."""
    return page_path(f"{PEOPLE_FOLDER}/{pid}/{INDEX}", number)


def term_path(tid: str, number: int = 1) -> str:
    """`glossary/<id>/index.html`, or `glossary/<id>/<n>/index.html` for page n."""
    return page_path(f"{GLOSSARY_FOLDER}/{tid}/{INDEX}", number)


def target_path(kind: str, target: str) -> str:
    """The page an annotation of this type links to: a term's, else a person's."""
    return term_path(target) if kind == "term" else person_path(target)


def page_path(base: str, number: int) -> str:
    """Page `number` of the places listed at `base`: `base` itself for page 1, else a
    numbered folder beside its `index.html` (`people/x/3/index.html`)."""
    return base if number == 1 else base.removesuffix(INDEX) + f"{number}/{INDEX}"


def source_path(slug: str) -> str:
    """Where an article's seed is published, byte for byte."""
    return f"articles/{slug}/source.txt"


def collection_path(slug: str) -> str:
    """Where an article's annotations are published as a W3C Web Annotation collection."""
    return f"annotations/{slug}.jsonld"


# --- links --------------------------------------------------------------------------------


def root_prefix(page: str) -> str:
    """The relative way from a page back to the site root: `../` per folder it is in."""
    return "../" * page.count("/")


def relative(page: str, target: str) -> str:
    """The link from `page` to `target` (both site paths; `target` may end in `#<id>`)."""
    return root_prefix(page) + target


def at(path: str, ident: str) -> str:
    """The place with id `ident` in the page at `path`."""
    return f"{path}#{ident}"


def clean(path: str) -> str:
    """The address readers see: `articles/xi/` for `articles/xi/index.html`."""
    return path.removesuffix(INDEX)


def absolute(base_url: str, path: str) -> str:
    """The clean public URL of a site path; `base_url` is absolute and ends in `/`."""
    return base_url + clean(path)


_PAGE_URL = re.compile(
    rf"/({PEOPLE_FOLDER}|{GLOSSARY_FOLDER})/([a-z0-9-]+)/(?:{re.escape(INDEX)})?$"
)


def entry_of_url(url: str) -> tuple[str, str] | None:
    """("person" | "term", id) when `url` (any base, any fragment) is a person's or a term's
    page; None otherwise."""
    match = _PAGE_URL.search(url.split("#", 1)[0])
    if match is None:
        return None
    folder, ident = match.groups()
    return ("person" if folder == PEOPLE_FOLDER else "term"), ident


# --- ids ----------------------------------------------------------------------------------

_DERIVED_WORDS = 4
"""A derived id takes this many words of the annotated text."""

_WORD = re.compile(r"[^\W_]+")


def derived_id(kind: str, text: str) -> str:
    """The id an annotation of this type and text gets when the editor gives none."""
    slug = slugify(text, _DERIVED_WORDS)
    if not slug:  # punctuation only: a short digest keeps it stable and unique
        slug = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"{kind}-{slug}"


def numbered_id(base: str, number: int) -> str:
    """The id of the `number`-th place (1-based) of an annotation whose first place is `base`."""
    return base if number == 1 else f"{base}-{number}"


def paragraph_id(index: int) -> str:
    """The id of the n-th paragraph of an article (1-based)."""
    return f"para_{index}"


def note_id(annotation_id: str) -> str:
    """The id of an annotation's note in the list of notes after the text."""
    return f"note_{annotation_id}"


# Ids are derived from the same texts again and again: a name annotated or autolinked in
# article after article. Bounded, since a long preview session meets ever new texts.
@functools.lru_cache(maxsize=4096)
def slugify(text: str, max_words: int = 0) -> str:
    """Lowercase words joined by hyphens; letters outside ASCII are kept (CJK names stay legible)."""
    folded = text if text.isascii() else _without_marks(text)
    words = _WORD.findall(folded.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)


def _without_marks(text: str) -> str:
    """Compatibility-decomposed text without its combining marks (`é` -> `e`, `ﬁ` -> `fi`).

    ASCII text needs no call: it is its own NFKD form and has no marks.
    """
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))
