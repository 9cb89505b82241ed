"""Invalid sites, one folder each, and exactly what `site-builder` tells their editors.

Every folder in tests/fixtures/invalid/ (but `_base`) is the base project with a few files
replaced; its expected.txt is the command, its whole standard error and its exit status
(tests/README.md). A change to a message shows here as a diff; when it is meant, record it
again with `python tests/regen.py invalid` and read the diff before committing it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from snapshots import BASE, INVALID, RECORD_FILES, case_names, command_of, run_case

STAGES = ("load", "validate", "anchor", "link", "render", "write", "warn")
"""Each case's name starts with the stage that finds its problem (`warn`: warnings, --strict),
or with `all` (problems in several files and stages, reported in one run) or `ok`."""


@pytest.mark.parametrize("case", case_names())
def test_case_prints_exactly_what_expected_txt_records(case: str, tmp_path: Path):
    expected_file = INVALID / case / "expected.txt"
    assert expected_file.exists(), f"{case} has no expected.txt: run python tests/regen.py invalid"
    expected = expected_file.read_text(encoding="utf-8")
    actual = run_case(case, tmp_path)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"fixtures/invalid/{case}/expected.txt",
                "this run",
            )
        )
        pytest.fail(f"{diff}\nif this change is meant: python tests/regen.py invalid", False)


def test_the_base_project_alone_is_clean(tmp_path: Path):
    # Every case is the base plus one mistake: a base with a problem of its own would show
    # in every expected.txt, and hide what each case is about.
    assert (INVALID / "ok-base" / "expected.txt").read_text(encoding="utf-8") == (
        "$ site-builder check\nsite-builder: checked in #.##s\n[exit 0]\n"
    )
    assert [p.name for p in (INVALID / "ok-base").iterdir()] == ["expected.txt"]


@pytest.mark.parametrize("case", [c for c in case_names() if c != "ok-base"])
def test_each_case_changes_the_base(case: str):
    folder = INVALID / case
    overrides = [
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() not in RECORD_FILES
    ]
    removals = folder / "remove.txt"
    own_command = command_of(case) != command_of("ok-base")
    assert overrides or removals.exists() or own_command, f"{case} is the base project unchanged"
    for relpath in overrides:
        base_file = BASE / relpath
        assert (
            not base_file.exists() or base_file.read_bytes() != (folder / relpath).read_bytes()
        ), f"{case}/{relpath} is the same as the base's: leave it out"


def test_every_stage_has_cases_and_every_case_names_its_stage():
    names = case_names()
    prefixes = {name.split("-", 1)[0] for name in names}
    assert prefixes == {*STAGES, "all", "ok"}
    assert all(command_of(name)[0] in ("check", "build") for name in names)
