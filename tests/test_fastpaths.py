"""The fast paths give exactly what the general code they stand in for gives.

Each `_reference_*` below is the general code as it was before its fast path was added,
kept here verbatim as the oracle. Inputs are drawn from alphabets that mix what each
fast path skips (ASCII, lone spaces, NFC text, values with nothing to escape) with what
sends it down the general path (runs of mixed white space, typographic quotes,
decomposed accents, CJK, `<&"'`), so a fast path that answered differently would fail.
"""

from __future__ import annotations

import collections
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from site_builder import export, markup, pages, render, schema, templating, textmatch, urls
from site_builder.anchor import _ends_with_before_space, _starts_with_after_space
from site_builder.markup import SpanStyle, annotate_paragraph, highlight
from site_builder.model import Place
from site_builder.render import make_environment
from site_builder.textmatch import NormalizedText

# ---------------------------------------------------------------- reference implementations

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_WHITESPACE_RUN = re.compile(r"\s+")


def _reference_normalize(text: str) -> NormalizedText:
    if unicodedata.is_normalized("NFC", text):
        pieces = _reference_whitespace_pieces(text)
    else:
        pieces = textmatch._changed_pieces(text)
    out: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    groups: list[tuple[int, int]] = []
    position = 0
    length = 0
    for start, end, replacement in pieces:
        out.append(text[position:start])
        length += start - position
        out.append(replacement)
        breaks.append(length)
        shifts.append(start - length)
        if len(replacement) > 1:
            groups.append((length, length + len(replacement)))
        length += len(replacement)
        breaks.append(length)
        shifts.append(end - length)
        position = end
    out.append(text[position:])
    return NormalizedText(
        "".join(out).translate(_QUOTES), tuple(breaks), tuple(shifts), tuple(groups)
    )


def _reference_whitespace_pieces(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _WHITESPACE_RUN.finditer(text):
        if m.group() != " ":
            yield m.start(), m.end(), " "


def _reference_normalize_needle(text: str) -> str:
    return _reference_normalize(text).text.strip()


def _reference_is_spaced_word_char(ch: str) -> bool:
    return (ch.isalnum() or unicodedata.combining(ch) > 0) and not textmatch._is_cjk(ch)


def _reference_slugify(text: str, max_words: int = 0) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[^\W_]+", folded.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words)


def _reference_fields_not_allowed(kind: str) -> tuple[str, ...]:
    foreign = [name for name, owner in schema.TYPE_ONLY_FIELDS.items() if owner != kind]
    if kind not in schema.NOTE_TYPES:
        foreign.append("note")
    return tuple(foreign)


def _reference_attributes(attrs: list[tuple[str, str]]) -> str:
    return " ".join(f'{name}="{escape(value)}"' if value else name for name, value in attrs)


# ---------------------------------------------------------------- inputs

# Every kind of white space `\s` matches, ASCII and not, including the separators
# (\x1c-\x1f) that `str.isspace` counts and a naive `[ \t\n]` would miss.
WHITE_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2007\u2028\u2029\u202f\u3000"
QUOTES = "\u201c\u201d\u2018\u2019\"'"
MARKS = "\u0301\u0304\u0308\u0327"  # combining: acute, macron, diaeresis, cedilla
LETTERS = "abzAZ09_-.,é\u014dñß\ufb01\u00bd\u2460中文한Ωд"
# Decomposed Hangul (initial, vowel, final jamo) and a Bengali two-part vowel sign's halves.
JAMO_AND_VOWEL_SIGNS = "\u1112\u1161\u11ab\u0995\u09c7\u09be"
HTML = "<>&\"'"

texts = st.text(alphabet=WHITE_SPACE + QUOTES + MARKS + LETTERS + JAMO_AND_VOWEL_SIGNS, max_size=40)
ascii_texts = st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1fab09_-.,'\"", max_size=40)
spaced_texts = st.text(alphabet=" ab.", max_size=40)  # only lone and repeated spaces


def _same_normalization(text: str) -> None:
    fast, general = textmatch.normalize(text), _reference_normalize(text)
    assert (fast.text, fast.breaks, fast.shifts, fast.groups) == (
        general.text,
        general.breaks,
        general.shifts,
        general.groups,
    )
    for offset in range(len(fast.text) + 1):
        assert fast.to_original(offset) == general.to_original(offset)
        assert fast.to_original_end(offset) == general.to_original_end(offset)


# ---------------------------------------------------------------- textmatch


@given(texts)
@settings(max_examples=400)
def test_normalize_matches_the_general_loop(text: str) -> None:
    _same_normalization(text)


@given(st.one_of(ascii_texts, spaced_texts))
@settings(max_examples=300)
def test_normalize_matches_the_general_loop_on_ascii_and_lone_spaces(text: str) -> None:
    _same_normalization(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "  ",
        "a b",
        "a  b",
        " a ",
        "a \tb",
        "a\t b",
        "a\t\t b",
        "a \u00a0 b",
        "\n\nA\r\n\r\nb \n",
        "a\x1cb",  # a separator that `str.isspace` counts
        "\u201cquoted\u201d  and\n\u2018single\u2019",
        "Zho\u0304u  Enlai\n",  # not NFC: the general loop
    ],
)
def test_normalize_matches_the_general_loop_on_edge_cases(text: str) -> None:
    _same_normalization(text)


