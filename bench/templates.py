"""What rendering each page type's template costs, apart from making its contexts.

    python -m bench.templates bench/out/corpus-1000/ours [--repeats N]

Plans the site as the build does (`resolve_site`, then `plan_site`), makes every page's
context once (each job's function, with Markdown rendered afresh), then renders each template over its pages `--repeats` times on one core and
prints the median CPU time (`time.process_time`) per template, with the garbage collector
paused as the build pauses it. Making the contexts (Markdown, span markup) is timed apart.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from site_builder.build import resolve_site
from site_builder.markup import MarkdownRenderer
from site_builder.options import BuildOptions
from site_builder.plan import PageJob, plan_site, sitemap_job
from site_builder.render import make_environment


def plan(project: Path) -> list[PageJob]:
    """Every page job of the project's site, planned as a build plans it."""
    site, problems = resolve_site(BuildOptions(project=project, jobs=1))
    if site is None:
        raise SystemExit(f"the project does not build: {len(problems)} problem(s)")
    base_url = site.content.site.base_url
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    jobs = plan_site(site, base_url)
    return [*jobs, sitemap_job(site, base_url, ())]  # numbered pages: none the sitemap needs


def median_cpu(work: Callable[[], Any], repeats: int) -> float:
    """The median CPU seconds of `work` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def _render_all(template: jinja2.Template, pages: list[dict[str, Any]]) -> None:
    for context in pages:
        template.render(context)


def render_times(project: Path, repeats: int) -> list[tuple[str, int, float]]:
    """Each template, its number of pages, and the median CPU seconds to render them all."""
    jobs = plan(project)
    env = make_environment(project)
    markdown = MarkdownRenderer()
    contexts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for job in jobs:
        for _, made in job.pages(markdown):
            if isinstance(made, dict):  # not an article's seed or export
                contexts[job.template].append(made)
    rows = []
    for name, pages in sorted(contexts.items()):
        template = env.get_template(name)  # compiled here, not in the first repeat
        render = functools.partial(_render_all, template, pages)
        rows.append((name, len(pages), median_cpu(render, repeats)))
    making = median_cpu(
        lambda: [job.pages(MarkdownRenderer()) for job in jobs], max(1, repeats // 2)
    )
    rows.append(("(contexts)", len(jobs), making))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    gc.disable()
    rows = render_times(args.project, args.repeats)
    for name, count, seconds in rows:
        print(f"{name:16} {count:5} pages {seconds * 1000:9.1f} ms")
    total = sum(seconds for name, _, seconds in rows if name != "(contexts)")
    print(f"{'templates':16} {'':5}       {total * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
