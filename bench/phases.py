"""Where a full build's time goes, stage by stage.

    python -m bench.phases bench/out/corpus-1000/ours [--out DIR] [--jobs N]

Runs what `site-builder build` runs, in the same order and on the same cores, but times
each stage: resolve (load, validate, anchor and link every article, on forked workers),
render (plan every page, its Markdown, the pages themselves), write (the staged folder) and
search (Pagefind on the staged folder). The cyclic garbage collector is paused, as the build
pauses it. The figures in docs/benchmarks.md ("Where the time goes") come from this.
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from site_builder.build import BuildOptions, render_pages, resolve_site, static_files
from site_builder.search import index_site
from site_builder.write import write_site

T = TypeVar("T")


def timed(label: str, seconds: dict[str, float], work: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = work()
    seconds[label] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--out", type=Path, help="default: a temporary folder, removed after")
    parser.add_argument("--jobs", type=int, default=0, help="processes (default: one per core)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="phases-")) / "site"
    options = BuildOptions(args.project, out=out, jobs=args.jobs)
    seconds: dict[str, float] = {}
    gc.disable()  # as Builder.build does
    try:
        site, diagnostics = timed("resolve", seconds, lambda: resolve_site(options))
        if site is None:
            print("\n".join(d.format() for d in diagnostics))
            return 1
        files, _ = timed("render", seconds, lambda: render_pages(site, options))
        copies = static_files(options.project)
        timed("write", seconds, lambda: write_site(out, files, copies))
        timed("search", seconds, lambda: index_site(out))
    finally:
        if args.out is None:
            shutil.rmtree(out.parent, ignore_errors=True)
    total = sum(seconds.values())
    for label, value in seconds.items():
        print(f"{label:8} {value:7.2f} s  {100 * value / total:5.1f} %")
    print(f"{'total':8} {total:7.2f} s  (after imports)")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"this process: {usage.ru_utime + usage.ru_stime:.2f} s of CPU, peak {usage.ru_maxrss // 1024} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
