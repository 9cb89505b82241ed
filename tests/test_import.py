"""`site-builder import` (FORMAT.md section 11): W3C and Hypothesis in, nothing guessed, bytes kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, ProjectFactory

from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.importer import import_annotations

SLUG = "xi-heads-internet-security-group"
HYPOTHESIS = Path(__file__).parent / "fixtures" / "hypothesis"

LAUNCH = """\
# yaml-language-server: $schema=../../schemas/article.schema.json
source: seeds/launch.txt   # the seed, as received
title: Launch
body_starts_at: "😀 A cat sat. The minister"
annotations:
  # an editor's own annotation stays first, comments and all
  - type: note
    text: The minister
    note: Kept.
"""


def copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def build_ok(root: Path, out: Path) -> None:
    report = build(BuildOptions(project=root, out=out, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]


def without_annotations(article: Path) -> None:
    text = article.read_text(encoding="utf-8")
    article.write_text(text[: text.index("annotations:")] + "annotations: []\n", encoding="utf-8")


def html_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}


def test_round_trip_of_the_seed_site_builds_the_same_pages(tmp_path: Path):
    root = copy_project(tmp_path)
    build_ok(root, tmp_path / "before")
    export = tmp_path / "export.jsonld"
    shutil.copy(tmp_path / f"before/annotations/{SLUG}.jsonld", export)
    without_annotations(root / f"content/articles/{SLUG}.yaml")
    report = import_annotations(root, export, SLUG)
    assert report.diagnostics == [] and report.added == 34
    build_ok(root, tmp_path / "after")
    before, after = html_files(tmp_path / "before"), html_files(tmp_path / "after")
    assert before.keys() == after.keys()
    assert [name for name in before if before[name] != after[name]] == []
    assert (tmp_path / f"after/annotations/{SLUG}.jsonld").read_bytes() == export.read_bytes()


NESTED_SEED = "Xi spoke of a cyber power and of a cyber power again, and then stopped.\n"
NESTED = """\
source: seeds/nested.txt
title: Nested
annotations:
  - type: quote
    text: spoke of a cyber power and
    speaker: xi-jinping
    note: The quote.
  - type: term
    text: cyber power
    term: cyber-power
    all: true
  - type: note
    text: and of a cyber power again, and then
    id: the-crossing-note
    note: Crosses the quote.
