"""The one sequence of stages: `check`, `build` and the live preview's rebuilds tell the
same stages, in pipeline order, to `BuildOptions.progress` (what a phase timer times)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_incremental import ARTICLE, edit

from site_builder.build import Builder, BuildOptions, check
from site_builder.search import pagefind_executable


@pytest.fixture
def project(seed_project: Path) -> Path:
    return seed_project


def test_check_and_build_tell_the_same_stages_in_order(project: Path, tmp_path: Path):
    told: list[str] = []
    counts: dict[str, int] = {}

    def progress(stage: str, count: int) -> None:
        told.append(stage)
        counts[stage] = count

    options = BuildOptions(project, out=tmp_path / "site", progress=progress, jobs=1)
    assert not check(options).failed
    assert told == ["check", "render"]
    articles = len(list((project / "content/articles").glob("*.yaml")))
    assert counts["check"] == articles
    checked_pages = counts["render"]
    told.clear()
    builder = Builder(options)
    assert not builder.build().failed
    index = ["index"] if pagefind_executable() is not None else []
    assert told == ["check", "render", "write", *index]
    assert counts["render"] == checked_pages  # a first build renders every page, as check does
    told.clear()
    edit(project, ARTICLE, "title: ", "title: Edited ")
    assert not builder.build().failed
    assert told == ["check", "render", "write"]  # a rebuild refreshes the index in place
    assert 0 < counts["render"] < checked_pages  # and renders only what the edit touched


def test_a_check_stops_before_rendering_when_the_content_is_broken(project: Path, tmp_path: Path):
    told: list[str] = []
    edit(project, ARTICLE, "title: ", "title: [unclosed ")
    options = BuildOptions(project, progress=lambda stage, _: told.append(stage), jobs=1)
    report = check(options)
    assert report.failed and told == ["check"]
