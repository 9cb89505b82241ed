"""Broken YAML, as editors write it: every mistake is located, explained, and never a traceback.

Each test feeds a small project through `check` (load -> validate -> anchor -> link) and asserts
the message and its `path:line:col`, the form editors' tools make clickable.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import ProjectFactory, headlines

from site_builder.build import BuildOptions, BuildReport, check, resolve_site

SEED = 'President Xi Jinping said: "We must build a cyber power."\nPremier Li Keqiang agreed.\n'

ARTICLE = """\
source: seeds/s.txt
title: A test article
annotations:
  - type: quote
    text: We must build a cyber power.
    speaker: xi-jinping
  - type: mention
    text: Premier Li Keqiang
    person: li-keqiang
"""


def project(make_project: ProjectFactory, **files: str | bytes | None) -> Path:
    """A valid project with some files replaced, named like `content__articles__a_yaml`."""
    merged: dict[str, str | bytes | None] = {
        "seeds/s.txt": SEED,
        "content/articles/a.yaml": ARTICLE,
    }
    merged.update({file_path(name): text for name, text in files.items()})
    return make_project(merged)


def file_path(name: str) -> str:
    """`content__articles__a_yaml` -> `content/articles/a.yaml`."""
    stem, _, extension = name.rpartition("_")
    return stem.replace("__", "/") + "." + extension


def run_check(root: Path) -> BuildReport:
    return check(BuildOptions(project=root))


def errors(report: BuildReport) -> list[str]:
    """Headlines of the errors only: warnings that follow from an error are the link stage's."""
    return headlines(d for d in report.diagnostics if d.is_error)


def formatted(report: BuildReport) -> str:
    return "\n".join(d.format() for d in report.diagnostics)


def test_the_base_project_is_clean(make_project: ProjectFactory):
    assert run_check(project(make_project)).diagnostics == []


# --- syntax -----------------------------------------------------------------


def test_unquoted_colon_in_a_value(make_project: ProjectFactory):
    root = project(
        make_project,
        content__articles__a_yaml=ARTICLE.replace(
            "title: A test article", "title: Xi: heads the group"
        ),
    )
    report = run_check(root)
    assert errors(report) == [
        "content/articles/a.yaml:2:10: error: invalid YAML: mapping values are not allowed in this context"
    ]
    assert formatted(report).splitlines()[1:4] == [
        "  title: Xi: heads the group",
        "           ^",
        "  quote it: values containing `: ` need quotes",
    ]


def test_unclosed_quote_names_where_it_opened(make_project: ProjectFactory):
    broken = ARTICLE.replace("title: A test article", 'title: "A test article')
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    [diagnostic] = [d for d in report.diagnostics if d.is_error]
    assert diagnostic.position.path == "content/articles/a.yaml"
    assert diagnostic.position.line > 2
    assert "while scanning a quoted scalar (line 2)" in diagnostic.hint


def test_bad_indentation(make_project: ProjectFactory):
    broken = ARTICLE.replace("    speaker: xi-jinping", "   speaker: xi-jinping")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    [line] = errors(report)
    assert line.startswith("content/articles/a.yaml:6:4: error: invalid YAML:")


def test_text_after_a_closing_quote(make_project: ProjectFactory):
    broken = ARTICLE.replace(
        "text: We must build a cyber power.", 'text: "We must build" a cyber power.'
    )
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    [diagnostic] = [d for d in report.diagnostics if d.is_error]
    assert headlines([diagnostic]) == [
        "content/articles/a.yaml:5:27: error: invalid YAML: did not find expected key"
    ]
    assert "quote" in diagnostic.hint


def test_tab_indentation(make_project: ProjectFactory):
    people = "xi-jinping:\n\tname: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert headlines(report.diagnostics) == [
        "content/people.yaml:2:1: error: invalid YAML: a tab character in the indentation"
    ]
    assert "indent with spaces" in report.diagnostics[0].hint


def test_a_broken_people_file_does_not_make_every_reference_unknown(make_project: ProjectFactory):
    people = "xi-jinping:\n\tname: Xi Jinping\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert [d.position.path for d in report.diagnostics] == ["content/people.yaml"]


