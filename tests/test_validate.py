"""Schema, references and files: each mistake is one located message with a way to fix it.

And the one schema: the JSON Schemas published in `schemas/` are generated from
`site_builder/schema.py`, are up to date, and agree with the build on the real content.
"""

from __future__ import annotations

import ast
import datetime
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, ProjectFactory, headlines
from test_load import ARTICLE, SEED, errors, project, run_check

from site_builder import schema, validate
from site_builder.build import BuildOptions, resolve_site
from site_builder.load import ContentFiles, MapNode, Node, Scalar, SeqNode, load_yaml_text
from site_builder.model import Person, Role, WebLink
from site_builder.schema import (
    ArticleFields,
    PersonFields,
    RoleFields,
    TermFields,
)

A = "content/articles/a.yaml"


def article_with(old: str, new: str) -> str:
    assert old in ARTICLE
    return ARTICLE.replace(old, new, 1)


def check_article(make_project: ProjectFactory, text: str, **files: str | bytes | None):
    return run_check(project(make_project, content__articles__a_yaml=text, **files))


# --- unknown fields ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected", "hint"),
    [
        (
            "title:",
            "titel:",
            f"{A}:2:1: error: unknown field `titel` in an article",
            "did you mean `title`?",
        ),
        (
            "    speaker:",
            "    speeker:",
            f"{A}:6:5: error: unknown field `speeker` in an annotation",
            "did you mean `speaker`?",
        ),
        (
            "title: A test article",
            "title: A\nprefix: x",
            f"{A}:3:1: error: unknown field `prefix` in an article",
            "belongs in an annotation",
        ),
        (
            "title: A test article",
            "title: A\nwhatever: x",
            f"{A}:3:1: error: unknown field `whatever` in an article",
            "known fields: source, title,",
        ),
    ],
)
def test_unknown_fields(make_project: ProjectFactory, old: str, new: str, expected: str, hint: str):
    report = check_article(make_project, article_with(old, new))
    [diagnostic] = [d for d in report.diagnostics if d.is_error and "unknown field" in d.message]
    assert headlines([diagnostic]) == [expected]
    assert hint in diagnostic.hint


def test_unknown_person_field(make_project: ProjectFactory):
    people = "xi-jinping:\n  nmae: Xi Jinping\n  name: Xi\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert errors(report) == ["content/people.yaml:2:3: error: unknown field `nmae` in a person"]
    assert report.diagnostics[0].hint == "did you mean `name`?"


# --- wrong types ------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "title: A test article",
            "title: [A, B]",
            f"{A}:2:8: error: `title` must be text, found a list",
        ),
        (
            "title: A test article",
            "title:\n  en: A",
            f"{A}:3:3: error: `title` must be text, found a mapping",
        ),
        (
            "    speaker: xi-jinping",
            "    speaker: xi-jinping\n    occurrence: two",
            f"{A}:7:17: error: `occurrence` must be a whole number from 1, found `two`",
        ),
        (
            "    speaker: xi-jinping",
            "    speaker: xi-jinping\n    occurrence: 0",
            f"{A}:7:17: error: `occurrence` must be a whole number from 1, found `0`",
        ),
        (
            "    speaker: xi-jinping",
            '    speaker: xi-jinping\n    occurrence: "2"',
            f"{A}:7:17: error: `occurrence` must be a whole number from 1, found `2`",
        ),
        (
            "annotations:\n  - type: quote",
            "annotations: quote\nx:\n  - type: quote",
            f"{A}:3:14: error: `annotations` must be a list of entries, found `quote`",
        ),
    ],
)
def test_wrong_types_name_the_expected_type(
    make_project: ProjectFactory, old: str, new: str, expected: str
):
    report = check_article(make_project, article_with(old, new))
    assert expected in errors(report)


def test_a_scalar_where_a_list_belongs(make_project: ProjectFactory):
    people = "xi-jinping:\n  name: Xi Jinping\n  aliases: Xi\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert errors(report) == [
        "content/people.yaml:3:12: error: `aliases` must be a list of texts, found `Xi`"
    ]
    assert report.diagnostics[0].hint == "write it as [Xi]"


