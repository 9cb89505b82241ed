"""A profile of each stage of the build, and each stage's cost per article at two sizes.

    python -m bench.profile [--n 1000] [--sizes 1000,10000] [--rounds 1] [--doc docs/profile.md]

Two measurements of `site-builder build` on the benchmark corpus (bench/corpus.py, generated
under `--work` unless already there), both through bench/phases.py, that is through the
build's own entry point and its own reports of where each stage starts:

- for each N of `--sizes`, a plain build on every core, stage by stage (median of `--rounds`),
  and each stage's cost per article at the largest N against the smallest;
- at `--n`, one build in one process (`--jobs 1`, so the work forked workers would do is in
  the profiled process) under cProfile, a fresh profile for each stage: the functions with
  the most cumulative and the most own time.

Both go to `--doc` as Markdown, in the same layout every run, so a diff shows what moved.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.phases import StageTime, build_in_scratch, median_stages
from bench.run import REPO, ensure_corpus

TOP = 12
"""Functions listed per stage and per ordering."""
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
"""In some built-ins' names (`<built-in method __new__ of type object at 0x7f...>`): it changes
from run to run and says nothing."""


@dataclass(frozen=True)
class FunctionCost:
    """One function's line in a stage's profile."""

    name: str
    calls: int
    own: float
    cumulative: float


@dataclass(frozen=True)
class StageProfile:
    stage: str
    items: int
    seconds: float
    functions: tuple[FunctionCost, ...]


class StageProfiler:
    """A fresh cProfile.Profile for each stage the build starts (bench.phases' stage hook)."""

    def __init__(self) -> None:
        self.profiles: dict[str, cProfile.Profile] = {}
        self.current: cProfile.Profile | None = None

    def __call__(self, stage: str | None) -> None:
        if self.current is not None:
            self.current.disable()
            self.current = None
        if stage is not None:
            self.current = self.profiles[stage] = cProfile.Profile()
            self.current.enable()


def function_name(filename: str, line: int, name: str) -> str:
    """`site_builder/render.py:12(render_page)`: paths cut to what is the same on every machine."""
    if filename == "~":  # a built-in: cProfile names it `<built-in method ...>` itself
        return _ADDRESS.sub("", name)
    path = Path(filename)
    for marker in ("site-packages", "dist-packages"):
        if marker in path.parts:
            path = Path(*path.parts[path.parts.index(marker) + 1 :])
            break
    else:
        try:
            path = path.relative_to(REPO)
        except ValueError:  # the standard library: its file name is enough
            path = Path(path.name)
    return f"{path.as_posix()}:{line}({name})"


def _is_ours(filename: str, name: str) -> bool:
    """The benchmark's own frames (the stage hook, the profiler) are not the build's cost."""
    return Path(filename).is_relative_to(REPO / "bench") or "_lsprof.Profiler" in name


def function_costs(profile: cProfile.Profile) -> tuple[FunctionCost, ...]:
    profile.create_stats()  # pstats.Stats would refuse a profile that saw no call
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = profile.stats  # type: ignore[attr-defined]
    costs = [
        FunctionCost(function_name(*key), calls, own, cumulative)
        for key, (_, calls, own, cumulative, _) in stats.items()
        if not _is_ours(key[0], key[2])
    ]
    return tuple(sorted(costs, key=lambda f: f.name))


def profile_build(project: Path, scratch: Path) -> list[StageProfile]:
    """One build in one process, a profile per stage."""
    profiler = StageProfiler()
    stages = build_in_scratch(project, scratch, jobs=1, on_stage=profiler)
    return [
        StageProfile(s.stage, s.items, s.seconds, function_costs(profiler.profiles[s.stage]))
        for s in stages
    ]


def time_sizes(
    sizes: Sequence[int], rounds: int, work: Path, scratch: Path
) -> dict[int, list[StageTime]]:
    """Each N's stage times on every core, the median of `rounds` clean builds."""
    timings = {}
    for n in sizes:
        project = ensure_corpus(n, ["ours"], work, Path(sys.executable)) / "ours"
        runs = [build_in_scratch(project, scratch) for _ in range(rounds)]
        timings[n] = median_stages(runs)
        print(f"bench.profile: N={n} timed ({rounds} rounds)", file=sys.stderr)
    return timings


# --- The document ----------------------------------------------------------------------------


def _seconds(value: float) -> str:
    return f"{value:.2f}"


def timing_section(timings: dict[int, list[StageTime]], rounds: int) -> list[str]:
    sizes = sorted(timings)
    small, large = sizes[0], sizes[-1]
    head = ["stage"]
    for n in sizes:
        head += [f"N = {n:,} (s)", "ms per article"]
    if large != small:
        head.append(f"per article, {large:,} / {small:,}")
    lines = [
        f"Every core, as `site-builder build` runs; median of {rounds} round(s) per N.",
        "",
        "| " + " | ".join(head) + " |",
        "| --- |" + " ---: |" * (len(head) - 1),
    ]
    stages = [s.stage for s in timings[small]]
    totals = {n: sum(s.seconds for s in timings[n]) for n in sizes}
    for index, stage in enumerate([*stages, "total"]):
        cells = [stage if stage != "total" else "**total**"]
        per_article = {}
        for n in sizes:
            seconds = totals[n] if stage == "total" else timings[n][index].seconds
            per_article[n] = 1000 * seconds / n
            cells += [_seconds(seconds), f"{per_article[n]:.2f}"]
        if large != small:
            ratio = per_article[large] / per_article[small] if per_article[small] else 0.0
            cells.append(f"{ratio:.2f}x")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _function_table(costs: Sequence[FunctionCost], seconds: float) -> list[str]:
    lines = [
        "| cumulative (s) | share | own (s) | calls | function |",
        "| ---: | ---: | ---: | ---: | --- |",
    ]
    for f in costs:
        share = 100 * f.cumulative / seconds if seconds else 0.0
        lines.append(
            f"| {f.cumulative:.3f} | {share:.0f} % | {f.own:.3f} | {f.calls:,} | `{f.name}` |"
        )
    return lines


def profile_section(n: int, profiles: Sequence[StageProfile]) -> list[str]:
    total = sum(p.seconds for p in profiles)
    lines = [
        f"One build of N = {n:,} in one process (`--jobs 1`) under cProfile, which slows",
        "Python code about twofold and cannot see into Pagefind, a separate binary (its time",
        "is the build waiting on a subprocess). Stages as in the table above; per stage, the",
        f"{TOP} functions with the most cumulative time, then the {TOP} with the most own time.",
        "",
        "| stage | profiled (s) | share | items |",
        "| --- | ---: | ---: | ---: |",
    ]
    for p in profiles:
        share = 100 * p.seconds / total if total else 0.0
        lines.append(f"| {p.stage} | {_seconds(p.seconds)} | {share:.0f} % | {p.items:,} |")
    for p in profiles:
        by_cumulative = sorted(p.functions, key=lambda f: (-f.cumulative, f.name))[:TOP]
        by_own = sorted(p.functions, key=lambda f: (-f.own, f.name))[:TOP]
        lines += ["", f"### {p.stage}: {_seconds(p.seconds)} s", ""]
        lines += ["Most cumulative time:", "", *_function_table(by_cumulative, p.seconds)]
        lines += ["", "Most own time:", "", *_function_table(by_own, p.seconds)]
    return lines


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def document(
    command: str,
    n: int,
    timings: dict[int, list[StageTime]],
    rounds: int,
    profiles: Sequence[StageProfile],
    load: tuple[float, float],
) -> str:
    lines = [
        "# Where a build's time goes: each stage, timed and profiled",
        "",
        "Written by bench/profile.py; this command brings it up to date:",
        "",
        "```sh",
        command,
        "```",
        "",
        "The stages are the ones `site-builder build` reports to its progress line",
        "(bench/phases.py): `load` (the output folder checked; site, people and glossary",
        "read), `check` (every article loaded, validated, anchored and linked; the site-wide",
        "checks; the theme scanned; and every page planned, which parses Markdown for the plain",
        "text of descriptions: the build reports `render` once it knows how many pages need",
        "rendering), `render` (Markdown to HTML and the templates; the root files placed),",
        "`write` (the staged folder) and `index` (Pagefind over the staged folder, then the",
        "swap).",
        "",
        f"Commit `{_commit()}`, {os.cpu_count()} cores, 1-minute load average {load[0]:.1f}",
        f"before and {load[1]:.1f} after. The machine is shared: figures move from run to run",
        "by 20 % and more; compare ratios measured in one run, not figures across runs.",
        "",
        "## Time per stage",
        "",
        *timing_section(timings, rounds),
        "",
        "## Profile per stage",
        "",
        *profile_section(n, profiles),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="articles of the profiled build")
    parser.add_argument(
        "--sizes", default="1000,10000", help="comma-separated N to time (default: %(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="timed builds per N (median)")
    parser.add_argument(
        "--work", type=Path, default=REPO / "bench" / "out", help="corpora (default: bench/out)"
    )
    parser.add_argument(
        "--doc", type=Path, default=REPO / "docs" / "profile.md", help="the page to write"
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s})
    if not sizes or args.rounds < 1:
        parser.error("--sizes needs at least one N and --rounds at least 1")
    work = args.work.absolute()
    work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=work, prefix="profile-") as scratch:
        try:
            timings = time_sizes(sizes, args.rounds, work, Path(scratch))
            project = ensure_corpus(args.n, ["ours"], work, Path(sys.executable))
            profiles = profile_build(project / "ours", Path(scratch))
        except RuntimeError as exc:  # a build with problems: its profile would mean nothing
            print(f"bench.profile: {exc}", file=sys.stderr)
            return 1
    shown = " ".join(argv) if argv is not None else " ".join(sys.argv[1:])
    command = f"python -m bench.profile {shown}".strip()
    page = document(
        command, args.n, timings, args.rounds, profiles, (load_before, os.getloadavg()[0])
    )
    args.doc.write_text(page)
    print(f"bench.profile: wrote {args.doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
