"""Faults while writing the site: a full disk, a kill at any step, stop signals, folders that
only look like a previous build. Whatever happens, the output folder is the whole old site or
the whole new one, a failed write is exit 1, and nothing of ours is left beside it.

The full-disk cases run on a small tmpfs (root only); kills and signals are injected between
system calls with `strace -e inject=...`. Both skip outside CI when they cannot run, and fail
in CI (`SITE_BUILDER_CI=1`).
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ProjectFactory
from test_load import ARTICLE, project

from site_builder import write as write_module
from site_builder.build import Builder, BuildOptions
from site_builder.cli import bug_report, main
from site_builder.search import SearchIndexError
from site_builder.serve import DevServer
from site_builder.serve.handler import bind
from site_builder.write import BUILD_MARKER, MARKER_TEXT, exchange, remove_stale_staging

IN_CI = bool(os.environ.get("SITE_BUILDER_CI"))
SWAP_SYSCALLS = ("mkdir", "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir")
"""Every system call by which the write stage makes, swaps or removes a folder or a file."""
WAIT = 30.0


def unavailable(reason: str) -> None:
    """Skip a test that cannot run here; in CI, fail it."""
    if IN_CI:
        pytest.fail(f"{reason} (SITE_BUILDER_CI is set: CI must run this test)")
    pytest.skip(reason)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().err.splitlines()


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes: what a reader of the site would get."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def beside(out: Path) -> list[str]:
    """What lies in the output folder's parent: the output folder and anything left behind."""
    return sorted(p.name for p in out.parent.iterdir())


def two_versions(make_project: ProjectFactory) -> tuple[Path, Callable[[str], None]]:
    """A project, and a way to switch its one article between version "A" and "B"."""
    root = project(make_project)

    def switch(version: str) -> None:
        title = f"title: Version {version} of the article"
        text = ARTICLE.replace("title: A test article", title)
        (root / "content/articles/a.yaml").write_text(text, encoding="utf-8")

    switch("A")
    return root, switch


# --- the marker: only site-builder's own builds are replaced -----------------------------------


def test_every_build_carries_the_marker(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    out = tmp_path / "site"
    assert run(capsys, "build", "--project", str(root), "--out", str(out), "--no-search")[0] == 0
    assert (out / BUILD_MARKER).read_bytes() == MARKER_TEXT
    assert (out / ".nojekyll").read_bytes() == b""
    assert beside(out) == ["project", "site"]


REFUSED = (
    "error: the output folder is not empty and was not made by site-builder; refusing to replace it"
)
REFUSED_HINT = (
    "  site-builder marks every build with a `.site-builder` file and this folder has none; "
    "empty it first (a build by an older site-builder included), or build into a folder of "
    "its own, such as output/ (the default)"
)


def test_a_lone_nojekyll_is_no_proof_of_a_build(
    make_project: ProjectFactory, capsys, tmp_path: Path
):
    root = project(make_project)
    docs = tmp_path / "docs"  # a hand-made GitHub Pages folder
    docs.mkdir()
    (docs / ".nojekyll").write_bytes(b"")
    (docs / "index.md").write_text("# My project\n")
    (docs / "CNAME").write_text("docs.example.org\n")
    before = files_of(docs)
    code, lines = run(capsys, "build", "--project", str(root), "--out", str(docs))
    assert code == 1
    assert lines[:2] == [f"{docs}: {REFUSED}", REFUSED_HINT]
    assert files_of(docs) == before


def test_a_linked_marker_is_no_proof_either(make_project: ProjectFactory, capsys, tmp_path: Path):
    root = project(make_project)
    elsewhere = tmp_path / "marker"
    elsewhere.write_bytes(MARKER_TEXT)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / BUILD_MARKER).symlink_to(elsewhere)
    (folder / "notes.txt").write_text("mine")
    code, lines = run(capsys, "build", "--project", str(root), "--out", str(folder))
    assert code == 1
    assert lines[0] == f"{folder}: {REFUSED}"
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_marked_build_is_replaced_whole(make_project: ProjectFactory, capsys, tmp_path: Path):
    root, switch = two_versions(make_project)
    out = tmp_path / "site"
    args = ("build", "--project", str(root), "--out", str(out), "--no-search")
    assert run(capsys, *args)[0] == 0
    (out / "stray.html").write_text("from an older build")
    switch("B")
    assert run(capsys, *args)[0] == 0
    assert not (out / "stray.html").exists()
    assert b"Version B" in (out / "index.html").read_bytes()
    assert beside(out) == ["project", "site"]


# --- staging folders left by earlier runs -------------------------------------------------------


