"""Turn raw benchmark runs into medians, ratios, a verdict per target, a table and a plot."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def summarize(runs: Iterable[Row]) -> list[Row]:
    """Medians per (tool, N) over the successful runs."""
    runs_list = list(runs)
    groups: dict[tuple[str, int], list[Row]] = defaultdict(list)
    failed: dict[tuple[str, int], int] = defaultdict(int)
    for r in runs_list:
        if r["ok"]:
            groups[(r["tool"], r["n"])].append(r)
        else:
            failed[(r["tool"], r["n"])] += 1
    rows = []
    for (tool, n), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rows.append(
            {
                "tool": tool,
                "n": n,
                "runs": len(group),
                "failed_runs": failed.get((tool, n), 0),
                "seconds": statistics.median(r["seconds"] for r in group),
                "min_seconds": min(r["seconds"] for r in group),
                "loadavg": statistics.median(r["loadavg"] for r in group),
                "peak_mb": statistics.median(r["peak_kb"] for r in group) / 1024,
                "pages": group[0]["pages"],
                "ms_per_article": 1000 * statistics.median(r["seconds"] for r in group) / n,
            }
        )
    for (tool, n), count in failed.items():
        if (tool, n) in groups:
            continue
        stopped = [r for r in runs_list if (r["tool"], r["n"]) == (tool, n) and r.get("timed_out")]
        row: Row = {"tool": tool, "n": n, "runs": 0, "failed_runs": count}
        if stopped:  # what is known: more than this long, at least this much memory
            row["timed_out_after"] = max(r["seconds"] for r in stopped)
            row["peak_mb_before_stop"] = max(r["peak_kb"] for r in stopped) / 1024
        rows.append(row)
    return rows


def _find(rows: list[Row], tool: str, n: int) -> Row | None:
    return next((r for r in rows if r["tool"] == tool and r["n"] == n and r["runs"]), None)


def ratios(rows: list[Row]) -> list[Row]:
    """ours/peer for wall time and peak memory at each N both were built at, for each variant
    of site-builder measured (with and without its search index)."""
    out = []
    tools = {r["tool"] for r in rows}
    for variant in sorted(t for t in tools if t.startswith("ours")):
        for peer in sorted(t for t in tools if not t.startswith("ours")):
            for n in sorted({r["n"] for r in rows}):
                ours, other = _find(rows, variant, n), _find(rows, peer, n)
                if ours and other:
                    out.append(
                        {
                            "ours": variant,
                            "peer": peer,
                            "n": n,
                            "time_ratio": ours["seconds"] / other["seconds"],
                            "memory_ratio": ours["peak_mb"] / other["peak_mb"],
                        }
                    )
    return out


def _value(rows: list[Row], tool: str, n: int, key: str) -> tuple[float | None, str]:
    """A median, or for a build stopped by the timeout a lower bound (marked ">")."""
    row = _find(rows, tool, n)
    if row:
        return row[key], ""
    stopped = next(
        (r for r in rows if (r["tool"], r["n"]) == (tool, n) and "timed_out_after" in r), None
    )
    if stopped:
        return stopped["timed_out_after" if key == "seconds" else "peak_mb_before_stop"], ">"
    return None, ""


def _ratio(rows: list[Row], a: str, b: str, n: int, key: str) -> tuple[float | None, str]:
    """a/b, exact, or bounded (">" or "<") when one of the two is a lower bound."""
    (va, ka), (vb, kb) = _value(rows, a, n, key), _value(rows, b, n, key)
    if va is None or vb is None or (ka and kb):
        return None, ""
    return va / vb, ka or ("<" if kb else "")


def _verdict(value: float | None, bound: str, limit: float, lower_is_better: bool) -> bool | None:
    """Met, not met, or None when not measured or when a bound cannot decide."""
    if value is None:
        return None
    if not bound:
        return value <= limit if lower_is_better else value >= limit
    above = bound == ">"  # the true value is above `value`
    if lower_is_better:
        return False if above and value > limit else True if not above and value <= limit else None
    return True if above and value >= limit else False if not above and value < limit else None


def targets(rows: list[Row], incremental: list[Row]) -> list[Row]:
    """Issue 12's targets, each with the measured value and whether it is met."""
    out: list[Row] = []

    def add(
        name: str, measured: tuple[float | None, str], limit: float, unit: str, lower: bool = True
    ) -> None:
        value, bound = measured
        out.append(
            {
                "target": name,
                "measured": value,
                "bound": bound,
                "limit": limit,
                "unit": unit,
                "met": _verdict(value, bound, limit, lower),
            }
        )

    add("N=1000: ours / Hugo wall time", _ratio(rows, "ours", "hugo", 1000, "seconds"), 1.5, "x")
    nosearch = "ours-nosearch"
    add(
        "N=1000, no search: ours / Hugo wall time",
        _ratio(rows, nosearch, "hugo", 1000, "seconds"),
        1.0,
        "x",
    )
    add(
        "N=5000, no search: ours / Hugo wall time",
        _ratio(rows, nosearch, "hugo", 5000, "seconds"),
        1.0,
        "x",
    )
    add("N=5000: ours / Hugo peak memory", _ratio(rows, "ours", "hugo", 5000, "peak_mb"), 0.5, "x")
    small, large = _find(rows, "ours", 1000), _find(rows, "ours", 10000)
    linear = large["ms_per_article"] / small["ms_per_article"] if small and large else None
    add("cost per article, N=10000 / N=1000", (linear, ""), 1.2, "x")
    edit = next((r for r in incremental if r["tool"] == "ours"), None)
    add(
        "N=1000: edit to served page, median",
        (edit["served_median_s"] if edit else None, ""),
        0.05,
        "s",
    )
    return out


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown(
    rows: list[Row],
    ratio_rows: list[Row],
    target_rows: list[Row],
    incremental: list[Row],
    served_n: int = 1000,
) -> str:
    """The tables docs/benchmarks.md shows."""
    lines = [
        "| N | tool | wall time (s), median | fastest (s) | peak memory (MB) | pages | ms per article | runs | load |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if not r["runs"] and "timed_out_after" in r:
            lines.append(
                f"| {r['n']} | {r['tool']} | > {r['timed_out_after']:.0f} (stopped) | "
                f"| > {r['peak_mb_before_stop']:.0f} | | > {1000 * r['timed_out_after'] / r['n']:.0f} | 0 | |"
            )
            continue
        if not r["runs"]:
            lines.append(
                f"| {r['n']} | {r['tool']} | failed | | | | | 0 ({r['failed_runs']} failed) | |"
            )
            continue
        lines.append(
            f"| {r['n']} | {r['tool']} | {r['seconds']:.2f} | {r['min_seconds']:.2f} | {r['peak_mb']:.0f} "
            f"| {r['pages']} | {r['ms_per_article']:.2f} | {r['runs']} | {r['loadavg']:.1f} |"
        )
    lines += [
        "",
        "| N | ours | peer | ours / peer, time | ours / peer, memory |",
        "| ---: | --- | --- | ---: | ---: |",
    ]
    lines += [
        f"| {r['n']} | {r.get('ours', 'ours')} | {r['peer']} | {r['time_ratio']:.2f} "
        f"| {r['memory_ratio']:.2f} |"
        for r in ratio_rows
    ]
    if incremental:
        lines += [
            "",
            f"| server (N={served_n}) | edit to served page, median (s) | edit to reload event, median (s) | edits | failures |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {r['tool']} | {_fmt(r['served_median_s'], 3)} | {_fmt(r['reload_median_s'], 3)} "
            f"| {r['edits']} | {r['failures']} |" + (f" {r['note']}" if r["note"] else "")
            for r in incremental
        ]
    lines += ["", "| target | limit | measured | met |", "| --- | ---: | ---: | --- |"]
    for t in target_rows:
        unknown = "not measured" if t["measured"] is None else "undecided"
        verdict = {True: "yes", False: "**no**", None: unknown}[t["met"]]
        bound = f"{t['bound']} " if t["bound"] else ""
        measured = "n/a" if t["measured"] is None else f"{bound}{t['measured']:.2f}{t['unit']}"
        lines.append(f"| {t['target']} | {t['limit']:.2f}{t['unit']} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[Row], path: Path) -> bool:
    """Build time against N for every tool, log-log; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for tool in sorted({r["tool"] for r in rows}):
        points = sorted((r["n"], r["seconds"]) for r in rows if r["tool"] == tool and r["runs"])
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=tool)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("articles (N)")
    ax.set_ylabel("full build, wall time (s, median)")
    ax.set_title("Build time against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    """Redo the summary, tables and plot of a results file (after a change to this module)."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("results", type=Path, help="a benchmarks-results.json")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    rows = summarize(results["runs"])
    results.update(summary=rows, ratios=ratios(rows))
    results["targets"] = targets(rows, results["incremental"])
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    served_n = results["config"].get("incremental_n", 1000)
    table = markdown(rows, results["ratios"], results["targets"], results["incremental"], served_n)
    folder = args.results.parent
    (folder / "benchmarks-results.md").write_text(table)
    plot(rows, folder / "benchmarks-build-time.png")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
