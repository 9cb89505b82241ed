"""`site-builder reanchor` end to end: a revised seed, `check`, the diff, `--write`, `build`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import REPO, ProjectFactory

ARTICLE = "content/articles/xi-heads-internet-security-group.yaml"
SEED = "seeds/xi-heads-internet-security-group.txt"
RECORD = "content/anchors/xi-heads-internet-security-group.json"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.test", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The seed project, committed to git with its record, as an editor's repository is."""
    root = tmp_path / "project"
    root.mkdir()
    for folder in ("content", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    assert main(["build", "--project", str(root), "--no-search", "-q"]) == 0
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "the seed and its record")
    return root


def _revise(root: Path, *changes: tuple[str, str]) -> None:
    seed = root / SEED
    text = seed.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    seed.write_bytes(text.encode("utf-8"))


REPEATING = (
    "Xi presided over the meeting,",
    "Xi presided over the meeting again in March.\nXi presided over the meeting,",
)
REWORDED = ("build our country into a cyber power", "build our nation into a cyber power")


def test_check_shows_the_findings_reanchor_the_diff_and_write_changes_only_those_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / ARTICLE).read_bytes()
    _revise(project, REPEATING, REWORDED)

    assert main(["check", "--project", str(project)]) == 1
    errors = capsys.readouterr().err
    assert f"{ARTICLE}:17:11: error: moved: mention-xi-2:" in errors
    assert f"{ARTICLE}:38:11: error: edited: quote-efforts-should-be-made:" in errors

    assert main(["reanchor", "--project", str(project)]) == 1
    shown = capsys.readouterr()
    assert f"{ARTICLE}:17:11: moved: mention-xi-2: " in shown.err
    assert f"{ARTICLE}:38:11: edited (similarity 0.93): quote-efforts-should-be-made: " in shown.err
    assert (
        "  now (line 5): …ver the meeting again in March. [Xi] presided over the meeting"
        in shown.err
    )
    assert shown.out.startswith(f"--- a/{ARTICLE}\n+++ b/{ARTICLE}\n@@ ")
    assert "+    occurrence: 2\n+    id: mention-xi-2\n" in shown.out
    assert (
        '-    text: "Efforts should be made to build our country into a cyber power,"\n'
        in shown.out
    )
    assert (
        '+    text: "Efforts should be made to build our nation into a cyber power,"\n' in shown.out
    )
    assert (project / ARTICLE).read_bytes() == before  # without --write nothing is written

    assert main(["reanchor", "--write", "--project", str(project)]) == 0
    assert "run `site-builder build` to record them" in capsys.readouterr().err
    expected = (
        before.decode()
        .replace(
            '    suffix: " presided over the meeting"\n',
            '    suffix: " presided over the meeting"\n    occurrence: 2\n    id: mention-xi-2\n',
        )
        .replace("build our country into", "build our nation into", 1)
    )
    assert (project / ARTICLE).read_bytes() == expected.encode()

    assert main(["build", "--project", str(project), "--no-search", "-q"]) == 0
    record = json.loads((project / RECORD).read_text(encoding="utf-8"))
    entries = {entry["id"]: entry for entry in record["annotations"]}
    seed_text = (project / SEED).read_text(encoding="utf-8")
    xi = entries["mention-xi-2"]
    assert seed_text[xi["start"] : xi["end"]] == "Xi"
    assert xi["after"] == " presided over the meeting, stre"
    quote = entries["quote-efforts-should-be-made"]
    assert quote["passage"] == "Efforts should be made to build our nation into a cyber power,"
    assert main(["check", "--project", str(project), "--strict"]) == 0


def test_a_deleted_passage_is_left_to_the_editor_and_the_status_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project / ARTICLE).read_bytes()
    gone = '"Cyberspace should be made clean and chipper," Xi said.\n'
    _revise(project, (gone, ""))
    assert main(["reanchor", "--write", "--project", str(project)]) == 1
    shown = capsys.readouterr()
    assert f"{ARTICLE}:67:11: deleted: quote-cyberspace-should-be-made: the passage" in shown.err
    assert "left to you: remove the annotation, or give it the passage's new text" in shown.err
    assert "3 finding(s): 0 changed in the YAML, 3 left to you" in shown.err
    assert shown.out == ""
    assert (project / ARTICLE).read_bytes() == before


def test_nothing_to_do_when_the_seed_is_unchanged_and_unknown_slugs_are_usage_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reanchor", "--project", str(project)]) == 0
    assert "site-builder: nothing to re-anchor" in capsys.readouterr().err
    assert main(["reanchor", "--project", str(project), "no-such-article"]) == 2
    assert "no article `no-such-article`" in capsys.readouterr().err
    _revise(project, REWORDED)
    slug = Path(ARTICLE).stem
    assert main(["reanchor", "--project", str(project), slug]) == 1
    assert "quote-efforts-should-be-made" in capsys.readouterr().err


CHINESE_SEED = """\
网络安全和信息化领导小组
习近平主持召开会议。
他强调,努力把我国建设成为网络强国。
"""

