"""Where a full build's time goes, stage by stage.

    python -m bench.phases bench/out/corpus-1000/ours [--out DIR] [--jobs N]

Runs `site-builder build` itself (`site_builder.build.build`, the same entry point, order,
cores and paused garbage collector as the command line) and times the stages the build
reports to its progress callback, so there is no second copy of the stage order to keep in
step. Each stage runs from the build's report of it to the next report (or the build's end):

- load: the output folder checked; site, people and glossary read (before the first report)
- check: every article loaded, validated, anchored and linked (forked workers), what spans
  articles checked, the theme scanned, and the pages planned (which parses Markdown for the
  plain text of descriptions): the build reports `render` once it knows how many pages to render
- render: Markdown to HTML and the pages rendered (forked workers), the root files placed
- write: the staged folder written
- index: Pagefind over the staged folder, then the folder swapped in

`python -m bench.profile` runs the same under cProfile, one profile per stage.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from site_builder.build import BuildOptions, BuildReport, build

FIRST_STAGE = "load"
"""What runs before the build's first report: it has no name of the build's own."""


@dataclass(frozen=True)
class StageTime:
    """One stage of one build: its name, how many items the build said it had, its wall time."""

    stage: str
    items: int
    seconds: float


StageHook = Callable[[str | None], None]
"""Told the name of each stage as it starts, and None when the build has ended."""


class StageClock:
    """The build's progress callback: notes when each stage starts, and tells `on_stage`."""

    def __init__(self, on_stage: StageHook | None = None) -> None:
        self.on_stage = on_stage
        self.marks: list[tuple[str, int, float]] = []

    def __call__(self, stage: str, count: int) -> None:
        if self.on_stage is not None:
            self.on_stage(stage)
        self.marks.append((stage, count, time.perf_counter()))

    def stages(self, ended: float) -> list[StageTime]:
        """Each stage's time, from its mark to the next one (the last one to `ended`)."""
        ends = [t for _, _, t in self.marks[1:]] + [ended]
        return [
            StageTime(stage, count, end - start)
            for (stage, count, start), end in zip(self.marks, ends, strict=True)
        ]


def timed_build(
    options: BuildOptions, on_stage: StageHook | None = None
) -> tuple[BuildReport, list[StageTime]]:
    """Build as the command line does, and time each stage the build reports."""
    clock = StageClock(on_stage)
    clock(FIRST_STAGE, 0)
    try:
        report = build(dataclasses.replace(options, progress=clock))
    finally:
        ended = time.perf_counter()
        if on_stage is not None:
            on_stage(None)
    return report, clock.stages(ended)


def build_in_scratch(
    project: Path,
    scratch: Path,
    jobs: int = 0,
    on_stage: StageHook | None = None,
) -> list[StageTime]:
    """One clean build of `project` into `scratch/site` (removed after), stage by stage.

    A build with problems raises: its stage times would measure an error report.
    """
    out = scratch / "site"
    shutil.rmtree(out, ignore_errors=True)
    try:
        report, stages = timed_build(BuildOptions(project, out=out, jobs=jobs), on_stage)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if report.failed:
        problems = "\n".join(d.format() for d in report.diagnostics)
        raise RuntimeError(f"the build of {project} failed:\n{problems}")
    return stages


def median_stages(runs: Sequence[Sequence[StageTime]]) -> list[StageTime]:
    """Stage by stage, the median over runs (every run of one build has the same stages)."""
    return [
        StageTime(same[0].stage, same[0].items, statistics.median(s.seconds for s in same))
        for same in zip(*runs, strict=True)
    ]


def stage_table(stages: Sequence[StageTime]) -> str:
    total = sum(s.seconds for s in stages)
    lines = [
        f"{s.stage:8} {s.seconds:7.2f} s  {100 * s.seconds / total:5.1f} %  ({s.items:,} items)"
        for s in stages
    ]
    return "\n".join([*lines, f"{'total':8} {total:7.2f} s  (after imports)"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--out", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=0, help="processes (default: one per core)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="phases-") as temporary:
        scratch = args.out or Path(temporary)
        try:
            stages = build_in_scratch(args.project, scratch, args.jobs)
        except RuntimeError as exc:
            print(exc)
            return 1
    print(stage_table(stages))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"this process: {usage.ru_utime + usage.ru_stime:.2f} s of CPU, "
        f"peak {usage.ru_maxrss // 1024} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