def test_a_person_that_is_not_a_mapping(make_project: ProjectFactory):
    people = "xi-jinping: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert errors(report) == [
        "content/people.yaml:1:13: error: expected a mapping of fields for a person, found `Xi Jinping`"
    ]


def test_site_base_url_must_be_http(make_project: ProjectFactory):
    site = "title: T\nbase_url: example.com\n"
    report = run_check(project(make_project, content__site_yaml=site))
    assert errors(report) == [
        "content/site.yaml:2:11: error: `base_url` must be an http or https URL, found `example.com`"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        '"https://x.test/\\" onmouseover=\\"alert(1)"',
        "//evil.test/",
    ],
)
def test_only_http_urls_are_accepted(make_project: ProjectFactory, url: str):
    people = (
        "xi-jinping:\n  name: Xi Jinping\n  links:\n    - label: Home\n"
        f"      url: {url}\nli-keqiang:\n  name: Li Keqiang\n"
    )
    report = run_check(project(make_project, content__people_yaml=people))
    [line] = errors(report)
    assert line.startswith("content/people.yaml:5:12: error: `url` must be an http or https URL")


# --- missing required fields ------------------------------------------------


def test_missing_title(make_project: ProjectFactory):
    report = check_article(make_project, article_with("title: A test article\n", ""))
    assert errors(report) == [f"{A}:1:1: error: missing required field `title` in an article"]
    assert report.diagnostics[0].hint == "add `title:` (The article's title)"


def test_missing_name(make_project: ProjectFactory):
    people = "xi-jinping:\n  summary: S.\nli-keqiang:\n  name: Li Keqiang\n"
    report = run_check(project(make_project, content__people_yaml=people))
    assert errors(report) == [
        "content/people.yaml:2:3: error: missing required field `name` in a person"
    ]


def test_empty_required_value(make_project: ProjectFactory):
    report = check_article(make_project, article_with("title: A test article", "title:"))
    assert errors(report) == [f"{A}:2:7: error: `title` is empty"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    speaker: xi-jinping\n", "", f"{A}:4:5: error: a quote needs `speaker`"),
        (
            "    text: Premier Li Keqiang\n",
            "",
            f"{A}:7:5: error: missing required field `text` in an annotation",
        ),
        (
            "  - type: quote\n",
            "  - text: x\n",
            f"{A}:4:5: error: missing required field `type` in an annotation",
        ),
        (
            "    text: We must build a cyber power.",
            '    text: ""',
            f"{A}:5:11: error: `text` is empty",
        ),
        (
            "    text: We must build a cyber power.",
            "    text:   ",
            f"{A}:5:10: error: `text` is empty",
        ),
    ],
)
def test_missing_annotation_fields(make_project: ProjectFactory, old: str, new: str, expected: str):
    report = check_article(make_project, article_with(old, new))
    assert expected in errors(report)


def test_a_note_needs_its_note(make_project: ProjectFactory):
    text = ARTICLE + "  - type: note\n    text: Premier Li Keqiang\n"
    report = check_article(make_project, text)
    assert errors(report) == [f"{A}:10:5: error: a note needs `note`"]


# --- ids ----------------------------------------------------------------------


def test_person_id_that_is_not_lowercase_hyphen(make_project: ProjectFactory):
    people = "Xi_Jinping:\n  name: Xi Jinping\nli-keqiang:\n  name: Li Keqiang\n"
    article = ARTICLE.replace("speaker: xi-jinping", "speaker: Xi_Jinping")
    report = run_check(
        project(make_project, content__people_yaml=people, content__articles__a_yaml=article)
    )
    assert errors(report) == [
        f"{A}:6:14: error: `Xi_Jinping` is not a valid id",
        "content/people.yaml:1:1: error: `Xi_Jinping` is not a valid id",
    ]
    assert "e.g. `xi-jinping`" in report.diagnostics[-1].hint


@pytest.mark.parametrize("ident", ["My Id", "ends-", "double--hyphen", "para_3", "Top", "é"])
def test_annotation_id_that_is_not_lowercase_hyphen(make_project: ProjectFactory, ident: str):
    text = article_with("    speaker: xi-jinping", f"    speaker: xi-jinping\n    id: {ident}")
    report = check_article(make_project, text)
    assert errors(report) == [f"{A}:7:9: error: `{ident}` is not a valid id"]