def test_the_runs_collapsed_are_exactly_the_runs_that_are_not_one_space() -> None:
    for code in range(0x3100):
        ch = chr(code)
        for text in (f"a{ch}b", f"a {ch}b", f"a{ch} b", f"a{ch}{ch}b"):
            general = [m.span() for m in _WHITESPACE_RUN.finditer(text) if m.group() != " "]
            assert [m.span() for m in textmatch._RUN_TO_COLLAPSE.finditer(text)] == general


@given(st.one_of(texts, ascii_texts, spaced_texts))
@settings(max_examples=400)
def test_normalize_needle_matches_the_general_path(text: str) -> None:
    assert textmatch.normalize_needle(text) == _reference_normalize_needle(text)


def test_every_white_space_character_splits_needles_as_it_collapses_in_text() -> None:
    for code in range(0x110000):
        ch = chr(code)
        if ch.isspace() or _WHITESPACE_RUN.fullmatch(ch):
            needle = f" a{ch}{ch}b{ch}"
            assert textmatch.normalize_needle(needle) == _reference_normalize_needle(needle)


@given(st.characters())
@settings(max_examples=500)
def test_cached_word_char_test_matches_the_rule(ch: str) -> None:
    assert textmatch.is_spaced_word_char(ch) == _reference_is_spaced_word_char(ch)
    assert textmatch.is_spaced_word_char(ch) == _reference_is_spaced_word_char(ch)  # cached


@given(st.one_of(texts, ascii_texts), st.integers(min_value=0, max_value=4))
@settings(max_examples=400)
def test_slugify_matches_the_general_path(text: str, max_words: int) -> None:
    assert urls.slugify(text, max_words) == _reference_slugify(text, max_words)
    assert urls.slugify(text, max_words) == _reference_slugify(text, max_words)  # cached


@pytest.mark.parametrize(
    "text", ["Xi Jinping", "Zhōu Ēnlái", "Zho\u0304u", "ﬁnance ½", "習近平", "--", "a_b", ""]
)
def test_slugify_on_ascii_and_non_ascii_names(text: str) -> None:
    for max_words in (0, 1, 4):
        assert urls.slugify(text, max_words) == _reference_slugify(text, max_words)


# ---------------------------------------------------------------- schema


@pytest.mark.parametrize("kind", [*schema.ANNOTATION_TYPES, "quotes", "", "Term"])
def test_fields_not_allowed_matches_the_rule(kind: str) -> None:
    names = tuple(f.name for f in schema.fields_not_allowed(kind))
    assert names == _reference_fields_not_allowed(kind)


# ---------------------------------------------------------------- anchor


