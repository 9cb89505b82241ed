"""The Markdown fast path gives exactly what markdown-it's general path gives.

`markup._simple_markdown` renders paragraphs and tight `- ` lists of text, emphasis, links
and quotation marks without markdown-it's token machinery. The oracle is the general
path as `MarkdownRenderer` ran it before the fast path was added: markdown-it's parse, its
renderer with our `text` rule (escaping and CJK marking), and `_inline_text` for the plain
text. Sources are drawn from pieces rich in what changes the parse (delimiters in and
around words, brackets, URLs markdown-it refuses or rewrites, line starts that open blocks,
blank lines, Unicode spaces, tabs, CR, quotes, CJK), so a fast path that answered
differently for a source it accepts would fail; a second strategy builds sources the fast
path must accept, so that it is shown to be taken, not only to be safe.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import markup, parallel
from site_builder.markup import MarkdownRenderer, _inline_text

R = TypeVar("R")


@functools.cache
def _renderer(lang: str) -> MarkdownRenderer:
    return MarkdownRenderer(lang)


def _reference(source: str, lang: str = markup.DEFAULT_CJK_LANG) -> tuple[str, str]:
    """HTML and plain text by the general path, as `render_all` had them before."""
    md = _renderer(lang)._md
    tokens = md.parse(source, {})
    html_text = md.renderer.render(tokens, md.options, {})
    return html_text, " ".join("".join(_inline_text(tokens)).split())


def _fast(source: str, lang: str = markup.DEFAULT_CJK_LANG) -> tuple[str, str] | None:
    return markup._simple_markdown(source, lang, _renderer(lang)._md)


# ---------------------------------------------------------------- strategies

_WORDS = st.sampled_from(
    ["a", "Xi", "of", "2014", "45.8", "中文", "网络安全", "é", "ß", "x1", "Ünïcode", "\uff58"]
)
_NOISE = st.sampled_from(
    [
        *"*_[]()!-+#=~|.,:;?/'\"`<>&\\",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n\n\n",
        "- ",
        "-  ",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "> ",
        "# ",
        "***",
        "---",
        "___",
        "===",
        "```",
        "    ",
        "\t",
        "\r",
        "\r\n",
        "\x00",
        "\x01",
        "\u3000",
        "\xa0",
        "\u2003",
        "\x1c",
        "\x85",
        "\ufeff",
        "\uff0c",
        "。",
        "“",
        "\u2019",
        "®",
        "...",
        "**",
        "__",
        "](",
        "![",
        "&amp;",
        "&copy",
        "[x]: /u",
        "<b>",
        "<https://a.b>",
    ]
)
_URLS = st.sampled_from(
    [
        "https://example.org/sources/n412-5",
        "https://en.wikipedia.org/wiki/Public_opinion_guidance",
        "http://cpc.people.com.cn/xuexi/n/2014/1120/c385475-26061137-2.html",
        "https://EXAMPLE.org/A~b/",
        "HTTPS://example.org/",
        "https://example.org",
        "https://xn--fiq228c.com/a",
        "https://中文.com/a",
        "https://example.org/a%20b",
        "https://example.org/a%zz",
        "https://example.org/a?b=c#d",
        "https://example.org/a b",
        "/relative/path",
        "#anchor",
        "mailto:someone@example.org",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:x",
        "file:///etc/passwd",
        "data:text/html,x",
        "data:image/png;base64,AAAA",
        "a" * 70 + ".org/x",
        "https://" + "b" * 64 + ".org/",
        "https://" + ".".join(["c" * 63] * 5) + "/",
        "x'y",
        "é",
    ]
)


@st.composite
def _spans(draw: st.DrawFn) -> str:
    """Emphasis or a link around a few words, perhaps with noise in it."""
    inner = draw(st.lists(st.one_of(_WORDS, _WORDS, _NOISE), min_size=1, max_size=4))
    text = " ".join(inner) if draw(st.booleans()) else "".join(inner)
    kind = draw(st.sampled_from(["*", "**", "_", "__", "***", "link", "image"]))
    if kind == "link":
        return f"[{text}]({draw(_URLS)})"
    if kind == "image":
        return f"![{text}]({draw(_URLS)})"
    return f"{kind}{text}{kind}"


_PIECES = st.one_of(_WORDS, _WORDS, _WORDS, _NOISE, _NOISE, _spans())
_SOURCES = st.lists(_PIECES, max_size=40).map(lambda pieces: "".join(pieces))
_SPACED_SOURCES = st.lists(_PIECES, max_size=30).map(lambda pieces: " ".join(pieces))


@st.composite
def _simple_sources(draw: st.DrawFn) -> str:
    """Sources of the kind editors write, which the fast path must take."""
    word = _WORDS.filter(lambda w: w.isalnum())

    def phrase() -> str:
        return " ".join(draw(st.lists(word, min_size=1, max_size=4)))

    def inline() -> str:
        parts: list[str] = []
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["words", "em", "strong", "link", "quoted", "apostrophe"]))
            if kind == "em":
                delimiter = draw(st.sampled_from(["*", "_"]))
                parts.append(f"{delimiter}{phrase()}{delimiter}")
            elif kind == "strong":
                parts.append(f"**{phrase()}**")
            elif kind == "link":
                parts.append(f"[{phrase()}]({draw(_URLS.filter(_is_valid_plain))})")
            elif kind == "quoted":
                parts.append(f'"{phrase()}"')
            elif kind == "apostrophe":
                parts.append(f"{phrase()}'s")
            else:
                parts.append(phrase())
        return " ".join(parts) + draw(st.sampled_from(["", ".", ",", ";", "?"]))

    blocks: list[str] = []
    last_was_list = False
    for _ in range(draw(st.integers(1, 4))):
        if not last_was_list and draw(st.booleans()):
            items = [inline() for _ in range(draw(st.integers(1, 3)))]
            # An item such as `2014.` is an ordered list in the bullet list: not simple.
            blocks.append("\n".join(f"- {'in ' * item[0].isdigit()}{item}" for item in items))
            last_was_list = True
        else:
            lines = draw(st.integers(1, 3))
            blocks.append("\n".join(f"The {inline()}" for _ in range(lines)))
            last_was_list = False
    return "\n\n".join(blocks) + draw(st.sampled_from(["", "\n", "\n\n"]))


@st.composite
def _near_misses(draw: st.DrawFn) -> str:
    """A source the fast path takes, with a little noise put in: its edge, closely."""
    source = draw(_simple_sources())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(source)))
        source = source[:at] + draw(st.one_of(_NOISE, _spans())) + source[at:]
    return source


def _is_valid_plain(url: str) -> bool:
    """A URL markdown-it makes a link of, with nothing in it the fast path declines."""
    md = _renderer(markup.DEFAULT_CJK_LANG)._md
    return (
        md.validateLink(md.normalizeLink(url))
        and not any(ch in url for ch in " &'()~")
        and url.isascii()
    )


# ---------------------------------------------------------------- properties


@settings(max_examples=2000, deadline=None)
@given(_SOURCES)
def test_fast_path_agrees_with_markdown_it(source: str) -> None:
    fast = _fast(source)
    if fast is not None:
        assert fast == _reference(source)


@settings(max_examples=1000, deadline=None)
@given(_SPACED_SOURCES)
def test_fast_path_agrees_with_markdown_it_on_spaced_pieces(source: str) -> None:
    # Pieces apart, as words are: emphasis and links stand where they are accepted.
    fast = _fast(source)
    if fast is not None:
        assert fast == _reference(source)


@settings(max_examples=1500, deadline=None)
@given(_near_misses())
def test_fast_path_agrees_with_markdown_it_near_what_it_takes(source: str) -> None:
    fast = _fast(source)
    if fast is not None:
        assert fast == _reference(source)


@settings(max_examples=1000, deadline=None)
@given(_simple_sources())
def test_fast_path_takes_what_editors_write(source: str) -> None:
    fast = _fast(source)
    assert fast is not None, source
    assert fast == _reference(source)


@settings(max_examples=300, deadline=None)
@given(_simple_sources(), st.sampled_from(["ja", "zh-Hant", 'x"<y']))
def test_fast_path_marks_cjk_with_the_language_asked(source: str, lang: str) -> None:
    assert _fast(source, lang) == _reference(source, lang)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(markup._PLAIN_URL, fullmatch=True))
def test_plain_urls_are_what_markdown_it_writes(url: str) -> None:
    md = markup._markdown_it()
    assert md.normalizeLink(url) == url
    assert md.validateLink(url)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_SOURCES, _simple_sources()), max_size=6))
def test_renderer_gives_the_general_paths_output(sources: list[str]) -> None:
    """`render`, `plain` and `render_all` each give the general path's answer."""
    one_by_one = MarkdownRenderer()
    ahead = MarkdownRenderer()
    ahead.render_all(sources, 1)
    for source in sources:
        html_text, text = _reference(source)
        assert one_by_one.plain(source) == text
        assert one_by_one.render(source) == html_text
        assert ahead.render(source) == html_text
        assert ahead.plain(source) == text


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize(
    "source",
    [
        "The *203 clinics of the provincial project* limits the rapid industry of the office."
        " See the [fiscal district record](https://example.org/sources/n412-5) for the"
        " **provincial** details.\n",
        "The *thavexcor principle* improves the reform. See the [late schedule record]"
        "(https://example.org/sources/thavexcor-principle-n) for the **central** details.\n\n"
        "- regional programme\n- open office\n",
        "Xinhua's rendering of 清朗, \"clear and bright\", as in the readout's\n"
        '使网络空间清朗起来, "make cyberspace clear and bright".\n',
        "areas ([TechNode summary](https://technode.com/2014/01/16/cnnic/)); the\n"
        "[Lexicon entry](https://digichina.stanford.edu/work/lexicon/) on the term.\n",
        "'Single' quotes, 1'' and 2\"\", \"nested 'quotes' here\" and \"*quoted em*\".\n",
        "A [label over\ntwo lines](https://example.org/a) and *emphasis over\ntwo lines*.\n",
        "Paragraph one.\n\n\n\nParagraph two, (_aside_) and __strong__!\n",
        "\"[a quoted link](https://example.org/q)\" and '*quoted emphasis*', and\n"
        'a [label "with" quotes](https://example.org/q) "opened before, closed\n'
        "on the next line\"; 'a quote over [a link's](https://example.org/) end'.\n",
    ],
)
def test_fast_path_takes_the_notes_editors_write(source: str) -> None:
    fast = _fast(source)
    assert fast is not None
    assert fast == _reference(source)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n\n",
        "a\\*b",
        "a `code` b",
        "a <b>bold</b>",
        "a &amp; b",
        "![image](https://example.org/a.png)",
        "[x](javascript:alert(1))",
        "snake_case",
        "a*b*c",
        "*a **b** c*",
        "[a *b*](https://example.org/)",
        "# Heading",
        "1. one",
        "- a\n\n- b",
        "- a\nlazy",
        "text\n- list",
        "text\n===",
        "    code",
        "a  \nb",
        "a\tb",
        "[ref]: https://example.org/",
        "[ref]\n\n[ref]: https://example.org/",
        "a\u3000",
    ],
)
def test_fast_path_leaves_the_rest_to_markdown_it(source: str) -> None:
    assert _fast(source) is None