def test_article_file_name_must_be_a_slug(make_project: ProjectFactory):
    root = project(
        make_project, content__articles__a_yaml=None, content__articles__My_Article_yaml=ARTICLE
    )
    report = run_check(root)
    assert errors(report) == [
        "content/articles/My_Article.yaml:1:1: error: the file name `My_Article` is not a valid article slug"
    ]
    assert "rename the file to `my-article.yaml`" in report.diagnostics[0].hint


def test_slugs_that_differ_only_in_case_collide(make_project: ProjectFactory, tmp_path: Path):
    probe = tmp_path / "CaseProbe"
    probe.write_text("")
    if (tmp_path / "caseprobe").exists():
        pytest.skip("case-insensitive file system: the two files cannot both exist")
    root = project(
        make_project, content__articles__Xi_yaml=ARTICLE, content__articles__xi_yaml=ARTICLE
    )
    lines = errors(run_check(root))
    assert (
        "content/articles/xi.yaml:1:1: error: the article `xi` collides with `Xi` (content/articles/Xi.yaml)"
        in lines
    )


# --- annotation types -------------------------------------------------------


def test_unknown_annotation_type(make_project: ProjectFactory):
    report = check_article(make_project, article_with("  - type: mention", "  - type: mentoin"))
    assert errors(report) == [
        f"{A}:7:11: error: unknown annotation type `mentoin` (annotation types: quote, mention, term, note)"
    ]
    assert report.diagnostics[0].hint == "did you mean `mention`?"


@pytest.mark.parametrize(
    ("old", "new", "expected", "hint"),
    [
        (
            "    person: li-keqiang",
            "    person: li-keqiang\n    speaker: li-keqiang",
            f"{A}:10:14: error: `speaker` belongs to a quote, not a mention",
            "change `type` to quote",
        ),
        (
            "    speaker: xi-jinping",
            "    speaker: xi-jinping\n    term: cyber-power",
            f"{A}:7:11: error: `term` belongs to a term, not a quote",
            "change `type` to term",
        ),
        (
            "    person: li-keqiang",
            "    person: li-keqiang\n    note: Hello",
            f"{A}:10:11: error: a mention cannot carry a `note`",
            "separate annotation of type note",
        ),
    ],
)
def test_fields_of_another_annotation_type(
    make_project: ProjectFactory, old: str, new: str, expected: str, hint: str
):
    report = check_article(make_project, article_with(old, new))
    [diagnostic] = [d for d in report.diagnostics if d.is_error]
    assert headlines([diagnostic]) == [expected]
    assert hint in diagnostic.hint


def test_occurrence_and_all_exclude_each_other(make_project: ProjectFactory):
    text = article_with(
        "    speaker: xi-jinping", "    speaker: xi-jinping\n    occurrence: 1\n    all: true"
    )
    report = check_article(make_project, text)
    assert errors(report) == [f"{A}:7:17: error: `occurrence` and `all: true` exclude each other"]


# --- references -------------------------------------------------------------

PEOPLE = """\
xi-jinping:
  name: Xi Jinping
  aliases: [President Xi Jinping]
li-keqiang:
  name: Li Keqiang
lu-wei:
  name: Lu Wei
"""
SEED_LU = SEED + "Lu Wei spoke.\n"


def check_references(make_project: ProjectFactory, text: str):
    return run_check(
        project(
            make_project,
            content__people_yaml=PEOPLE,
            seeds__s_txt=SEED_LU,
            content__articles__a_yaml=text,
        )
    )