def test_only_staging_folders_that_are_clearly_ours_are_removed(tmp_path: Path):
    out = tmp_path / "output"
    out.mkdir()

    def folder(name: str, *files: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        for file in files:
            (path / file).parent.mkdir(parents=True, exist_ok=True)
            (path / file).write_bytes(MARKER_TEXT if file == BUILD_MARKER else b"x")
        return path

    folder(".output.new-killed", BUILD_MARKER, "index.html", "articles/a/index.html")
    folder(".output.old-halfway", BUILD_MARKER, "people/x/index.html")
    folder(".output.new-empty")
    folder(".output.probe-empty")
    folder(".output.new-unmarked", "thesis.txt")  # someone's own, whatever its name
    folder(".other.new-marked", BUILD_MARKER)  # beside another output folder
    folder("output.new-marked", BUILD_MARKER)  # not our name
    target = folder("target", BUILD_MARKER, "index.html")
    (tmp_path / ".output.old-link").symlink_to(target)  # never followed
    remove_stale_staging(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.new-marked",
        ".output.new-unmarked",
        ".output.old-link",
        "output",
        "output.new-marked",
        "target",
    ]
    assert files_of(target) == {BUILD_MARKER: MARKER_TEXT, "index.html": b"x"}


def test_a_staging_folder_a_running_build_holds_is_left_alone(tmp_path: Path):
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "output"
    live = tmp_path / ".output.new-live"
    live.mkdir()
    (live / BUILD_MARKER).write_bytes(MARKER_TEXT)
    descriptor = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        remove_stale_staging(out)
        assert live.is_dir()
    finally:
        os.close(descriptor)
    remove_stale_staging(out)
    assert not live.exists()


def test_a_build_removes_what_killed_runs_left(
    make_project: ProjectFactory, capsys, tmp_path: Path
):
    root = project(make_project)
    out = tmp_path / "site"
    left = tmp_path / ".site.old-x1y2z3"
    (left / "people").mkdir(parents=True)
    (left / BUILD_MARKER).write_bytes(MARKER_TEXT)
    (left / "people/index.html").write_text("an old site being removed when it was killed")
    (tmp_path / ".site.new-empty").mkdir()
    assert run(capsys, "build", "--project", str(root), "--out", str(out), "--no-search")[0] == 0
    assert beside(out) == ["project", "site"]


# --- the swap without an exchanging rename -----------------------------------------------------


def test_the_two_rename_fallback_swaps_and_restores(
    make_project: ProjectFactory, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(write_module, "exchange", lambda first, second: False)
    root, switch = two_versions(make_project)
    out = tmp_path / "site"
    args = ("build", "--project", str(root), "--out", str(out), "--no-search")
    assert run(capsys, *args)[0] == 0
    old = files_of(out)
    switch("B")
    real_rename = Path.rename

    def failing_rename(self: Path, target: Path) -> Path:
        if self.name.startswith(".site.new-") and Path(target) == out:
            raise OSError(5, "Input/output error")
        return real_rename(self, target)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "rename", failing_rename)
        code, lines = run(capsys, *args)
    assert code == 1
    assert lines[0] == f"{out}: error: cannot write the site: [Errno 5] Input/output error"
    assert files_of(out) == old
    assert beside(out) == ["project", "site"]
    assert run(capsys, *args)[0] == 0
    assert b"Version B" in (out / "index.html").read_bytes()
    assert beside(out) == ["project", "site"]


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "a").write_text("a")
    (second / "b").write_text("b")
    if not exchange(first, second):
        unavailable("this system or file system has no exchanging rename")
    assert os.listdir(first) == ["b"] and os.listdir(second) == ["a"]


