"""The theme's words: a table per language (strings/<language>.yaml), a site's own overrides.

Every word a page, a script or the feed shows comes from here, so that `language: zh`
gives a Chinese interface and `strings:` in site.yaml can reword any of it. A value may
hold placeholders, `{n}` or `{title}`, that the theme fills in; a key ending in `_one`
is the form for a count of 1 and its `_other` twin the form for every other count.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup, escape

STRINGS_FOLDER = Path(__file__).parent / "strings"
BUILT_IN = ("en", "zh")
"""Languages with a table of their own; English is also what any other language falls back on."""
FALLBACK = "en"

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

MONTH_KEYS = (
    "month_1",
    "month_2",
    "month_3",
    "month_4",
    "month_5",
    "month_6",
    "month_7",
    "month_8",
    "month_9",
    "month_10",
    "month_11",
    "month_12",
)

SCRIPT_KEYS = {
    "reading.js": (
        "copy_link",
        "copy_link_to",
        "link_copied",
        "link_copied_to",
        "copy_this_link",
        "note_more",
        "note_less",
        "close",
        "close_note",
        "copy_passage_link",
        "what_note",
        "what_this",
        "ann_quote",
        "ann_mention",
        "ann_term",
        "ann_note",
        "ann_passage",
    ),
    "search.js": (
        "kind_page",
        "search_results_one",
        "search_results_other",
        "search_none",
        "searching",
        "search_unavailable",
        "search_from_disk",
        "result_in_text",
        "result_in_note",
    ),
}
"""The words each script of the default theme says, handed to it in the page (see
`Words.for_script`); tests/test_words.py checks these against the scripts' own calls."""


@functools.cache
def built_in_table(language: str) -> Mapping[str, str]:
    """A built-in table, by key in file order."""
    text = (STRINGS_FOLDER / f"{language}.yaml").read_text(encoding="utf-8")
    table = yaml.safe_load(text)
    return {str(key): str(value) for key, value in table.items()}


def keys() -> tuple[str, ...]:
    """Every key of the theme, as the English table lists them."""
    return tuple(built_in_table(FALLBACK))


def table_for(language: str) -> str | None:
    """The built-in table a language tag selects (`zh-Hans`, `zh-CN` -> zh), or None."""
    primary = language.split("-", 1)[0].lower()
    return primary if primary in BUILT_IN else None


@functools.cache
def placeholders(key: str) -> frozenset[str]:
    """The values the theme fills into a key: whatever any built-in table uses there."""
    return frozenset(
        name
        for language in BUILT_IN
        for name in PLACEHOLDER.findall(built_in_table(language).get(key, ""))
    )


@dataclass(frozen=True)
class Words:
    """The words of one site: its language's table with the site's own overrides applied."""

    entries: tuple[tuple[str, str], ...]
    """Every key and its text, in the English table's order."""

    @functools.cached_property
    def _table(self) -> dict[str, str]:
        return dict(self.entries)

    def __contains__(self, key: str) -> bool:
        return key in self._table

    def _form(self, key: str, n: int | None) -> str:
        """The key to read: with a count, its `_one` or `_other` form where it has them."""
        if n is None or f"{key}_other" not in self._table:
            return key
        return f"{key}_one" if n == 1 else f"{key}_other"

    def text(self, key: str, n: int | None = None, **values: Any) -> str:
        """A key's text with its placeholders filled in; with `n`, the form for that count."""
        template = self._table[self._form(key, n)]
        if n is not None:
            values = {"n": n, **values}
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)

    @functools.cached_property
    def _escaped(self) -> dict[str, Markup]:
        # Templates ask for words dozens of times a page, most with nothing to fill in.
        return {key: escape(text) for key, text in self.entries}

    def markup(self, key: str, n: int | None = None, **values: Any) -> Markup:
        """`text` for a template: the words escaped, values escaped unless they are Markup."""
        template = self._escaped[self._form(key, n)]
        if n is None and not values:
            return template
        if n is not None:
            values = {"n": n, **values}
        return Markup(
            PLACEHOLDER.sub(
                lambda m: str(escape(values[m.group(1)])) if m.group(1) in values else m.group(0),
                str(template),
            )
        )

    def for_template(self, key: str, n: int | None = None, **values: Any) -> Any:
        """`t("key", n=3, title=...)` in a template; a key no table has is a template error."""
        if self._form(key, n) not in self._table:
            return jinja2.StrictUndefined(
                hint=f"the theme's words have no key `{key}` (see strings/en.yaml)"
            )
        return self.markup(key, n, **values)

    def date(self, date: datetime.date | None) -> str:
        """A date as the site's language writes it; spelled out here, so no locale can change it."""
        if date is None:
            return ""
        return self.text(
            "date",
            day=date.day,
            month=self.text(MONTH_KEYS[date.month - 1]),
            month_number=date.month,
            year=date.year,
        )

    def for_script(self, script: str) -> Markup:
        """The words a script says, as JSON for a `<script type="application/json">` element.

        `<`, `>` and `&` are JSON escapes, so no override can close the element.
        """
        data = {key: self._table[key] for key in SCRIPT_KEYS[script]}
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def site_words(language: str, overrides: Mapping[str, str]) -> tuple[Words, tuple[str, ...]]:
    """The site's words, and the keys that fell back to English (none for a built-in language).

    Overrides are taken as they are: validation has checked their keys and placeholders.
    """
    own = table_for(language)
    table = built_in_table(own or FALLBACK)
    english_table = built_in_table(FALLBACK)
    missing = () if own else tuple(k for k in english_table if k not in overrides)
    entries = tuple(
        (key, overrides.get(key) or table.get(key) or text) for key, text in english_table.items()
    )
    return Words(entries), missing


@functools.cache
def english() -> Words:
    """The English words with no overrides: what a site that says nothing gets."""
    return site_words(FALLBACK, {})[0]