@pytest.mark.parametrize(
    ("old", "new", "expected", "hint"),
    [
        (
            "person: li-keqiang",
            "person: lu-wie",
            f"{A}:9:13: error: `person` names unknown person `lu-wie`",
            "did you mean `lu-wei`?",
        ),
        (
            "speaker: xi-jinping",
            "speaker: xi",
            f"{A}:6:14: error: `speaker` names unknown person `xi`",
            "add `xi` to content/people.yaml",
        ),
        (
            "speaker: xi-jinping",
            "speaker: president-xi-jinping",
            f"{A}:6:14: error: `speaker` names unknown person `president-xi-jinping`",
            "did you mean `xi-jinping`?",
        ),
        (
            "person: li-keqiang",
            "person: Lu_Wei",
            f"{A}:9:13: error: `Lu_Wei` is not a valid id",
            "e.g. `lu-wei`",
        ),
    ],
)
def test_unknown_people(make_project: ProjectFactory, old: str, new: str, expected: str, hint: str):
    report = check_references(make_project, article_with(old, new))
    [diagnostic] = [d for d in report.diagnostics if d.is_error]
    assert headlines([diagnostic]) == [expected]
    assert hint in diagnostic.hint


def test_unknown_term(make_project: ProjectFactory):
    text = ARTICLE + "  - type: term\n    text: cyber power\n    term: cyber-powr\n"
    report = check_article(make_project, text)
    assert errors(report) == [f"{A}:12:11: error: `term` names unknown term `cyber-powr`"]
    assert report.diagnostics[0].hint == "did you mean `cyber-power`?"


def test_unknown_see_also(make_project: ProjectFactory):
    glossary = (
        "cyber-power:\n  term: cyber power\n  definition: D.\n"
        "  see_also: [informatisation, cyber-power]\n"
    )
    report = run_check(project(make_project, content__glossary_yaml=glossary))
    assert errors(report) == [
        "content/glossary.yaml:4:14: error: `see_also` names unknown term `informatisation`"
    ]
    assert report.diagnostics[0].hint == "add `informatisation` to content/glossary.yaml"


def test_references_without_a_people_file(make_project: ProjectFactory):
    report = run_check(project(make_project, content__people_yaml=None))
    assert errors(report) == [
        f"{A}:6:14: error: `speaker` names unknown person `xi-jinping`",
        f"{A}:9:13: error: `person` names unknown person `li-keqiang`",
    ]


def test_explicit_ids_repeated_across_articles(make_project: ProjectFactory):
    with_id = article_with("    speaker: xi-jinping", "    speaker: xi-jinping\n    id: build-it")
    root = project(
        make_project, content__articles__a_yaml=with_id, content__articles__b_yaml=with_id
    )
    report = run_check(root)
    assert errors(report) == [
        "content/articles/b.yaml:7:9: error: the id `build-it` is already used in "
        "content/articles/a.yaml (line 7)"
    ]


def test_derived_ids_may_repeat_across_articles(make_project: ProjectFactory):
    root = project(make_project, content__articles__b_yaml=ARTICLE)
    assert run_check(root).diagnostics == []


def test_unused_people_and_terms_are_warnings(make_project: ProjectFactory):
    people = PEOPLE  # lu-wei is in no seed of this project
    glossary = "cyber-power:\n  term: cyber power\n  definition: D.\nunused:\n  term: zebra\n  definition: D.\n"
    report = run_check(
        project(make_project, content__people_yaml=people, content__glossary_yaml=glossary)
    )
    assert headlines(report.diagnostics) == [
        "content/glossary.yaml:4:1: warning: no article uses the term `unused`",
        "content/people.yaml:6:1: warning: no article names the person `lu-wei`",
    ]
    assert not report.failed


# --- files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("../outside.txt", "`source` points outside the project: `../outside.txt`"),
        (
            "seeds/../../outside.txt",
            "`source` points outside the project: `seeds/../../outside.txt`",
        ),
        ("/etc/hostname", "`source` must be a path inside the project, found `/etc/hostname`"),
        (
            "C:\\seeds\\s.txt",
            "`source` must be a path inside the project, found `C:\\seeds\\s.txt`",
        ),
        ("~/s.txt", "`source` must be a path inside the project, found `~/s.txt`"),
        ("seeds/t.txt", "the seed `seeds/t.txt` does not exist"),
        ("seeds", "the seed `seeds` is a folder, not a file"),
    ],
)
def test_bad_sources(make_project: ProjectFactory, source: str, message: str):
    root = project(make_project, content__articles__a_yaml=article_with("seeds/s.txt", source))
    (root.parent / "outside.txt").write_text(SEED)
    report = run_check(root)
    assert errors(report) == [f"{A}:1:9: error: {message}"]