def test_other_space_is_every_space_but_a_space_and_a_newline() -> None:
    # The fast path declines any white space markdown-it might strip or weigh; Python's
    # `isspace` holds all of CommonMark's (Unicode Zs, tab, CR, form feed, vertical tab).
    every = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    matched = {ch for ch in every if markup._NOT_SIMPLE.search(ch)}
    assert matched == every - {" ", "\n"}


def test_bench_counts_plain_and_fast_sources() -> None:
    from bench.markdown import report

    lines = report(["Bare text.\n", "Some *emphasis*.\n", "Some `code`.\n"], repeat=1)
    assert lines[:3] == [
        "sources: 3",
        "plain (one <p> of bare text): 1 (33.3%)",
        "fast path: 2 (66.7%)",
    ]


def test_render_all_forks_for_what_the_fast_path_declines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sources the fast path declines go to worker processes, the rest are done here."""
    monkeypatch.setattr(markup, "_FORK_PARSES_AT", 2)
    forked: list[list[str]] = []

    def fork_map(function: Callable[[str], R], items: list[str], jobs: int) -> list[R] | None:
        forked.append(list(items))
        return parallel.fork_map(function, items, jobs)

    monkeypatch.setattr(markup, "fork_map", fork_map)
    parsed = ["# Heading\n", "a `code` span\n", "1. one\n2. two\n"]
    simple = ["Plain *emphasis* and [a link](https://example.org/a).\n", "- one\n- two\n"]
    renderer = MarkdownRenderer()
    renderer.render_all([*parsed, *simple, *parsed], jobs=2)
    assert forked == [sorted(parsed)]
    for source in [*parsed, *simple]:
        html_text, text = _reference(source)
        assert renderer.render(source) == html_text
        assert renderer.plain(source) == text
