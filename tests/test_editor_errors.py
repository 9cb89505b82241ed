"""Errors the editor caused are the editor's: located `path:line:col`, exit 1, never exit 3.

Template mistakes at render time (serial and on worker processes), endless template loops,
absurd counts, an ambiguous `body_starts_at`, a `cname` that disagrees with `base_url`; and
the form of every message: control characters escaped, long lines cut around the column,
whole-file problems at 1:1, warnings under `--strict` shown and counted as errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MINIMAL_SITE, REPO, ProjectFactory
from test_load import ARTICLE, SEED, project

from site_builder import plan, render
from site_builder.build import BuildOptions, check
from site_builder.cli import main
from site_builder.errors import Position, error, warning
from site_builder.serve.events import LiveSite
from site_builder.serve.overlay import load_script, placeholder_page

Lines = list[str]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Lines]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.splitlines()


def template(block: str) -> str:
    """A page template of the default theme's layout with `block` as its main content."""
    return '{% extends "base.html" %}\n{% block main %}\n' + block + "{% endblock %}\n"


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Force page rendering onto worker processes; records whether each fork_map delivered."""
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 1)
    delivered: list[bool] = []
    real = render.fork_map

    def spying(function, items, jobs):  # type: ignore[no-untyped-def]
        results = real(function, items, jobs)
        delivered.append(results is not None)
        return results

    monkeypatch.setattr(render, "fork_map", spying)
    return delivered


# --- a template that fails at render time --------------------------------------------------

TEMPLATE_FAILURES = {
    "division": (
        template("<p>x</p>\n<p>{{ 1/0 }}</p>\n"),
        ["templates/index.html:4:1: error: template error: division by zero"],
    ),
    "filter": (
        # In a branch, Jinja looks the filter up only when the branch runs.
        template('{% if page %}\n<p>{{ "a" | nosuch }}</p>\n{% endif %}\n'),
        ["templates/index.html:4:1: error: template error: No filter named 'nosuch' found."],
    ),
    "undefined": (
        template("<p>{{ page.nosuch }}</p>\n"),
        [
            "templates/index.html:3:1: error: template error: 'dict object' has no attribute 'nosuch'",
            "  a template uses a value the build does not provide",
        ],
    ),
    "extends itself": (
        '{% extends "index.html" %}\n',
        [
            "templates/index.html:1:1: error: template error: rendering never ends: "
            "index.html:1 -> index.html:1",
            "  a template extends or includes itself (directly or through others), "
            "or a macro calls itself without end",
        ],
    ),
    "missing include": (
        template('{% include "nosuch.html" %}\n'),
        [
            "templates/index.html:3:1: error: template error: no template named `nosuch.html`",
            "  templates are looked up in templates/, then in the default theme",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_FAILURES))
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_template_failing_at_render_time_is_located_at_its_line(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str], case: str, command: str
):
    source, expected = TEMPLATE_FAILURES[case]
    root = project(make_project, templates__index_html=source)
    code, lines = run(capsys, command, "--project", str(root))
    assert code == 1, lines
    assert lines == [
        *expected,
        "  while rendering index.html",
        "site-builder: 1 error(s), 0 warning(s); nothing written",
    ]
    assert not (root / "output").exists()


@pytest.mark.parametrize("case", sorted(TEMPLATE_FAILURES))
def test_a_template_failure_survives_the_worker_boundary(
    make_project: ProjectFactory, workers: list[bool], case: str
):
    source, expected = TEMPLATE_FAILURES[case]
    root = project(make_project, templates__index_html=source)
    serial = check(BuildOptions(root, jobs=1))
    assert workers == []
    parallel = check(BuildOptions(root, jobs=2))
    assert workers == [True]  # the pages were rendered on workers, and their failure came back
    for report in (serial, parallel):
        assert report.failed
        assert [d.format() for d in report.diagnostics] == [
            "\n".join([*expected, "  while rendering index.html"])
        ]


def test_a_loop_through_several_templates_names_each_step(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = project(
        make_project,
        templates__index_html=template('{% include "b.html" %}\n'),
        templates__b_html='<p>\n{% include "index.html" %}\n',
    )
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8").splitlines()
    main_block = next(n for n, line in enumerate(base, 1) if "{% block main %}" in line)
    assert lines[0] == (
        "templates/index.html:1:1: error: template error: rendering never ends: "
        f"index.html:1 -> base.html:{main_block} -> index.html:3 -> b.html:2 -> index.html:1"
    )


def test_one_failure_on_many_pages_is_one_message(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = project(make_project, templates__person_html=template("{{ person.name / 2 }}\n"))
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert lines == [
        "templates/person.html:3:1: error: template error: unsupported operand type(s) for /: "
        "'str' and 'int'",
        "  while rendering people/li-keqiang/index.html and 1 other page(s)",
        "site-builder: 1 error(s), 0 warning(s); nothing written",
    ]


def test_a_failing_template_leaves_the_last_good_site(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = project(make_project)
    assert run(capsys, "build", "--project", str(root), "--no-search")[0] == 0
    before = (root / "output" / "index.html").read_bytes()
    (root / "templates").mkdir()
    (root / "templates" / "index.html").write_text(template("{{ 1/0 }}\n"), encoding="utf-8")
    assert run(capsys, "build", "--project", str(root), "--no-search")[0] == 1
    assert (root / "output" / "index.html").read_bytes() == before


def test_a_bug_of_the_build_while_rendering_is_still_a_bug(
    make_project: ProjectFactory,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    def broken(*args: object) -> list[object]:
        raise ValueError("a bug")

    monkeypatch.setattr(plan, "_paragraphs", broken)
    code, lines = run(capsys, "check", "--project", str(project(make_project)))
    assert code == 3
    assert lines[0] == "site-builder: internal error: ValueError: a bug"


# --- counts and anchors --------------------------------------------------------------------


def test_an_occurrence_of_five_thousand_digits_is_an_editors_error(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    article = ARTICLE.replace(
        "    person: li-keqiang\n", "    person: li-keqiang\n    occurrence: " + "9" * 5000 + "\n"
    )
    code, lines = run(
        capsys, "check", "--project", str(project(make_project, content__articles__a_yaml=article))
    )
    assert code == 1
    assert lines[0] == (
        "content/articles/a.yaml:10:17: error: `occurrence` is a number of 5000 digits, "
        "more than there are places in any text"
    )
    assert lines[-2:] == [
        "  it counts the places that fit from 1: `2` is the second",
        "site-builder: 1 error(s), 0 warning(s); nothing written",
    ]


def test_an_occurrence_of_eighteen_digits_is_counted(make_project: ProjectFactory):
    article = ARTICLE.replace(
        "    person: li-keqiang\n", "    person: li-keqiang\n    occurrence: " + "9" * 18 + "\n"
    )
    report = check(BuildOptions(project(make_project, content__articles__a_yaml=article)))
    assert [d.format().splitlines()[0] for d in report.diagnostics] == [
        f"content/articles/a.yaml:8:11: error: `occurrence: {'9' * 18}` but only 1 place(s) fit"
    ]


def test_a_body_starts_at_found_twice_is_ambiguous(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    seed = "Headline: Xi speaks\nBy our reporter\nXi speaks of power.\n"
    article = (
        "source: seeds/s.txt\ntitle: T\nbody_starts_at: Xi speaks\nannotations:\n"
        "  - type: mention\n    text: power\n    person: xi-jinping\n"
    )
    root = project(make_project, seeds__s_txt=seed, content__articles__a_yaml=article)
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert lines == [
        "content/articles/a.yaml:3:17: error: `body_starts_at` text is ambiguous: "
        "it occurs 2 times in seeds/s.txt",
        "  body_starts_at: Xi speaks",
        "                  ^",
        "  quote more of the line the body starts with, so that it names one place; places:",
        '    1. line 1: "Headline: Xi speaks By our reporter Xi speaks of"',
        '    2. line 3: "ne: Xi speaks By our reporter Xi speaks of power."',
        "site-builder: 1 error(s), 0 warning(s); nothing written",
    ]


# --- site settings -------------------------------------------------------------------------


def test_a_cname_other_than_the_base_url_host_warns(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = project(make_project, content__site_yaml=MINIMAL_SITE + "cname: annotated.example.org\n")
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 0
    assert lines[:4] == [
        "content/site.yaml:5:8: warning: `cname` is `annotated.example.org`, "
        "but `base_url` is at `example.test`",
        "  cname: annotated.example.org",
        "         ^",
        "  GitHub Pages will serve the site at `annotated.example.org` while its links point at "
        "`example.test`: make `base_url` `https://annotated.example.org/`, or leave out `cname`",
    ]


def test_a_cname_equal_to_the_base_url_host_is_quiet(make_project: ProjectFactory):
    site = MINIMAL_SITE.replace("example.test/site/", "Annotated.Example.org/") + (
        "cname: annotated.example.org\n"
    )
    report = check(BuildOptions(project(make_project, content__site_yaml=site)))
    assert report.diagnostics == []


# --- the form of every message -------------------------------------------------------------


def test_control_characters_are_escaped_in_message_hint_source_line_and_path():
    diagnostic = error(
        Position("content/articles/\x1b[2J.yaml", 2, 10),
        "text \x1b[31mred\x1b[0m not found\r",
        'closest passage: "a\rb\x9b\u202ec"\nsecond line',
        source_line='title: "\x1bT\x07"\r\n',
    )
    assert diagnostic.format().splitlines() == [
        "content/articles/\\x1b[2J.yaml:2:10: error: text \\x1b[31mred\\x1b[0m not found\\r",
        '  title: "\\x1bT\\x07"',
        "              ^",  # under the T, past the four characters of `\x1b`
        '  closest passage: "a\\rb\\x9b\\u202ec"',
        "  second line",
    ]


def test_control_characters_from_content_never_reach_the_terminal(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    seed = SEED.replace("agreed.", "agreed.\x1b[2K\rHidden")
    article = ARTICLE.replace("text: Premier Li Keqiang", "text: Premier Li Keqiang agreed. Hidden")
    root = project(make_project, seeds__s_txt=seed, content__articles__a_yaml=article)
    (root / "content" / "articles" / "b.yaml").write_bytes(
        b'source: seeds/s.txt\ntitle: "T\x1b[31m"\r\n'
    )
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    text = "\n".join(lines)
    assert not any(ch in text for ch in "\x1b\r\x07")
    assert '  closest passage (line 2): "Premier Li Keqiang agreed.\\x1b[2K Hidden"' in lines
    assert '  title: "T\\x1b[31m"' in lines


def test_the_preview_overlay_gets_the_escaped_text(tmp_path: Path):
    live = LiveSite(tmp_path, "")
    live.failed([error(Position("a.yaml", 1, 1), "bad \x1b]0;owned\x07 title").format()], 1)
    assert live.failure is not None
    data = json.loads(live.failure.decode().split("data: ", 1)[1])
    assert data["diagnostics"] == ["a.yaml:1:1: error: bad \\x1b]0;owned\\x07 title"]
    page = placeholder_page(live.failure_text, b"")
    assert b"\x1b" not in page and b"bad \\x1b]0;owned\\x07 title" in page
    # The overlay puts them in the page as text, never as markup.
    script = load_script()
    assert 'querySelector("pre").textContent = report.diagnostics.join' in script


def test_a_long_source_line_is_cut_around_the_column():
    line = "annotations: " + "[" * 20000
    diagnostic = error(Position("a.yaml", 3, 10013), "too deep", source_line=line)
    shown, caret = diagnostic.format().splitlines()[1:3]
    assert shown == "  …" + "[" * 121 + "…"
    assert caret == "  " + " " * 61 + "^"  # under the 61st `[` after the cut: column 10013


@pytest.mark.parametrize(
    ("column", "shown", "caret"),
    [
        (1, "a" + "x" * 120 + "…", "^"),
        (300, "…" + "x" * 119 + "yz", " " * 121 + "^"),
    ],
)
def test_a_long_line_cut_at_either_end_keeps_the_caret_in_place(
    column: int, shown: str, caret: str
):
    line = "a" + "x" * 297 + "yz"
    formatted = error(Position("a.yaml", 1, column), "m", source_line=line).format()
    assert formatted.splitlines()[1:3] == ["  " + shown, "  " + caret]


def test_the_caret_counts_wide_characters_twice():
    formatted = error(Position("a.yaml", 1, 9), "m", source_line="text: 网络强国").format()
    assert formatted.splitlines()[1:3] == ["  text: 网络强国", "  " + " " * 10 + "^"]


def test_a_deeply_nested_line_is_shown_cut(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    article = "source: seeds/s.txt\ntitle: T\nannotations: " + "[" * 10000 + "\n"
    root = project(make_project, content__articles__a_yaml=article)
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    at = lines.index(next(line for line in lines if line.startswith("content/articles/a.yaml:3:")))
    assert max(len(line) for line in lines) < 200
    assert lines[at + 1].startswith("  …[[[") and lines[at + 1].endswith("[[[…")


def test_whole_file_problems_are_at_line_1_column_1(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    root = project(make_project, content__articles__b_yml=ARTICLE)
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert lines[0] == (
        "content/articles/b.yml:1:1: error: content files end in `.yaml`; this `.yml` file is not read"
    )


@pytest.mark.parametrize("path", ["output", "/tmp/site-output", "site-builder", "templates"])
def test_folders_and_the_program_have_no_line(path: str):
    assert error(Position(path), "m").format() == f"{path}: error: m"


def test_strict_shows_and_counts_warnings_as_errors(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    site = MINIMAL_SITE + "cname: annotated.example.org\n"
    article = ARTICLE.replace("person: li-keqiang", "person: nobody")
    root = project(make_project, content__site_yaml=site, content__articles__a_yaml=article)
    code, lines = run(capsys, "build", "--project", str(root), "--strict")
    assert code == 1
    headlines = [line for line in lines if not line.startswith(" ")]
    assert headlines == [
        "content/articles/a.yaml:9:13: error: `person` names unknown person `nobody`",
        "content/site.yaml:5:8: error: (strict) `cname` is `annotated.example.org`, "
        "but `base_url` is at `example.test`",
        "site-builder: 2 error(s), 0 warning(s); nothing written",
    ]


def test_without_strict_a_warning_stays_a_warning(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    site = MINIMAL_SITE + "cname: annotated.example.org\n"
    article = ARTICLE.replace("person: li-keqiang", "person: nobody")
    root = project(make_project, content__site_yaml=site, content__articles__a_yaml=article)
    code, lines = run(capsys, "check", "--project", str(root))
    assert code == 1
    assert lines[-1] == "site-builder: 1 error(s), 1 warning(s); nothing written"
    assert any(line.startswith("content/site.yaml:5:8: warning: `cname`") for line in lines)


def test_strict_error_keeps_what_it_was():
    promoted = warning(Position("a.yaml", 2, 3), "unused", "remove it").as_strict_error()
    assert promoted.is_error
    assert promoted.format() == "a.yaml:2:3: error: (strict) unused\n  remove it"
    real = error(Position("a.yaml", 2, 3), "broken")
    assert real.as_strict_error() is real


def test_a_form_feed_is_shown_in_its_line_not_taken_for_a_line_break(
    make_project: ProjectFactory, capsys: pytest.CaptureFixture[str]
):
    article = ARTICLE.replace("title: A test article", 'title: "A test\x0c article"')
    code, lines = run(
        capsys, "check", "--project", str(project(make_project, content__articles__a_yaml=article))
    )
    assert code == 1
    assert lines[:3] == [
        "content/articles/a.yaml:2:15: error: the file contains the control character U+000C, "
        "which YAML does not allow",
        '  title: "A test\\x0c article"',
        "                ^",
    ]
