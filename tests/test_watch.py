"""The watcher: folder-level watches, editors' save styles, scratch files ignored, bursts debounced."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.serve.watch import Debouncer, Watcher, is_relevant, is_scratch_file

WAIT = 10.0
"""Upper bound for an expected callback; reached only when something is broken."""
QUIET = 0.05


@pytest.mark.parametrize(
    "name",
    [
        ".story.yaml.swp",
        ".story.yaml.swx",
        "story.yaml~",
        "4913",
        ".#story.yaml",
        "#story.yaml#",
        "story.yaml.tmp",
        ".story.yaml.tmp1234",
        "story.yaml___jb_tmp___",
        "story.yaml___jb_old___",
        ".goutputstream-X1Y2",
        "sedm8JohE",  # sed -i
        "sed000000",
        "5036",  # vim's next probe when 4913 is taken
        "5159",
        "story.yaml.swp",
        "story.yaml.swx",
        ".story.yaml.kate-swp",
        ".~lock.story.yaml#",
        ".nfs000000000012345600000001",
    ],
)
def test_editor_scratch_files_are_recognised(name: str):
    assert is_scratch_file(name)


@pytest.mark.parametrize(
    "name",
    [
        "story.yaml",
        "site.yaml",
        "style.css",
        "a.swp.yaml",
        "49130",
        "4914",
        "5035",
        "page.tmpl",
        "sedm8JohE.yaml",  # a real article whose name happens to start like sed's
        "sedentary.txt",
        "sed.txt",
        "sediment.yaml",
        "4913.txt",
        "base.html",
        "tmp.txt",
        "x.yaml",
    ],
)
def test_source_files_are_not_scratch(name: str):
    assert not is_scratch_file(name)


def test_only_what_the_build_reads_is_relevant(tmp_path: Path):
    project = tmp_path
    assert is_relevant(project / "content/articles/a.yaml", project)
    assert is_relevant(project / "seeds/a.txt", project)
    assert is_relevant(project / "templates/static/style.css", project)
    assert is_relevant(project / "content", project)  # the folder itself, deleted or renamed
    assert not is_relevant(project / "output/index.html", project)
    assert not is_relevant(project / "pyproject.toml", project)
    assert not is_relevant(project / "contents/a.yaml", project)
    assert not is_relevant(tmp_path.parent / "elsewhere/content/a.yaml", project)
    assert not is_relevant(project / "content/articles/.a.yaml.swp", project)
    ignored = project / "content/build"
    assert not is_relevant(ignored / "index.html", project, [ignored])
    assert not is_relevant(project / "content/anchors/story.json", project)  # the build's own
    assert not is_relevant(project / "content/anchors", project)
    assert is_relevant(project / "content/anchors.yaml", project)
    assert is_relevant(project / "content/articles/anchors/story.yaml", project)


# --- Debouncing ----------------------------------------------------------------------------------


class Calls:
    """Record callback calls; optionally hold each call until released."""

    def __init__(self, hold: bool = False) -> None:
        self.batches: queue.Queue[frozenset[Path]] = queue.Queue()
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self, batch: frozenset[Path]) -> None:
        self.entered.set()
        self.release.wait(WAIT)
        self.batches.put(batch)

    def next(self, timeout: float = WAIT) -> frozenset[Path]:
        return self.batches.get(timeout=timeout)

    def none_within(self, seconds: float) -> bool:
        try:
            batch = self.batches.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected call with {sorted(batch)}")


@pytest.fixture
def debouncer() -> Iterator[tuple[Debouncer, Calls]]:
    calls = Calls(hold=True)
    debouncer = Debouncer(calls, quiet=QUIET)
    debouncer.start()
    yield debouncer, calls
    calls.release.set()
    debouncer.stop()


def test_a_burst_of_changes_is_one_call(debouncer: tuple[Debouncer, Calls]):
    deb, calls = debouncer
    calls.release.set()
    for i in range(10):
        deb.add([Path(f"f{i % 3}")])
        time.sleep(QUIET / 10)
    assert calls.next() == {Path("f0"), Path("f1"), Path("f2")}
    assert calls.none_within(QUIET * 4)


def test_changes_during_a_call_make_exactly_one_more(debouncer: tuple[Debouncer, Calls]):
    deb, calls = debouncer
    deb.add([Path("a")])
    assert calls.entered.wait(WAIT)
    for name in ("b", "c", "b"):  # saves while the rebuild runs
        deb.add([Path(name)])
        time.sleep(QUIET * 2)  # separate bursts: still one call after
    calls.release.set()
    assert calls.next() == {Path("a")}
    assert calls.next() == {Path("b"), Path("c")}
    assert calls.none_within(QUIET * 4)


def test_a_burst_of_whole_files_ends_sooner_than_one_still_being_written():
    calls = Calls()
    deb = Debouncer(calls, quiet=1.0, max_wait=5.0, settled_quiet=0.01)
    deb.start()
    try:
        started = time.monotonic()
        deb.add([Path("story.yaml")])  # created: may still be half written
        deb.add([Path("story.yaml")], settled=True)  # closed after the write
        assert calls.next() == {Path("story.yaml")}
        assert time.monotonic() - started < 0.5
        started = time.monotonic()
        deb.add([Path("other.yaml")], settled=True)
        deb.add([Path("story.yaml")])  # written again after: wait the whole quiet
        assert calls.none_within(0.5)
        assert calls.next() == {Path("other.yaml"), Path("story.yaml")}
        assert time.monotonic() - started >= 1.0
    finally:
        deb.stop()


def test_a_burst_that_never_pauses_is_cut(tmp_path: Path):
    calls = Calls()
    deb = Debouncer(calls, quiet=0.2, max_wait=0.3)
    deb.start()
    try:
        started = time.monotonic()
        while calls.batches.empty() and time.monotonic() - started < WAIT:
            deb.add([Path("loop")])
            time.sleep(0.02)
        assert calls.next() == {Path("loop")}
        assert time.monotonic() - started < 2.0
    finally:
        deb.stop()


def test_a_failing_callback_does_not_stop_the_debouncer(capsys: pytest.CaptureFixture[str]):
    seen: queue.Queue[frozenset[Path]] = queue.Queue()

    def callback(batch: frozenset[Path]) -> None:
        seen.put(batch)
        if Path("boom") in batch:
            raise RuntimeError("boom")

    deb = Debouncer(callback, quiet=QUIET)
    deb.start()
    try:
        deb.add([Path("boom")])
        assert seen.get(timeout=WAIT) == {Path("boom")}
        deb.add([Path("after")])
        assert seen.get(timeout=WAIT) == {Path("after")}
    finally:
        deb.stop()
    assert "RuntimeError: boom" in capsys.readouterr().err


# --- Watching a real folder ----------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "content/articles").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "content/articles/story.yaml").write_text("title: one\n")
    (root / "seeds/story.txt").write_text("one\n")
    return root


@pytest.fixture
def watched(project: Path) -> Iterator[Calls]:
    calls = Calls()
    with Watcher(project, calls, quiet=QUIET):
        yield calls


def test_a_save_in_place_is_seen(project: Path, watched: Calls):
    (project / "content/articles/story.yaml").write_text("title: two\n")
    assert project / "content/articles/story.yaml" in watched.next()


def test_a_save_by_rename_is_seen_under_the_real_name(project: Path, watched: Calls):
    target = project / "content/articles/story.yaml"
    temp = target.with_name(".story.yaml.tmp1234")
    temp.write_text("title: two\n")
    os.replace(temp, target)
    batch = watched.next()
    assert target in batch
    assert temp not in batch


def test_a_vim_style_save_is_one_call(project: Path, watched: Calls):
    target = project / "content/articles/story.yaml"
    folder = target.parent
    (folder / "4913").write_text("")
    (folder / "4913").unlink()
    (folder / ".story.yaml.swp").write_text("swap")
    os.replace(target, folder / "story.yaml~")  # backup by renaming the original away
    target.write_text("title: two\n")
    (folder / "story.yaml~").unlink()
    assert watched.next() == {target}
    assert watched.none_within(QUIET * 4)


@pytest.mark.parametrize("style", ["in place", "by rename"])
def test_a_finished_save_is_handed_over_without_the_whole_quiet(project: Path, style: str):
    """Closed after writing, or renamed into place: the file is whole, no need to wait."""
    calls = Calls()
    target = project / "content/articles/story.yaml"
    with Watcher(project, calls, quiet=2.0):
        started = time.monotonic()
        if style == "in place":
            target.write_text("title: two\n")
        else:
            temporary = target.with_name(".story.yaml.tmp1")
            temporary.write_text("title: two\n")
            os.replace(temporary, target)
        assert target in calls.next()
        assert time.monotonic() - started < 0.3  # the whole quiet, or the 0.5 s cut, is longer


def test_a_file_held_open_waits_for_the_whole_quiet(project: Path):
    calls = Calls()
    target = project / "content/articles/story.yaml"
    with Watcher(project, calls, quiet=0.4), target.open("w") as file:
        file.write("title: ")
        file.flush()
        assert calls.none_within(0.25)  # no close yet: it may be half written
        assert target in calls.next()


def test_created_and_deleted_files_are_seen(project: Path, watched: Calls):
    new = project / "content/articles/new.yaml"
    new.write_text("title: new\n")
    assert new in watched.next()
    new.unlink()
    assert new in watched.next()


def test_files_in_new_subfolders_are_seen(project: Path, watched: Calls):
    folder = project / "seeds/more"
    folder.mkdir()
    assert folder in watched.next()
    (folder / "a.txt").write_text("a\n")
    assert folder / "a.txt" in watched.next()


def test_scratch_files_and_other_folders_are_ignored(project: Path, watched: Calls):
    (project / "content/articles/.story.yaml.swp").write_text("swap")
    (project / "content/articles/story.yaml~").write_text("backup")
    (project / "output").mkdir()
    (project / "output/index.html").write_text("built")
    (project / "notes.txt").write_text("not content")
    assert watched.none_within(0.5)


def test_the_builds_anchor_records_do_not_trigger_a_rebuild(project: Path, watched: Calls):
    records = project / "content/anchors"
    records.mkdir()
    (records / "story.json").write_text("{}\n")
    temp = records / "story.json.new"  # as the build writes them: beside, then renamed over
    temp.write_text('{"a": 1}\n')
    os.replace(temp, records / "story.json")
    article = project / "content/articles/story.yaml"
    article.write_text("title: two\n")  # after the records: its batch is the first call
    assert watched.next() == {article}
    assert watched.none_within(QUIET * 4)


def test_a_sed_in_place_edit_is_seen_under_the_real_name_only(project: Path, watched: Calls):
    target = project / "content/articles/story.yaml"
    subprocess.run(["sed", "-i", "s/one/two/", str(target)], check=True)
    assert target.read_text() == "title: two\n"
    batch = watched.next()
    assert batch == {target}
    assert watched.none_within(QUIET * 4)


def test_a_watched_folder_created_later_is_watched(project: Path, watched: Calls):
    templates = project / "templates"
    templates.mkdir()
    assert templates in watched.next()
    (templates / "base.html").write_text("<html></html>")
    assert templates / "base.html" in watched.next()


def test_a_watched_folder_replaced_by_rename_is_watched_again(project: Path, watched: Calls):
    staged = project / "seeds.new"
    staged.mkdir()
    (staged / "story.txt").write_text("two\n")
    os.rename(project / "seeds", project / "seeds.old")
    os.rename(staged, project / "seeds")
    assert project / "seeds" in watched.next()
    (project / "seeds/story.txt").write_text("three\n")
    assert project / "seeds/story.txt" in watched.next()
    (project / "seeds.old/story.txt").write_text("stale\n")  # no longer the project's
    assert watched.none_within(0.3)


def test_stopping_leaves_no_threads(project: Path):
    before = set(threading.enumerate())
    watcher = Watcher(project, Calls(), quiet=QUIET)
    watcher.start()
    assert set(threading.enumerate()) - before
    watcher.stop()
    assert set(threading.enumerate()) - before == set()
