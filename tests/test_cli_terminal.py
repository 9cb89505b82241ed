"""The command line on a terminal and off it: progress, colour, --quiet, --verbose, and
finding the project from inside it. Terminal runs use a real pseudo-terminal (`pty`)."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, ProjectFactory

from site_builder.cli import find_project

SEED = "President Xi Jinping said cyber power matters.\n"
ARTICLE = """\
source: seeds/s.txt
title: A report
annotations:
  - type: quote
    text: cyber power matters
    speaker: xi-jinping
"""
ESCAPE = "\x1b["


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "site_builder", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def on_terminal(args: list[str], cwd: Path, **env: str) -> tuple[int, str]:
    """Run with standard error on a pseudo-terminal; its exit status and what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=environment(**env),
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            pytest.fail("no output for 60 s")
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # Linux: EIO once the child has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=60), shown.decode("utf-8").replace("\r\n", "\n")


def piped(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=120, env=environment(**env)
    )


PEOPLE = "xi-jinping:\n  name: Xi Jinping\n"
UNKNOWN = "content/articles/a.yaml:6:14: error: `speaker` names unknown person `xi-jinpin`"


@pytest.fixture
def good(make_project: ProjectFactory) -> Path:
    return make_project(
        {"seeds/s.txt": SEED, "content/articles/a.yaml": ARTICLE, "content/people.yaml": PEOPLE}
    )


def broken_copy(root: Path) -> Path:
    """The same project beside it, with a misspelt speaker."""
    copy = root.with_name("broken")
    shutil.copytree(root, copy)
    article = copy / "content" / "articles" / "a.yaml"
    article.write_text(ARTICLE.replace("xi-jinping", "xi-jinpin"), encoding="utf-8")
    return copy


@pytest.fixture
def broken(good: Path) -> Path:
    return broken_copy(good)


# --- progress ------------------------------------------------------------------


def test_a_long_build_shows_its_stages_on_a_terminal_and_erases_them(good: Path):
    # SITE_BUILDER_PROGRESS_DELAY=0 stands for a build longer than the 2 s delay.
    status, shown = on_terminal(cli("build", "--no-search"), good, SITE_BUILDER_PROGRESS_DELAY="0")
    assert status == 0, shown
    assert "site-builder: [" in shown
    assert re.search(r"\] 1/3 checking 1 article \(\d+\.\ds\)", shown), shown
    assert re.search(r"\] 2/3 rendering \d+ pages", shown), shown
    assert re.search(r"\] 3/3 writing \d+ files", shown), shown
    # the line is erased before the result, which stands alone on its line
    _, erase, result = shown.rpartition("\r\x1b[K")
    assert erase and re.fullmatch(r"site-builder: built \d+ files in \d+\.\d\ds\n", result)


def test_a_quick_build_shows_no_progress_on_a_terminal(good: Path):
    status, shown = on_terminal(cli("build", "--no-search"), good)
    assert status == 0
    assert re.fullmatch(r"site-builder: built \d+ files in \d+\.\d\ds\n", shown), shown


def test_no_progress_and_no_colour_when_piped(good: Path, broken: Path):
    result = piped(cli("build", "--no-search"), good, SITE_BUILDER_PROGRESS_DELAY="0")
    assert result.returncode == 0
    assert re.fullmatch(r"site-builder: built \d+ files in \d+\.\d\ds\n", result.stderr)
    failed = piped(cli("check"), broken, SITE_BUILDER_PROGRESS_DELAY="0")
    assert failed.returncode == 1
    assert ESCAPE not in failed.stderr and "\r" not in failed.stderr
    assert failed.stderr.startswith(UNKNOWN + "\n")


# --- colour ----------------------------------------------------------------------


def test_errors_are_coloured_on_a_terminal(broken: Path):
    status, shown = on_terminal(cli("check"), broken)
    assert status == 1
    first = shown.splitlines()[0]
    assert first == (
        "\x1b[1mcontent/articles/a.yaml:6:14:\x1b[0m \x1b[1;31merror:\x1b[0m "
        "`speaker` names unknown person `xi-jinpin`"
    ), first
    assert "\x1b[1;31m1 error(s)\x1b[0m, 0 warning(s); nothing written" in shown


