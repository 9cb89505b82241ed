"""Smoke test of the benchmark kit (bench/, issue 6): the corpus is valid and the runner runs.

The benchmark itself is too slow for CI; this runs its smallest form, N=20, site-builder only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_corpus_builds_without_problems(tmp_path: Path) -> None:
    """Every generated annotation anchors once, every person and term is used: no diagnostics."""
    done = _run("-m", "bench.corpus", "--n", "20", "--out", tmp_path / "c", "--tools", "ours")
    assert done.returncode == 0, done.stderr
    expected = json.loads((tmp_path / "c" / "corpus.json").read_text())["pages_expected_ours"]
    project, out = tmp_path / "c" / "ours", tmp_path / "site"
    built = _run("-m", "site_builder", "build", "--strict", "--project", project, "--out", out)
    assert built.returncode == 0, built.stderr
    assert "error" not in built.stderr and "warning" not in built.stderr, built.stderr
    assert expected == {"articles": 20, "people": 20, "glossary": 40}
    for folder, count in expected.items():
        assert sum(1 for _ in (out / folder).glob("*/index.html")) == count, folder
    assert (out / "index.html").is_file()


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        done = _run("-m", "bench.corpus", "--n", "20", "--out", tmp_path / name)
        assert done.returncode == 0, done.stderr
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b
    assert {"ours", "hugo", "pelican", "mkdocs"} <= {p.parts[0] for p in files_a}
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_runner_quick(tmp_path: Path) -> None:
    done = _run("-m", "bench.run", "--quick", "--work", tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "quick" / "benchmarks-results.json").read_text())
    [row] = results["summary"]
    assert (row["tool"], row["n"], row["runs"]) == ("ours", 20, 1)
    assert row["pages"] >= 20 + 20 + 40 + 3  # articles, people, terms, three indexes
    assert row["seconds"] > 0 and row["peak_mb"] > 0
    assert "| 20 | ours |" in (tmp_path / "quick" / "benchmarks-results.md").read_text()


def test_ratios_compare_each_variant_of_ours_with_each_peer() -> None:
    from bench.report import ratios

    def row(tool: str, seconds: float, peak_mb: float) -> dict[str, object]:
        return {"tool": tool, "n": 1000, "runs": 3, "seconds": seconds, "peak_mb": peak_mb}

    rows = [row("ours", 8.0, 600), row("ours-nosearch", 5.0, 300), row("hugo", 4.0, 400)]
    assert ratios(rows) == [
        {"ours": "ours", "peer": "hugo", "n": 1000, "time_ratio": 2.0, "memory_ratio": 1.5},
        {
            "ours": "ours-nosearch",
            "peer": "hugo",
            "n": 1000,
            "time_ratio": 1.25,
            "memory_ratio": 0.75,
        },
    ]


def test_the_nosearch_variant_builds_the_same_project_without_search(tmp_path: Path) -> None:
    from bench.run import build_command, corpus_folder

    with_search = build_command("ours", tmp_path / "p", tmp_path / "o")
    assert build_command("ours-nosearch", tmp_path / "p", tmp_path / "o") == [
        *with_search,
        "--no-search",
    ]
    assert corpus_folder("ours-nosearch") == corpus_folder("ours") == "ours"
    assert corpus_folder("hugo") == "hugo"


def test_each_stage_the_build_reports_gets_a_profile_of_its_own_work(tmp_path: Path) -> None:
    """bench.phases runs the build itself; bench.profile switches profiles at each stage."""
    from bench.corpus import make_corpus, write_ours
    from bench.profile import profile_build

    write_ours(make_corpus(20), tmp_path / "p")
    profiles = profile_build(tmp_path / "p", tmp_path / "s")
    assert [p.stage for p in profiles] == ["load", "check", "render", "write", "index"]
    assert [p.items for p in profiles][:2] == [0, 20]  # the build's own count of articles
    assert not (tmp_path / "s" / "site").exists()
    names = {p.stage: {f.name.rsplit("(", 1)[-1] for f in p.functions} for p in profiles}
    stage_of = {
        "load_content)": "load",
        "resolve_article)": "check",
        "render_jobs)": "render",
        "swap_in)": "write",
        "index_site)": "index",
    }
    for function, stage in stage_of.items():
        assert [s for s, found in names.items() if function in found] == [stage], function


def test_profile_writes_a_page_with_a_profile_per_stage(tmp_path: Path) -> None:
    doc = tmp_path / "profile.md"
    done = _run(
        "-m", "bench.profile", "--n", "20", "--sizes", "20", "--work", tmp_path, "--doc", doc
    )
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    sections = {part.split(":", 1)[0]: part for part in text.split("\n### ")[1:]}
    assert list(sections) == ["load", "check", "render", "write", "index"]
    assert all(section.count("site_builder/") >= 3 for section in sections.values())
    # Names are the same on every machine: no absolute paths, no memory addresses.
    assert str(REPO) + "/site_builder" not in text and " at 0x" not in text
    assert "| **total** |" in text


def test_each_page_template_is_timed_over_its_own_pages(tmp_path: Path) -> None:
    """bench.templates renders each template over the pages the build plans for it."""
    from bench.corpus import make_corpus, write_ours
    from bench.templates import render_times

    write_ours(make_corpus(20), tmp_path / "p")
    rows = {name: (count, seconds) for name, count, seconds in render_times(tmp_path / "p", 1)}
    assert rows["article.html"][0] == 20
    assert rows["index.html"][0] == 1
    assert set(rows) >= {"person.html", "term.html", "sitemap.xml", "(contexts)"}
    assert all(seconds >= 0 for _, seconds in rows.values())