def test_missing_seed_suggests_the_closest(make_project: ProjectFactory):
    report = check_article(make_project, article_with("seeds/s.txt", "seeds/S.txt"))
    assert report.diagnostics[0].hint == "did you mean `seeds/s.txt`?"


def test_source_symlink_pointing_out_of_the_project(make_project: ProjectFactory):
    root = project(
        make_project, content__articles__a_yaml=article_with("seeds/s.txt", "seeds/link.txt")
    )
    outside = root.parent / "secret.txt"
    outside.write_text(SEED)
    try:
        (root / "seeds/link.txt").symlink_to(outside)
    except OSError:
        pytest.skip("symlinks are not available here")
    assert errors(run_check(root)) == [
        f"{A}:1:9: error: `source` is a link to a file outside the project: `seeds/link.txt`"
    ]


def test_source_symlink_inside_the_project_is_fine(make_project: ProjectFactory):
    root = project(
        make_project, content__articles__a_yaml=article_with("seeds/s.txt", "seeds/link.txt")
    )
    try:
        (root / "seeds/link.txt").symlink_to(root / "seeds/s.txt")
    except OSError:
        pytest.skip("symlinks are not available here")
    assert run_check(root).diagnostics == []


def test_seed_that_is_not_utf8_names_the_byte(make_project: ProjectFactory):
    raw = SEED.replace("agreed", "agr\xe9ed").encode("cp1252")
    report = run_check(project(make_project, seeds__s_txt=raw))
    assert errors(report) == [
        "seeds/s.txt:2:23: error: the file is not UTF-8 text (byte 0xe9 at offset 80)"
    ]


def test_seed_with_bom_and_crlf_anchors_like_a_clean_one(make_project: ProjectFactory):
    raw = ("\ufeff" + SEED.replace("\n", "\r\n")).encode("utf-8")
    site, problems = resolve_site(BuildOptions(project(make_project, seeds__s_txt=raw)))
    assert problems == [] and site is not None
    assert not site.articles[0].body.text.startswith("\ufeff")


# --- one schema: published JSON Schemas ---------------------------------------


def test_published_schemas_are_up_to_date():
    """Regenerate with `python -m site_builder.schema` after changing site_builder/schema.py
    (or run a build): they list the ids of the project's people and terms."""
    folder = REPO / schema.SCHEMA_FOLDER
    ids = schema.project_ids(REPO)
    assert ids is not None and "xi-jinping" in [c.id for c in ids.people]
    assert "informatization" in [c.id for c in ids.terms]
    expected = schema.render_schema_files(ids)
    found = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.json"))}
    assert found == expected


def test_write_schema_files_regenerates(tmp_path: Path):
    written = schema.write_schema_files(tmp_path)
    assert sorted(p.name for p in written) == sorted(schema.SCHEMA_FILES)
    assert schema.write_schema_files(tmp_path) == []  # unchanged files are left alone


def content_files() -> list[Path]:
    return sorted([*REPO.glob("content/*.yaml"), *REPO.glob("content/articles/*.yaml")])


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.name)
def test_content_files_point_editors_at_their_schema(path: Path):
    relpath = path.relative_to(REPO).as_posix()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema.modeline(relpath)
    target = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert target is not None
    assert (path.parent / target.group(1)).resolve().is_file()


def test_modelines_use_relative_paths():
    assert schema.modeline("content/people.yaml") == (
        "# yaml-language-server: $schema=../schemas/people.schema.json"
    )
    assert schema.modeline("content/articles/x.yaml") == (
        "# yaml-language-server: $schema=../../schemas/article.schema.json"
    )


# YAML 1.2's core schema, as editors' tools (yaml-language-server) read plain scalars.
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN"
)


