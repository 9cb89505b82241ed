"""Search stage: index the finished pages with Pagefind, offline, before they go live.

Pagefind reads the built HTML from disk, so it runs on the staged folder after the
pages are written and before that folder replaces the output. Its command-line
binary comes from the `pagefind[extended]` wheel (the extended build segments CJK
text, so 网络强国 is found); it takes tens of milliseconds, where its Python service
API spends seconds starting up.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

SEARCH_FOLDER = "pagefind"
INDEX_LANGUAGE = "zh"
"""Index every page as Chinese, whatever its `lang`.

Pagefind segments words only in the page's own language: on an English page a run of
Chinese such as 努力把我国建设成为网络强国 is one long "word", so 网络强国 inside it is never
found. Indexed as Chinese, Chinese runs are segmented (at build time, and queries in the
browser) while space-separated English words stay whole; the price is English stemming
("powers" no longer finds "power"; Pagefind's prefix match still finds "powers" for "power").
"""

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


class SearchIndexError(RuntimeError):
    """Pagefind failed; the message carries what it printed."""


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


def index_site(folder: Path) -> None:
    """Write the search bundle into `folder/pagefind/` for every page in `folder`."""
    _run_pagefind(folder, ["--output-subdir", SEARCH_FOLDER])


def refresh_index(folder: Path) -> None:
    """Re-index a live folder: the new bundle replaces the old one whole, leaving no stale files."""
    fresh = Path(tempfile.mkdtemp(prefix=".pagefind-new-", dir=folder.parent))
    try:
        _run_pagefind(folder, ["--output-path", str(fresh)])
        current = folder / SEARCH_FOLDER
        retired = fresh.with_name(fresh.name.replace("-new-", "-old-"))
        if current.exists():
            current.rename(retired)
        fresh.rename(current)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _run_pagefind(folder: Path, output: list[str]) -> None:
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
        "--force-language",
        INDEX_LANGUAGE,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise SearchIndexError((result.stderr or result.stdout).strip()[-2000:])
