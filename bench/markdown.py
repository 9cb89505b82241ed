"""What a project's Markdown is like, and what rendering it costs.

    python -m bench.markdown bench/out/corpus-1000/ours [--repeat 5]

Collects every distinct note, bio and definition (`markdown_sources`,
after `resolve_site`) and reports how many are plain (markdown-it makes one `<p>` of text
of them, no inline markup), how many take `MarkdownRenderer`'s fast path
(`site_builder.markup._simple_markdown`), and the CPU time (`time.process_time`, median of
the repeats, each on a fresh renderer) of `render_all` on one process, of `render` and of
`plain` over all of them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from markdown_it import MarkdownIt

from site_builder import markup
from site_builder.build import resolve_site
from site_builder.model import Site
from site_builder.options import BuildOptions


def markdown_sources(site: Site) -> Iterator[str]:
    """Every Markdown text a page of the site may show: notes, bios, definitions."""
    for article in site.articles:
        yield from (place.note for place in article.places if place.note)
    yield from (person.bio for person in site.content.people if person.bio)
    yield from (term.definition for term in site.content.terms)


def sources_of(project: Path) -> list[str]:
    """The project's distinct Markdown sources, in a stable order."""
    site, diagnostics = resolve_site(BuildOptions(project=project, jobs=1))
    if site is None:
        raise SystemExit("\n".join(d.message for d in diagnostics))
    return sorted(set(markdown_sources(site)))


def is_plain(source: str, md: MarkdownIt) -> bool:
    """Whether markdown-it makes a single paragraph of bare text (soft breaks allowed)."""
    tokens = md.parse(source)
    if [token.type for token in tokens] != ["paragraph_open", "inline", "paragraph_close"]:
        return False
    return all(child.type in ("text", "softbreak") for child in tokens[1].children or [])


def cpu_median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def report(sources: Sequence[str], repeat: int) -> list[str]:
    md = markup.MarkdownRenderer()._md
    plain = sum(is_plain(source, md) for source in sources)
    fast = sum(
        markup._simple_markdown(source, markup.DEFAULT_CJK_LANG, md) is not None
        for source in sources
    )
    total = max(len(sources), 1)

    def render_all() -> None:
        markup.MarkdownRenderer().render_all(sources, 1)

    def render() -> None:
        renderer = markup.MarkdownRenderer()
        for source in sources:
            renderer.render(source)

    def plain_text() -> None:
        renderer = markup.MarkdownRenderer()
        for source in sources:
            renderer.plain(source)

    lines = [
        f"sources: {len(sources)}",
        f"plain (one <p> of bare text): {plain} ({plain / total:.1%})",
        f"fast path: {fast} ({fast / total:.1%})",
    ]
    for name, run in [("render_all", render_all), ("render", render), ("plain", plain_text)]:
        lines.append(f"{name}: {cpu_median(run, repeat):.3f} s CPU (median of {repeat})")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print("\n".join(report(sources_of(args.project), args.repeat)))


if __name__ == "__main__":
    main()