def as_json_1_2(node: Node) -> Any:
    """What an editor's YAML 1.2 tool sees: the data the JSON Schema is checked against."""
    if isinstance(node, MapNode):
        return {k.text: as_json_1_2(v) for k, v in node.entries}
    if isinstance(node, SeqNode):
        return [as_json_1_2(item) for item in node.items]
    assert isinstance(node, Scalar)
    text = node.text
    if node.quoted:
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 16) if text.startswith("0x") else int(text)
    if _FLOAT.fullmatch(text):
        lowered = text.lower()
        return (
            float(lowered.replace(".", "")) if "inf" in lowered or "nan" in lowered else float(text)
        )
    return text


def json_validator(schema_file: str):
    """A Draft 7 validator for a published schema (jsonschema is a test dependency; CI must have it)."""
    if os.environ.get("SITE_BUILDER_CI"):
        import jsonschema
    else:
        jsonschema = pytest.importorskip("jsonschema")
    document = json.loads((REPO / schema.SCHEMA_FOLDER / schema_file).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(document)
    return jsonschema.Draft7Validator(document)


def json_errors(relpath: str, text: str) -> list[str]:
    loaded, problems = load_yaml_text(relpath, text.encode("utf-8"))
    assert problems == [] and loaded.root is not None
    schema_file = schema.schema_file_for(relpath)
    assert schema_file is not None
    validator = json_validator(schema_file)
    return [e.message for e in validator.iter_errors(as_json_1_2(loaded.root))]


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.name)
def test_shipped_content_is_valid_under_the_published_schema(path: Path):
    relpath = path.relative_to(REPO).as_posix()
    assert json_errors(relpath, path.read_text(encoding="utf-8")) == []


def test_shipped_content_is_valid_for_the_build_too():
    site, problems = resolve_site(BuildOptions(REPO))
    assert site is not None and [d for d in problems if d.is_error] == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: A test article", "titel: A test article"),
        ("title: A test article", "title: [A]"),
        ("title: A test article\n", ""),
        ("  - type: mention", "  - type: mentoin"),
        ("    speaker: xi-jinping\n", ""),
        ("    person: li-keqiang", "    person: li-keqiang\n    speaker: xi-jinping"),
        ("    person: li-keqiang", "    person: li-keqiang\n    note: N."),
        ("    person: li-keqiang", "    person: Li_Keqiang"),
        ("    person: li-keqiang", "    person: li-keqiang\n    occurrence: 1\n    all: true"),
        ("    person: li-keqiang", "    person: li-keqiang\n    occurrence: 0"),
        ("    person: li-keqiang", "    person: li-keqiang\n    all: yes"),
        ("title: A test article", "title: A\ndate: 27 February 2014"),
        ("title: A test article", "title: A\noriginal_url: javascript:alert(1)"),
        ("title: A test article", 'title: "  "'),
    ],
)
def test_schema_and_build_reject_the_same_mistakes(
    make_project: ProjectFactory, old: str, new: str
):
    text = article_with(old, new)
    assert json_errors(A, text) != []
    assert errors(check_article(make_project, text)) != []


@pytest.mark.parametrize(
    "people",
    [
        "xi-jinping:\n  name: No\n  aliases: [on, 010, 1.10]\n  roles:\n    - title: 1.10\n      from: 2012\n",
        "xi-jinping:\n  name: Xi\n  native:\n  aliases:\n  links:\n  bio: 2012\n",
    ],
)
def test_schema_accepts_what_the_build_accepts(make_project: ProjectFactory, people: str):
    assert json_errors("content/people.yaml", people) == []
    people += "li-keqiang:\n  name: Li Keqiang\n"
    assert errors(run_check(project(make_project, content__people_yaml=people))) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[first]", "`autolink` must be one of first, all, none, found a list"),
        ("First", "`autolink` must be one of first, all, none; found `First`"),
        ("no", "`autolink` must be one of first, all, none; found `no`"),
    ],
)
def test_site_autolink_choices(make_project: ProjectFactory, value: str, expected: str):
    site = f"title: T\nbase_url: https://e.test/\nautolink: {value}\n"
    report = run_check(project(make_project, content__site_yaml=site))
    assert errors(report) == [f"content/site.yaml:3:11: error: {expected}"]


# --- one source of field names: the schema's Fields, read as typed entries ------------


