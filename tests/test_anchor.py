"""Unit tests for the anchor stage: every way a `text` finds (or fails to find) its place."""

from __future__ import annotations

from site_builder.anchor import anchor_article, split_body
from site_builder.errors import Position
from site_builder.load import TextFile
from site_builder.model import AnnotationSpec, ArticleSpec

SEED = (
    "Xi heads group\n"
    "Xinhua, 2014 Adjust font size:\n"
    "President Xi Jinping will head the group.\n"
    "Xi said informatization matters. Xinhua reported that Li and Liu agreed.\n"
    "\n"
    "Xi said \u201cclean and  chipper\u201d cyberspace and informatization.\n"
)


def annotation(text: str, kind: str = "note", **fields) -> AnnotationSpec:
    values = {
        "type": kind,
        "text": text,
        "prefix": "",
        "suffix": "",
        "occurrence": None,
        "all": False,
        "id": "",
        "target": "",
        "note": "A note.",
        "position": Position("content/articles/a.yaml", 7, 5),
        "text_position": Position("content/articles/a.yaml", 8, 11),
    }
    values.update(fields)
    return AnnotationSpec(**values)


def article(*annotations: AnnotationSpec, body_starts_at: str = "President Xi") -> ArticleSpec:
    return ArticleSpec(
        slug="a",
        path="content/articles/a.yaml",
        source="seeds/a.txt",
        source_position=Position("content/articles/a.yaml", 1, 9),
        title="A",
        publisher="",
        date=None,
        original_url="",
        body_starts_at=body_starts_at,
        body_starts_at_position=Position("content/articles/a.yaml", 3, 17),
        annotations=annotations,
    )


def anchor(*annotations: AnnotationSpec, seed: str = SEED, **kw):
    return anchor_article(article(*annotations, **kw), TextFile("seeds/a.txt", seed))


def spans(result) -> list[tuple[str, str]]:
    anchored, problems = result
    assert not problems, [p.format() for p in problems]
    return [(p.id, anchored.body.text[p.start : p.end]) for p in anchored.places]


def test_body_starts_at_drops_headline_and_dateline():
    anchored, problems = anchor()
    assert not problems
    assert anchored.body.text.startswith("President Xi Jinping will head")
    assert "Adjust font size" not in anchored.body.text
    assert anchored.body.paragraphs[0].line == 3


def test_without_body_starts_at_the_whole_seed_is_body():
    anchored, _ = anchor(body_starts_at="")
    assert anchored.body.text == SEED
    assert len(anchored.body.paragraphs) == 5  # the blank line is not a paragraph


def test_missing_body_start_is_an_error_with_the_closest_passage():
    anchored, problems = anchor(body_starts_at="President Xi Jinpin will lead")
    assert anchored is None
    assert problems[0].position.line == 3
    assert "not found" in problems[0].message
    assert 'closest passage (line 3): "President Xi Jinping will' in problems[0].hint


def test_white_space_and_curly_quotes_match_but_the_page_keeps_the_seed_characters():
    result = anchor(annotation('"clean and chipper" cyberspace'))
    assert spans(result) == [
        ("note-clean-and-chipper-cyberspace", "\u201cclean and  chipper\u201d cyberspace")
    ]


def test_text_across_a_line_break_matches_any_white_space():
    result = anchor(annotation("will head the group. Xi said"))
    assert spans(result)[0][1] == "will head the group.\nXi said"


def test_ambiguous_text_lists_every_place():
    _, problems = anchor(annotation("informatization"))
    assert len(problems) == 1
    message = problems[0]
    assert "ambiguous: it occurs 2 times" in message.message
    assert "occurrence: N" in message.hint
    assert "line 4" in message.hint and "line 6" in message.hint
    assert message.position == Position("content/articles/a.yaml", 8, 11)


def test_occurrence_prefix_and_suffix_disambiguate():
    result = anchor(
        annotation("informatization", occurrence=2, id="second"),
        annotation("Xi", kind="mention", target="xi", suffix="said \u201cclean", note=""),
    )
    found = spans(result)
    assert ("second", "informatization") in found
    anchored, _ = result
    xi = next(p for p in anchored.places if p.type == "mention")
    assert anchored.body.text[xi.start :].startswith("Xi said \u201cclean")


def test_prefix_that_fits_nowhere_is_an_error():
    _, problems = anchor(annotation("informatization", prefix="nothing like this"))
    assert "no place fits its `prefix`/`suffix`" in problems[0].message


def test_occurrence_out_of_range():
    _, problems = anchor(annotation("informatization", occurrence=3))
    assert "`occurrence: 3` but only 2 place(s) fit" in problems[0].message


def test_all_annotates_every_place_with_numbered_ids():
    result = anchor(annotation("informatization", kind="term", target="i", all=True, note=""))
    assert spans(result) == [
        ("term-informatization", "informatization"),
        ("term-informatization-2", "informatization"),
    ]


def test_xi_never_matches_inside_xinhua_nor_li_inside_liu():
    result = anchor(annotation("Li", kind="mention", target="li", note=""))
    assert spans(result) == [("mention-li", "Li")]
    _, problems = anchor(annotation("Xi", kind="mention", target="xi", note=""))
    assert "occurs 3 times" in problems[0].message  # three words "Xi", never "Xinhua"


def test_text_not_found_names_the_closest_passage_and_never_fuzzy_matches():
    anchored, problems = anchor(annotation("President Xi Jinping will lead the group"))
    assert anchored is not None and anchored.places == ()
    assert "note text not found in seeds/a.txt" in problems[0].message
    assert "closest passage (line 3)" in problems[0].hint


def test_derived_ids_do_not_depend_on_other_annotations():
    alone = spans(anchor(annotation("informatization", occurrence=2)))
    with_other = spans(
        anchor(annotation("head the group"), annotation("informatization", occurrence=2))
    )
    assert alone[0] in with_other
    assert alone[0][0] == "note-informatization-2"


def test_same_id_twice_is_an_error():
    _, problems = anchor(annotation("head the group", id="x"), annotation("Li", id="x"))
    assert "the id `x` is already used" in problems[0].message


def test_nested_and_crossing_spans_are_kept_in_document_order():
    result = anchor(
        annotation("Xi said informatization matters"),
        annotation("informatization", occurrence=1, kind="term", target="i", note=""),
        annotation("matters. Xinhua reported"),
    )
    assert [text for _, text in spans(result)] == [
        "Xi said informatization matters",
        "informatization",
        "matters. Xinhua reported",
    ]


def test_crlf_seed_anchors_and_paragraphs_exclude_the_carriage_return():
    seed = "Title\r\nPresident Xi Jinping will head the group.\r\nLi agreed.\r\n"
    anchored, problems = anchor(annotation("head the group. Li"), seed=seed)
    assert not problems
    assert [anchored.body.text[p.start : p.end] for p in anchored.body.paragraphs] == [
        "President Xi Jinping will head the group.",
        "Li agreed.",
    ]


def test_cjk_and_combining_text():
    seed = "努力把我国建设成为网络强国。Zho\u0304u said so.\n"
    anchored, problems = anchor(
        annotation("网络强国", kind="term", target="c", note=""),
        annotation("Zh\u014du said", kind="note"),
        seed=seed,
        body_starts_at="",
    )
    assert not problems
    texts = [anchored.body.text[p.start : p.end] for p in anchored.places]
    assert texts == ["网络强国", "Zho\u0304u said"]


def test_split_body_keeps_line_numbers():
    body, first_line = split_body("a\nb\n\nc\n", 2)
    assert first_line == 2
    assert [p.line for p in body.paragraphs] == [2, 4]
