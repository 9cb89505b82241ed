"""The theme's words (FORMAT.md section 3): a table per language, `strings:` to override, a
warning naming what stays English, and a `language: zh` site built with a Chinese interface."""

from __future__ import annotations

import datetime
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import MINIMAL_SITE, REPO, ProjectFactory, headlines

from site_builder import words
from site_builder.build import BuildOptions, BuildReport, build, check
from site_builder.search import index_language

THEME = REPO / "templates"
SCRIPTS = {name: THEME / "static" / name for name in words.SCRIPT_KEYS}
EN = words.built_in_table("en")
ZH = words.built_in_table("zh")

_SCRIPT_CALL = re.compile(r"\b(word|plural)\(\"([a-z0-9_]+)\"")


def script_keys(source: str) -> set[str]:
    """The keys a script reads: `word("key")`, and both forms of `plural("key", n)`."""
    found = set()
    for call, key in _SCRIPT_CALL.findall(source):
        found |= {f"{key}_one", f"{key}_other"} if call == "plural" else {key}
    return found


def _family(key: str) -> str:
    return re.sub(r"_(one|other)$", "", key)


# --- the tables -------------------------------------------------------------------------


def test_every_key_has_a_chinese_text_with_the_same_placeholders():
    assert list(ZH) == list(EN)
    for key, text in EN.items():
        assert isinstance(text, str) and text.strip(), key
        assert isinstance(ZH[key], str) and ZH[key].strip(), key
        if key != "date":  # a date's form differs: 27 February 2014, 2014年2月27日
            assert set(words.PLACEHOLDER.findall(ZH[key])) == set(
                words.PLACEHOLDER.findall(text)
            ), key


@pytest.mark.parametrize("table", [EN, ZH])
def test_a_copy_buttons_label_holds_its_visible_words(table: Mapping[str, str]):
    # WCAG 2.5.3 (axe's label-content-name-mismatch): "Copy link" in "Copy link to ..."
    assert table["copy_link_to"].startswith(table["copy_link"])


def test_every_key_is_used_by_a_template_a_script_or_the_build():
    sources = [p.read_text(encoding="utf-8") for p in THEME.glob("*.html")]
    sources += [p.read_text(encoding="utf-8") for p in SCRIPTS.values()]
    sources += [
        p.read_text(encoding="utf-8")
        for p in (REPO / "site_builder").glob("*.py")
        if p.name != "words.py"  # its lists of keys are checked below, against their users
    ]
    text = "\n".join(sources)
    unused = [
        key
        for key in EN
        if key not in words.MONTH_KEYS
        and f'"{key}"' not in text
        and f'"{_family(key)}"' not in text
    ]
    assert unused == []
    assert tuple(f"month_{n}" for n in range(1, 13)) == words.MONTH_KEYS


