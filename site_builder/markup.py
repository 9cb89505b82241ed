"""HTML for annotated text and for editors' Markdown, used by the render stage.

Annotated text: spans may nest and cross, but HTML elements must nest. Each
paragraph is cut at every span boundary; at each cut the open elements are
closed down to what the next piece shares with the current one and the rest is
reopened. A span interrupted this way continues as another fragment with the
same `data-annotation-id`; only its first fragment carries the `id`.

Markdown: CommonMark with raw HTML off, so an editor's `<script>` shows as text,
and markdown-it's link validation, which refuses `javascript:`, `vbscript:`,
`file:` and `data:` URLs however they are cased or entity-encoded. Most notes are
paragraphs and lists of text, emphasis and links: `_simple_markdown` writes what
markdown-it would for those, at a fraction of the cost, and leaves it the rest.
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core.smartquotes import process_inlines
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

from .model import Place
from .parallel import fork_map
from .urls import note_id

_LINK_TYPES = ("mention", "term")
_OPENING_PUNCTUATION = "\"'\u201c\u2018\u00ab("
_HTML_SPECIAL = re.compile(r"[&<>\"']")
"""The characters `markupsafe.escape` replaces."""
DEFAULT_CJK_LANG = "zh-Hans"
_CJK_RUN = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f]+"
)
"""A run of Han characters, kana, bopomofo and the CJK punctuation and full-width forms
between them: what the site's `cjk_lang` applies to."""


@dataclass(frozen=True)
class Attribution:
    """The visible speaker link that goes with a quote."""

    href: str
    name: str


@dataclass
class _Open:
    place: Place
    tag: str


@dataclass(frozen=True)
class SpanStyle:
    """How the render stage wants spans marked up: link targets and note numbers."""

    href: Callable[[Place], str]
    """The page a mention or term links to."""
    note_numbers: dict[str, int] = field(default_factory=dict)
    """Annotation id -> its note's number, for annotations that carry a note."""
    attribution: Callable[[Place], Attribution | None] = lambda place: None
    cjk_lang: str = DEFAULT_CJK_LANG
    """The `lang` that runs of CJK text in the seed are marked with."""
    note_ref: str = "Note {n}"
    """What assistive technology says for a note's number (the theme's words, words.py)."""
    quotation_by: str = "Quotation by {name}"
    """What it says for a speaker's name: the words around `{name}` are heard, not shown."""


def annotate_paragraph(
    text: str,
    start: int,
    end: int,
    places: Sequence[Place],
    style: SpanStyle,
    opened: set[str],
) -> Markup:
    """Mark up body[start:end] with the places that overlap it.

    `opened` holds the ids whose first fragment was already written (in an
    earlier paragraph, for a span that runs over a paragraph break); it is
    updated so that each id is put on exactly one element.
    """
    inside = [p for p in places if p.start < end and start < p.end and p.start < p.end]
    if not inside:  # plain text, as the loop below would write it, without its bookkeeping
        return Markup(mark_cjk(html.escape(text[start:end], quote=False), style.cjk_lang))
    trailers = _trailers(text, start, end, inside, style)
    cuts = sorted(
        {
            start,
            end,
            *trailers,
            *(max(p.start, start) for p in inside),
            *(min(p.end, end) for p in inside),
        }
    )
    out: list[str] = []
    stack: list[_Open] = []
    pending: list[str] = []
    covering = _Covering(inside, start, end)
    for left, right in itertools.pairwise(cuts):
        pending.extend(trailers.get(left, ()))
        wanted = covering.at(left)
        _close_to(stack, wanted, out)
        if pending and not any(o.tag == "a" for o in stack):  # links cannot hold links
            out.extend(pending)
            pending.clear()
        for place in wanted[len(stack) :]:
            stack.append(_open(place, stack, style, opened, out))
        out.append(mark_cjk(html.escape(text[left:right], quote=False), style.cjk_lang))
    _close_to(stack, [], out)
    out.extend([*pending, *trailers.get(end, ())])
    return Markup("".join(out))