# --- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mount tmpfs file systems of a given size in KiB; unmounted at the end of the test."""
    mounted: list[Path] = []

    def mount(size_kib: int) -> Path:
        if os.geteuid() != 0:
            unavailable("mounting a small tmpfs needs root")
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        command = ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=755", "tmpfs", str(point)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.fail(f"root cannot mount a tmpfs: {result.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill `disk` up to `leave` bytes of free space."""
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    assert free > leave, "the disk is too small for the test"
    (disk / "filler").write_bytes(b"\0" * (free - leave))


def allocated(folder: Path, without: str = "") -> int:
    """Bytes the files below `folder` take on disk, leaving out the subfolder `without`."""
    return sum(
        p.stat().st_blocks * 512
        for p in folder.rglob("*")
        if p.is_file() and not (without and p.relative_to(folder).parts[0] == without)
    )


def test_pagefind_failing_to_write_is_a_failed_build(
    make_project: ProjectFactory, capsys, small_disk
):
    root, switch = two_versions(make_project)
    disk = small_disk(8 * 1024)
    out = disk / "output"
    args = ("build", "--project", str(root), "--out", str(out))
    assert run(capsys, *args)[0] == 0
    assert (out / "pagefind/pagefind-entry.json").is_file()
    before = files_of(out)
    # Room for the pages but not for the search bundle, which Pagefind writes silently short.
    fill(disk, allocated(out, without="pagefind") + 128 * 1024)
    switch("B")
    code, lines = run(capsys, *args)
    assert code == 1, lines
    assert lines[0].startswith(
        f"{out}: error: search indexing failed: the search bundle is incomplete: "
    )
    assert lines[1] == "  the previous site is untouched"
    assert lines[-1] == "site-builder: 1 error(s), 0 warning(s); nothing written"
    assert files_of(out) == before
    assert beside(out) == ["filler", "output"]


def test_pages_failing_to_write_are_a_failed_build(
    make_project: ProjectFactory, capsys, small_disk
):
    root, switch = two_versions(make_project)
    disk = small_disk(4 * 1024)
    out = disk / "output"
    args = ("build", "--project", str(root), "--out", str(out), "--no-search")
    assert run(capsys, *args)[0] == 0
    before = files_of(out)
    fill(disk, 16 * 1024)
    switch("B")
    code, lines = run(capsys, *args)
    assert code == 1, lines
    assert re.fullmatch(
        rf"{re.escape(str(out))}: error: cannot write \S+: No space left on device", lines[0]
    )
    assert (
        lines[1] == "  the previous site is untouched; check the disk's free space and permissions"
    )
    assert files_of(out) == before
    assert beside(out) == ["filler", "output"]


def test_a_failed_reindex_keeps_the_old_search_bundle(make_project: ProjectFactory, small_disk):
    root = project(make_project)
    disk = small_disk(8 * 1024)
    site = disk / "site"
    builder = Builder(BuildOptions(root, out=site, search=False, jobs=1))
    assert not builder.build().failed
    builder.refresh_search()
    bundle = files_of(site / "pagefind")
    assert "pagefind-entry.json" in bundle
    fill(disk, 128 * 1024)
    with pytest.raises(SearchIndexError, match=r"^the search bundle is incomplete: "):
        builder.refresh_search()
    assert files_of(site / "pagefind") == bundle
    assert beside(site) == ["filler", "site"]


def test_the_preview_reports_a_failed_reindex_and_keeps_serving_search(
    make_project: ProjectFactory, small_disk, monkeypatch: pytest.MonkeyPatch
):
    root = project(make_project)
    disk = small_disk(8 * 1024)
    monkeypatch.setattr("tempfile.tempdir", str(disk))  # the preview's private folder
    terminal = io.StringIO()
    report_bug = functools.partial(bug_report, command="serve", project=root)
    dev = DevServer(root, bind(0), report_bug=report_bug, stream=terminal)
    dev.start()
    try:
        entry = dev.site_dir / "pagefind/pagefind-entry.json"
        wait_until(entry.is_file, "the first search index")
        bundle = files_of(dev.site_dir / "pagefind")
        fill(disk, 128 * 1024)
        dev.rebuilds.rebuild(frozenset())
        wait_until(lambda: "search index not updated" in terminal.getvalue(), "the report")
        assert files_of(dev.site_dir / "pagefind") == bundle
        assert sorted(p.name for p in dev.site_dir.parent.iterdir()) == ["site"]
    finally:
        dev.stop()
    (line,) = [ln for ln in terminal.getvalue().splitlines() if "search index" in ln]
    assert line.startswith(
        "site-builder: search index not updated: the search bundle is incomplete"
    )


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"no {what} in {WAIT} s"
        time.sleep(0.05)


# --- kills and signals between system calls --------------------------------------------------


def strace() -> str:
    found = shutil.which("strace")
    if found is None:
        unavailable("strace is not installed (scripts/test.sh installs it)")
    assert found is not None
    return found


class Swapping:
    """A project whose output folder holds version A, and builds of version B into it."""

    def __init__(self, make_project: ProjectFactory, capsys, tmp_path: Path) -> None:
        root, switch = two_versions(make_project)
        self.out = tmp_path / "site" / "output"
        self.pristine = tmp_path / "pristine"
        self.command = [
            sys.executable, "-m", "site_builder", "build", "--project", str(root),
            "--out", str(self.out), "--no-search",
        ]  # fmt: skip
        assert main(self.command[3:]) == 0
        self.old = files_of(self.out)
        shutil.copytree(self.out, self.pristine, symlinks=True)
        switch("B")
        expected = tmp_path / "expected"
        assert main([*self.command[3:-3], "--out", str(expected), "--no-search"]) == 0
        self.new = files_of(expected)
        capsys.readouterr()
        assert self.new != self.old

    def reset(self) -> None:
        """Back to version A in the output folder and nothing beside it."""
        for path in self.out.parent.iterdir():
            shutil.rmtree(path)
        shutil.copytree(self.pristine, self.out, symlinks=True)

    def traced(self, *strace_args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        command = [strace(), "-qq", *strace_args, *self.command]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    def calls(self, log: Path) -> list[tuple[str, str]]:
        """Each traced system call of one whole build of B: its name and its arguments."""
        self.reset()
        result = self.traced("-o", str(log), "-e", f"trace={','.join(SWAP_SYSCALLS)}")
        assert result.returncode == 0, result.stderr
        assert files_of(self.out) == self.new
        lines = log.read_text().splitlines()
        return [(m[1], m[2]) for ln in lines if (m := re.match(r"(\w+)\((.*)", ln))]


@pytest.fixture
def swapping(make_project: ProjectFactory, capsys, tmp_path: Path) -> Swapping:
    return Swapping(make_project, capsys, tmp_path)


def kill_points(calls: list[tuple[str, str]]) -> list[tuple[str, int]]:
    """Each call from the swap on (the swap, the old site's removal), and a few before it.

    A point is a system call's name and which of its calls it is, as `strace` counts.
    """
    numbered = [(name, n) for (name, _), n in zip(calls, _occurrences(calls), strict=True)]
    swap = next(i for i, (name, _) in enumerate(calls) if name.startswith("rename"))
    staging = next(i for i, (_, arguments) in enumerate(calls) if STAGING_MADE.search(arguments))
    return [numbered[0], *numbered[staging : staging + 3], *numbered[swap:]]


def _occurrences(calls: list[tuple[str, str]]) -> list[int]:
    seen: Counter[str] = Counter()
    numbers = []
    for name, _ in calls:
        seen[name] += 1
        numbers.append(seen[name])
    return numbers


STAGING_MADE = re.compile(r'/\.output\.new-\w+", 0700\)')
"""The `mkdir` of the staging folder (mkdtemp makes it private), as strace shows it."""


def test_a_kill_at_any_step_leaves_the_whole_old_or_the_whole_new_site(
    swapping: Swapping, tmp_path: Path
):
    points = kill_points(swapping.calls(tmp_path / "trace.log"))
    seen = {"old": 0, "new": 0}
    left_behind: set[str] = set()
    for name, when in points:
        swapping.reset()
        kill = f"inject={name}:signal=SIGKILL:when={when}"
        result = swapping.traced("-o", os.devnull, "-e", f"trace={name}", "-e", kill)
        assert result.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL), result
        site = files_of(swapping.out) if swapping.out.is_dir() else {}
        state = "old" if site == swapping.old else "new" if site == swapping.new else None
        assert state, f"killed at {name} #{when}: the output is neither site"
        seen[state] += 1
        left_behind |= set(beside(swapping.out)) - {"output"}
    assert seen["old"] and seen["new"], seen
    assert left_behind, "no kill left a staging folder: the cleanup below tests nothing"
    # What the kills left (the last one's is still there), the next build removes.
    assert subprocess.run(swapping.command, capture_output=True, check=False).returncode == 0
    assert files_of(swapping.out) == swapping.new
    assert beside(swapping.out) == ["output"]


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_stop_signal_while_staging_cleans_up(swapping: Swapping, tmp_path: Path, name: str):
    calls = swapping.calls(tmp_path / "trace.log")
    mkdirs = [arguments for call, arguments in calls if call == "mkdir"]
    (staged,) = [i for i, arguments in enumerate(mkdirs) if STAGING_MADE.search(arguments)]
    swapping.reset()
    when = staged + 3  # a folder of the new site being written
    result = swapping.traced(
        "-o", os.devnull, "-e", "trace=mkdir", "-e", f"inject=mkdir:signal={name}:when={when}"
    )
    assert result.returncode == 128 + getattr(signal, name), result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert files_of(swapping.out) == swapping.old
    assert beside(swapping.out) == ["output"]


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_at_the_swap_leaves_one_whole_site(swapping: Swapping, tmp_path: Path, name):
    calls = swapping.calls(tmp_path / "trace.log")
    swap = "renameat2" if any(call == "renameat2" for call, _ in calls) else "rename"
    swapping.reset()
    result = swapping.traced(
        "-o", os.devnull, "-e", f"trace={swap}", "-e", f"inject={swap}:signal={name}:when=1"
    )
    assert result.returncode == 128 + getattr(signal, name), result
    assert files_of(swapping.out) in (swapping.old, swapping.new)
    assert beside(swapping.out) == ["output"]