def test_warnings_are_coloured_in_their_own_colour(good: Path):
    root = good
    people = root / "content" / "people.yaml"
    people.write_text(PEOPLE + "unused-person:\n  name: Nobody\n", encoding="utf-8")
    status, shown = on_terminal(cli("check"), root)
    assert status == 0
    assert "\x1b[1;35mwarning:\x1b[0m" in shown
    assert shown.rstrip("\n").endswith(", \x1b[1;35m1 warning(s)\x1b[0m")


def test_no_colour_with_no_color_set(broken: Path):
    plain = piped(cli("check"), broken).stderr
    status, shown = on_terminal(cli("check"), broken, NO_COLOR="1")
    assert status == 1
    assert ESCAPE not in shown
    assert shown == plain


# --- --quiet and --verbose ---------------------------------------------------------------


def test_quiet_prints_only_problems(good: Path, broken: Path):
    for command in ("build", "check"):
        result = piped(cli(command, "--quiet"), good)
        assert (result.returncode, result.stderr) == (0, "")
    status, shown = on_terminal(
        cli("build", "-q", "--no-search"), good, SITE_BUILDER_PROGRESS_DELAY="0"
    )
    assert (status, shown) == (0, "")
    failed = piped(cli("check", "-q"), broken)
    assert failed.returncode == 1
    assert failed.stderr == piped(cli("check"), broken).stderr  # problems are never hidden


def test_verbose_prints_each_stage_with_its_time(good: Path):
    result = piped(cli("build", "--verbose", "--no-search"), good)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert [re.sub(r"\d+\.\d\ds", "T", line) for line in lines] == [
        "site-builder: checking 1 article (T)",
        re.sub(r"\d+\.\d\ds", "T", lines[1]),
        re.sub(r"\d+\.\d\ds", "T", lines[2]),
        re.sub(r"\d+\.\d\ds", "T", lines[3]),
    ]
    assert re.fullmatch(r"site-builder: rendering \d+ pages \(\d+\.\d\ds\)", lines[1])
    assert re.fullmatch(r"site-builder: writing \d+ files \(\d+\.\d\ds\)", lines[2])
    assert re.fullmatch(r"site-builder: built \d+ files in \d+\.\d\ds", lines[3])


def test_quiet_and_verbose_do_not_go_together(good: Path):
    result = piped(cli("check", "--quiet", "--verbose"), good)
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


# --- finding the project ---------------------------------------------------------------


@pytest.mark.parametrize("inside", ["content", "seeds", "content/articles"])
def test_a_command_run_inside_the_project_finds_it(good: Path, inside: str):
    result = piped(cli("check"), good / inside)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("site-builder: checked in ")
    built = piped(cli("build", "--no-search"), good / inside)
    assert built.returncode == 0, built.stderr
    assert (good / "output" / "index.html").is_file()
    assert not (good / inside / "output").exists()


def test_messages_name_files_from_the_project_found_above(broken: Path):
    result = piped(cli("check"), broken / "content" / "articles")
    assert result.returncode == 1
    assert result.stderr.startswith(UNKNOWN + "\n")


def test_outside_any_project_it_says_to_use_project(tmp_path: Path):
    lonely = tmp_path / "nothing" / "here"
    lonely.mkdir(parents=True)
    result = piped(cli("build"), lonely)
    assert result.returncode == 2
    assert result.stderr == (
        "site-builder: error: no project here: neither this folder nor any above it has "
        "content/site.yaml\n"
        "  run it in a project's folder, or say which with --project DIR\n"
    )
    assert list(lonely.iterdir()) == []


def test_find_project_walks_up_to_the_nearest_site_yaml(tmp_path: Path):
    outer = tmp_path / "outer"
    inner = outer / "sites" / "inner"
    for root in (outer, inner):
        (root / "content").mkdir(parents=True)
        (root / "content" / "site.yaml").write_text("title: T\n", encoding="utf-8")
    (inner / "seeds").mkdir()
    assert find_project(inner / "seeds") == inner
    assert find_project(outer / "sites") == outer
    assert find_project(inner) == Path(".")
    assert find_project(tmp_path) is None


def test_an_explicit_project_is_used_as_given(good: Path, tmp_path: Path):
    result = piped(cli("check", "--project", str(good)), tmp_path)
    assert result.returncode == 0, result.stderr
    shutil.rmtree(good / "content")
    missing = piped(cli("check", "--project", str(good)), tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.startswith("content/site.yaml:1:1: error: missing file")
