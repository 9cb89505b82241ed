"""Nothing leaves the project, nothing hangs: inputs as an attacker or a clumsy editor leaves them.

Every input (content files, seeds, templates, static files) is read as `source` always was:
a link that resolves outside the project is refused, and so is anything but a regular file
(a FIFO, a device, a folder), before anything could wait on it; no file is read past its cap;
no byte of a file that is not text is echoed. Runs that could hang on today's code are
subprocesses with a bound on their wait: a hang fails the test instead of wedging the suite.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ProjectFactory, headlines
from test_load import ARTICLE, errors, formatted, project, run_check

from site_builder.build import BuildOptions, build
from site_builder.load import (
    MAX_COPY_BYTES,
    MAX_READ_BYTES,
    OUTSIDE,
    Refusal,
    files_inside,
    line_number,
    read_inside,
)
from site_builder.siteroot import scan_static_files

WAIT = 60.0
"""Seconds a run may take before it counts as hung: far above a run's second, reached only when
something blocks."""

PRIVATE_KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUtc2VjcmV0LW1hcmtlcg\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)
SECRET = "b3BlbnNzaC1rZXktdjE"
"""A line of the key: must never appear in a message or in the site."""
ENV_SECRET = "hostile-inputs-environment-secret"

LINK_OUT = OUTSIDE.message
FIFO = "this is a named pipe (FIFO), not a file"


def run(root: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`site-builder COMMAND --project ROOT`, as a subprocess that may not hang."""
    env = {**os.environ, "HOSTILE_SECRET": ENV_SECRET}
    try:
        return subprocess.run(
            [sys.executable, "-m", "site_builder", command, "--project", str(root), *args],
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`site-builder {command}` hung on {root}")


def error_lines(stderr: str) -> list[str]:
    """The headline of every error, with a file-level position written as `path: error:`."""
    return [
        re.sub(r"^([^:\s]+):1:1: error: ", r"\1: error: ", line)
        for line in stderr.splitlines()
        if ": error: " in line and not line.startswith(" ")
    ]


def site_files(root: Path) -> Iterator[tuple[Path, bytes]]:
    output = root / "output"
    for path in sorted(output.rglob("*")) if output.is_dir() else ():
        if path.is_file():
            yield path, path.read_bytes()


@pytest.fixture
def base(make_project: ProjectFactory) -> Path:
    """A valid project with a template and a static file of its own."""
    return project(
        make_project,
        templates__static__site_css="body { color: black; }\n",
        templates__extra_html="<p>{{ 1 + 1 }}</p>\n",
    )


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private key beside the project, as `~/.ssh/id_ed25519` is beside a checkout."""
    key = tmp_path / "id_ed25519"
    key.write_text(PRIVATE_KEY)
    return key


def replace_with_link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def replace_with_fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


# --- links out of the project ------------------------------------------------------------------


@pytest.mark.parametrize(
    "relpath",
    [
        "content/people.yaml",
        "content/glossary.yaml",
        "content/site.yaml",
        "content/articles/a.yaml",
        "templates/article.html",
        "templates/extra.html",
        "templates/static/site.css",
        "templates/static/key.txt",
    ],
)
def test_a_link_out_of_the_project_is_refused_and_never_shown(
    base: Path, secret: Path, relpath: str
):
    replace_with_link(base / relpath, secret)
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    assert f"{relpath}: error: {LINK_OUT}" in error_lines(result.stderr)
    assert SECRET not in result.stderr + result.stdout
    assert not (base / "output").exists()


def test_the_environment_is_not_published_through_a_static_link(base: Path):
    replace_with_link(base / "templates/static/env.txt", Path("/proc/self/environ"))
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [f"templates/static/env.txt: error: {LINK_OUT}"]
    assert all(ENV_SECRET.encode() not in data for _, data in site_files(base))


def test_a_previous_site_stays_clean_when_a_link_out_appears(base: Path, secret: Path):
    assert run(base, "build").returncode == 0
    before = dict(site_files(base))
    replace_with_link(base / "templates/static/key.txt", secret)
    result = run(base, "build")
    assert result.returncode == 1
    assert dict(site_files(base)) == before


@pytest.mark.parametrize("relpath", ["templates", "templates/static", "templates/static/fonts"])
def test_a_folder_linked_out_of_the_project_is_refused_without_listing_it(
    base: Path, secret: Path, relpath: str
):
    outside = secret.parent / "elsewhere"
    (outside / "static").mkdir(parents=True)
    (outside / "static/leak.css").write_text(PRIVATE_KEY)
    (outside / "leak.html").write_text(PRIVATE_KEY)
    if relpath in ("templates", "templates/static"):
        shutil.rmtree(base / relpath)
    replace_with_link(base / relpath, outside)
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [f"{relpath}: error: {LINK_OUT}"]
    assert "leak" not in result.stderr and SECRET not in result.stderr
    assert not (base / "output").exists()


def test_an_article_subfolder_linked_out_is_refused_without_listing_it(base: Path, secret: Path):
    outside = secret.parent / "drafts"
    outside.mkdir()
    (outside / "private-draft.yaml").write_text(ARTICLE)
    replace_with_link(base / "content/articles/drafts", outside)
    assert errors(run_check(base)) == [f"content/articles/drafts: error: {LINK_OUT}"]


def test_links_that_stay_inside_the_project_are_followed(base: Path):
    shared = base / "shared"
    shared.mkdir()
    (shared / "people.yaml").write_bytes((base / "content/people.yaml").read_bytes())
    (shared / "fonts").mkdir()
    (shared / "fonts/face.woff2").write_bytes(b"wOF2 font bytes")
    replace_with_link(base / "content/people.yaml", Path("../shared/people.yaml"))
    replace_with_link(base / "templates/static/fonts", shared / "fonts")
    replace_with_link(base / "templates/static/loop", Path("."))  # a link back up: not a loop
    report = build(BuildOptions(project=base, search=False))
    assert report.diagnostics == []
    assert (base / "output/static/fonts/face.woff2").read_bytes() == b"wOF2 font bytes"
    assert not (base / "output/static/loop").exists()


def test_a_loop_of_links_is_refused(base: Path):
    loop = base / "content/people.yaml"
    loop.unlink()
    loop.symlink_to("people2.yaml")
    (base / "content/people2.yaml").symlink_to("people.yaml")
    assert errors(run_check(base)) == [
        "content/people.yaml:1:1: error: this link cannot be followed: it leads round in a loop"
    ]


# --- FIFOs, devices, folders: never waited on --------------------------------------------------


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("content/people.yaml", f"content/people.yaml: error: {FIFO}"),
        ("content/site.yaml", f"content/site.yaml: error: {FIFO}"),
        ("content/articles/a.yaml", f"content/articles/a.yaml: error: {FIFO}"),
        ("content/articles/b.yaml", f"content/articles/b.yaml: error: {FIFO}"),
        (
            "seeds/s.txt",
            "content/articles/a.yaml:1:9: error: "
            "the seed `seeds/s.txt` is a named pipe (FIFO), not a file",
        ),
        ("templates/article.html", f"templates/article.html: error: {FIFO}"),
        ("templates/static/site.css", f"templates/static/site.css: error: {FIFO}"),
    ],
)
def test_a_fifo_fails_promptly_with_a_located_error(
    base: Path, command: str, relpath: str, expected: str
):
    replace_with_fifo(base / relpath)
    result = run(base, command)
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [expected]
    assert not (base / "output").exists()


@pytest.mark.parametrize(
    "relpath",
    ["content/people.yaml", "seeds/s.txt", "templates/article.html", "templates/static/z"],
)
def test_a_link_to_dev_zero_is_refused_not_read(base: Path, relpath: str):
    replace_with_link(base / relpath, Path("/dev/zero"))
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    if relpath.startswith("seeds/"):
        assert error_lines(result.stderr) == [
            "content/articles/a.yaml:1:9: error: "
            "`source` is a link to a file outside the project: `seeds/s.txt`"
        ]
    else:
        assert error_lines(result.stderr) == [f"{relpath}: error: {LINK_OUT}"]


def test_a_device_inside_the_project_is_refused(base: Path):
    (base / "content/glossary.yaml").unlink()
    try:
        os.mknod(base / "content/glossary.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, AttributeError):
        pytest.skip("creating a device needs root")
    result = run(base, "check")
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [
        "content/glossary.yaml: error: this is a character device, not a file"
    ]


def test_a_folder_in_place_of_a_file_is_named_a_folder(base: Path):
    (base / "content/articles/b.yaml").mkdir()
    (base / "content/people.yaml").unlink()
    (base / "content/people.yaml").mkdir()
    assert errors(run_check(base)) == [
        "content/articles/b.yaml:1:1: error: this is a folder, not a file",
        "content/people.yaml:1:1: error: this is a folder, not a file",
    ]


def test_serve_survives_a_fifo_and_still_stops(base: Path, tmp_path: Path):
    from test_serve import Served

    served = Served(base, tmp_path / "tmp").started()
    try:
        events = served.events()
        people = base / "content/people.yaml"
        temporary = base / "content/.people.yaml.tmp1"
        kept = people.read_bytes()
        os.mkfifo(temporary)
        os.replace(temporary, people)  # one event: the FIFO is in place at once
        report = events.expect("build-error", timeout=WAIT)
        shown = "\n".join(report["diagnostics"])  # type: ignore[arg-type]
        assert re.search(rf"^content/people\.yaml(:1:1)?: error: {re.escape(FIFO)}$", shown, re.M)
        temporary.write_bytes(kept)
        os.replace(temporary, people)
        events.expect("reload", timeout=WAIT)
        events.close()
    finally:
        code = served.stop(signal.SIGINT)
    assert code == 0, served.output


# --- caps --------------------------------------------------------------------------------------


def sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.truncate(size)


TOO_LARGE = (
    f"the file is larger than {MAX_READ_BYTES // 2**20} MiB, the most the build takes from one file"
)


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("content/people.yaml", f"content/people.yaml: error: {TOO_LARGE}"),
        ("content/articles/a.yaml", f"content/articles/a.yaml: error: {TOO_LARGE}"),
        ("seeds/s.txt", f"content/articles/a.yaml:1:9: error: seeds/s.txt: {TOO_LARGE}"),
        ("templates/article.html", f"templates/article.html: error: {TOO_LARGE}"),
    ],
)
def test_a_file_over_the_cap_is_refused(base: Path, relpath: str, expected: str):
    (base / relpath).unlink(missing_ok=True)
    sparse(base / relpath, MAX_READ_BYTES + 1)
    report = build(BuildOptions(project=base, search=False))
    assert [line.replace(":1:1: error:", ": error:") for line in errors(report)] == [expected]
    assert not (base / "output").exists()


def test_a_static_file_over_its_cap_is_refused(base: Path):
    sparse(base / "templates/static/video.mp4", MAX_COPY_BYTES + 1)
    sparse(base / "templates/static/poster.png", MAX_COPY_BYTES)  # at the cap: fine
    copies, problems = scan_static_files(base)
    assert headlines(problems) == [
        f"templates/static/video.mp4:1:1: error: the file is larger than {MAX_COPY_BYTES // 2**20} "
        "MiB, the most the build takes from one file"
    ]
    assert "static/poster.png" in dict(copies) and "static/video.mp4" not in dict(copies)


def test_reading_stops_at_the_cap(tmp_path: Path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"0123456789")
    assert read_inside(tmp_path, path, cap=10) == b"0123456789"
    refused = read_inside(tmp_path, path, cap=9)
    assert isinstance(refused, Refusal) and "larger than" in refused.message


def test_read_inside_refuses_a_fifo_without_opening_it(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert read_inside(tmp_path, fifo) == Refusal(
        FIFO, "the build reads only regular files: replace it with one, or remove it"
    )


# --- no byte of a non-text file is echoed ------------------------------------------------------


def test_a_binary_content_file_is_not_echoed(make_project: ProjectFactory):
    binary = b"\x7fELF\x02\x01\x01\x00" + b"name: " + SECRET.encode() + b"\n\x00\x00: [\n"
    report = run_check(project(make_project, content__people_yaml=binary))
    assert errors(report) == [
        "content/people.yaml:1:8: error: the file is binary, not text (it contains a NUL byte)"
    ]
    assert SECRET not in formatted(report)


def test_a_binary_seed_is_refused_and_not_echoed(make_project: ProjectFactory):
    binary = b"President Xi Jinping\x00 said " + SECRET.encode() + b"\n"
    report = run_check(project(make_project, seeds__s_txt=binary))
    assert errors(report) == [
        "seeds/s.txt:1:21: error: the file is binary, not text (it contains a NUL byte)"
    ]
    assert SECRET not in formatted(report)


def test_a_genuine_yaml_file_keeps_its_source_line(make_project: ProjectFactory):
    report = run_check(project(make_project, content__people_yaml="xi: name: Xi\n"))
    assert formatted(report).splitlines()[:3] == [
        "content/people.yaml:1:9: error: invalid YAML: mapping values are not allowed in this context",
        "  xi: name: Xi",
        "          ^",
    ]


# --- templates that are not UTF-8 --------------------------------------------------------------


def test_a_template_that_is_not_utf8_is_the_editors_error(base: Path):
    (base / "templates/extra.html").write_bytes(b"<p>\n<p>caf\xe9</p>\n")
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [
        "templates/extra.html:2:7: error: the file is not UTF-8 text (byte 0xe9 at offset 10)"
    ]
    assert "frozen codecs" not in result.stderr


def test_an_included_file_that_is_not_utf8_is_the_editors_error(base: Path):
    page = '{% extends "base.html" %}{% block main %}{% include "part.txt" %}{% endblock %}\n'
    (base / "templates/404.html").write_text(page)
    (base / "templates/part.txt").write_bytes(b"\xff\xfe")
    result = run(base, "build")
    assert result.returncode == 1, result.stderr
    (line,) = error_lines(result.stderr)
    assert line.startswith("templates/part.txt")
    assert "the file is not UTF-8 text (byte 0xff at offset 0)" in line


# --- article files the build would not read ----------------------------------------------------


def test_articles_the_build_would_skip_are_reported(make_project: ProjectFactory):
    root = project(
        make_project,
        content__articles__wuzhen_YAML=ARTICLE,
        content__articles__other_Yml=ARTICLE,
        content__articles__drafts__b_yaml=ARTICLE,
        content__articles__drafts__deeper__c_yml=ARTICLE,
        content__articles__drafts__notes_txt="not content",
        content__site_YAML="title: x\n",
    )
    report = run_check(root)
    assert headlines(report.diagnostics) == [
        "content/articles/drafts/b.yaml:1:1: error: articles are read from `content/articles/` "
        "itself; this file in a sub-folder is not read",
        "content/articles/drafts/deeper/c.yml:1:1: error: articles are read from "
        "`content/articles/` itself; this file in a sub-folder is not read",
        "content/articles/other.Yml:1:1: error: content files end in `.yaml`; "
        "this `.Yml` file is not read",
        "content/articles/wuzhen.YAML:1:1: error: content files end in `.yaml`; "
        "this `.YAML` file is not read",
        "content/site.YAML:1:1: error: content files end in `.yaml`; this `.YAML` file is not read",
    ]
    hints = [d.hint for d in report.diagnostics]
    assert hints[0] == "move it to `content/articles/b.yaml`"
    assert hints[3] == "rename it to `wuzhen.yaml`"


def test_an_editor_lock_is_not_an_article(make_project: ProjectFactory):
    root = project(make_project)
    (root / "content/articles/.#a.yaml").symlink_to("user@host.1234:1700000000")
    assert run_check(root).diagnostics == []


# --- line numbers in seeds with any line ending ------------------------------------------------

SEED_LINES = ["Headline", "Dateline", "Xi Jinping spoke.", "Li Keqiang spoke.", "Xi Jinping left."]
AMBIGUOUS = """\
source: seeds/s.txt
title: A test article
annotations:
  - type: mention
    text: Xi Jinping
    person: xi-jinping
  - type: mention
    text: Li Keqiang spoke up
    person: li-keqiang
"""


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_seed_lines_count_every_line_ending(make_project: ProjectFactory, ending: str):
    seed = ending.join(SEED_LINES) + ending
    report = run_check(
        project(make_project, seeds__s_txt=seed, content__articles__a_yaml=AMBIGUOUS)
    )
    hints = "\n".join(d.hint for d in report.diagnostics)
    assert re.search(r"^  1\. line 3: .*\n  2\. line 5: ", hints, re.M), hints
    assert "closest passage (line 4)" in hints


def test_mixed_line_endings_count_alike():
    text = "a\rb\r\nc\nd\u2028e"
    assert [line_number(text, text.index(ch)) for ch in "abcde"] == [1, 2, 3, 4, 5]


def test_a_bad_byte_in_a_cr_only_seed_is_on_its_line(make_project: ProjectFactory):
    raw = b"Headline\rDateline\rPresident Xi Jinping said caf\xe9.\r"
    report = run_check(project(make_project, seeds__s_txt=raw))
    assert errors(report) == [
        f"seeds/s.txt:3:30: error: the file is not UTF-8 text (byte 0xe9 at offset {raw.index(0xE9)})"
    ]


def test_a_control_character_in_cr_only_yaml_is_on_its_line(make_project: ProjectFactory):
    article = ARTICLE.replace("A test article", "A test\x07 article").replace("\n", "\r")
    report = run_check(project(make_project, content__articles__a_yaml=article))
    assert errors(report) == [
        "content/articles/a.yaml:2:14: error: the file contains the control character U+0007, "
        "which YAML does not allow"
    ]


# --- what files_inside lists -------------------------------------------------------------------


def test_files_inside_follows_inner_links_once_and_reports_outer_ones(tmp_path: Path):
    root = tmp_path / "project"
    (root / "static/a").mkdir(parents=True)
    (root / "static/a/x.css").write_text("x")
    (root / "static/b").symlink_to("a")
    (root / "static/a/up").symlink_to("..")
    (tmp_path / "out").mkdir()
    (root / "static/out").symlink_to(tmp_path / "out")
    found, problems = files_inside(root, root / "static", "static")
    assert [name for name, _ in found] == ["a/x.css", "b/x.css"]
    assert headlines(problems) == [f"static/out: error: {LINK_OUT}"]
