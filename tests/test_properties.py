"""Property tests: whatever an editor's slip does to a real content file, `check` answers with
diagnostics, never a traceback.

Each example takes one of the shipped content files, applies a few random edits of the kind a
hand on a keyboard makes (a deleted character, a stray `:`, tab or quote, a duplicated or
swapped line, a byte that is not UTF-8), and runs the whole check on the project.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.build import BuildOptions, check
from site_builder.errors import Severity

CONTENT_FILES = sorted(
    p.relative_to(REPO).as_posix()
    for p in [*REPO.glob("content/*.yaml"), *REPO.glob("content/articles/*.yaml")]
)
STRAY = [
    ":",
    ": ",
    "\t",
    '"',
    "'",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!",
    "#",
    " ",
    "\n",
    "|",
    ">",
    "%",
    "@",
    "`",
    "<<: ",
    "? ",
    "~",
    "\u2028",
    "\ufeff",
    "\x00",
]


# A valid mutation (in a comment, in a note) renders every page: about 0.2 s an example.
# SITE_BUILDER_MUTATIONS=500 for a longer hunt.
EXAMPLES = int(os.environ.get("SITE_BUILDER_MUTATIONS", "25"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mutations") / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def delete_char(text: bytes, data: st.DataObject) -> bytes:
    if not text:
        return text
    at = data.draw(st.integers(0, len(text) - 1), label="delete at")
    return text[:at] + text[at + 1 :]


def insert_stray(text: bytes, data: st.DataObject) -> bytes:
    at = data.draw(st.integers(0, len(text)), label="insert at")
    stray = data.draw(st.sampled_from(STRAY), label="stray").encode("utf-8")
    return text[:at] + stray + text[at:]


def insert_bad_byte(text: bytes, data: st.DataObject) -> bytes:
    at = data.draw(st.integers(0, len(text)), label="bad byte at")
    return text[:at] + data.draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3"])) + text[at:]


def duplicate_line(text: bytes, data: st.DataObject) -> bytes:
    lines = text.split(b"\n")
    at = data.draw(st.integers(0, len(lines) - 1), label="duplicate line")
    return b"\n".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])


def swap_lines(text: bytes, data: st.DataObject) -> bytes:
    lines = text.split(b"\n")
    i = data.draw(st.integers(0, len(lines) - 1), label="swap")
    j = data.draw(st.integers(0, len(lines) - 1), label="with")
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def delete_line(text: bytes, data: st.DataObject) -> bytes:
    lines = text.split(b"\n")
    at = data.draw(st.integers(0, len(lines) - 1), label="delete line")
    return b"\n".join(lines[:at] + lines[at + 1 :])


def reindent_line(text: bytes, data: st.DataObject) -> bytes:
    lines = text.split(b"\n")
    at = data.draw(st.integers(0, len(lines) - 1), label="reindent line")
    indent = data.draw(st.integers(0, 8), label="indent")
    lines[at] = b" " * indent + lines[at].lstrip(b" ")
    return b"\n".join(lines)


MUTATIONS = [
    delete_char,
    insert_stray,
    insert_bad_byte,
    duplicate_line,
    swap_lines,
    delete_line,
    reindent_line,
]


@pytest.fixture
def restore(workspace: Path) -> Iterator[None]:
    yield
    for relpath in CONTENT_FILES:
        shutil.copyfile(REPO / relpath, workspace / relpath)


def assert_reported_not_raised(workspace: Path, relpath: str, mutated: bytes) -> None:
    target = workspace / relpath
    original = (REPO / relpath).read_bytes()
    target.write_bytes(mutated)
    try:
        report = check(BuildOptions(project=workspace))
    finally:
        target.write_bytes(original)
    lines = mutated.count(b"\n") + 2
    for diagnostic in report.diagnostics:
        assert diagnostic.message
        assert diagnostic.severity in (Severity.ERROR, Severity.WARNING)
        assert diagnostic.format().startswith(diagnostic.position.path)
        if diagnostic.position.path == relpath:
            assert 0 <= diagnostic.position.line <= lines, diagnostic.format()
    if mutated != original:
        assert report.failed or not [d for d in report.diagnostics if d.is_error]


@pytest.mark.parametrize("relpath", CONTENT_FILES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_edits_never_raise(
    workspace: Path, restore: None, relpath: str, data: st.DataObject
):
    text = (REPO / relpath).read_bytes()
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
        text = mutation(text, data)
    assert_reported_not_raised(workspace, relpath, text)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    junk=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.text(alphabet=st.sampled_from(list(":-[]{}'\"&*!#|> \n\tab")), max_size=120),
    )
)
def test_arbitrary_files_never_raise(workspace: Path, restore: None, junk: str | bytes):
    raw = junk if isinstance(junk, bytes) else junk.encode("utf-8", "surrogatepass")
    for relpath in (
        "content/people.yaml",
        "content/articles/xi-heads-internet-security-group.yaml",
    ):
        assert_reported_not_raised(workspace, relpath, raw)