FIELD_SETS = [
    value
    for value in vars(schema).values()
    if isinstance(value, type)
    and issubclass(value, schema.FieldSet)
    and value is not schema.FieldSet
]
RECORDS = [r for r in vars(schema).values() if isinstance(r, schema.Record)]


def test_every_record_is_declared_by_a_field_set():
    declared = {schema.declared(fields) for fields in FIELD_SETS}
    assert [r.name for r in RECORDS if r.fields not in declared] == ["strings"]  # the theme's keys
    assert len(declared) == len(FIELD_SETS) == len(RECORDS) - 1


def test_a_fields_name_is_the_attribute_it_is_declared_as():
    assert [f.name for f in schema.ROLE.fields] == ["title", "from", "to"]
    assert RoleFields.from_.name == "from"
    for fields in FIELD_SETS:
        for attribute, spec in vars(fields).items():
            if isinstance(spec, schema.Field):
                assert spec.name == attribute.removesuffix("_")


EVERY_FIELD_SITE = """\
title: T
description: D
base_url: https://e.test/
language: en
autolink: all
cname: e.test
cjk_lang: zh-Hant
strings:
  search: Find
"""
EVERY_FIELD_PEOPLE = """\
xi-jinping:
  name: Xi Jinping
  native: 习近平
  aliases: [Xi]
  summary: S
  bio: B
  roles:
    - title: President
      from: "2013"
      to: "2023"
  links:
    - label: L
      url: https://e.test/xi
"""
EVERY_FIELD_GLOSSARY = """\
cyber-power:
  term: cyber power
  native: 网络强国
  transliteration: wangluo qiangguo
  aliases: [cyberpower]
  renderings:
    - text: network power
      by: B
  definition: D
  see_also: [informatization]
informatization:
  term: informatization
  definition: D
"""
EVERY_FIELD_ARTICLE = """\
source: seeds/s.txt
title: A
publisher: P
date: 2014-02-27
original_url: https://e.test/a
body_starts_at: President
annotations:
  - type: quote
    text: We must build a cyber power.
    id: the-quote
    speaker: xi-jinping
    note: N
  - type: mention
    text: Xi Jinping
    prefix: "President "
    suffix: " said"
    occurrence: 1
    person: xi-jinping
  - type: term
    text: cyber power
    all: true
    term: cyber-power
"""


def yaml_file(path: str, text: str):
    file, problems = load_yaml_text(path, text.encode("utf-8"))
    assert problems == []
    return file


