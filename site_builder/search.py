"""Search stage: index the finished pages with Pagefind, offline, before they go live.

Pagefind reads the built HTML from disk, so it runs on the staged folder after the
pages are written and before that folder replaces the output. Its command-line
binary comes from the `pagefind[extended]` wheel (the extended build segments CJK
text, so 网络强国 is found); it takes tens of milliseconds, where its Python service
API spends seconds starting up.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

from .errors import Diagnostic, Position, error, warning
from .markup import has_cjk
from .model import AnchoredArticle, Content, Site
from .write import SiteWriteError, exchange

SEARCH_FOLDER = "pagefind"
INDEX_LANGUAGE = "zh"
"""What a site that shows Chinese, Japanese or Korean text is indexed as, whatever its `lang`.

Pagefind segments words only in the page's own language: on an English page a run of
Chinese such as 努力把我国建设成为网络强国 is one long "word", so 网络强国 inside it is never
found. Indexed as Chinese, Chinese runs are segmented (at build time, and queries in the
browser) while space-separated English words stay whole; the price is English stemming
("powers" no longer finds "power"; Pagefind's prefix match still finds "powers" for "power").
"""
SEGMENTED_LANGUAGES = ("zh", "ja")
"""Languages whose words Pagefind's extended build segments: a site in one is indexed as it."""


def index_language(site_language: str, shows_cjk: bool) -> str | None:
    """The language Pagefind indexes the site as, or None for each page's own `lang`.

    A Chinese or Japanese site is indexed in its language; a site in another language that
    shows CJK text anywhere, as Chinese (see INDEX_LANGUAGE); any other, as its pages say,
    so that Pagefind stems the words of the languages it knows.
    """
    primary = site_language.split("-", 1)[0].lower()
    if primary in SEGMENTED_LANGUAGES:
        return primary
    return INDEX_LANGUAGE if shows_cjk else None


FURNITURE = (
    "[data-pagefind-ignore]",
    ".note-ref",
    ".attribution",
    ".note-label",
    ".note-back",
    ".legend",
    ".endnotes-heading",
    ".article-header .meta",
)
"""What the index leaves out: note numbers, speaker labels, note labels (the passage again),
back links and headings. An excerpt then reads as the text or the note it came from."""


GZIP_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")
"""Bundle files Pagefind writes gzip-compressed: a cut-short one fails its length and CRC check."""
REQUIRED_FILES = ("pagefind-entry.json", "pagefind.js", "wasm.unknown.pagefind")
"""What the search page loads first (templates/static/search.js), besides each language's meta."""
LOW_SPACE_BYTES = 64 * 1024
"""Free space under which the disk is taken to have filled up while Pagefind wrote.

Pagefind exits 0 when its writes fail and leaves files empty or cut short. The gzip
files and the entry file are checked whole; its JavaScript and CSS cannot be (nothing
says how long they should be), so a disk found full once it finishes fails the index too.
"""


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries what it printed, or what is wrong with its bundle."""


def pagefind_executable() -> Path | None:
    """The Pagefind binary shipped in a wheel, or None when it is not installed."""
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            package = __import__(module)
        except ImportError:
            continue
        executable: Path = package.get_executable()
        return executable
    return None


def shows_cjk(site: Site) -> bool:
    """Whether any page of the site shows CJK text: in a text, a note, a name, a definition."""
    return content_shows_cjk(site.content) or any(article_shows_cjk(a) for a in site.articles)


def content_shows_cjk(content: Content) -> bool:
    """Whether the site's settings, words, people or terms have CJK text."""
    texts = [
        content.site.title,
        content.site.description,
        *(text for _, text in content.site.words.entries),
        *(part for p in content.people for part in (*p.names, p.summary, p.bio)),
        *(role.title for p in content.people for role in p.roles),
        *(part for t in content.terms for part in (*t.names, t.definition)),
    ]
    return any(has_cjk(text) for text in texts if text)


def article_shows_cjk(article: AnchoredArticle) -> bool:
    """Whether an article's title, publisher, text or notes have CJK text."""
    spec = article.spec
    texts = (spec.title, spec.publisher, article.body.text, *(p.note for p in article.places))
    return any(has_cjk(text) for text in texts if text)


def index_site(folder: Path, language: str | None = INDEX_LANGUAGE) -> None:
    """Write the search bundle into `folder/pagefind/` for every page in `folder`, and check it.

    `language` is `index_language`'s: what to index every page as, None for their own.
    """
    _run_pagefind(folder, ["--output-subdir", SEARCH_FOLDER], language)
    check_bundle(folder / SEARCH_FOLDER)


def refresh_index(folder: Path, language: str | None = INDEX_LANGUAGE) -> None:
    """Re-index a live folder: a checked new bundle replaces the old one whole, in one step.

    If Pagefind fails or its bundle is incomplete, the old bundle stays as it was.
    """
    fresh = Path(tempfile.mkdtemp(prefix=".pagefind-new-", dir=folder.parent))
    try:
        _run_pagefind(folder, ["--output-path", str(fresh)], language)
        check_bundle(fresh)
        fresh.chmod(0o755)  # mkdtemp's 0700, as in the write stage
        current = folder / SEARCH_FOLDER
        if not current.exists():
            fresh.rename(current)
        elif not exchange(fresh, current):
            retired = fresh.with_name(fresh.name.replace("-new-", "-old-"))
            current.rename(retired)
            fresh.rename(current)
            shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)  # after an exchange, the old bundle