class _Covering:
    """The places that cover each piece between cuts, in the order of `inside`.

    Each piece asks for what covers it, left to right; a place joins at its start
    and leaves at its end, so a paragraph with thousands of places is not scanned
    once per piece.
    """

    def __init__(self, inside: Sequence[Place], start: int, end: int) -> None:
        self._inside = inside
        self._joining: dict[int, list[int]] = {}
        self._leaving: dict[int, list[int]] = {}
        for index, place in enumerate(inside):
            self._joining.setdefault(max(place.start, start), []).append(index)
            self._leaving.setdefault(min(place.end, end), []).append(index)
        self._active: list[int] = []  # indices into `inside`, sorted

    def at(self, left: int) -> list[Place]:
        """What covers the piece that begins at `left` (cuts asked in increasing order)."""
        for index in self._leaving.get(left, ()):
            del self._active[bisect.bisect_left(self._active, index)]
        for index in self._joining.get(left, ()):
            bisect.insort(self._active, index)
        return [self._inside[index] for index in self._active]


def _trailers(
    text: str, start: int, end: int, inside: Sequence[Place], style: SpanStyle
) -> dict[int, list[str]]:
    """What goes with an annotation: its note's numbered link, and a quote's speaker.

    The note number follows the span. The speaker goes before the quote, ahead of any
    opening quotation mark, so a screen reader hears "Quotation by Xi Jinping" first; the
    stylesheet takes it out of the line (into the margin, or under the paragraph), so the
    sentence reads as the seed has it.
    """
    trailers: dict[int, list[str]] = {}
    speakers = 0
    for place in inside:
        attribution = style.attribution(place)
        if attribution is not None and place.start >= start:
            at = place.start
            while at > start and text[at - 1] in _OPENING_PUNCTUATION:
                at -= 1
            trailers.setdefault(at, []).append(
                _attribution_html(attribution, speakers, style.quotation_by)
            )
            speakers += 1
        if place.end > end:
            continue  # the span goes on in the next paragraph; its number goes there
        number = style.note_numbers.get(place.id)
        if number is not None:
            trailers.setdefault(place.end, []).append(
                f'<a class="note-ref" href="#{escape(note_id(place.id))}"'
                f' aria-label="{escape(style.note_ref.replace("{n}", str(number)))}">{number}</a>'
            )
    return trailers


def _close_to(stack: list[_Open], wanted: list[Place], out: list[str]) -> None:
    """Close open elements until the stack is a prefix of what the next piece needs."""
    keep = 0
    while keep < len(stack) and keep < len(wanted) and stack[keep].place is wanted[keep]:
        keep += 1
    while len(stack) > keep:
        out.append(f"</{stack.pop().tag}>")


def _open(
    place: Place, stack: list[_Open], style: SpanStyle, opened: set[str], out: list[str]
) -> _Open:
    # Links cannot nest in HTML: inside another link, a mention or term is a plain span.
    is_link = place.type in _LINK_TYPES and not any(o.tag == "a" for o in stack)
    tag = "a" if is_link else "q" if place.type == "quote" else "span"
    first = place.id not in opened
    opened.add(place.id)
    classes = f"ann ann-{place.type}" + (" ann-auto" if place.auto else "")
    attrs = [
        _attribute("class", classes),
        _attribute("id", place.id) if first else "data-fragment",
        _attribute("data-annotation-id", place.id),
        _attribute("data-annotation-type", place.type),
    ]
    if first and place.type == "quote":
        attrs.append(_attribute("data-speaker", place.target))
    if is_link:
        attrs.append(_attribute("href", style.href(place)))
    out.append(f"<{tag} {' '.join(attrs)}>")
    return _Open(place, tag)


def _attribute(name: str, value: str) -> str:
    """`name="value"`, escaped; an empty value leaves the bare name."""
    if not value:
        return name
    # Ids, types and paths seldom hold a character to escape; then `escape` would only
    # copy the value into a Markup, at three times the cost of looking.
    if _HTML_SPECIAL.search(value) is None:
        return f'{name}="{value}"'
    return f'{name}="{escape(value)}"'