def validate_every_field(tmp_path: Path) -> list[Any]:
    """Validate content that writes every field of every record; what it builds."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "s.txt").write_text(SEED, encoding="utf-8")
    files = ContentFiles(
        site=yaml_file("content/site.yaml", EVERY_FIELD_SITE),
        people=yaml_file("content/people.yaml", EVERY_FIELD_PEOPLE),
        glossary=yaml_file("content/glossary.yaml", EVERY_FIELD_GLOSSARY),
        article_paths=(A,),
    )
    catalog, problems = validate.validate_catalog(files)
    checked = validate.validate_article(
        yaml_file(A, EVERY_FIELD_ARTICLE), tmp_path, catalog.known_people, catalog.known_terms
    )
    assert [p.format() for p in [*problems, *checked.diagnostics]] == []
    return [catalog, checked.spec]


def test_the_builders_read_every_field_of_the_schema(tmp_path: Path, monkeypatch):
    asked: set[schema.Field] = set()
    for method in ("get", "written", "at"):
        original = getattr(validate.Entry, method)

        def spy(entry, spec, *rest, _original=original):
            asked.add(spec)
            return _original(entry, spec, *rest)

        monkeypatch.setattr(validate.Entry, method, spy)
    validate_every_field(tmp_path)
    every = [f for fields in FIELD_SETS for f in schema.declared(fields)]
    assert [f"{f.name}" for f in every if f not in asked] == []


def test_every_field_written_reaches_the_model(tmp_path: Path):
    catalog, article = validate_every_field(tmp_path)
    [xi] = catalog.people
    assert xi == Person(
        id="xi-jinping",
        name="Xi Jinping",
        native="习近平",
        aliases=("Xi",),
        summary="S",
        bio="B",
        roles=(Role("President", "2013", "2023"),),
        links=(WebLink("L", "https://e.test/xi"),),
        position=xi.position,
    )
    site = catalog.site
    assert (site.title, site.description, site.base_url, site.language) == (
        "T",
        "D",
        "https://e.test/",
        "en",
    )
    assert (site.autolink, site.cname, site.cjk_lang) == ("all", "e.test", "zh-Hant")
    assert site.words.text("search") == "Find"
    term = catalog.terms[0]
    assert (term.native, term.transliteration, term.aliases, term.see_also) == (
        "网络强国",
        "wangluo qiangguo",
        ("cyberpower",),
        ("informatization",),
    )
    assert [(r.text, r.by) for r in term.renderings] == [("network power", "B")]
    assert (article.publisher, article.date, article.original_url, article.body_starts_at) == (
        "P",
        datetime.date(2014, 2, 27),
        "https://e.test/a",
        "President",
    )
    quote, mention, term_annotation = article.annotations
    assert (quote.id, quote.target, quote.note) == ("the-quote", "xi-jinping", "N")
    assert (mention.prefix, mention.suffix, mention.occurrence) == ("President", "said", 1)
    assert (term_annotation.all, term_annotation.target) == (True, "cyber-power")


def test_an_entry_refuses_a_field_of_another_record():
    node = yaml_file("content/people.yaml", "name: Xi\nnative: X\n").root
    assert node is not None
    entry = validate._Reader().record(node, schema.PERSON)
    assert entry.get(PersonFields.native) == "X"
    # Same name, other record: a builder's slip that must not read as the person's `native`.
    for ask in (entry.get, entry.written, entry.at):
        with pytest.raises(KeyError, match="`native` is not a field of a person"):
            ask(TermFields.native)


def test_an_entry_tells_a_field_written_from_a_value_read():
    text = "source: seeds/s.txt\ntitle: A\ndate: tomorrow\n"
    node = yaml_file(A, text).root
    assert node is not None
    reader = validate._Reader()
    entry = reader.record(node, schema.ARTICLE)
    assert [d.message for d in reader.diagnostics] == [
        "`date` must be a date written YYYY-MM-DD, found `tomorrow`"
    ]
    assert entry.written(ArticleFields.date) and entry.get(ArticleFields.date) is None
    assert entry.at(ArticleFields.date) == (A, 3, 7)
    assert not entry.written(ArticleFields.publisher)
    assert entry.get(ArticleFields.publisher, "none") == "none"
    assert entry.at(ArticleFields.publisher) == entry.position


def _field_references(tree: ast.AST) -> list[tuple[str, str, int]]:
    """Every `XFields.name` (or `schema.XFields.name`) a module writes, with its line."""
    names = {fields.__name__ for fields in FIELD_SETS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name):
            owner_name = owner.attr if owner.value.id == "schema" else ""
        else:
            owner_name = owner.id if isinstance(owner, ast.Name) else ""
        if owner_name in names:
            found.append((owner_name, node.attr, node.lineno))
    return found


def test_every_field_the_code_names_is_declared():
    """What a type checker would say: a misspelt `PersonFields.nmae` anywhere in the package
    (even on a path no test runs) names no field."""
    sets = {fields.__name__: fields for fields in FIELD_SETS}
    named = []
    for path in sorted((REPO / "site_builder").glob("*.py")):
        for owner, attribute, line in _field_references(ast.parse(path.read_text("utf-8"))):
            named.append(attribute)
            if not isinstance(getattr(sets[owner], attribute, None), schema.Field):
                pytest.fail(f"{path.name}:{line}: `{owner}.{attribute}` is not a declared field")
    assert "speaker" in named and "from_" in named


def test_the_check_of_field_names_sees_a_typo():
    tree = ast.parse("x = PersonFields.nmae\ny = schema.TermFields.term\nz = Other.name\n")
    assert _field_references(tree) == [("PersonFields", "nmae", 1), ("TermFields", "term", 2)]
    assert not hasattr(PersonFields, "nmae")