def test_every_key_a_template_asks_for_exists():
    asked = set()
    for path in THEME.glob("*.html"):
        asked |= set(re.findall(r'\bt\("([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert asked, "the templates read their words through t()"
    missing = [k for k in sorted(asked) if k not in EN and f"{k}_other" not in EN]
    assert missing == []


@pytest.mark.parametrize("script", sorted(words.SCRIPT_KEYS))
def test_each_script_gets_exactly_the_words_it_says(script: str):
    source = SCRIPTS[script].read_text(encoding="utf-8")
    assert set(words.SCRIPT_KEYS[script]) == script_keys(source)
    # and no English sentence of its own is left in it
    assert not re.search(r'"[A-Z][a-z]+ [a-z]+[^"]*"', source), "a message outside the table"


@pytest.mark.parametrize(
    ("tag", "table"),
    [("en", "en"), ("en-GB", "en"), ("zh", "zh"), ("zh-Hans", "zh"), ("zh-CN", "zh"), ("fr", None)],
)
def test_a_language_tag_selects_its_table(tag: str, table: str | None):
    assert words.table_for(tag) == table


def test_dates_are_written_as_each_language_writes_them():
    day = datetime.date(2014, 2, 27)
    assert words.site_words("en", {})[0].date(day) == "27 February 2014"
    assert words.site_words("zh-Hans", {})[0].date(day) == "2014年2月27日"
    own = words.site_words("en", {"month_2": "Feb.", "date": "{month} {day}, {year}"})[0]
    assert own.date(day) == "Feb. 27, 2014"


def test_counts_take_the_form_for_one_or_many_and_values_are_escaped():
    english = words.english()
    assert english.text("quotations", n=1) == "1 quotation"
    assert english.text("quotations", n=0) == "0 quotations"
    assert str(english.markup("in_note", n=3)) == "In note 3"
    own = words.site_words("en", {"note": "<b>Note</b> & more"})[0]
    assert str(own.markup("note")) == "&lt;b&gt;Note&lt;/b&gt; &amp; more"
    assert str(english.markup("quoted_list", quoted="Q", names="<i>")) == "Q: &lt;i&gt;"


def test_the_words_for_a_script_cannot_close_its_element():
    own = words.site_words("en", {"copy_link": "</script><script>alert(1)</script>"})[0]
    block = str(own.for_script("reading.js"))
    assert "<" not in block and "\\u003c/script\\u003e" in block


# --- site.yaml: language and strings ------------------------------------------------------


def site_yaml(extra: str, language: str = "en") -> str:
    return MINIMAL_SITE.replace("language: en", f"language: {language}") + extra


def site_problems(report: BuildReport) -> list[str]:
    """The report's messages about site.yaml (a minimal project also warns of unused people)."""
    return [h for h in headlines(report.diagnostics) if h.startswith("content/site.yaml")]


def test_an_override_shows_on_the_pages(make_project: ProjectFactory, tmp_path: Path):
    root = make_project(
        {
            "content/site.yaml": site_yaml(
                'strings:\n  people: "Who\'s who"\n  no_articles: "Soon."\n'
            )
        }
    )
    report = build(BuildOptions(root, out=tmp_path / "out", search=False))
    assert not report.failed, headlines(report.diagnostics)
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert "Who&#39;s who</a>" in home and "<li>Soon.</li>" in home
    assert ">People</a>" not in home
    people = (tmp_path / "out/people/index.html").read_text(encoding="utf-8")
    assert "<h1>Who&#39;s who</h1>" in people and "<title>Who&#39;s who · Test site" in people


def test_an_unknown_key_is_an_error_at_its_place_with_a_suggestion(make_project: ProjectFactory):
    root = make_project({"content/site.yaml": site_yaml('strings:\n  peple: "Persons"\n')})
    report = check(BuildOptions(root))
    assert report.failed
    (problem,) = [d for d in report.diagnostics if "peple" in d.message]
    assert problem.format().splitlines()[0] == (
        "content/site.yaml:6:3: error: unknown key `peple` in `strings`"
    )
    assert problem.hint == "did you mean `people`?"


def test_a_value_that_is_not_text_is_an_error(make_project: ProjectFactory):
    root = make_project({"content/site.yaml": site_yaml("strings:\n  people:\n    - a\n")})
    report = check(BuildOptions(root))
    assert site_problems(report) == [
        "content/site.yaml:7:5: error: `strings.people` must be text, found a list"
    ]


def test_strings_must_be_a_mapping(make_project: ProjectFactory):
    root = make_project({"content/site.yaml": site_yaml("strings: People\n")})
    assert site_problems(check(BuildOptions(root))) == [
        "content/site.yaml:5:10: error: `strings` must be a mapping of keys to texts, found `People`"
    ]


def test_a_placeholder_the_theme_does_not_fill_is_an_error(make_project: ProjectFactory):
    root = make_project(
        {"content/site.yaml": site_yaml('strings:\n  page_of: "{nmber}/{count}"\n')}
    )
    (problem,) = [d for d in check(BuildOptions(root)).diagnostics if d.severity == "error"]
    assert problem.format().splitlines()[0] == (
        "content/site.yaml:6:12: error: `strings.page_of` uses {nmber}, "
        "which the theme does not fill in there"
    )
    assert problem.hint == "it fills in {count}, {number}"


def test_a_language_tag_that_is_not_one_is_an_error(make_project: ProjectFactory):
    root = make_project({"content/site.yaml": site_yaml("", language="en_GB")})
    assert site_problems(check(BuildOptions(root))) == [
        "content/site.yaml:4:11: error: `language` must be a language tag such as `en` or "
        "`zh-Hans`, found `en_GB`"
    ]


def test_a_language_without_a_table_warns_once_that_all_keys_stay_english(
    make_project: ProjectFactory,
):
    root = make_project({"content/site.yaml": site_yaml("", language="fr")})
    report = check(BuildOptions(root))
    assert not report.failed
    assert site_problems(report) == [
        f"content/site.yaml:4:11: warning: no built-in words for `fr`: the interface stays in "
        f"English for all {len(EN)} keys"
    ]
    assert check(BuildOptions(root, strict=True)).failed


def test_the_warning_names_the_keys_strings_does_not_give(make_project: ProjectFactory):
    given = {key: f"fr {key}" for key in EN if key not in ("skip_link", "month_3")}
    lines = "".join(f'  {key}: "{text}"\n' for key, text in given.items())
    root = make_project({"content/site.yaml": site_yaml("strings:\n" + lines, language="fr")})
    assert site_problems(check(BuildOptions(root))) == [
        "content/site.yaml:4:11: warning: no built-in words for `fr`: the interface stays in "
        "English for skip_link, month_3"
    ]


def test_no_warning_when_strings_gives_every_key(make_project: ProjectFactory, tmp_path: Path):
    lines = "".join(f'  {key}: "fr {key}"\n' for key in EN if key != "date")
    lines += '  date: "{day} {month} {year}"\n'
    root = make_project({"content/site.yaml": site_yaml("strings:\n" + lines, language="fr")})
    report = build(BuildOptions(root, out=tmp_path / "out", search=False))
    assert not report.failed and site_problems(report) == []
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in home and "fr articles" in home


# --- search: which language Pagefind indexes as -----------------------------------------


@pytest.mark.parametrize(
    ("language", "shows_cjk", "expected"),
    [
        ("en", True, "zh"),  # CJK in an English site stays findable (segmented as Chinese)
        ("en", False, None),  # no CJK: Pagefind reads <html lang> and stems English
        ("fr", False, None),
        ("zh-Hans", True, "zh"),
        ("zh", False, "zh"),
        ("ja", True, "ja"),
    ],
)
def test_the_index_language(language: str, shows_cjk: bool, expected: str | None):
    assert index_language(language, shows_cjk) == expected


# --- a Chinese site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed site with `language: zh`, built without search (the browser test has it)."""
    root = tmp_path_factory.mktemp("zh") / "project"
    for folder in ("content", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    site = root / "content/site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("language: en", "language: zh"))
    out = root / "output"
    report = build(BuildOptions(root, out=out, search=False))
    assert not report.failed, headlines(report.diagnostics)
    assert report.diagnostics == []
    return out


def read(out: Path, relpath: str) -> str:
    return (out / relpath).read_text(encoding="utf-8")


def test_a_zh_site_has_a_chinese_interface(zh_site: Path):
    home = read(zh_site, "index.html")
    assert '<html lang="zh">' in home
    for label in ("跳到正文", ">文章</a>", ">人物</a>", ">术语表</a>", "<h2>文章</h2>"):
        assert label in home, label
    assert '<time datetime="2014-02-27">2014年2月27日</time>' in home
    assert re.search(r"\d+ 处引语\uff0c\d+ 条注释", home)  # a full-width comma
    for english in ("Skip to content", ">Articles<", ">People<", "February", " quotations"):
        assert english not in home, english
    article = read(zh_site, "articles/xi-heads-internet-security-group/index.html")
    assert '<h2 class="notes-heading" id="notes_heading">注释</h2>' in article
    assert '<span class="visually-hidden">的引语</span>' in article  # 习近平的引语, heard
    assert 'aria-label="注释 1"' in article
    assert '"copy_link":"复制链接"' in article
    person = read(zh_site, "people/xi-jinping/index.html")
    assert "<title>" in person and "引语" in person and "Quotations" not in person
    assert "<h1>找不到页面</h1>" in read(zh_site, "404.html")
    assert '"search_none":"没有找到与“{query}”相关的内容。"' in read(zh_site, "search/index.html")


def test_a_zh_sites_feed_is_in_chinese(zh_site: Path):
    root = ET.fromstring(read(zh_site, "feed.xml"))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    summary = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary is not None and summary.text is not None
    assert "附注释" in summary.text and "处引语" in summary.text and "annotated" not in summary.text
