"""Unit tests for annotated-text markup: nesting, crossing, fragments, escaping, Markdown."""

from __future__ import annotations

from htmlcheck import parse

from site_builder.markup import Attribution, MarkdownRenderer, SpanStyle, annotate_paragraph
from site_builder.model import Place

TEXT = 'Xi said "Efforts should be made to build a cyber power," at the <meeting> & more.'


def place(id_: str, kind: str, text: str, target: str = "", note: str = "", nth: int = 0) -> Place:
    start = TEXT.index(text) if not nth else TEXT.index(text, nth)
    return Place(id_, kind, start, start + len(text), target, note)


STYLE = SpanStyle(
    href=lambda p: f"../../{'people' if p.type == 'mention' else 'glossary'}/{p.target}/index.html",
    note_numbers={"n1": 1},
    attribution=lambda p: (
        Attribution("../../people/xi/index.html", "Xi Jinping") if p.type == "quote" else None
    ),
)


def render(*places: Place) -> str:
    ordered = sorted(places, key=lambda p: (p.start, -p.end, p.id))
    return str(annotate_paragraph(TEXT, 0, len(TEXT), ordered, STYLE, set()))


def fragments(html: str, ident: str) -> list:
    return [e for e in parse(html).elements if e.attrs.get("data-annotation-id") == ident]


def test_plain_text_is_escaped():
    html = render()
    assert "&lt;meeting&gt; &amp; more" in html
    assert parse(html).root.text == TEXT


def test_nested_term_inside_quote():
    html = render(
        place("q", "quote", "Efforts should be made to build a cyber power,", "xi"),
        place("t", "term", "cyber power", "cyber-power"),
    )
    reader = parse(html)
    assert not reader.problems
    (quote,) = fragments(html, "q")
    (term,) = fragments(html, "t")
    assert quote.tag == "q" and quote.attrs["id"] == "q" and quote.attrs["data-speaker"] == "xi"
    assert term.tag == "a" and term.attrs["href"] == "../../glossary/cyber-power/index.html"
    assert term in quote.children


def test_crossing_spans_split_into_fragments_with_one_id():
    html = render(
        place("n1", "note", 'said "Efforts', note="x"), place("q", "quote", "Efforts should", "xi")
    )
    reader = parse(html)
    assert not reader.problems
    quote = fragments(html, "q")
    assert len(quote) == 2
    assert [("id" in f.attrs) for f in quote] == [True, False]
    assert "".join(f.text for f in quote) == "Efforts should"
    (note,) = fragments(html, "n1")
    assert note.text.replace("Quotation by Xi Jinping", "") == 'said "Efforts'
    # A note is not the span's description: a screen reader would read all of it.
    assert "aria-describedby" not in note.attrs
    # The note's numbered link follows the span's end, outside every fragment.
    assert 'said "Efforts</span><q class="ann ann-quote" data-fragment' not in html
    refs = [e for e in reader.elements if e.attrs.get("class") == "note-ref"]
    assert [(r.attrs["href"], r.attrs["aria-label"], r.text) for r in refs] == [
        ("#note_n1", "Note 1", "1")
    ]
    assert html.index('href="#note_n1"') > html.index("Efforts")


def test_quote_attribution_comes_before_the_opening_quotation_mark():
    html = render(place("q", "quote", "Efforts should be made to build a cyber power,", "xi"))
    assert (
        'Xi said <a class="attribution" href="../../people/xi/index.html">'
        '<span class="visually-hidden">Quotation by </span>Xi Jinping</a>"<q class="ann ann-quote"'
        in html
    )
    assert ',</q>" at the' in html  # nothing is inserted after the quote: the sentence reads on


def test_a_quote_continued_from_an_earlier_paragraph_gets_no_second_attribution():
    quote = place("q", "quote", "Efforts should be made to build a cyber power,", "xi")
    middle = TEXT.index("build")
    html = str(annotate_paragraph(TEXT, middle, len(TEXT), [quote], STYLE, {"q"}))
    assert "attribution" not in html
    assert html.startswith('<q class="ann ann-quote" data-fragment')


def test_link_inside_link_becomes_a_span():
    html = render(place("m", "mention", "Xi said", "xi"), place("t", "term", "said", "s"))
    reader = parse(html)
    assert not reader.problems
    (inner,) = fragments(html, "t")
    assert inner.tag == "span"
    assert not any(
        e.tag == "a"
        for e in reader.elements
        if e is not fragments(html, "m")[0] and e in fragments(html, "m")[0].children
    )


def test_each_fragment_covers_exactly_its_span_for_many_overlaps():
    places = [
        place("a", "note", 'said "Efforts should', note="x"),
        place("b", "quote", "Efforts should be made", "xi"),
        place("c", "term", "should be", "s"),
        place("d", "mention", "be made to build", "p"),
        place("e", "note", "made", note="y"),
    ]
    html = render(*places)
    reader = parse(html)
    assert not reader.problems
    assert reader.root.text.replace("Quotation by Xi Jinping", "", 1) == TEXT
    for p in places:
        assert (
            "".join(f.text for f in fragments(html, p.id)).replace("Quotation by Xi Jinping", "")
            == TEXT[p.start : p.end]
        )


def test_markdown_is_safe():
    md = MarkdownRenderer()
    html = str(
        md.render("<script>alert(1)</script> [x](javascript:alert(1)) [y](JaVaScRiPt:1) *ok*")
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert "<em>ok</em>" in html


def test_markdown_renders_each_source_once():
    md = MarkdownRenderer()
    assert md.render("*a*") is md.render("*a*")


def test_render_all_renders_as_render_does_on_other_processes() -> None:
    sources = [
        f"Note {n} with *emphasis* and [a link](https://example.org/{n})." for n in range(40)
    ]
    sources += ["<script>alert(1)</script>", "[x](javascript:alert(1))", ""]
    ahead = MarkdownRenderer()
    ahead.render_all(sources, jobs=2)
    rendered_here = {s: MarkdownRenderer().render(s) for s in sources}
    assert {s: ahead.render(s) for s in sources} == rendered_here
    assert "<script>" not in "".join(rendered_here.values())
    assert 'href="javascript:' not in "".join(rendered_here.values())