@given(st.one_of(texts, ascii_texts), st.data())
@settings(max_examples=400)
def test_context_checks_match_slicing_and_stripping(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    context = data.draw(st.text(alphabet="ab \u201c\n", min_size=1, max_size=4))
    for candidate in (context, text[max(0, at - 3) : at].strip() or "a", text[at : at + 3] or "b"):
        assert _ends_with_before_space(text, at, candidate) == text[:at].rstrip().endswith(
            candidate
        )
        assert _starts_with_after_space(text, at, candidate) == text[at:].lstrip().startswith(
            candidate
        )


# ---------------------------------------------------------------- markup

values = st.text(alphabet="ab-./" + HTML + "é中", max_size=12)


@given(st.lists(st.tuples(st.sampled_from(["id", "class", "href"]), values), max_size=5))
@settings(max_examples=300)
def test_attributes_match_escaping_every_value(attrs: list[tuple[str, str]]) -> None:
    rendered = " ".join(markup._attribute(name, value) for name, value in attrs)
    assert rendered == _reference_attributes(attrs)


def test_attribute_leaves_markup_unescaped_as_escape_does() -> None:
    assert markup._attribute("href", Markup("a&amp;b")) == 'href="a&amp;b"'


@given(values, values, values)
@settings(max_examples=300)
def test_highlight_matches_markup_format(before: str, text: str, after: str) -> None:
    expected = Markup("{}<mark>{}</mark>{}").format(before, text, after)
    assert highlight(before, text, after) == expected
    assert isinstance(highlight(before, text, after), Markup)


def test_highlight_keeps_markup_arguments_as_markup_format_does() -> None:
    parts = (Markup("<b>x</b>"), "a<b", Markup("&amp;"))
    assert highlight(*parts) == Markup("{}<mark>{}</mark>{}").format(*parts)


PLAIN_STYLE = SpanStyle(href=lambda place: "../../people/x/index.html")


@given(st.text(alphabet="ab <&>\"'\u201d", max_size=30), st.data())
@settings(max_examples=300)
def test_a_paragraph_without_places_is_written_as_the_general_loop_writes_it(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(min_value=0, max_value=len(text)))
    end = data.draw(st.integers(min_value=start, max_value=len(text)))
    outside = Place("far", "mention", len(text) + 5, len(text) + 9, "x", "")
    empty = Place("empty", "mention", start, start, "x", "")  # zero length: never marked up
    # The general loop, for one piece of text with nothing open and nothing pending.
    expected = "" if start == end else html.escape(text[start:end], quote=False)
    for places in ([], [outside, empty]):
        written = annotate_paragraph(text, start, end, places, PLAIN_STYLE, set())
        assert written == expected
        assert isinstance(written, Markup)


# ---------------------------------------------------------------- export

_json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),  # left to json.dumps whole
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.text(alphabet='a"\\\n\t\x00\x1f\u2028\u201c中', max_size=8),
)
_json_values = st.recursive(
    _json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(alphabet='ab"\\\n中', max_size=4), inner, max_size=4),
        st.dictionaries(st.integers(), inner, min_size=1, max_size=2),  # keys json converts
    ),
    max_leaves=20,
)


@given(_json_values)
@settings(max_examples=400)
def test_indented_json_is_what_json_dumps_writes(value: object) -> None:
    assert export.indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_indented_json_nests_empty_containers_as_json_dumps_does() -> None:
    value = {"a": [], "b": {}, "c": [[], {}, [{"d": ()}]], "": [True, False, None, -3]}
    assert export.indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- templating

_printed = st.one_of(
    st.text(alphabet="ab <&>\"'中\u201d", max_size=12),
    st.text(alphabet="ab <&>\"'中\u201d", max_size=12).map(Markup),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
)


@given(_printed)
@settings(max_examples=400)
def test_escape_output_prints_what_escape_prints(value: object) -> None:
    assert templating.escape_output(value) == str(escape(value))


def test_escape_output_raises_on_an_undefined_value_as_escape_does() -> None:
    undefined = jinja2.StrictUndefined(name="misspelt")
    with pytest.raises(jinja2.UndefinedError) as general:
        escape(undefined)
    with pytest.raises(jinja2.UndefinedError) as fast:
        templating.escape_output(undefined)
    assert str(fast.value) == str(general.value)


# Names a dict answers as attributes (its methods, `__class__`) mixed with plain keys.
_NAMES = ["href", "title", "items", "keys", "get", "values", "copy", "__class__", "__len__", ""]


def _jinja_getattr(obj: object, name: str) -> object:
    return jinja2.Environment().getattr(obj, name)


def _same_value(fast: object, general: object) -> None:
    if isinstance(general, jinja2.Undefined):
        assert type(fast) is type(general)
        assert (fast._undefined_obj, fast._undefined_name) == (  # type: ignore[attr-defined]
            general._undefined_obj,
            general._undefined_name,
        )
    else:
        assert fast == general


