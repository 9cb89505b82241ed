#!/usr/bin/env python3
"""Report what each article page of a built site weighs: its HTML and the CSS and JS it loads.

The budget (issue 5) is 100 KB uncompressed for an article page's own HTML + CSS + JS. The
search bundle (pagefind/) is left out: it is fetched only when someone searches, and it grows
with the site, not with the page.

    python scripts/page_weight.py [SITE_FOLDER] [--budget BYTES]

SITE_FOLDER defaults to output/. Exits 1 when a page is over budget.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

BUDGET = 100_000
"""Bytes, uncompressed."""
EXCLUDED = ("pagefind/",)
"""Assets that do not count: loaded on demand, shared by the whole site."""


@dataclass(frozen=True)
class Weight:
    """One page and what it loads, in bytes."""

    page: str
    html: int
    css: int
    js: int
    assets: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return self.html + self.css + self.js


class _Assets(HTMLParser):
    """Collects the stylesheets and scripts a page loads by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link" and "stylesheet" in values.get("rel", "").split() and values.get("href"):
            self.css.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.js.append(values["src"])


def _local_file(site: Path, page: Path, url: str) -> Path | None:
    """The file a relative URL in `page` names, or None for URLs that leave the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    target = (page.parent / parts.path).resolve()
    relative = target.relative_to(site.resolve()).as_posix()
    return None if relative.startswith(EXCLUDED) else target


def page_weight(site: Path, page: Path) -> Weight:
    """The bytes of `page` and of the local CSS and JS it loads (each file once)."""
    html = page.read_bytes()
    assets = _Assets()
    assets.feed(html.decode("utf-8"))

    def size(urls: list[str]) -> tuple[int, list[str]]:
        files = {f for f in (_local_file(site, page, u) for u in urls) if f is not None}
        return sum(f.stat().st_size for f in files), sorted(
            f.relative_to(site.resolve()).as_posix() for f in files
        )

    css, css_files = size(assets.css)
    js, js_files = size(assets.js)
    relpath = page.relative_to(site).as_posix()
    return Weight(relpath, len(html), css, js, tuple(css_files + js_files))


def article_weights(site: Path) -> list[Weight]:
    """Every article page of the site, heaviest first."""
    pages = sorted((site / "articles").glob("*/index.html"))
    return sorted((page_weight(site, p) for p in pages), key=lambda w: -w.total)


def report(weights: list[Weight], budget: int) -> str:
    lines = [f"{'page':<60} {'html':>8} {'css':>8} {'js':>8} {'total':>8}"]
    for w in weights:
        flag = "  OVER BUDGET" if w.total > budget else ""
        lines.append(f"{w.page:<60} {w.html:>8} {w.css:>8} {w.js:>8} {w.total:>8}{flag}")
    lines.append(f"budget: {budget} bytes per article page (HTML + CSS + JS, uncompressed)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=Path("output"))
    parser.add_argument("--budget", type=int, default=BUDGET)
    args = parser.parse_args(argv)
    if not (args.site / "articles").is_dir():
        print(
            f"page_weight: no built site at {args.site} (run site-builder build)", file=sys.stderr
        )
        return 2
    weights = article_weights(args.site)
    print(report(weights, args.budget))
    return 1 if any(w.total > args.budget for w in weights) else 0


if __name__ == "__main__":
    sys.exit(main())