def _attribution_html(attribution: Attribution, earlier: int, words: str) -> str:
    # No space around it: it is out of the line, and copied text must read as the seed.
    # `--earlier` stacks a paragraph's second and later speakers where they are shown
    # together (under the paragraph, on narrow screens).
    stack = f' style="--earlier: {earlier}"' if earlier else ""
    before, _, after = words.partition("{name}")
    return (
        f'<a class="attribution" href="{escape(attribution.href)}"{stack}>'
        f"{_hidden(before)}{escape(attribution.name)}{_hidden(after)}</a>"
    )


def _hidden(words: str) -> str:
    """Words heard, not shown, around the visible name: `Quotation by ` before it, `的引语` after."""
    return f'<span class="visually-hidden">{escape(words)}</span>' if words else ""


def has_cjk(text: str) -> bool:
    """Whether the text holds a run of CJK characters (what `mark_cjk` marks)."""
    return _CJK_RUN.search(text) is not None


def mark_cjk(escaped: str, lang: str = DEFAULT_CJK_LANG) -> str:
    """Wrap each run of CJK characters of already-escaped text in `<span lang="...">`.

    Pure over one text segment (no tags in it): CJK characters never occur inside an
    entity such as `&amp;`, so the escaped text can be searched as it is. Marked, the
    Chinese in an English page is read by a Chinese voice and set in a Chinese font.
    """
    if _CJK_RUN.search(escaped) is None:  # nearly every segment: no copy, no regex replace
        return escaped
    opening = f'<span lang="{escape(lang)}">'
    return _CJK_RUN.sub(lambda run: f"{opening}{run.group()}</span>", escaped)


def cjk_markup(text: str, lang: str = DEFAULT_CJK_LANG) -> Markup:
    """Plain text, escaped, with its CJK runs marked: for names, titles and labels."""
    return Markup(mark_cjk(html.escape(text, quote=False), lang))


def highlight(before: str, text: str, after: str) -> Markup:
    """A line of context with the occurrence marked, for person and term pages."""
    # The same as `Markup("{}<mark>{}</mark>{}").format(...)`, without string.Formatter,
    # which is slow for a call made for every occurrence listed on person and term pages.
    return Markup(f"{escape(before)}<mark>{escape(text)}</mark>{escape(after)}")


