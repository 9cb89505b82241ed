"""Targeted YAML edits: the fields read back exactly, and every other byte stays."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.load import MapNode, Scalar, SeqNode, load_article
from site_builder.yamledit import FieldEdit, YamlEditError, edit_item, yaml_quote, yaml_scalar

ARTICLE = """\
# yaml-language-server: $schema=../../schemas/article.schema.json
source: seeds/x.txt   # the seed
title: 'A title'
annotations:

  # --- People ---
  - type: mention
    text: Xi  # the short name
    suffix: " presided over the meeting"
    person: xi-jinping

  - occurrence: 2
    type: term
    text: 'cyber power'
    term: cyber-power

  - type: note
    text: |
      A passage in a block
    prefix: "In "
    note: |
      Two lines
      of note.

  - {type: note, text: flow, note: n}
"""


def _items(text: str) -> list[dict[str, str]]:
    """The annotations as the project's loader reads them: key -> scalar text."""
    file, problems = load_article("content/articles/x.yaml", text.encode("utf-8"))
    assert not problems, problems
    assert isinstance(file.root, MapNode)
    annotations = file.root.get("annotations")
    assert isinstance(annotations, SeqNode)
    items = []
    for item in annotations.items:
        assert isinstance(item, MapNode)
        items.append({k.text: v.text for k, v in item.entries if isinstance(v, Scalar)})
    return items


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_replace_insert_and_remove_keep_the_rest_of_the_file() -> None:
    line = _line_of(ARTICLE, "  - type: mention")
    edited = edit_item(
        ARTICLE,
        line,
        5,
        [
            FieldEdit("text", 'Xi: "the" #1'),
            FieldEdit("suffix", None),
            FieldEdit("occurrence", 3),
            FieldEdit("prefix", "  网络强国 "),
        ],
    )
    items = _items(edited)
    assert items[0] == {
        "type": "mention",
        "text": 'Xi: "the" #1',
        "prefix": "  网络强国 ",
        "occurrence": "3",
        "person": "xi-jinping",
    }
    assert items[1:] == _items(ARTICLE)[1:]
    old, new = ARTICLE.splitlines(keepends=True), edited.splitlines(keepends=True)
    assert new[: line - 1] == old[: line - 1]
    assert new[line + 3 :] == old[line + 2 :]  # three lines became four
    assert new[line] == '    text: "Xi: \\"the\\" #1"  # the short name\n'  # comment kept


def test_a_plain_value_stays_plain_when_it_can() -> None:
    line = _line_of(ARTICLE, "  - type: mention")
    edited = edit_item(ARTICLE, line, 5, [FieldEdit("text", "President Xi")])
    assert "    text: President Xi  # the short name\n" in edited
    edited = edit_item(ARTICLE, line, 5, [FieldEdit("text", "yes")])  # would read as a bool
    assert '    text: "yes"  # the short name\n' in edited


def test_removing_the_key_on_the_items_dash_line_moves_the_next_key_up() -> None:
    line = _line_of(ARTICLE, "  - occurrence: 2")
    edited = edit_item(ARTICLE, line, 5, [FieldEdit("occurrence", None)])
    assert "  - type: term\n    text: 'cyber power'\n" in edited
    assert _items(edited)[1] == {"type": "term", "text": "cyber power", "term": "cyber-power"}
    assert edited.replace("  - type: term\n", "  - occurrence: 2\n    type: term\n") == ARTICLE


def test_a_block_scalar_is_replaced_and_the_blank_lines_after_it_stay() -> None:
    line = _line_of(ARTICLE, "  - type: note")
    edited = edit_item(ARTICLE, line, 5, [FieldEdit("text", "new passage"), FieldEdit("id", "n1")])
    assert '    text: "new passage"\n    prefix: "In "\n    id: n1\n    note: |\n' in edited
    assert _items(edited)[2]["text"] == "new passage"
    assert _items(edited)[2]["note"] == "Two lines\nof note.\n"


def test_crlf_files_keep_their_line_endings_and_a_missing_final_newline_is_kept() -> None:
    crlf = ARTICLE.replace("\n", "\r\n").removesuffix("\r\n")
    line = _line_of(ARTICLE, "  - occurrence: 2")
    edited = edit_item(crlf, line, 5, [FieldEdit("text", "x"), FieldEdit("prefix", "p")])
    assert "\n" not in edited.replace("\r\n", "")
    assert '    text: "x"\r\n    prefix: p\r\n' in edited
    assert not edited.endswith("\n")
    assert _items(edited)[1]["prefix"] == "p"


def test_flow_style_items_and_unknown_positions_are_refused() -> None:
    line = _line_of(ARTICLE, "  - {type: note, text: flow, note: n}")
    with pytest.raises(YamlEditError, match="flow style"):
        edit_item(ARTICLE, line, 5, [FieldEdit("text", "x")])
    with pytest.raises(YamlEditError, match="no mapping"):
        edit_item(ARTICLE, 2, 7, [FieldEdit("text", "x")])


# Any string at all: quotes, colons, `#`, leading spaces, CJK, line breaks, controls, emoji.
_ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",))
    | st.sampled_from(list(" :#'\"\\\t\n\r\x85\u2028网")),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_quoted_values_read_back_exactly(value: str) -> None:
    assert yaml.safe_load(f"k: {yaml_quote(value)}\n") == {"k": value}
    assert "\n" not in yaml_quote(value) and "\r" not in yaml_quote(value)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_plain_values_read_back_as_the_same_string(value: str) -> None:
    written = yaml_scalar(value, keep_plain=True)
    assert yaml.safe_load(f"k: {written}  # c\n") == {"k": value}


@settings(max_examples=150, deadline=None)
@given(_ANY_TEXT.filter(lambda s: s.strip()), _ANY_TEXT, st.integers(1, 99))
def test_any_edit_reads_back_with_the_loader_and_touches_only_its_item(
    text: str, prefix: str, occurrence: int
) -> None:
    line = _line_of(ARTICLE, "  - type: note")
    edits = [FieldEdit("text", text), FieldEdit("prefix", prefix or None)]
    edited = edit_item(ARTICLE, line, 5, [*edits, FieldEdit("occurrence", occurrence)])
    items, before = _items(edited), _items(ARTICLE)
    expected = {k: v for k, v in before[2].items() if k != "prefix"}
    expected.update(text=text, occurrence=str(occurrence), **({"prefix": prefix} if prefix else {}))
    assert items[2] == expected
    assert items[:2] == before[:2] and items[3:] == before[3:]
    head = ARTICLE[: ARTICLE.index("  - type: note")]
    tail = ARTICLE[ARTICLE.index("    note: |") :]
    assert edited.startswith(head) and edited.endswith(tail)
