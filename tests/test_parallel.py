"""Rendering on several processes gives the same bytes as rendering in one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO
from test_incremental import tree_differences

from site_builder import render
from site_builder.build import BuildOptions, build


def test_parallel_rendering_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 1)  # the seed site is small: force workers
    seen = tmp_path / "workers"
    seen.mkdir()
    real_render = render.render_plan

    def spying_render(plan: render.PagePlan, env: object) -> str:
        (seen / str(os.getpid())).touch()  # in a worker, which inherited this patch by fork
        return real_render(plan, env)

    monkeypatch.setattr(render, "render_plan", spying_render)
    serial = build(BuildOptions(REPO, out=tmp_path / "serial", jobs=1, search=False))
    for marker in seen.iterdir():
        marker.unlink()
    parallel = build(BuildOptions(REPO, out=tmp_path / "parallel", jobs=2, search=False))
    assert not serial.failed and not parallel.failed
    workers = {int(p.name) for p in seen.iterdir()}
    assert workers and os.getpid() not in workers  # pages were rendered in other processes
    assert tree_differences(tmp_path / "serial", tmp_path / "parallel") == []
    assert serial.files_written == parallel.files_written > 20