def check_bundle(bundle: Path) -> None:
    """Raise `SearchIndexError` unless `bundle` is a whole Pagefind bundle on a disk with room."""
    problem = _bundle_problem(bundle)
    if problem is not None:
        raise SearchIndexError(f"the search bundle is incomplete: {problem}")


def _bundle_problem(bundle: Path) -> str | None:
    try:
        return _missing_files(bundle) or _broken_files(bundle) or _full_disk(bundle)
    except OSError as exc:
        return f"cannot read it back: {exc.strerror or exc}"


def _missing_files(bundle: Path) -> str | None:
    for name in REQUIRED_FILES:
        if not (bundle / name).is_file():
            return f"Pagefind wrote no {name}"
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        languages = entry["languages"]
        metas = [f"pagefind.{language['hash']}.pf_meta" for language in languages.values()]
        pages = sum(int(language["page_count"]) for language in languages.values())
    except (ValueError, KeyError, TypeError, AttributeError):
        return "pagefind-entry.json is not what Pagefind writes (cut short?)"
    for name in metas:
        if not (bundle / name).is_file():
            return f"Pagefind wrote no {name}"
    fragments = sum(1 for _ in (bundle / "fragment").glob("*.pf_fragment"))
    if fragments != pages:
        return f"{fragments} of the {pages} pages' fragments were written"
    return None


def _broken_files(bundle: Path) -> str | None:
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        name = path.relative_to(bundle).as_posix()
        if path.stat().st_size == 0:
            return f"{name} is empty"
        if path.name.endswith(GZIP_SUFFIXES) and not _whole_gzip(path):
            return f"{name} is cut short"
    return None


def _whole_gzip(path: Path) -> bool:
    try:
        gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _full_disk(bundle: Path) -> str | None:
    if not hasattr(os, "statvfs"):  # Windows: only the checks above
        return None
    disk = os.statvfs(bundle)
    # Root may write into the blocks reserved for it, so for root those count as free.
    root = os.geteuid() == 0
    blocks, inodes = (disk.f_bfree, disk.f_ffree) if root else (disk.f_bavail, disk.f_favail)
    if blocks * disk.f_frsize < LOW_SPACE_BYTES or (disk.f_files and inodes == 0):
        return "the disk filled up while Pagefind wrote it; free some space and build again"
    return None


def _run_pagefind(folder: Path, output: list[str], language: str | None) -> None:
    executable = pagefind_executable()
    if executable is None:
        raise SearchIndexError("Pagefind is not installed (pip install 'pagefind[extended]')")
    command = [
        str(executable),
        "--site",
        str(folder),
        *output,
        *(arg for selector in FURNITURE for arg in ("--exclude-selectors", selector)),
        "--glob",
        "**/*.html",
        *(("--force-language", language) if language else ()),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise SearchIndexError((result.stderr or result.stdout).strip()[-2000:])


def pagefind_missing() -> Diagnostic:
    """The warning for a build asked for search on a machine without Pagefind."""
    return warning(
        Position("pyproject.toml"),
        "Pagefind is not installed: the site is built without its search index",
        "pip install 'pagefind[extended]'",
    )


def write_failure(out: Path, exc: Exception) -> Diagnostic:
    """The error for a build that could not be put in place; the previous site is untouched."""
    kept = "the previous site is untouched"
    if isinstance(exc, SearchIndexError):
        return error(Position(str(out)), f"search indexing failed: {exc}", kept)
    if isinstance(exc, SiteWriteError):
        hint = f"{kept}; check the disk's free space and permissions"
        return error(Position(str(out)), str(exc), hint)
    return error(Position(str(out)), f"cannot write the site: {exc}", kept)
