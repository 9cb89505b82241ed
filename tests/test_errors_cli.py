"""What editors see on the command line: every problem at once, located, with a caret and a hint;
exit 1 on content errors, 3 on a bug; a failed build leaves the last good site alone; `check`
never writes; output folders that would destroy something are refused."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import ProjectFactory
from test_load import ARTICLE, project

from site_builder import resolve as resolve_module
from site_builder.build import BuildOptions, records_of, resolve_site
from site_builder.cli import main
from site_builder.errors import Position, error
from site_builder.records import write_records


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.splitlines()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `folder`, with its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the form of a message ---------------------------------------------------


def test_message_caret_and_hint(make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]):
    root = project(
        make_project,
        content__articles__a_yaml=ARTICLE.replace("person: li-keqiang", "person: li-keqaing"),
    )
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert lines[:4] == [
        "content/articles/a.yaml:9:13: error: `person` names unknown person `li-keqaing`",
        "      person: li-keqaing",
        "              ^",
        "  did you mean `li-keqiang`?",
    ]
    assert lines[-1].startswith("site-builder: 1 error(s), ")
    assert lines[-1].endswith("; nothing written")


def test_caret_lines_up_under_tabs():
    diagnostic = error(Position("a.yaml", 3, 4), "problem", "a hint", source_line="\tx: y\n")
    assert diagnostic.format().splitlines() == [
        "a.yaml:3:4: error: problem",
        "  \tx: y",
        "  \t  ^",
        "  a hint",
    ]


def test_whole_file_problems_point_at_its_start():
    assert error(Position("content/site.yaml"), "missing file").format() == (
        "content/site.yaml:1:1: error: missing file"
    )


def test_three_mistakes_in_three_files_are_three_messages(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    people = (
        "xi-jinping:\n  name: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n  sumary: Premier.\n"
    )
    glossary = "cyber-power:\n  term: cyber power\n  definition: D.\n  see_also: [cyber-powers]\n"
    article = ARTICLE.replace("speaker: xi-jinping", "speaker: xi-jinpign")
    root = project(
        make_project,
        content__people_yaml=people,
        content__glossary_yaml=glossary,
        content__articles__a_yaml=article,
    )
    code, lines = run(capsys, "build", "--project", str(root))
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "content/articles/a.yaml:6:14: error: `speaker` names unknown person `xi-jinpign`",
        "content/glossary.yaml:4:14: error: `see_also` names unknown term `cyber-powers`",
        "content/people.yaml:5:3: error: unknown field `sumary` in a person",
    ]
    assert lines[-1] == "site-builder: 3 error(s), 0 warning(s); nothing written"
    assert not (root / "output").exists()


# --- warnings and --strict -----------------------------------------------------


def unused_person_project(make_project: ProjectFactory) -> Path:
    people = "xi-jinping:\n  name: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\nlu-wei:\n  name: Lu Wei\n"
    return project(make_project, content__people_yaml=people)


def test_warnings_do_not_fail(make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]):
    root = unused_person_project(make_project)
    code, lines = run(capsys, "build", "--project", str(root))
    assert code == 0
    assert lines[0] == "content/people.yaml:5:1: warning: no article names the person `lu-wei`"
    assert (root / "output/index.html").is_file()


@pytest.mark.parametrize("command", ["build", "check"])
def test_strict_makes_warnings_fail(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], command: str
):
    root = unused_person_project(make_project)
    write_records(root, records_of(resolve_site(BuildOptions(root))[0]))  # as if committed
    code, lines = run(capsys, command, "--project", str(root), "--strict")
    assert code == 1
    assert lines[0] == (
        "content/people.yaml:5:1: error: (strict) no article names the person `lu-wei`"
    )
    assert lines[-1] == "site-builder: 1 error(s), 0 warning(s); nothing written"
    assert not (root / "output").exists()


# --- a failed build leaves the last good site; check never writes -------------


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("content/articles/a.yaml", "title: A test article", "title: A: test"),
        ("content/articles/a.yaml", "person: li-keqiang", "person: nobody"),
        ("content/articles/a.yaml", "text: Premier Li Keqiang", "text: Premier Li Keqiang said"),
        ("content/people.yaml", "name: Xi Jinping", "name: [Xi Jinping"),
        ("seeds/s.txt", "agreed", "agr\udce9ed"),
    ],
)
def test_failed_build_leaves_previous_output_byte_for_byte(
    make_project: ProjectFactory,
    capsys: pytest.CaptureFixture[str],
    path: str,
    old: str,
    new: str,
):
    root = project(make_project)
    assert run(capsys, "build", "--project", str(root))[0] == 0
    before = snapshot(root / "output")
    assert "index.html" in before
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_bytes(text.replace(old, new).encode("utf-8", "surrogateescape"))
    code, lines = run(capsys, "build", "--project", str(root))
    assert code == 1, lines
    assert snapshot(root / "output") == before
    assert sorted(p.name for p in root.iterdir()) == ["content", "output", "schemas", "seeds"]


@pytest.mark.parametrize("broken", [False, True])
def test_check_never_writes(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], broken: bool
):
    article = ARTICLE.replace("person: li-keqiang", "person: x") if broken else ARTICLE
    root = project(make_project, content__articles__a_yaml=article)

    def outside_schemas(files: dict) -> dict:  # type: ignore[type-arg]
        # FORMAT.md section 9: `check` keeps schemas/ current, and writes nothing else.
        return {k: v for k, v in files.items() if not str(k).startswith("schemas")}

    before = outside_schemas(snapshot(root))
    folders = sorted(p for p in root.rglob("*") if p.is_dir() and p.name != "schemas")
    code, _ = run(capsys, "check", "--project", str(root))
    assert code == (1 if broken else 0)
    assert outside_schemas(snapshot(root)) == before
    assert sorted(p for p in root.rglob("*") if p.is_dir() and p.name != "schemas") == folders


# --- output folders that must not be replaced ----------------------------------


def refused(capsys: pytest.CaptureFixture[str], root: Path, out: Path) -> str:
    code, lines = run(capsys, "build", "--project", str(root), "--out", str(out))
    assert code == 1, lines
    return lines[0]


def test_output_folder_that_is_the_project(make_project: ProjectFactory, capsys):
    root = project(make_project)
    before = snapshot(root)
    line = refused(capsys, root, root)
    assert (
        line
        == f"{root}: error: the output folder is the project or contains it; refusing to replace it"
    )
    assert snapshot(root) == before


def test_output_folder_that_contains_the_project(make_project: ProjectFactory, capsys):
    root = project(make_project)
    before = snapshot(root.parent)
    line = refused(capsys, root, root.parent)
    assert line.endswith(
        "error: the output folder is the project or contains it; refusing to replace it"
    )
    assert snapshot(root.parent) == before


def test_output_folder_that_holds_git(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    (out / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (out / ".nojekyll").write_text("")
    line = refused(capsys, root, out)
    assert (
        line == f"{out}: error: the output folder holds a `.git` repository; refusing to replace it"
    )
    assert (out / ".git/HEAD").read_text() == "ref: refs/heads/main\n"


@pytest.mark.parametrize("inside", ["content", "content/articles", "seeds", "templates"])
def test_output_folder_over_the_projects_sources(make_project: ProjectFactory, capsys, inside: str):
    root = project(make_project)
    before = snapshot(root)
    line = refused(capsys, root, root / inside)
    assert line.startswith(f"{root / inside}: error: the output folder overlaps the project's `")
    assert snapshot(root) == before


def test_output_folder_with_someone_elses_files(
    make_project: ProjectFactory, capsys, tmp_path: Path
):
    root = project(make_project)
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    line = refused(capsys, root, out)
    assert line == (
        f"{out}: error: the output folder is not empty and was not made by site-builder; "
        "refusing to replace it"
    )
    assert (out / "thesis.txt").read_text() == "years of work"


def test_a_previous_build_and_an_empty_folder_are_fine(
    make_project: ProjectFactory, capsys, tmp_path: Path
):
    root = project(make_project)
    out = tmp_path / "site"
    out.mkdir()
    assert run(capsys, "build", "--project", str(root), "--out", str(out))[0] == 0
    assert run(capsys, "build", "--project", str(root), "--out", str(out))[0] == 0


def test_output_path_that_is_a_file(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    out = tmp_path / "site.html"
    out.write_text("x")
    assert refused(capsys, root, out) == f"{out}: error: the output path exists and is not a folder"
    assert out.read_text() == "x"


def test_output_folder_below_a_file(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "site"
    assert refused(capsys, root, out) == (
        f"{out}: error: cannot create the output folder: {tmp_path / 'file'} is a file"
    )


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only /sys (Linux)")
def test_unwritable_output_folder_even_for_root(make_project: ProjectFactory, capsys):
    root = project(make_project)
    line = refused(capsys, root, Path("/sys/site-builder-output"))
    assert line.startswith("/sys/site-builder-output: error: cannot write to /sys:")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="permissions do not bind root"
)
def test_unwritable_output_folder(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = refused(capsys, root, locked / "out")
    finally:
        locked.chmod(0o755)
    assert line.startswith(f"{locked / 'out'}: error: cannot write to {locked}:")


# --- bugs are not the editor's fault ------------------------------------------


def explode(*args: object, **kwargs: object) -> object:
    raise RuntimeError("boom")


def test_internal_error_exits_3_briefly_naming_the_input(
    make_project: ProjectFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    root = project(make_project)
    monkeypatch.setattr(resolve_module, "anchor_article", explode)
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 3
    assert lines[0] == "site-builder: internal error: RuntimeError: boom"
    assert "  while processing: content/articles/a.yaml" in lines
    assert not any("Traceback" in line for line in lines)
    assert len(lines) <= 6