"""


def test_round_trip_with_nested_crossing_and_repeated_spans(
    make_project: ProjectFactory, tmp_path: Path
):
    root = make_project({"seeds/nested.txt": NESTED_SEED, "content/articles/nested.yaml": NESTED})
    build_ok(root, tmp_path / "before")
    export = tmp_path / "nested.jsonld"
    shutil.copy(tmp_path / "before/annotations/nested.jsonld", export)
    without_annotations(root / "content/articles/nested.yaml")
    report = import_annotations(root, export, "nested")
    assert report.diagnostics == [] and report.added == 4
    written = (root / "content/articles/nested.yaml").read_text(encoding="utf-8")
    assert "occurrence: 2" in written and "id: the-crossing-note" in written
    build_ok(root, tmp_path / "after")
    page = "articles/nested/index.html"
    assert (tmp_path / "after" / page).read_bytes() == (tmp_path / "before" / page).read_bytes()


@pytest.fixture
def launch(make_project: ProjectFactory) -> Path:
    return make_project(
        {
            "seeds/launch.txt": (HYPOTHESIS / "seed.txt").read_text(encoding="utf-8"),
            "content/articles/launch.yaml": LAUNCH,
        }
    )


def messages(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.format().splitlines()[0] for d in report.diagnostics]


def test_hypothesis_api_json_is_imported_and_every_left_out_one_said(launch: Path):
    source = HYPOTHESIS / "api-search.json"
    report = import_annotations(launch, source, "launch")
    assert report.added == 4
    shown = messages(report)
    by_id = {line.split("(", 1)[1].split(")", 1)[0]: line for line in shown}
    assert "error: " in by_id["AmbiguousAAAAAAAAAAAAA"]
    assert "fits 2 places equally well (line 2, line 2)" in by_id["AmbiguousAAAAAAAAAAAAA"]
    assert "error: " in by_id["GoneAAAAAAAAAAAAAAAAAA"]
    assert "its passage is not in seeds/launch.txt" in by_id["GoneAAAAAAAAAAAAAAAAAA"]
    gone = next(d for d in report.diagnostics if "GoneAAAA" in d.message)
    assert gone.hint == 'closest passage (line 2): "A cat sat"'
    assert (
        "warning: " in by_id["ReplyAAAAAAAAAAAAAAAAA"]
        and "a reply" in by_id["ReplyAAAAAAAAAAAAAAAAA"]
    )
    assert "page note" in by_id["PageNoteAAAAAAAAAAAAAA"]
    assert all(line.startswith(f"{source}:") for line in shown)  # located in the file
    assert report.failed  # two could not be anchored


def test_hypothesis_import_builds_with_the_right_types_and_places(launch: Path):
    before = (launch / "content/articles/launch.yaml").read_text(encoding="utf-8")
    import_annotations(launch, HYPOTHESIS / "api-search.json", "launch")
    after = (launch / "content/articles/launch.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every byte of the file as it was
    assert "# imported from https://hypothes.is/a/NoteAAAAAAAAAAAAAAAAAA\n" in after
    annotations = yaml.safe_load(after)["annotations"]
    assert [(a["type"], a["text"]) for a in annotations] == [
        ("note", "The minister"),
        ("note", "spoke of"),
        ("mention", "Li Keqiang"),
        ("term", "cyber power"),
        ("note", "A cat sat"),
    ]
    assert (
        annotations[1]["note"]
        == "He said it **twice**.\n\nSee [the record](https://example.test/record).\n"
    )
    assert annotations[2]["person"] == "li-keqiang" and annotations[3]["term"] == "cyber-power"
    assert annotations[4]["occurrence"] == 2  # the UTF-16 position chose the second cat
    report = build(BuildOptions(project=launch, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]


def test_hypothesis_export_menu_file_and_importing_twice(launch: Path):
    first = import_annotations(launch, HYPOTHESIS / "export-menu.json", "launch")
    assert first.added == 4 and not first.failed
    again = import_annotations(launch, HYPOTHESIS / "export-menu.json", "launch")
    assert again.added == 0 and not again.failed
    assert all("already in the article" in d.message for d in again.diagnostics)


def test_a_w3c_list_of_annotations_into_a_file_without_annotations(make_project: ProjectFactory):
    root = make_project(
        {
            "seeds/a.txt": "Headline\nXi met Li Keqiang in Beijing.\n",
            "content/articles/a.yaml": "source: seeds/a.txt\ntitle: A\n# the end\n",
        }
    )
    annotations = [
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "urn:uuid:1",
            "type": "Annotation",
            "motivation": "identifying",
            "body": {"type": "SpecificResource", "source": "https://x.test/people/li-keqiang/"},
            "target": {
                "source": "https://x.test/a.txt",
                "selector": {"type": "TextQuoteSelector", "exact": "Li Keqiang"},
            },
        },
        {
            "type": "Annotation",
            "body": {"type": "TextualBody", "value": "In the capital.", "format": "text/plain"},
            "target": {"selector": [{"type": "TextQuoteSelector", "exact": "Beijing"}]},
        },
    ]
    source = root / "list.json"
    source.write_text(json.dumps(annotations), encoding="utf-8")
    report = import_annotations(root, source, "a")
    assert report.added == 2 and report.diagnostics == []
    written = (root / "content/articles/a.yaml").read_text(encoding="utf-8")
    assert written.startswith("source: seeds/a.txt\ntitle: A\n# the end\nannotations:\n")
    assert not build(BuildOptions(project=root, search=False)).failed


def test_annotations_list_in_the_middle_of_the_file_keeps_what_follows(
    make_project: ProjectFactory,
):
    article = (
        "source: seeds/a.txt\nannotations:\n- type: note\n  text: Xi\n  note: One.\n"
        "\n# the title comes last\ntitle: A\n"
    )
    root = make_project({"seeds/a.txt": "Xi met Li Keqiang.\n", "content/articles/a.yaml": article})
    source = root / "one.json"
    source.write_text(
        json.dumps(
            {
                "type": "Annotation",
                "body": {"type": "TextualBody", "value": "Two."},
                "target": {"selector": {"type": "TextQuoteSelector", "exact": "Li Keqiang"}},
            }
        ),
        encoding="utf-8",
    )
    assert import_annotations(root, source, "a").added == 1
    written = (root / "content/articles/a.yaml").read_text(encoding="utf-8")
    assert written == (
        "source: seeds/a.txt\nannotations:\n- type: note\n  text: Xi\n  note: One.\n"
        '# imported from annotation 1\n- type: note\n  text: "Li Keqiang"\n  note: |\n    Two.\n'
        "\n# the title comes last\ntitle: A\n"
    )
    assert not build(BuildOptions(project=root, search=False)).failed


def test_cli_import_exit_status_and_messages(launch: Path, capsys: pytest.CaptureFixture[str]):
    status = main(
        [
            "import",
            str(HYPOTHESIS / "api-search.json"),
            "--article",
            "launch",
            "--project",
            str(launch),
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    assert err.rstrip().endswith(
        "site-builder: imported 4 annotation(s) to content/articles/launch.yaml, left out 4"
    )
    assert (
        main(
            [
                "import",
                str(HYPOTHESIS / "api-search.json"),
                "--article",
                "nope",
                "--project",
                str(launch),
            ]
        )
        == 1
    )
    assert "content/articles/nope.yaml:1:1: error: no article `nope` in this project" in (
        capsys.readouterr().err
    )
    bad = launch / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["import", str(bad), "--article", "launch", "--project", str(launch)]) == 1
    assert f"{bad}:1:2: error: not JSON" in capsys.readouterr().err


def test_import_runs_as_a_command(launch: Path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "site_builder",
            "import",
            str(HYPOTHESIS / "export-menu.json"),
            "--article",
            "launch",
            "--project",
            str(launch),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "imported 4 annotation(s)" in result.stderr