class MarkdownRenderer:
    """Safe Markdown, each distinct source rendered once per build and reused on every page."""

    def __init__(self, cjk_lang: str = DEFAULT_CJK_LANG) -> None:
        self._md = _markdown_it()
        self._cache: dict[str, Markup] = {}
        self._plain: dict[str, str] = {}
        self.cjk_lang = cjk_lang

        # markdown-it calls a rule as a method of its renderer: the rule reads the language
        # from this object, so that `use_cjk_lang` takes effect without a new parser.
        def text(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
            return mark_cjk(escapeHtml(tokens[idx].content), self.cjk_lang)

        self._md.add_render_rule("text", text)

    def use_cjk_lang(self, lang: str) -> None:
        """Mark CJK runs with `lang` from now on; what was rendered with another is dropped."""
        if lang != self.cjk_lang:
            self.cjk_lang = lang
            self._cache.clear()

    def plain(self, source: str, limit: int = 0) -> str:
        """The text of a Markdown source without markup, for descriptions and metadata.

        With `limit`, cut at a word boundary and end with an ellipsis.
        """
        text = self._plain.get(source)
        if text is None:
            simple = _simple_markdown(source, self.cjk_lang, self._md)
            if simple is not None:
                text = simple[1]
            else:
                text = " ".join("".join(_inline_text(self._md.parse(source))).split())
            self._plain[source] = text
        if limit and len(text) > limit:
            text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
        return text

    def render(self, source: str) -> Markup:
        cached = self._cache.get(source)
        if cached is None:
            simple = _simple_markdown(source, self.cjk_lang, self._md)
            html_text = simple[0] if simple is not None else self._md.render(source)
            cached = self._cache[source] = Markup(html_text)
        return cached

    def render_all(self, sources: Iterable[str], jobs: int) -> None:
        """Render every source not rendered yet, ahead of the pages.

        What the fast path takes is rendered here; the rest, if there is enough of it to pay
        for forking, on `jobs` processes. Each source is rendered once for both of its uses:
        its HTML for the pages and its plain text, which planning reads to find the terms a
        note names. Pages rendered in
        parallel each render the Markdown they show, so a note shown on its article and on
        its speaker's page was rendered twice; done here first, every page process
        inherits each note rendered once.
        """
        todo = sorted({s for s in sources if s not in self._cache})
        parsed: list[str] = []  # what the fast path declines
        for source in todo:
            simple = _simple_markdown(source, self.cjk_lang, self._md)
            if simple is None:
                parsed.append(source)
            else:  # here: cheaper than a worker's sending it back
                self._keep(source, *simple)
        forked = jobs > 1 and len(parsed) >= _FORK_PARSES_AT
        done = fork_map(self._parsed_html_and_plain, parsed, jobs) if forked else None
        for source, (html_text, text) in zip(
            parsed, done or map(self._parsed_html_and_plain, parsed), strict=True
        ):
            self._keep(source, html_text, text)

    def _keep(self, source: str, html_text: str, text: str) -> None:
        self._cache[source] = Markup(html_text)
        self._plain.setdefault(source, text)

    def _parsed_html_and_plain(self, source: str) -> tuple[str, str]:
        """HTML and plain text by markdown-it's general path: a parse, then both from it."""
        tokens = self._md.parse(source, {})
        html_text = self._md.renderer.render(tokens, self._md.options, {})
        return html_text, " ".join("".join(_inline_text(tokens)).split())


def plain_text(source: str) -> str:
    """`MarkdownRenderer.plain` without a renderer or its cache: for the link stage, which
    reads each note once, on whichever core resolves its article."""
    simple = _simple_markdown(source, DEFAULT_CJK_LANG, _plain_parser())
    if simple is not None:
        return simple[1]
    return " ".join("".join(_inline_text(_plain_parser().parse(source))).split())


_FORK_PARSES_AT = 1000
"""Fewer sources than this for the general path are parsed in-process: on two cores shared
with other work, forking paid for none of 250 to 2,000 of the corpus' notes (0.47 s on one
process for 2,000, 0.49 s on two)."""


@functools.cache  # one per process: its settings never change, and it keeps nothing
def _plain_parser() -> MarkdownIt:
    return _markdown_it()


def _markdown_it() -> MarkdownIt:
    """CommonMark without raw HTML, with typographic quotes (smartquotes) and nothing else."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    return md.enable("smartquotes")


def _inline_text(tokens: Sequence[Token]) -> list[str]:
    """Text and code content of a token stream, in order (markup and URLs left out)."""
    parts: list[str] = []
    for token in tokens:
        if token.children:
            parts.extend(_inline_text(token.children))
        elif token.type in ("text", "code_inline", "code_block", "fence"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak") or (
            token.block and token.type.endswith("_close")
        ):
            parts.append(" ")
    return parts


# The fast path for simple Markdown. Nearly every note, bio and definition is a paragraph
# or two with *emphasis*, **strong**, [links](https://...) and quotation marks, perhaps a
# tight `- ` list; for those, markdown-it's general machinery (about 0.2 ms a source) gives
# what a few regular expressions give. Anything else, or anything in doubt, returns None and
# takes the general path. It assumes `_markdown_it()`'s options (CommonMark, no HTML, no
# linkify, smartquotes); tests/test_markdown_fastpath.py holds the two to the same output.

_OTHER_SPACE = "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Every character `str.isspace` takes but a space and a newline, as a regex class body."""

_NOT_SIMPLE = re.compile(f"[\\\\`<&|~\x00{_OTHER_SPACE}]")
"""What the fast path leaves to markdown-it: escapes, code, HTML and autolinks, entities,
and any white space but a space or a newline (tabs, CR, Unicode spaces, which CommonMark
strips, treats as indentation or weighs in emphasis). `|` and `~` mean nothing in
CommonMark, but are rare. One character class: a search for it is several times faster
than one for the alternatives `_is_simple_text` checks as substrings."""


def _is_simple_text(source: str) -> bool:
    """Whether the source has nothing the fast path leaves to markdown-it in any case."""
    return (
        _NOT_SIMPLE.search(source) is None
        and "![" not in source  # an image
        and "\n " not in source  # indentation
        and " \n" not in source  # a hard break, or spaces markdown-it drops
        and not source.startswith(" ")
        and not source.endswith(" ")
    )


_BLANK_LINES = re.compile(r"\n\n+")

_BLOCK_START = re.compile(
    r"$|[#>+=`~<|\-]|\[(?![^\[\]\n]*\]\()|\*(?!\*?[^\W_])|_(?!_?[^\W_])|\d+[.)](?!\S)|\s"
)
"""What may begin a heading, quote, list, rule, fence, setext underline, HTML block or
reference definition, at a line's start: such a line is not simple. `*` or `_` before a
letter or digit (`**` or `__` too) opens emphasis, which nothing block-level begins with;
digits and `.` or `)` make an ordered list only before white space; a `[` whose label
closes on the line before a `(` opens a link, not a definition (that wants `]:`)."""

_SPAN = re.compile(
    r"\[(?P<label>[^\[\]*_\\`<>&]+)\]\((?P<url>[^\s()<>\\&\"'`*\[\]\x00-\x1f\x7f]+)\)"
    r"|(?P<delim>\*\*|__|\*|_)(?P<body>[^\W_](?:[^*_\[\]\\`<>&]*[^\W_])?)(?P=delim)"
)
"""A link with a plain label and destination, or emphasis around plain text that starts
and ends with a letter or digit: its closing run can only close, its opening one only
open (CommonMark's flanking rules), given the neighbours `_simple_inline` checks."""

_EMPHASIS_TAGS = {
    "*": ("<em>", "</em>"),
    "_": ("<em>", "</em>"),
    "**": ("<strong>", "</strong>"),
    "__": ("<strong>", "</strong>"),
}

_OPENS_AFTER = " \n(\"'"
"""What may come before an opening `*` or `_` that the fast path accepts."""
_CLOSES_BEFORE = " \n.,;:!?)-/\"'"
"""What may come after a closing one."""

_DELIMITERS = re.compile(r"[*_\[\]]")
"""Outside the spans `_SPAN` matches, any of these would be markup the fast path cannot
tell about (emphasis within a word, brackets without a link)."""

_PLAIN_URL = re.compile(
    r"https?://(?:[A-Za-z0-9-]{1,63}\.){0,2}[A-Za-z0-9-]{1,63}/[A-Za-z0-9._~/-]*"
)
"""A URL that markdown-it's `normalizeLink` returns unchanged and `validateLink` accepts:
an http(s) host (within mdurl's limits on labels and length) and a path of characters
that need no percent-encoding."""


class _Piece(NamedTuple):
    """A run of text and the element around it: (`""`, `""`) for bare text."""

    open: str
    text: str
    close: str
    level: int
    """How deep markdown-it nests the text: 0 bare, 1 in emphasis or a link."""


def _simple_markdown(source: str, cjk_lang: str, md: MarkdownIt) -> tuple[str, str] | None:
    """HTML and plain text of a source made of paragraphs and tight bullet lists, or None.

    The same as `MarkdownRenderer._parsed_html_and_plain` gives, without parsing into tokens.
    """
    blocks = _simple_blocks(source)
    if blocks is None:
        return None
    html_parts: list[str] = []
    texts: list[str] = []
    text_html = _text_html(source, cjk_lang)
    for is_list, lines in blocks:
        # A paragraph's lines are one inline run, broken softly; each item is its own.
        runs = lines if is_list else ["\n".join(lines)]
        inlines: list[tuple[str, str]] = []
        for run in runs:
            pieces = _simple_inline(run, md)
            if pieces is None:
                return None
            inlines.append(_inline_html_and_text(pieces, text_html, md))
        texts.extend(text for _, text in inlines)
        if is_list:
            items = "".join(f"<li>{inline}</li>\n" for inline, _ in inlines)
            html_parts.append(f"<ul>\n{items}</ul>\n")
        else:
            html_parts.append(f"<p>{inlines[0][0]}</p>\n")
    # Blocks end in white space in the general plain text, which this joins the same way.
    return "".join(html_parts), " ".join(" ".join(texts).split())


def _text_html(source: str, cjk_lang: str) -> Callable[[str], str]:
    """How the source's text is written in HTML, as our `text` rule writes it.

    Without `&` and `<` (the fast path leaves those to markdown-it), a source with no `>`,
    `"` or CJK has nothing to escape or mark: most notes, which then skip both per piece.
    """
    if ">" in source or '"' in source or has_cjk(source):
        return lambda text: mark_cjk(escapeHtml(text), cjk_lang)
    return str


def _simple_blocks(source: str) -> list[tuple[bool, list[str]]] | None:
    """The source's blocks, each (is a list, its lines or items' text), or None if any block
    is not a plain paragraph or a tight `- ` list."""
    if not _is_simple_text(source):
        return None
    blocks: list[tuple[bool, list[str]]] = []
    for chunk in _BLANK_LINES.split(source.strip("\n")):
        lines = chunk.split("\n")
        is_list = lines[0].startswith("- ")
        if is_list:
            if blocks and blocks[-1][0]:
                return None  # two lists a blank line apart are one loose list
            if not all(line.startswith("- ") for line in lines):
                return None  # a line that is no item continues the one before it
            lines = [line[2:] for line in lines]
        if any(_BLOCK_START.match(line) for line in lines):
            return None
        blocks.append((is_list, lines))
    return blocks


def _simple_inline(text: str, md: MarkdownIt) -> list[_Piece] | None:
    """One inline run of plain text, emphasis and links, in pieces; None if it holds more."""
    pieces: list[_Piece] = []
    at = 0
    for span in _SPAN.finditer(text):
        start, end = span.span()
        label, url, delimiter, body = span.groups()
        before = text[at:start]
        if _DELIMITERS.search(before) is not None:
            return None
        if before:
            pieces.append(_Piece("", before, "", 0))
        if delimiter is not None:
            if (start and text[start - 1] not in _OPENS_AFTER) or (
                end < len(text) and text[end] not in _CLOSES_BEFORE
            ):
                return None  # a run that might also close, or open: flanking decides
            opening, closing = _EMPHASIS_TAGS[delimiter]
            pieces.append(_Piece(opening, body, closing, 1))
        else:
            href = _simple_href(url, md)
            if href is None:
                return None
            pieces.append(_Piece(f'<a href="{escapeHtml(href)}">', label, "</a>", 1))
        at = end
    rest = text[at:]
    if _DELIMITERS.search(rest) is not None:
        return None
    if rest:
        pieces.append(_Piece("", rest, "", 0))
    return pieces


def _simple_href(url: str, md: MarkdownIt) -> str | None:
    """The link's href as markdown-it writes it, or None where it would make no link."""
    if _PLAIN_URL.fullmatch(url) is not None:
        return url  # what normalizeLink gives back, at a tenth of its cost
    href = md.normalizeLink(url)
    return href if md.validateLink(href) else None


def _inline_html_and_text(
    pieces: Sequence[_Piece], text_html: Callable[[str], str], md: MarkdownIt
) -> tuple[str, str]:
    """The pieces' HTML, as markdown-it's renderer writes it, and their text."""
    texts = [piece.text for piece in pieces]
    if any("'" in text or '"' in text for text in texts):
        texts = _smartened(pieces, md)
    html_text = "".join(
        [
            f"{piece.open}{text_html(text)}{piece.close}"
            for piece, text in zip(pieces, texts, strict=True)
        ]
    )
    return html_text, "".join(texts)


def _smartened(pieces: Sequence[_Piece], md: MarkdownIt) -> list[str]:
    """The pieces' texts with typographic quotes, by markdown-it's own smartquotes rule.

    It looks across elements (a quote opened before a link closes after it), so it is given
    the tokens markdown-it would have: an element's text between its opening and closing.
    """
    tokens: list[Token] = []
    texts: list[Token] = []
    for piece in pieces:
        text = Token("text", "", 0, content=piece.text, level=piece.level)
        if piece.open:
            tokens.extend([Token("open", "", 1), text, Token("close", "", -1)])
        else:
            tokens.append(text)
        texts.append(text)
    process_inlines(tokens, StateCore("", md, {}))
    return [token.content for token in texts]