CHINESE_ARTICLE = """\
source: seeds/cn.txt
title: 网络强国
body_starts_at: 习近平主持
annotations:
  - type: note
    text: 网络强国
    note: The slogan.
  - type: note
    text: 建设成为网络强国
    note: The sentence.
"""


def test_the_chinese_case_is_edited_and_the_short_passage_never_accepted(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"seeds/cn.txt": CHINESE_SEED, "content/articles/cn.yaml": CHINESE_ARTICLE})
    assert main(["build", "--project", str(root), "--no-search", "-q"]) == 0
    (root / "seeds/cn.txt").write_text(
        CHINESE_SEED.replace("网络强国", "网络大国"), encoding="utf-8"
    )
    assert main(["check", "--project", str(root)]) == 1
    errors = capsys.readouterr().err
    assert (
        'content/articles/cn.yaml:6:11: error: edited: note-网络强国: the passage "网络强国"'
        in errors
    )

    assert main(["reanchor", "--write", "--project", str(root)]) == 1
    shown = capsys.readouterr()
    # Four characters, one of them changed: similarity 0.75, left to the editor ...
    assert "cn.yaml:6:11: edited (similarity 0.75): note-网络强国: " in shown.err
    assert 'a change that would select it: `text: "网络大国"` (its id becomes' in shown.err
    assert "left to you: similarity 0.75 is below 0.8" in shown.err
    # ... the longer passage is re-anchored, and the diff shows what changed. An id derived
    # from CJK text cannot be written as an `id:`: it follows the text, and the message says so.
    assert "cn.yaml:9:11: edited (similarity 0.88): note-建设成为网络强国: " in shown.err
    assert "-    text: 建设成为网络强国\n+    text: 建设成为网络大国\n" in shown.out
    assert (
        "its id becomes `note-建设成为网络大国`: links to `#note-建设成为网络强国` break"
        in shown.err
    )
    article = (root / "content/articles/cn.yaml").read_text(encoding="utf-8")
    assert "    text: 网络强国\n" in article
    assert main(["check", "--project", str(root)]) == 1
    assert "edited: note-网络强国" in capsys.readouterr().err


SMALL_SEED = """\
Headline
The report begins. Officials liked the plan, then praised the plan.
Xi said the budget is ready.
"""


def _recorded(make_project: ProjectFactory, article: str) -> Path:
    root = make_project({"seeds/s.txt": SMALL_SEED, "content/articles/a.yaml": article})
    assert main(["build", "--project", str(root), "--no-search", "-q"]) == 0
    return root


def _revise_small(root: Path, *changes: tuple[str, str]) -> None:
    seed = root / "seeds/s.txt"
    text = seed.read_text(encoding="utf-8")
    for old, new in changes:
        text = text.replace(old, new)
    seed.write_text(text, encoding="utf-8")


# A sentence repeating `the plan` and `the budget`, above the ones annotated.
INSERTED = ("Officials liked", "Officials weighed the plan and the budget. Officials liked")


def test_crlf_and_a_byte_order_mark_are_kept_when_the_file_is_changed(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    article = (
        "\ufeffsource: seeds/s.txt\r\ntitle: T\r\nbody_starts_at: The report begins\r\n"
        "annotations:\r\n  - type: note  # the second plan\r\n    text: the plan\r\n"
        "    occurrence: 2\r\n    note: N.\r\n"
    )
    root = _recorded(make_project, article)
    _revise_small(root, INSERTED)
    assert main(["reanchor", "--write", "--project", str(root)]) == 0
    capsys.readouterr()
    expected = article.replace("occurrence: 2", "occurrence: 3").replace(
        "    note: N.", "    id: note-the-plan-2\r\n    note: N."
    )
    assert (root / "content/articles/a.yaml").read_bytes() == expected.encode("utf-8")
    assert main(["build", "--project", str(root), "--no-search", "-q"]) == 0


def test_all_true_and_flow_style_items_are_left_to_the_editor(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    article = (
        "source: seeds/s.txt\ntitle: T\nbody_starts_at: The report begins\nannotations:\n"
        "  - type: note\n    text: the plan\n    all: true\n    note: Every plan.\n"
        "  - {type: note, text: the budget, note: B.}\n"
    )
    root = _recorded(make_project, article)
    _revise_small(root, INSERTED, ("then praised the plan", "then praised it"))
    before = (root / "content/articles/a.yaml").read_bytes()
    assert main(["reanchor", "--write", "--project", str(root)]) == 1
    err = capsys.readouterr().err
    assert "left to you: `all: true` annotates every place: check them by hand" in err
    assert "left to you: the YAML cannot be changed here: the annotation is written in flow" in err
    assert (root / "content/articles/a.yaml").read_bytes() == before


def test_an_article_that_cannot_be_read_is_reported_and_left_alone(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    article = b"source: seeds/s.txt\ntitle: Caf\xe9\nannotations: []\n"
    root = make_project({"seeds/s.txt": SMALL_SEED, "content/articles/a.yaml": article})
    assert main(["reanchor", "--write", "--project", str(root)]) == 1
    assert (
        "content/articles/a.yaml:2:11: error: the file is not UTF-8 text" in capsys.readouterr().err
    )
    assert (root / "content/articles/a.yaml").read_bytes() == article