def test_second_document(make_project: ProjectFactory):
    report = run_check(project(make_project, content__site_yaml="title: T\n---\ntitle: U\n"))
    assert headlines(report.diagnostics) == [
        "content/site.yaml:2:1: error: invalid YAML: a second document in the file"
    ]


def test_control_character(make_project: ProjectFactory):
    broken = ARTICLE.replace("A test article", "A test\x07article")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert errors(report) == [
        "content/articles/a.yaml:2:14: error: the file contains the control character U+0007, "
        "which YAML does not allow"
    ]


def test_yaml_that_is_not_utf8(make_project: ProjectFactory):
    raw = ARTICLE.replace("A test article", "A test \xe9article").encode("latin-1")
    report = run_check(project(make_project, content__articles__a_yaml=raw))
    assert errors(report) == [
        "content/articles/a.yaml:2:15: error: the file is not UTF-8 text (byte 0xe9 at offset 34)"
    ]


# --- duplicate keys ---------------------------------------------------------


def test_duplicate_person_names_both_lines(make_project: ProjectFactory):
    people = (
        "xi-jinping:\n  name: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n"
        "xi-jinping:\n  name: Someone else\n"
    )
    report = run_check(project(make_project, content__people_yaml=people))
    assert headlines(report.diagnostics) == [
        "content/people.yaml:5:1: error: duplicate key `xi-jinping` on line 5 "
        "(first defined on line 1)"
    ]
    assert "lines 1 and 5" in report.diagnostics[0].hint


def test_duplicate_field_in_an_annotation(make_project: ProjectFactory):
    broken = ARTICLE.replace(
        "    speaker: xi-jinping", "    speaker: xi-jinping\n    text: We must build"
    )
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert headlines(report.diagnostics) == [
        "content/articles/a.yaml:7:5: error: duplicate key `text` on line 7 "
        "(first defined on line 5)"
    ]


# --- empty files ------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_glossary(make_project: ProjectFactory, text: str):
    report = run_check(project(make_project, content__glossary_yaml=text))
    assert headlines(report.diagnostics) == ["content/glossary.yaml:1:1: error: the file is empty"]
    assert "add a term" in report.diagnostics[0].hint


def test_empty_article(make_project: ProjectFactory):
    report = run_check(project(make_project, content__articles__a_yaml=""))
    lines = headlines(report.diagnostics)
    assert "content/articles/a.yaml:1:1: error: the file is empty" in lines
    assert all("error" not in line for line in lines if "a.yaml" not in line)


def test_missing_site_file(make_project: ProjectFactory):
    report = run_check(project(make_project, content__site_yaml=None))
    assert headlines(report.diagnostics) == ["content/site.yaml:1:1: error: missing file"]


def test_yml_files_are_not_silently_skipped(make_project: ProjectFactory):
    root = project(make_project, content__articles__b_yml=ARTICLE)
    report = run_check(root)
    assert headlines(report.diagnostics) == [
        "content/articles/b.yml:1:1: error: content files end in `.yaml`; this `.yml` file is not read"
    ]
    assert "rename it to `b.yaml`" in report.diagnostics[0].hint


# --- encodings and line ends parse like clean files -------------------------


def test_bom_and_crlf_parse_like_clean_files(make_project: ProjectFactory):
    files = {
        "content__people_yaml": "xi-jinping:\n  name: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n",
        "content__articles__a_yaml": ARTICLE,
        "seeds__s_txt": SEED,
    }
    dirty = {
        name: ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")
        for name, text in files.items()
    }
    clean_root = project(make_project, **files)
    clean_site, clean_problems = resolve_site(BuildOptions(clean_root))
    dirty_root = project(make_project, **dirty)
    dirty_site, dirty_problems = resolve_site(BuildOptions(dirty_root))
    assert clean_problems == dirty_problems == []
    assert clean_site is not None and dirty_site is not None
    assert dirty_site.content.people == clean_site.content.people
    assert [a.spec.annotations for a in dirty_site.articles] == [
        a.spec.annotations for a in clean_site.articles
    ]
    assert dirty_site.articles[0].body.text.replace("\r\n", "\n") == SEED


def test_errors_in_crlf_files_point_at_the_right_place(make_project: ProjectFactory):
    broken = ("\ufeff" + ARTICLE.replace("title:", "titel:")).replace("\n", "\r\n")
    report = run_check(project(make_project, content__articles__a_yaml=broken.encode()))
    [unknown] = [d for d in report.diagnostics if "titel" in d.message]
    assert headlines([unknown]) == [
        "content/articles/a.yaml:2:1: error: unknown field `titel` in an article"
    ]
    assert unknown.format().splitlines()[1] == "  titel: A test article"


