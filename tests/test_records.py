"""Anchor records and change detection (FORMAT.md section 10): where every annotation was is
recorded, and after a seed changes no annotation moves, changes or disappears in silence."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ProjectFactory, headlines

from site_builder.build import Builder, BuildOptions, build, check, records_of, resolve_site
from site_builder.cli import main
from site_builder.records import (
    AnchorRecord,
    ArticleRecord,
    blob_id,
    old_seed_text,
    parse_record,
    read_record,
    record_json,
    write_records,
)
from site_builder.trace import Diff

SEED = """\
Headline of the report
The minister said Xi would travel, and approved the plan.
Officials agreed that the plan needs money.
In Xi's view, building a cyber power calls for innovation.
He urged efforts 努力把我国建设成为网络强国 in time.
A closing paragraph that will be deleted entirely.
"""

ARTICLE = """\
source: seeds/s.txt
title: Records
body_starts_at: "The minister"
annotations:
  - type: note
    id: plan-two
    text: the plan
    occurrence: 2
    note: The second plan.
  - type: mention
    id: xi-minister
    text: Xi
    prefix: minister said
    person: xi-jinping
  - type: note
    id: cyber
    text: building a cyber power
    note: The slogan.
  - type: note
    id: cn
    text: 建设成为网络强国
    note: The Chinese.
  - type: note
    text: A closing paragraph that will be deleted entirely.
    note: Derived id.
"""

RECORD = "content/anchors/a.json"

ARTICLE_B = """\
source: seeds/t.txt
title: Another
annotations:
  - type: note
    id: b-plan
    text: the plan needs money
    note: B.