@given(
    st.dictionaries(st.sampled_from(_NAMES), st.integers(), max_size=6),
    st.sampled_from([*_NAMES, "missing"]),
)
@settings(max_examples=400)
def test_getattr_reads_a_dict_as_jinja_reads_it(value: dict[str, int], name: str) -> None:
    env = templating.SiteEnvironment()
    for obj in (value, collections.OrderedDict(value), pages.Section("k", (value,), 1)):
        _same_value(env.getattr(obj, name), _jinja_getattr(obj, name))


_THEME_LIKE = {
    "page.html": (
        '{% from "m.html" import wrap %}'
        "{{ a }}|{{ b.href }}|{{ b.items }}|{{ b.title|default('-') }}|{{ a ~ b.href }}\n"
        "{% set s %}{{ a }}<{{ b.href }}>{% endset %}{{ s }}|{{ s|length }}|{{ s|upper }}\n"
        "{{ wrap(a) }}{{ wrap(b.href)|lower }}{% for k in b %}{{ k }}={{ b[k] }};{% endfor %}\n"
        "{% if a %}{{ a|e }}{% endif %}{% autoescape false %}{{ a }}{% endautoescape %}"
        '{{ [a, b.href]|join(",") }}{% include "m.html" %}'
    ),
    "m.html": "{% macro wrap(x) %}[{{ x }}]{% endmacro %}{{ a }}",
}


@given(
    _printed,
    st.dictionaries(st.sampled_from(["href", "title", "items"]), _printed, max_size=3),
)
@settings(max_examples=300)
def test_a_template_renders_as_in_jinjas_own_environment(a: object, b: dict) -> None:
    options = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}
    loader = jinja2.DictLoader(_THEME_LIKE)
    fast = templating.SiteEnvironment(loader=loader, **options)
    general = jinja2.Environment(loader=loader, **options)
    b.setdefault("href", "x<y")
    context = {"a": a, "b": b}
    assert fast.get_template("page.html").render(context) == (
        general.get_template("page.html").render(context)
    )


def test_the_theme_prints_through_escape_output_and_reads_dicts_first() -> None:
    env = make_environment(Path(__file__).parent.parent)
    source = env.loader.get_source(env, "_occurrences.html")[0]  # type: ignore[union-attr]
    compiled = env.compile(source, raw=True)
    assert "environment.escape_output(" in compiled
    assert "escape(" not in compiled.replace("escape_output(", "")
    assert isinstance(env, templating.SiteEnvironment)


class _Callables:
    """Bound methods as templates call them: plain (the theme's words), marked, raising."""

    def plain(self, *args: object, **kwargs: object) -> str:
        return repr((args, sorted(kwargs.items())))

    @jinja2.pass_context
    def marked(self, context: jinja2.runtime.Context, name: str) -> str:
        return f"{name}={context.get(name)}"

    def stops(self) -> str:
        raise StopIteration


@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.StrictUndefined])
def test_calling_a_bound_method_gives_what_jinjas_own_context_gives(undefined: type) -> None:
    source = (
        '{{ o.plain("a", n=1, obj=3) }}|{{ o.marked("x") }}|{{ len([1, 2]) }}\n'
        '{% for x in ["<i>"] %}{{ o.plain(x) }}{{ o.marked("x") }}{{ loop.cycle("a", "b") }}'
        "{% endfor %}|{{ o.stops() is defined }}|{{ o.plain|string|length > 0 }}"
    )
    rendered = []
    for environment in (templating.SiteEnvironment, jinja2.Environment):
        env = environment(autoescape=True, undefined=undefined)
        page = env.from_string(source).render(o=_Callables(), x="<b>", len=len)
        rendered.append(page)
    assert rendered[0] == rendered[1]
    assert "&lt;i&gt;" in rendered[0] and "x=&lt;b&gt;" in rendered[0]


def _reference_cjk_filter(value: object, lang: str) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(markup.mark_cjk(str(escape(value)), lang))


@given(_printed)
@settings(max_examples=300)
def test_the_cjk_filter_marks_what_it_marked_through_escape(value: object) -> None:
    context = {"site": {"cjk_lang": "zh-Hant"}}
    fast = render._cjk_filter(context, value)  # type: ignore[arg-type]
    assert fast == _reference_cjk_filter(value, "zh-Hant")
    assert type(fast) is Markup