# --- tags and aliases are refused, and nothing runs --------------------------


def test_python_object_tag_is_refused_and_never_run(make_project: ProjectFactory, tmp_path: Path):
    marker = tmp_path / "pwned"
    people = (
        "xi-jinping:\n"
        f"  name: !!python/object/apply:os.system ['touch {marker}']\n"
        "li-keqiang:\n  name: Li Keqiang\n"
    )
    report = run_check(project(make_project, content__people_yaml=people))
    assert headlines(report.diagnostics) == [
        "content/people.yaml:2:9: error: the tag `!!python/object/apply:os.system` is not allowed"
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!custom thing", "!custom"),
    ],
)
def test_other_tags_are_refused(make_project: ProjectFactory, value: str, tag: str):
    broken = ARTICLE.replace("title: A test article", f"title: {value}")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert headlines(report.diagnostics) == [
        f"content/articles/a.yaml:2:8: error: the tag `{tag}` is not allowed"
    ]


def test_alias_bomb_is_refused_quickly(make_project: ProjectFactory):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    started = time.perf_counter()
    report = run_check(project(make_project, content__glossary_yaml="\n".join(levels) + "\n"))
    assert time.perf_counter() - started < 5
    lines = headlines(report.diagnostics)
    assert (
        "content/glossary.yaml:1:5: error: the anchor `&a0`: anchors and aliases (`&`, `*`) are not supported"
        in lines
    )
    assert (
        "content/glossary.yaml:2:10: error: the alias `*a0`: anchors and aliases (`&`, `*`) are not supported"
        in lines
    )


def test_alias_of_a_name(make_project: ProjectFactory):
    people = "xi-jinping:\n  name: &n Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n  native: *n\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert headlines(report.diagnostics) == [
        "content/people.yaml:2:9: error: the anchor `&n`: anchors and aliases (`&`, `*`) are not supported",
        "content/people.yaml:5:11: error: the alias `*n`: anchors and aliases (`&`, `*`) are not supported",
    ]


def test_undefined_alias(make_project: ProjectFactory):
    broken = ARTICLE.replace("title: A test article", "title: *nothing")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert errors(report) == [
        "content/articles/a.yaml:2:8: error: the alias `*nothing`: anchors and aliases (`&`, `*`) are not supported"
    ]


def test_merge_keys_are_refused(make_project: ProjectFactory):
    people = "xi-jinping:\n  <<: {name: Xi Jinping}\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert "content/people.yaml:2:3: error: merge keys (`<<`) are not supported" in errors(report)


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_an_error_not_a_crash(make_project: ProjectFactory, depth: int):
    broken = ARTICLE.replace("title: A test article", "title: " + "[" * depth + "]" * depth)
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    [diagnostic] = [d for d in report.diagnostics if d.is_error]
    assert diagnostic.position.path == "content/articles/a.yaml"
    assert diagnostic.position.line == 2
    assert "nest" in diagnostic.message


def test_deep_block_nesting(make_project: ProjectFactory):
    nested = "".join(f"{'  ' * n}k{n}:\n" for n in range(60)) + "  " * 60 + "leaf\n"
    report = run_check(project(make_project, content__glossary_yaml=nested))
    assert [d.message for d in report.diagnostics] == [
        "the file nests lists and mappings more than 32 deep"
    ]


# --- YAML 1.1 surprises: text stays text where the schema expects text --------


PEOPLE_1_1 = """\
xi-jinping:
  name: Xi Jinping
  aliases: [on, 010, 1.10, yes, 2014-02-27]
  summary: no
  roles:
    - title: 1.10
      from: 2012
      to: 010
li-keqiang:
  name: No
  native: 0x1F
  summary: 1e3
"""


