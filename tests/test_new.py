"""`site-builder new DIR [--bare]`: a project that builds at once (FORMAT.md section 9)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REPO

from site_builder import __version__, schema
from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.scaffold import ScaffoldError, create_project, project_files

CONTENT_FILES = (
    "content/site.yaml",
    "content/people.yaml",
    "content/glossary.yaml",
    "content/articles/tidal-pilot-approved.yaml",
)


def content_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "content").rglob("*.yaml"))


def test_new_makes_every_file_the_contract_names(tmp_path: Path, capsys: pytest.CaptureFixture):
    target = tmp_path / "demo"
    assert main(["new", str(target)]) == 0
    assert content_files(target) == sorted(CONTENT_FILES)
    assert (target / "seeds" / "tidal-pilot-approved.txt").is_file()
    assert (target / ".gitignore").read_text(encoding="utf-8").splitlines()[1] == "/output/"
    assert sorted(p.name for p in (target / "schemas").iterdir()) == sorted(schema.SCHEMA_FILES)
    assert "made" in capsys.readouterr().err


def test_the_workflow_and_schemas_are_the_repositorys_own(tmp_path: Path):
    create_project(tmp_path / "demo")
    ours = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    theirs = (tmp_path / "demo" / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    # The one difference: a new project has no package to install from its checkout.
    assert "pip install -r requirements.txt" in theirs
    assert re.search(r"pip install \.(\s|$)", theirs, re.MULTILINE) is None
    assert theirs.replace("pip install -r requirements.txt", "pip install .") == ours
    pinned = (tmp_path / "demo" / "requirements.txt").read_text(encoding="utf-8")
    assert pinned == f"site-builder=={__version__}\n"
    # The schemas are the build's own, listing the new project's people and terms.
    assert schema.stale_schema_files(tmp_path / "demo", schema.project_ids(tmp_path / "demo")) == {}
    people = (tmp_path / "demo" / "schemas" / "article.schema.json").read_text(encoding="utf-8")
    assert "xi-jinping" not in people


@pytest.mark.parametrize("bare", [False, True])
def test_every_content_file_starts_with_a_modeline_that_finds_its_schema(
    tmp_path: Path, bare: bool
):
    root = tmp_path / "demo"
    create_project(root, bare=bare)
    files = content_files(root)
    assert files, "no content files"
    for relpath in files:
        first_line = (root / relpath).read_text(encoding="utf-8").splitlines()[0]
        assert first_line == schema.modeline(relpath), relpath
        target = first_line.split("$schema=", 1)[1]
        schema_path = ((root / relpath).parent / target).resolve()
        assert json.loads(schema_path.read_text(encoding="utf-8"))["$schema"].startswith("http")


@pytest.mark.parametrize("bare", [False, True])
def test_a_new_project_builds_at_once_even_strictly(tmp_path: Path, bare: bool):
    root = tmp_path / "demo"
    create_project(root, bare=bare)
    report = build(BuildOptions(root, strict=True, search=False, jobs=1))
    assert not report.failed, [d.format() for d in report.diagnostics]
    assert report.diagnostics == []
    home = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert ("Council approves tidal energy pilot" in home) is not bare


def test_the_example_article_uses_every_annotation_type(tmp_path: Path):
    root = tmp_path / "demo"
    create_project(root)
    assert not build(BuildOptions(root, search=False, jobs=1)).failed
    page = (root / "output/articles/tidal-pilot-approved/index.html").read_text(encoding="utf-8")
    for kind in schema.ANNOTATION_TYPES:
        assert f'data-annotation-type="{kind}"' in page, kind
    assert 'data-speaker="mara-lindqvist"' in page
    assert "Adjust" not in page and "press office" not in page.split("<article", 1)[-1]


def test_bare_leaves_out_the_example_but_keeps_the_folders(tmp_path: Path):
    root = tmp_path / "demo"
    create_project(root, bare=True)
    assert content_files(root) == [
        "content/glossary.yaml",
        "content/people.yaml",
        "content/site.yaml",
    ]
    assert list((root / "seeds").iterdir()) == []
    assert (root / "content" / "articles").is_dir()
    paths = [f.path for f in project_files(bare=True)]
    assert not any("tidal" in p for p in paths)


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture):
    target = tmp_path / "demo"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"site-builder: error: {target} is not empty; `new` only writes into a new or empty "
        "folder, so that it never overwrites a file\n"
    )
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_new_refuses_a_file(tmp_path: Path):
    target = tmp_path / "demo"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="is a file, not a folder"):
        create_project(target)


def test_new_writes_into_an_empty_folder(tmp_path: Path):
    target = tmp_path / "demo"
    target.mkdir()
    assert main(["new", str(target), "--bare"]) == 0
    assert (target / "content" / "site.yaml").is_file()


def test_new_is_deterministic(tmp_path: Path):
    create_project(tmp_path / "a")
    create_project(tmp_path / "b")
    files_a = {
        p.relative_to(tmp_path / "a"): p.read_bytes()
        for p in (tmp_path / "a").rglob("*")
        if p.is_file()
    }
    files_b = {
        p.relative_to(tmp_path / "b"): p.read_bytes()
        for p in (tmp_path / "b").rglob("*")
        if p.is_file()
    }
    assert files_a == files_b