"""


def options(root: Path, **kw: object) -> BuildOptions:
    return BuildOptions(root, search=False, jobs=1, **kw)  # type: ignore[arg-type]


def recorded(make_project: ProjectFactory, seed: str = SEED, article: str = ARTICLE) -> Path:
    """A project built once, so that its record is written (as an editor commits it)."""
    root = make_project({"seeds/s.txt": seed, "content/articles/a.yaml": article})
    site, diagnostics = resolve_site(options(root))  # what a build records, without its pages
    assert site is not None, [d.format() for d in diagnostics]
    assert write_records(root, records_of(site)) == []
    assert (root / RECORD).is_file()
    return root


def revise(root: Path, old: str, new: str) -> None:
    seed = root / "seeds/s.txt"
    text = seed.read_text(encoding="utf-8")
    assert old in text
    seed.write_bytes(text.replace(old, new).encode("utf-8"))


def error_lines(root: Path) -> list[str]:
    return headlines(d for d in check(options(root)).diagnostics if d.is_error)


# --- the record --------------------------------------------------------------


def test_the_record_holds_each_annotation_in_seed_offsets(make_project: ProjectFactory):
    root = recorded(make_project)
    record, problems = read_record(root, "a")
    assert not problems and record is not None
    raw = (root / "seeds/s.txt").read_bytes()
    assert (record.slug, record.source) == ("a", "seeds/s.txt")
    assert record.blob == blob_id(raw)
    ids = [a.id for a in record.annotations]
    assert ids == sorted(ids)
    assert "note-a-closing-paragraph-that" in ids  # a derived id, recorded as the build gave it
    for entry in record.annotations:  # offsets count from the seed's start, the headline too
        assert SEED[entry.start : entry.end] == entry.passage
        assert SEED[max(0, entry.start - 32) : entry.start] == entry.before
        assert SEED[entry.end : entry.end + 32] == entry.after
    plan = next(a for a in record.annotations if a.id == "plan-two")
    assert plan.start == SEED.index("the plan needs")


def test_a_byte_order_mark_is_not_counted(make_project: ProjectFactory):
    root = recorded(make_project, seed="\ufeff" + SEED)
    record, _ = read_record(root, "a")
    assert record is not None
    entry = next(a for a in record.annotations if a.id == "cyber")
    assert SEED[entry.start : entry.end] == "building a cyber power"


def test_the_json_round_trips_and_is_deterministic():
    record = ArticleRecord(
        "a",
        "seeds/s.txt",
        "0" * 64,
        "1" * 40,
        (AnchorRecord("x", 3, 5, "ab", "前", "\n"), AnchorRecord("y", 0, 1, "z", "", "")),
    )
    data = record_json(record)
    assert data.endswith(b"}\n") and "前".encode() in data
    parsed, problems = parse_record("content/anchors/a.json", data)
    assert problems == [] and parsed == record
    assert record_json(parsed) == data


@pytest.mark.parametrize(
    ("raw", "headline"),
    [
        (b'{"format": 1,', "content/anchors/a.json:1:14: error: not an anchor record:"),
        (b"[]", "content/anchors/a.json:1:1: error: not an anchor record: the file holds"),
        (
            b'{"format": 1, "slug": "a", "source": "s", "sha256": "", "blob": "", '
            b'"annotations": [{"id": "x", "start": "3"}]}',
            "content/anchors/a.json:1:1: error: not an anchor record: `start` is not a int",
        ),
    ],
)
def test_a_broken_record_is_an_error_not_a_traceback(raw: bytes, headline: str):
    record, problems = parse_record("content/anchors/a.json", raw)
    assert record is None
    assert headlines(problems)[0].startswith(headline)
    assert "site-builder build" in problems[0].hint


# --- tracing -----------------------------------------------------------------

PARAGRAPHS = [f"Paragraph {n} says “thing {n}” and then some words {n}." for n in range(1, 9)]


def spans_survive(old: str, new: str, paragraphs: list[str]) -> None:
    """Every word of every paragraph kept as it was maps to those same characters."""
    diff = Diff(old, new)
    for paragraph in paragraphs:
        base_old, base_new = old.index(paragraph), new.index(paragraph)
        for word_start in range(0, len(paragraph), 7):
            start, end = base_old + word_start, base_old + min(len(paragraph), word_start + 9)
            traced = diff.trace(start, end, old[max(0, start - 32) : start], old[end : end + 32])
            assert traced.kind == "intact"
            assert traced.span == (base_new + word_start, base_new + end - base_old)


def test_tracing_keeps_untouched_paragraphs_exact_through_inserts_and_deletes():
    old = "\n".join(PARAGRAPHS) + "\n"
    edited = [*PARAGRAPHS[:2], "A new paragraph here.", *PARAGRAPHS[2:5], *PARAGRAPHS[6:]]
    new = "\n".join(edited) + "\n"
    spans_survive(old, new, PARAGRAPHS[:5] + PARAGRAPHS[6:])
    gone = old.index(PARAGRAPHS[5])
    traced = Diff(old, new).trace(gone, gone + len(PARAGRAPHS[5]), "", "")
    assert traced.kind == "deleted" and traced.span is None


def test_a_deleted_passage_is_not_taken_for_its_copy_elsewhere():
    copy = "The same sentence stands in two paragraphs."
    old = f"First one. {copy}\nSecond one.\nThird one. {copy}\nFourth one.\n"
    new = f"First one. {copy}\nSecond one.\nFourth one.\n"
    start = old.rindex(copy)
    end = start + len(copy)
    traced = Diff(old, new).trace(start, end, old[start - 32 : start], old[end : end + 32])
    assert traced.kind == "deleted"
    first = old.index(copy)
    assert Diff(old, new).trace(first, first + len(copy), "", "").span == (first, first + len(copy))


def test_a_moved_or_swapped_paragraph_is_found_in_its_new_place():
    old = "\n".join(PARAGRAPHS) + "\n"
    swapped = PARAGRAPHS.copy()
    swapped[1], swapped[6] = swapped[6], swapped[1]
    spans_survive(old, "\n".join(swapped) + "\n", PARAGRAPHS)
    moved = PARAGRAPHS[1:] + PARAGRAPHS[:1]
    spans_survive(old, "\n".join(moved) + "\n", PARAGRAPHS)


def test_line_endings_changed_keep_every_passage_exact():
    old = "\n".join(PARAGRAPHS) + "\n"
    new = "\r\n".join(PARAGRAPHS) + "\r\n"
    spans_survive(old, new, PARAGRAPHS)


def test_quotes_changed_keep_the_words_and_make_the_quotes_an_edit():
    old = "\n".join(PARAGRAPHS) + "\n"
    new = old.replace("“", '"').replace("”", '"')
    diff = Diff(old, new)
    start = old.index("thing 3")
    at = new.index("thing 3")
    assert diff.trace(start, start + 7, "", "").span == (at, at + 7)
    quoted = old.index("“thing 3”")
    traced = diff.trace(quoted, quoted + 9, "", "")
    assert traced.kind == "edited" and 0.5 < traced.similarity < 1
    assert new[traced.span[0] : traced.span[1]] == '"thing 3"'  # type: ignore[index]


def test_a_100kb_seed_traces_through_an_edit():
    # Speed is measured in bench/trace_speed.py; this checks the long text stays exact.
    paragraphs = [f"Line {n}: {'word ' * 20}{n}." for n in range(1500)]
    old = "\n".join(paragraphs) + "\n"
    new_paragraphs = paragraphs.copy()
    new_paragraphs[700] = new_paragraphs[700].replace("word word", "term", 1)
    new_paragraphs.insert(100, "Inserted")
    spans_survive(old, "\n".join(new_paragraphs) + "\n", paragraphs[690:700] + paragraphs[701:710])


# --- findings ----------------------------------------------------------------


def test_an_unchanged_seed_is_silent_and_its_record_unchanged(make_project: ProjectFactory):
    root = recorded(make_project)
    before = (root / RECORD).read_bytes()
    assert error_lines(root) == []
    assert not build(options(root)).failed
    assert (root / RECORD).read_bytes() == before


def test_a_passage_that_went_where_the_yaml_selects_builds_and_updates_the_record(
    make_project: ProjectFactory,
):
    root = recorded(make_project)
    revise(root, "In Xi's view", "A new sentence before.\nIn Xi's view")
    assert error_lines(root) == []
    assert not build(options(root)).failed
    record, _ = read_record(root, "a")
    assert record is not None
    text = (root / "seeds/s.txt").read_text(encoding="utf-8")
    for entry in record.annotations:
        assert text[entry.start : entry.end] == entry.passage


def test_occurrence_after_an_inserted_repeating_paragraph_is_moved(
    make_project: ProjectFactory,
):
    root = recorded(make_project)
    revise(root, "Officials agreed", "They discussed the plan at length.\nOfficials agreed")
    report = check(options(root))
    errors = [d for d in report.diagnostics if d.is_error]
    assert headlines(errors) == [
        'content/articles/a.yaml:7:11: error: moved: plan-two: the passage "the plan" is intact, '
        "but the YAML now selects another place"
    ]
    hint = errors[0].hint.splitlines()
    assert hint[0].startswith("was: …") and "[the plan] needs money" in hint[0]
    assert hint[1].startswith("now (line 4): ") and "[the plan] needs money" in hint[1]
    assert hint[2].startswith("the YAML selects (line 3): ") and "[the plan] at length" in hint[2]
    assert hint[-1] == "run `site-builder reanchor` to see the change to the YAML"


def test_a_prefix_that_fits_elsewhere_is_moved_not_followed(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "The minister said Xi", "The minister told Xi")
    revise(root, "Officials agreed", "Later the minister said Xi laughed.\nOfficials agreed")
    assert error_lines(root) == [
        'content/articles/a.yaml:12:11: error: moved: xi-minister: the passage "Xi" is intact, '
        "but the YAML now selects another place"
    ]


def test_a_selection_gone_ambiguous_is_one_moved_message(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "Officials agreed", "Later the minister said Xi laughed.\nOfficials agreed")
    assert error_lines(root) == [
        'content/articles/a.yaml:12:11: error: moved: xi-minister: the passage "Xi" is intact, '
        "but the YAML no longer selects it (or not unambiguously)"
    ]


def test_an_edited_passage_is_edited_with_a_similarity(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "building a cyber power", "building a strong cyber power")
    report = check(options(root))
    errors = [d for d in report.diagnostics if d.is_error]
    assert headlines(errors) == [
        'content/articles/a.yaml:17:11: error: edited: cyber: the passage "building a cyber power" '
        "was changed in seeds/s.txt (similarity 0.86)"
    ]  # one message: the anchor stage's "text not found" is not repeated
    assert "[building a strong cyber power]" in errors[0].hint


def test_the_chinese_case_is_edited_never_the_same_passage(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "网络强国", "网络大国")
    lines = error_lines(root)
    assert len(lines) == 1
    assert lines[0].startswith(
        'content/articles/a.yaml:21:11: error: edited: cn: the passage "建设成为网络强国" was changed'
    )
    # Even with the YAML's text changed to the new passage's first half, no silent success:
    # it selects a part of the passage, not where the recorded passage went.
    article = (root / "content/articles/a.yaml").read_text(encoding="utf-8")
    (root / "content/articles/a.yaml").write_text(article.replace("建设成为网络强国", "建设成为"))
    assert error_lines(root)[0].startswith("content/articles/a.yaml:21:11: error: edited: cn:")
    # Once the YAML names the new passage, the build agrees and records it.
    (root / "content/articles/a.yaml").write_text(
        article.replace("建设成为网络强国", "建设成为网络大国")
    )
    assert error_lines(root) == []


def test_a_deleted_passage_is_deleted(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "A closing paragraph that will be deleted entirely.\n", "")
    assert error_lines(root) == [
        "content/articles/a.yaml:24:11: error: deleted: note-a-closing-paragraph-that: the passage "
        '"A closing paragraph that will be deleted entirely." is no longer in seeds/s.txt'
    ]


def test_new_annotations_anchor_as_usual_and_removed_ones_drop_out(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "Officials agreed", "Officials firmly agreed")
    article = root / "content/articles/a.yaml"
    text = article.read_text(encoding="utf-8")
    text = text.replace(
        "  - type: note\n    id: cn\n    text: 建设成为网络强国\n    note: The Chinese.\n", ""
    )
    text += "  - type: note\n    id: fresh\n    text: calls for innovation\n    note: New.\n"
    article.write_text(text, encoding="utf-8")
    assert error_lines(root) == []
    assert not build(options(root)).failed
    record, _ = read_record(root, "a")
    assert record is not None
    ids = {a.id for a in record.annotations}
    assert "fresh" in ids and "cn" not in ids


def test_all_places_are_recorded_and_checked_each(make_project: ProjectFactory):
    article = (
        ARTICLE + "  - type: note\n    id: xi-all\n    text: Xi\n    all: true\n    note: All.\n"
    )
    root = recorded(make_project, article=article)
    record, _ = read_record(root, "a")
    assert record is not None
    assert [a.id for a in record.annotations if a.id.startswith("xi-all")] == ["xi-all", "xi-all-2"]
    revise(root, "In Xi's view", "In his view")
    lines = [line for line in error_lines(root) if "xi-all" in line]
    assert lines == [
        'content/articles/a.yaml:28:11: error: deleted: xi-all-2: the passage "Xi" is no longer '
        "in seeds/s.txt"
    ]


# --- writing, strict mode and the command line -------------------------------


def test_strict_writes_nothing_and_a_missing_or_stale_record_is_an_error(
    make_project: ProjectFactory,
):
    people = "xi-jinping:\n  name: Xi Jinping\n  summary: General Secretary.\n"
    root = make_project(
        {"seeds/s.txt": SEED, "content/articles/a.yaml": ARTICLE, "content/people.yaml": people}
    )
    assert headlines(build(options(root, strict=True)).diagnostics) == [
        "content/anchors/a.json:1:1: error: missing: this article has no anchor record yet"
    ]
    assert not (root / "content/anchors").exists()
    assert not build(options(root)).failed
    assert not build(options(root, strict=True)).failed
    revise(root, "Officials agreed", "Officials firmly agreed")  # silent, but the record moves
    stat = (root / RECORD).stat()
    report = check(options(root, strict=True))
    stale = [d for d in report.diagnostics if d.position.path == RECORD]
    assert headlines(stale)[0].startswith("content/anchors/a.json:1:1: error: out of date")
    assert "without --strict" in stale[0].hint
    assert (root / RECORD).stat().st_mtime_ns == stat.st_mtime_ns


def test_check_and_the_preview_write_no_record_but_report_findings(make_project: ProjectFactory):
    root = recorded(make_project)
    revise(root, "Officials agreed", "Officials firmly agreed")
    before = (root / RECORD).read_bytes()
    assert not check(options(root)).failed
    assert (root / RECORD).read_bytes() == before
    preview = Builder(options(root, records="check", out=root / "preview"))
    assert not preview.build().failed
    assert (root / RECORD).read_bytes() == before
    revise(root, "Officials firmly", "The plan, the plan.\nOfficials firmly")
    report = preview.build()
    assert report.failed and "moved: plan-two" in headlines(report.diagnostics)[0]


def test_build_writes_only_the_records_that_change(make_project: ProjectFactory):
    root = make_project(
        {
            "seeds/s.txt": SEED,
            "seeds/t.txt": SEED,
            "content/articles/a.yaml": ARTICLE,
            "content/articles/b.yaml": ARTICLE_B,
            "content/anchors/gone.json": "{}",
            "content/anchors/README": "kept",
        }
    )
    assert not build(options(root)).failed
    assert not (root / "content/anchors/gone.json").exists()
    assert (root / "content/anchors/README").read_text() == "kept"
    stamps = {p.name: p.stat().st_mtime_ns for p in (root / "content/anchors").iterdir()}
    os.utime(root / RECORD, ns=(1, 1))
    os.utime(root / "content/anchors/b.json", ns=(1, 1))
    revise(root, "Officials agreed", "Officials firmly agreed")
    assert not build(options(root)).failed
    assert (root / "content/anchors/b.json").stat().st_mtime_ns == 1
    assert (root / RECORD).stat().st_mtime_ns != 1
    assert sorted(p.name for p in (root / "content/anchors").iterdir()) == sorted(stamps)


def test_the_old_seed_is_found_in_git_by_its_blob(make_project: ProjectFactory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = recorded(make_project)
    record, _ = read_record(root, "a")
    assert record is not None
    assert old_seed_text(root, record) is None  # not a git work tree: the fallback is used
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "seed"], cwd=root, check=True)
    revise(root, "Officials agreed", "They discussed the plan at length.\nOfficials agreed")
    assert old_seed_text(root, record) == SEED
    assert [line.split(": ")[2] for line in error_lines(root)] == ["moved"]


def test_the_command_line_shows_each_finding(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = recorded(make_project)
    revise(root, "building a cyber power", "building a strong cyber power")
    revise(root, "A closing paragraph that will be deleted entirely.\n", "")
    assert main(["check", "--project", str(root)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("content/articles/a.yaml:17:11: error: edited: cyber:")
    assert lines[1:3] == ["      text: building a cyber power", "            ^"]
    assert lines[3].startswith("  was: …") and lines[4].startswith("  now (line 4): …")
    assert lines[5] == "  run `site-builder reanchor` to see the change to the YAML"
    assert lines[6].startswith("content/articles/a.yaml:24:11: error: deleted:")
    assert lines[-1].startswith("site-builder: 2 error(s)")


def test_annotations_of_one_text_keep_their_own_records(make_project: ProjectFactory):
    # Two annotations without ids, told apart by `occurrence`: the place the YAML selects
    # now never decides whose record is whose, or the second would take the first's place.
    seed = "One: the plan is here.\nTwo: the plan again.\n"
    article = """\
source: seeds/s.txt
title: Twins
annotations:
  - type: note
    text: the plan
    note: First.
    occurrence: 1
  - type: note
    text: the plan
    note: Second.
    occurrence: 2
"""
    root = recorded(make_project, seed=seed, article=article)
    revise(root, "One:", "Zero: the plan first.\nOne:")
    assert [line.split(" the passage")[0] for line in error_lines(root)] == [
        "content/articles/a.yaml:5:11: error: moved: note-the-plan:",
        "content/articles/a.yaml:9:11: error: moved: note-the-plan-2:",
    ]
    revise(
        root,
        "Zero: the plan first.\nOne: the plan is here.",
        "One: the plan is here.\nMid: the plan.",
    )
    assert [line.split(" the passage")[0] for line in error_lines(root)] == [
        "content/articles/a.yaml:9:11: error: moved: note-the-plan-2:"
    ]
