"""`site-builder draft SEED`: every quotation found, its speaker or its candidates, and a
draft that builds (FORMAT.md section 9)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, ProjectFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.build import BuildOptions, build
from site_builder.cli import main
from site_builder.draft import attached_name, draft_article, find_quotations

PEOPLE = """\
mara-lindqvist:
  name: Mara Lindqvist
  native: 林德奎斯特
  aliases: [Mayor Mara Lindqvist, Lindqvist]
  summary: Mayor.
tomas-okafor:
  name: Tomas Okafor
  native: 奥卡福
  aliases: [Okafor]
  summary: Harbourmaster.
"""
GLOSSARY = """\
tidal-lagoon:
  term: tidal lagoon
  native: 潮汐潟湖
  definition: A walled basin.
"""
NAMES = {
    "mara-lindqvist": ("Mara Lindqvist", "林德奎斯特", "Mayor Mara Lindqvist", "Lindqvist"),
    "tomas-okafor": ("Tomas Okafor", "奥卡福", "Okafor"),
}
TERMS = {"tidal-lagoon": ("tidal lagoon", "潮汐潟湖")}


def active_quotes(draft_yaml: str) -> list[dict]:
    annotations = yaml.safe_load(draft_yaml).get("annotations") or []
    return [a for a in annotations if a["type"] == "quote"]


_COMMENTED_ENTRY = re.compile(r"^  # (- type: |  \w+: )", re.MULTILINE)


def uncommented(draft_yaml: str, speaker: str) -> str:
    """The draft with every commented-out quotation put back, its speaker filled in."""
    text = _COMMENTED_ENTRY.sub(lambda m: "  " + m[1], draft_yaml)
    return text.replace("speaker: ...", f"speaker: {speaker}")


def built_without_errors(root: Path) -> None:
    report = build(BuildOptions(root, search=False, jobs=1))
    assert not report.errors, [d.format() for d in report.errors]


def drafted(make_project: ProjectFactory, seed: str, name: str = "text") -> tuple[Path, str]:
    """Draft seeds/<name>.txt with the command, check that the project builds, return the YAML."""
    root = make_project(
        {
            "content/people.yaml": PEOPLE,
            "content/glossary.yaml": GLOSSARY,
            f"seeds/{name}.txt": seed,
        }
    )
    assert main(["draft", f"seeds/{name}.txt", "--project", str(root)]) == 0
    article = root / "content" / "articles" / f"{name}.yaml"
    text = article.read_text(encoding="utf-8")
    built_without_errors(root)
    return root, text


def build_uncommented(root: Path, name: str, text: str, speaker: str = "tomas-okafor") -> None:
    """Every quotation left for the editor anchors too, once uncommented."""
    (root / "content" / "articles" / f"{name}.yaml").write_text(
        uncommented(text, speaker), encoding="utf-8"
    )
    built_without_errors(root)


# --- The seed article -------------------------------------------------------------------

SEED_QUOTES = [
    "Efforts should be made to build our country into a cyber power,",
    "We should be fully aware of the importance and urgency of Internet security and informatization,",
    "two wings of a bird and two wheels of an engine.",
    "Cyberspace should be made clean and chipper,",
    "No Internet safety means no national security. No informatization means no modernization,",
    "politically firm, professionally competent and morally upright",
]


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for folder in ("content", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    for article in (root / "content" / "articles").iterdir():
        article.unlink()
    return root


def test_the_seed_article_gives_all_six_quotations_each_by_xi_or_left_open(seed_project: Path):
    seed = "seeds/xi-heads-internet-security-group.txt"
    assert main(["draft", seed, "--project", str(seed_project)]) == 0
    text = (seed_project / "content/articles/xi-heads-internet-security-group.yaml").read_text(
        encoding="utf-8"
    )
    everything = yaml.safe_load(uncommented(text, "xi-jinping"))
    quotes = [a for a in everything["annotations"] if a["type"] == "quote"]
    assert [q["text"] for q in quotes] == SEED_QUOTES
    assert {q["speaker"] for q in quotes} == {"xi-jinping"}
    assert not re.search(r"speaker: (?!xi-jinping\b|\.\.\.)", text)  # nobody else, even proposed
    assert yaml.safe_load(text)["title"] == "Xi heads Internet security group"
    assert (
        text.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/article.schema.json"
    )
    built_without_errors(seed_project)


def test_the_seed_draft_lists_known_people_terms_and_other_names(seed_project: Path):
    seed = (seed_project / "seeds/xi-heads-internet-security-group.txt").read_text(encoding="utf-8")
    draft = draft_article(
        seed,
        "seeds/xi-heads-internet-security-group.txt",
        {"xi-jinping": ("Xi Jinping", "President Xi Jinping", "Xi"), "li-keqiang": ("Li Keqiang",)},
        {"cyber-power": ("cyber power",)},
    )
    assert set(draft.people) == {"xi-jinping", "li-keqiang"}
    assert "#   cyber-power: “cyber power” (lines 5, 19)" in draft.yaml
    assert {"Xinhua", "China", "Liu Yunshan"} <= set(draft.unknown_names)
    assert "Efforts" not in draft.unknown_names  # capitalised only because a sentence starts
    assert "#   Liu Yunshan (line 6)" in draft.yaml


# --- Attribution rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "who", "is_name"),
    [
        ("", ", Okafor said.", "Okafor", True),
        ("", " said Mayor Mara Lindqvist.", "Mayor Mara Lindqvist", True),
        ("", ", Jane Roe, a boat owner, said.", "Jane Roe", True),
        ("", ", he said.", "he", False),
        ("", ", the mayor added.", "the mayor", False),
        ("Okafor said: ", "", "Okafor", True),
        ("Then Jane Roe told reporters, ", "", "Jane Roe", True),
        ("Okafor: ", "", "Okafor", True),
        ("According to Jane Roe, ", "", "Jane Roe", True),
        ("林德奎斯特在会上说：", "", "林德奎斯特", True),
        ("", "她补充说。", "她", False),
        ("发言人王明指出：", "", "发言人王明", True),
        ("", "，奥卡福表示。", "奥卡福", True),
    ],
)
def test_names_attached_to_a_quotation(before: str, after: str, who: str, is_name: bool):
    attached = attached_name(before, after)
    assert attached is not None
    assert (attached.who, attached.is_name) == (who, is_name)


@pytest.mark.parametrize(
    ("before", "after"),
    [("Okafor called for a ", " team."), ("The plan is, in short, ", ".")],
)
def test_no_name_attached(before: str, after: str):
    assert attached_name(before, after) is None


def test_a_name_not_in_people_yaml_is_never_replaced_by_a_known_one(make_project: ProjectFactory):
    root, text = drafted(
        make_project,
        'Title\nMayor Mara Lindqvist opened the session. "We will see," said Jane Roe, beside her.\n',
    )
    assert active_quotes(text) == []
    assert (
        "# Speaker not clear: the text attaches “Jane Roe”, who is in no content/people.yaml entry."
        in text
    )
    assert "# Add “Jane Roe” to content/people.yaml (e.g. `jane-roe:`) to attribute it." in text
    assert "mara-lindqvist" not in text.split("annotations:")[1].split("# People")[0]
    build_uncommented(root, "text", text, "mara-lindqvist")


def test_he_said_takes_the_one_person_named_in_the_previous_sentence(make_project: ProjectFactory):
    _, text = drafted(
        make_project,
        "Title\nOkafor inspected the basin on Monday.\n“It is ready,” he said.\n",
    )
    assert active_quotes(text) == [
        {"type": "quote", "text": "It is ready,", "speaker": "tomas-okafor"}
    ]
    assert "# Speaker: the text says “he”; tomas-okafor is named in the previous sentence." in text


def test_two_people_in_the_context_leave_the_quotation_open(make_project: ProjectFactory):
    root, text = drafted(
        make_project,
        'Title\nLindqvist and Okafor walked the wall.\n"It holds," he said.\n',
    )
    assert active_quotes(text) == []
    assert "# Candidates: mara-lindqvist, tomas-okafor." in text
    build_uncommented(root, "text", text)


def test_people_named_inside_a_quotation_are_not_its_speaker(make_project: ProjectFactory):
    _, text = drafted(make_project, 'Title\n"Okafor was right about the boats," she said.\n')
    assert active_quotes(text) == []
    assert "no one" in text or "nor names anyone" in text


# --- Shapes of text ---------------------------------------------------------------------


def test_a_transcript_gives_each_line_to_its_speaker(make_project: ProjectFactory):
    root, text = drafted(
        make_project,
        """\
        Hearing on the harbour
        CHAIR: The committee will come to order.
        Tomas Okafor: Thank you. The basin must stay open.
        MARA LINDQVIST: I agree. "Open water" was his only condition.
        Note: edited for length.
        Okafor: The council pays.
        """,
    )
    assert [(q["text"], q["speaker"]) for q in active_quotes(text)] == [
        ("Thank you. The basin must stay open.", "tomas-okafor"),
        ('I agree. "Open water" was his only condition.', "mara-lindqvist"),
        ("The council pays.", "tomas-okafor"),
    ]
    assert "# Add “CHAIR” to content/people.yaml (e.g. `chair:`) to attribute it." in text
    assert "edited for length" not in text
    build_uncommented(root, "text", text)


def test_a_chinese_text_with_corner_brackets_and_curly_quotes(make_project: ProjectFactory):
    root, text = drafted(
        make_project,
        """\
        港务委员会就潮汐试点发表声明
        林德奎斯特市长在会上说：「我们讨论潮汐已经十二年了。『测量』才是关键。」
        奥卡福表示，“盆地对小船始终开放”，这是他唯一的条件。
        「这是一个好的开始。」她补充说。
        发言人王明指出：「工程将于秋季开工。」
        """,
    )
    assert [(q["text"], q["speaker"]) for q in active_quotes(text)] == [
        ("我们讨论潮汐已经十二年了。『测量』才是关键。", "mara-lindqvist"),
        ("盆地对小船始终开放", "tomas-okafor"),
        ("这是一个好的开始。", "tomas-okafor"),
    ]
    assert '#   text: "工程将于秋季开工。"' in text
    assert "# Add “发言人王明” to content/people.yaml to attribute it." in text
    assert yaml.safe_load(text)["body_starts_at"] == "林德奎斯特市长在"
    build_uncommented(root, "text", text)


def test_a_quotation_running_over_paragraphs(make_project: ProjectFactory):
    root, text = drafted(
        make_project,
        'Title\nOkafor spoke last.\n"The wall is finished. The gates are tested.\n\n"The boats can come back," he said.\n',
    )
    [quote] = active_quotes(text)
    assert quote == {
        "type": "quote",
        "text": 'The wall is finished. The gates are tested. "The boats can come back,',
        "speaker": "tomas-okafor",
    }
    page = (root / "output/articles/text/index.html").read_text(encoding="utf-8")
    assert page.count('data-annotation-type="quote"') == 2  # one fragment per paragraph


def test_quotation_marks_of_every_kind_are_found():
    text = 'a "straight" b “curly” c 「corner」 d 『white』 e «guillemets» f 6" tall'
    found = [text[q.start : q.end] for q in find_quotations(text)]
    assert found == ["straight", "curly", "corner", "white", "guillemets"]


def test_an_unclosed_quotation_is_not_found():
    assert find_quotations('He said "this never ends.\nNext paragraph.\n') == []


# --- Anchoring ------------------------------------------------------------------------


def test_a_repeated_passage_gets_what_tells_it_apart(make_project: ProjectFactory):
    _, text = drafted(
        make_project,
        'Title\nThe sign said yes. "Yes," Okafor said.\nLater: "Yes," Lindqvist said. And yes.\n',
    )
    quotes = active_quotes(text)
    assert [q["speaker"] for q in quotes] == ["tomas-okafor", "mara-lindqvist"]
    assert all(q["text"] == "Yes," for q in quotes)
    assert all("prefix" in q or "suffix" in q or "occurrence" in q for q in quotes)


def test_quotations_whose_derived_ids_clash_get_their_own(make_project: ProjectFactory):
    _, text = drafted(
        make_project,
        'Title\n"We will build the wall first," Okafor said. "We will build the wall again," Okafor said.\n',
    )
    ids = [q.get("id") for q in active_quotes(text)]
    assert ids[0] is None and ids[1] == "quote-we-will-build-the-wall-again"


def test_a_quotation_in_the_title_line_is_left_out(make_project: ProjectFactory):
    _, text = drafted(make_project, '"Open water," says Okafor\n"Open water," Okafor said again.\n')
    assert [q["text"] for q in active_quotes(text)] == ["Open water,"]


def test_the_draft_is_deterministic():
    seed = 'Title\n"Yes," Okafor said. "No," said Jane Roe.\n'
    first = draft_article(seed, "seeds/t.txt", NAMES, TERMS).yaml
    assert first == draft_article(seed, "seeds/t.txt", NAMES, TERMS).yaml


# --- The command ----------------------------------------------------------------------


def test_draft_never_overwrites(make_project: ProjectFactory, capsys: pytest.CaptureFixture):
    root = make_project(
        {"seeds/text.txt": "Title\nBody.\n", "content/articles/text.yaml": "x: 1\n"}
    )
    assert main(["draft", "seeds/text.txt", "--project", str(root)]) == 2
    assert capsys.readouterr().err == (
        "site-builder: error: content/articles/text.yaml already exists; draft never overwrites "
        "a file\n  delete or rename that file, or draft from a seed of another name\n"
    )
    assert (root / "content/articles/text.yaml").read_text(encoding="utf-8") == "x: 1\n"


def test_draft_refuses_a_seed_outside_the_project(
    make_project: ProjectFactory, tmp_path: Path, capsys: pytest.CaptureFixture
):
    root = make_project()
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("Title\n", encoding="utf-8")
    assert main(["draft", str(outside), "--project", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"site-builder: error: {outside} is outside the project {root}\n")
    assert not (root / "content" / "articles").exists()


def test_draft_names_a_missing_seed(make_project: ProjectFactory, capsys: pytest.CaptureFixture):
    root = make_project()
    assert main(["draft", "seeds/nope.txt", "--project", str(root)]) == 2
    assert capsys.readouterr().err.startswith("site-builder: error: no seed at seeds/nope.txt\n")


def test_a_seed_name_without_ascii_letters_is_refused(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture
):
    root = make_project({"seeds/声明.txt": "声明\n"})
    assert main(["draft", "seeds/声明.txt", "--project", str(root)]) == 2
    assert "cannot make an article slug from the seed's name `声明`" in capsys.readouterr().err


def test_a_seed_name_is_made_a_slug(make_project: ProjectFactory):
    root = make_project({"seeds/Harbour Statement.txt": 'Title\n"Yes," Okafor said.\n'})
    assert main(["draft", "seeds/Harbour Statement.txt", "--project", str(root)]) == 0
    assert (root / "content/articles/harbour-statement.yaml").is_file()
    built_without_errors(root)


def test_the_example_seed_of_new_drafts_as_the_example_article_attributes_it(tmp_path: Path):
    from site_builder.scaffold import create_project

    root = tmp_path / "demo"
    create_project(root)
    (root / "content/articles/tidal-pilot-approved.yaml").unlink()
    assert main(["draft", "seeds/tidal-pilot-approved.txt", "--project", str(root)]) == 0
    text = (root / "content/articles/tidal-pilot-approved.yaml").read_text(encoding="utf-8")
    assert [(q["text"], q["speaker"]) for q in active_quotes(text)] == [
        (
            "We have talked about the tide for twelve years. Now we are going to measure it,",
            "mara-lindqvist",
        ),
        ("The basin stays open to small boats at every state of the tide,", "tomas-okafor"),
        ("That was our only condition.", "tomas-okafor"),
    ]
    assert "#   Port Alder Council (line 2)" in text
    built_without_errors(root)


# --- Any text -------------------------------------------------------------------------

_PIECES = [
    "Okafor", "Mara Lindqvist", "Jane Roe", "he", "she", "said", "said,", "told reporters",
    "the", "boats", "Yes", "water", "CHAIR:", "Okafor:", '"', '"', "“", "”", "「", "」", "『",
    "』", "说：", "表示，", "他说", "林德奎斯特", "潮汐", ".", ",", "?", ":", " ", " ", " ",
    "\n", "\n\n", "6\"", "Mr.", "tidal lagoon",
]  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_any_text_drafts_into_an_article_that_builds(tmp_path_factory, pieces: list[str]):
    seed = "Title\n" + "".join(pieces) + "\n"
    draft = draft_article(seed, "seeds/text.txt", NAMES, TERMS)
    root = tmp_path_factory.mktemp("any")
    for relpath, text in {
        "content/site.yaml": "title: T\nbase_url: https://example.test/\n",
        "content/people.yaml": PEOPLE,
        "content/glossary.yaml": GLOSSARY,
        "seeds/text.txt": seed,
        "content/articles/text.yaml": uncommented(draft.yaml, "tomas-okafor"),
    }.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")
    built_without_errors(root)
