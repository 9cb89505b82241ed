"""Deploying to GitHub Pages under a custom domain: `cname:` in site.yaml becomes a CNAME file."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO

from site_builder.build import BuildOptions, build


def project_with_cname(tmp_path: Path, cname: str) -> Path:
    root = tmp_path / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    site = root / "content" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    text = text.replace(
        'base_url: "https://example.github.io/cyber-power/"',
        'base_url: "https://annotated.example.org/"',
    )
    site.write_text(text + f"cname: {cname}\n", encoding="utf-8")
    return root


def test_cname_writes_a_cname_file_at_the_site_root(tmp_path: Path):
    root = project_with_cname(tmp_path, "annotated.example.org")
    report = build(BuildOptions(root))
    assert not report.failed, [d.format() for d in report.diagnostics]
    assert (root / "output" / "CNAME").read_text(encoding="utf-8") == "annotated.example.org\n"


def test_a_cname_that_is_a_url_is_a_located_error(tmp_path: Path):
    root = project_with_cname(tmp_path, "https://annotated.example.org/")
    report = build(BuildOptions(root))
    assert report.failed
    [problem] = [d.format() for d in report.errors]
    assert problem.startswith("content/site.yaml:")
    assert "unknown field" not in problem and "cname" in problem