def test_yaml_1_1_words_and_numbers_stay_text(make_project: ProjectFactory):
    seed = 'Xi Jinping said: "We must build a cyber power."\nPremier Li Keqiang agreed.\n'
    root = project(
        make_project,
        content__people_yaml=PEOPLE_1_1,
        seeds__s_txt=seed,
        content__articles__a_yaml=ARTICLE.replace(
            "title: A test article", "title: 2014-02-27\npublisher: 010"
        ),
    )
    site, problems = resolve_site(BuildOptions(root))
    assert headlines(problems) == []
    assert site is not None
    people = {p.id: p for p in site.content.people}
    xi, li = people["xi-jinping"], people["li-keqiang"]
    assert xi.aliases == ("on", "010", "1.10", "yes", "2014-02-27")
    assert xi.summary == "no"
    assert (xi.roles[0].title, xi.roles[0].start, xi.roles[0].end) == ("1.10", "2012", "010")
    assert (li.name, li.native, li.summary) == ("No", "0x1F", "1e3")
    article = site.articles[0].spec
    assert (article.title, article.publisher, article.date) == ("2014-02-27", "010", None)


def test_dates_only_where_a_date_is_expected(make_project: ProjectFactory):
    good = ARTICLE.replace("title: A test article", "title: A\ndate: 2014-02-27")
    site, problems = resolve_site(
        BuildOptions(project(make_project, content__articles__a_yaml=good))
    )
    assert problems == [] and site is not None
    assert site.articles[0].spec.date is not None
    assert site.articles[0].spec.date.isoformat() == "2014-02-27"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("27 February 2014", "`date` must be a date written YYYY-MM-DD, found `27 February 2014`"),
        ("20140227", "`date` must be a date written YYYY-MM-DD, found `20140227`"),
        ("2014-02-30", "`date`: `2014-02-30` is not a date in the calendar"),
        (
            "2014-02-27 10:00:00",
            "`date` must be a date written YYYY-MM-DD, found `2014-02-27 10:00:00`",
        ),
    ],
)
def test_bad_dates(make_project: ProjectFactory, value: str, message: str):
    broken = ARTICLE.replace("title: A test article", f"title: A\ndate: {value}")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert headlines(report.diagnostics) == [f"content/articles/a.yaml:3:7: error: {message}"]


@pytest.mark.parametrize("word", ["yes", "on", "no", "'true'"])
def test_yaml_1_1_booleans_are_not_booleans(make_project: ProjectFactory, word: str):
    broken = ARTICLE.replace("    speaker: xi-jinping", f"    speaker: xi-jinping\n    all: {word}")
    report = run_check(project(make_project, content__articles__a_yaml=broken))
    assert headlines(report.diagnostics) == [
        f"content/articles/a.yaml:7:10: error: `all` must be true or false, found `{word.strip(chr(39))}`"
    ]


def test_null_word_in_a_required_field(make_project: ProjectFactory):
    people = "xi-jinping:\n  name: Null\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert headlines(report.diagnostics) == [
        "content/people.yaml:2:9: error: `name` is `Null`, which YAML reads as nothing"
    ]
    assert report.diagnostics[0].hint == 'quote it if you mean the word: `name: "Null"`'


def test_ids_that_yaml_1_1_would_read_as_numbers_or_booleans(make_project: ProjectFactory):
    people = "no:\n  name: Xi Jinping\n010:\n  name: Li Keqiang\n"
    article = ARTICLE.replace("speaker: xi-jinping", "speaker: no").replace(
        "person: li-keqiang", "person: 010"
    )
    root = project(make_project, content__people_yaml=people, content__articles__a_yaml=article)
    site, problems = resolve_site(BuildOptions(root))
    assert problems == [] and site is not None
    assert [p.id for p in site.content.people] == ["010", "no"]


def test_null_item_in_a_list(make_project: ProjectFactory):
    people = "xi-jinping:\n  name: Xi Jinping\n  aliases: [Xi, null, ~]\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert errors(report) == [
        "content/people.yaml:3:17: error: an item of `aliases` is `null`, which YAML reads as nothing",
        "content/people.yaml:3:23: error: an item of `aliases` is empty",
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: A test article", "title: Xi: heads the group"),
        ("person: li-keqiang", "person: li-keqaing"),
    ],
)
def test_an_error_is_not_followed_by_unused_warnings(
    make_project: ProjectFactory, old: str, new: str
):
    report = run_check(project(make_project, content__articles__a_yaml=ARTICLE.replace(old, new)))
    assert len(errors(report)) == 1
    assert headlines(report.diagnostics) == errors(report)
