"""Property tests: for any text and any set of nested or crossing spans, the article markup is
well-formed HTML whose text is the source, and each annotation's fragments cover exactly its span."""

from __future__ import annotations

from htmlcheck import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.anchor import anchor_article, split_body
from site_builder.errors import Position
from site_builder.load import TextFile
from site_builder.markup import SpanStyle, annotate_paragraph
from site_builder.model import AnnotationSpec, ArticleSpec, Place

PIECES = [
    "a",
    "b",
    "Xi",
    "Li",
    " ",
    "  ",
    "\n",
    "\r\n",
    "网",
    "络",
    "e\u0301",
    '"',
    "\u201c",
    "\u201d",
    "&",
    "<",
    "'",
]
TYPES = ("quote", "mention", "term", "note")
STYLE = SpanStyle(href=lambda p: f"../../x/{p.target}/index.html", note_numbers={})

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map("".join)


@st.composite
def texts_with_spans(draw: st.DrawFn) -> tuple[str, list[Place]]:
    text = draw(texts)
    count = draw(st.integers(0, 8))
    places = []
    for n in range(count):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        kind = draw(st.sampled_from(TYPES))
        places.append(Place(f"a{n}", kind, start, end, "t" if kind != "note" else "", ""))
    places.sort(key=lambda p: (p.start, -p.end, p.id))
    return text, places


def render_body(text: str, places: list[Place]) -> tuple[list[str], list[tuple[int, int]]]:
    body, _ = split_body(text, 0)
    opened: set[str] = set()
    htmls, bounds = [], []
    for paragraph in body.paragraphs:
        here = [p for p in places if p.start < paragraph.end and paragraph.start < p.end]
        htmls.append(
            str(annotate_paragraph(text, paragraph.start, paragraph.end, here, STYLE, opened))
        )
        bounds.append((paragraph.start, paragraph.end))
    return htmls, bounds


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts_with_spans())
def test_markup_is_well_formed_and_keeps_the_text(case):
    text, places = case
    htmls, bounds = render_body(text, places)
    document = "".join(f"<p>{h}</p>" for h in htmls)
    reader = parse(document)
    assert not reader.problems
    paragraphs = [e for e in reader.elements if e.tag == "p"]
    assert [p.text for p in paragraphs] == [text[s:e] for s, e in bounds]
    for place in places:
        expected = "".join(text[max(place.start, s) : min(place.end, e)] for s, e in bounds)
        fragments = [e for e in reader.elements if e.attrs.get("data-annotation-id") == place.id]
        assert "".join(f.text for f in fragments) == expected
        with_id = [e for e in reader.elements if e.attrs.get("id") == place.id]
        assert len(with_id) == (1 if expected else 0)
        assert all(f.attrs["data-annotation-type"] == place.type for f in fragments)
    links = [e for e in reader.elements if e.tag == "a"]
    for link in links:  # links never nest
        assert not any(d.tag == "a" for d in _descendants(link))


def _descendants(element):
    for child in element.children:
        yield child
        yield from _descendants(child)


def _spec(text: str) -> AnnotationSpec:
    where = Position("content/articles/a.yaml", 5, 9)
    return AnnotationSpec("note", text, "", "", None, False, "", "", "n", where, where)


WORDS = st.sampled_from(
    [
        "Xi",
        "Li",
        "cyber",
        "power",
        "网络强国",
        "Zho\u0304u",
        "\u201cclean\u201d",
        "it\u2019s",
        "and",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=2, max_size=25), st.data())
def test_a_unique_passage_anchors_to_its_own_characters(words, data):
    separators = data.draw(
        st.lists(
            st.sampled_from([" ", "  ", "\n", "\r\n", " \n "]),
            min_size=len(words),
            max_size=len(words),
        )
    )
    offsets, seed = [], ""
    for word, separator in zip(words, separators, strict=True):
        offsets.append((len(seed), len(seed) + len(word)))
        seed += word + separator
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    # The editor types the passage with single spaces and straight quotes.
    typed = (
        " ".join(words[i:j]).replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    )
    spec = ArticleSpec(
        "a",
        "content/articles/a.yaml",
        "seeds/a.txt",
        Position("x"),
        "A",
        "",
        None,
        "",
        "",
        Position("x"),
        (_spec(typed),),
    )
    anchored, problems = anchor_article(spec, TextFile("seeds/a.txt", seed))
    assert anchored is not None
    if problems:  # only when the passage occurs more than once
        assert [p.message for p in problems] == [
            p.message for p in problems if "ambiguous" in p.message
        ]
        return
    (place,) = anchored.places
    assert (place.start, place.end) == (offsets[i][0], offsets[j - 1][1])
