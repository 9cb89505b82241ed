"""Publishing: the site root (templates/root/, favicon, robots.txt), sharing metadata,
schema.org data that credits the right people, the Pages workflow, and schemas/ kept current."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, ProjectFactory, headlines
from htmlcheck import parse

from site_builder import schema
from site_builder.build import BuildOptions, build, check
from site_builder.write import BUILD_MARKER, MARKER_TEXT

SEED = "President Xi Jinping said cyber power matters.\n"
ARTICLE = """\
source: seeds/s.txt
title: A report
publisher: Xinhua
date: 2014-02-27
original_url: https://e.test/original
annotations:
  - type: quote
    text: cyber power matters
    speaker: xi-jinping
"""


def project(make_project: ProjectFactory, **files: str | bytes | None) -> Path:
    content: dict[str, str | bytes | None] = {
        "seeds/s.txt": SEED,
        "content/articles/a.yaml": ARTICLE,
    }
    content.update({name.replace("__", "/"): text for name, text in files.items()})
    return make_project(content)


def built(root: Path) -> Path:
    report = build(BuildOptions(root, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]
    return root / "output"


# --- the site root -----------------------------------------------------------


def test_the_default_favicon_is_at_the_root_and_linked_from_every_page(
    make_project: ProjectFactory,
):
    out = built(project(make_project))
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an icon file
    assert (out / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    for page in sorted(out.rglob("*.html")):
        rel = page.relative_to(out).as_posix()
        root = "https://example.test/site/" if rel == "404.html" else "../" * rel.count("/")
        icons = [
            e.attrs["href"]
            for e in parse(page.read_text(encoding="utf-8")).elements
            if e.attrs.get("rel") == "icon"
        ]
        assert icons == [root + "favicon.ico", root + "favicon.svg"], rel


def test_templates_root_is_copied_to_the_site_root_as_is(make_project: ProjectFactory):
    verification = b"google-site-verification: google123.html\n"
    root = project(make_project)
    mine = {
        "google123.html": verification,
        "favicon.ico": b"\x00\x00\x01\x00mine",
        ".well-known/security.txt": b"Contact: mailto:x@e.test\n",
    }
    for name, data in mine.items():
        target = root / "templates" / "root" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    out = built(root)
    for name, data in mine.items():  # byte for byte; the project's favicon wins over the theme's
        assert (out / name).read_bytes() == data, name
    assert (out / "favicon.svg").is_file()  # the theme's, which the project does not override


def test_robots_txt_names_the_sitemap(make_project: ProjectFactory):
    out = built(project(make_project))
    assert (out / "robots.txt").read_text(encoding="utf-8") == (
        "User-agent: *\nAllow: /\n\nSitemap: https://example.test/site/sitemap.xml\n"
    )


def test_a_robots_txt_in_templates_root_replaces_the_built_one(make_project: ProjectFactory):
    root = project(make_project)
    (root / "templates" / "root").mkdir(parents=True)
    (root / "templates" / "root" / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /\n")
    out = built(root)
    assert (out / "robots.txt").read_bytes() == b"User-agent: *\nDisallow: /\n"


@pytest.mark.parametrize(
    ("name", "clash"),
    [
        ("index.html", "index.html"),
        ("sitemap.xml", "sitemap.xml"),
        ("feed.xml", "feed.xml"),
        ("static/style.css", "static/style.css"),
        ("articles/a/index.html", "articles/a/index.html"),
        ("people", "people"),
        ("pagefind/pagefind.js", "pagefind/pagefind.js"),
    ],
)
def test_a_root_file_that_clashes_with_a_built_file_is_a_located_error(
    make_project: ProjectFactory, name: str, clash: str
):
    root = project(make_project)
    target = root / "templates" / "root" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"mine")
    (root / "output").mkdir()
    (root / "output" / "keep.txt").write_text("previous build", encoding="utf-8")
    (root / "output" / ".nojekyll").write_text("", encoding="utf-8")
    (root / "output" / BUILD_MARKER).write_bytes(MARKER_TEXT)
    for run in (build, check):
        report = run(BuildOptions(root, search=False))
        assert report.failed
        assert headlines(report.errors) == [
            f"templates/root/{name}{':1:1' if '.' in name else ''}: error: `{clash}` clashes with a file the build writes "
            "at the root of the site"
        ]
    assert (root / "output" / "keep.txt").read_text(encoding="utf-8") == "previous build"


def test_a_root_file_that_leads_outside_the_project_is_an_error(
    make_project: ProjectFactory, tmp_path: Path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    root = project(make_project)
    (root / "templates" / "root").mkdir(parents=True)
    (root / "templates" / "root" / "leak.txt").symlink_to(secret)
    report = build(BuildOptions(root, search=False))
    assert report.failed
    assert headlines(report.errors) == [
        "templates/root/leak.txt:1:1: error: this is a link to a place outside the project"
    ]
    assert not (root / "output").exists()


# --- sharing metadata and schema.org -------------------------------------------


def test_every_page_has_a_sharing_image_and_a_twitter_card(make_project: ProjectFactory):
    out = built(project(make_project))
    assert (out / "static" / "card.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for page in sorted(out.rglob("*.html")):
        found = parse(page.read_text(encoding="utf-8")).elements
        meta = {
            e.attrs.get("property") or e.attrs.get("name"): e.attrs.get("content")
            for e in found
            if e.tag == "meta"
        }
        assert meta["og:image"] == "https://example.test/site/static/card.png", page
        assert meta["og:image:alt"] == "Test site"
        assert meta["twitter:card"] == "summary_large_image"


def json_ld(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_annotated_page_credits_its_editors_and_is_based_on_the_original(
    make_project: ProjectFactory,
):
    data = json_ld(built(project(make_project)) / "articles" / "a" / "index.html")
    editors = {"@type": "Organization", "name": "Test site", "url": "https://example.test/site/"}
    assert data["@type"] == "Article"
    assert data["author"] == editors and data["publisher"] == editors
    assert data["isBasedOn"] == {
        "@type": "NewsArticle",
        "headline": "A report",
        "publisher": {"@type": "Organization", "name": "Xinhua"},
        "datePublished": "2014-02-27",
        "url": "https://e.test/original",
    }
    assert "datePublished" not in data  # the original's date is not the annotations'
    [quote] = data["hasPart"]
    assert quote["creator"]["name"] == "Xi Jinping"


# --- the Pages workflow --------------------------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or shutil.which(
        "actionlint", path=str(Path(sys.executable).parent)
    )
    if found:
        return found
    if os.environ.get("SITE_BUILDER_CI"):
        pytest.fail("actionlint is missing: pip install -e '.[test]'")
    pytest.skip("actionlint is not installed (pip install -e '.[test]')")


def test_the_pages_workflow_passes_actionlint():
    result = subprocess.run(
        [actionlint(), "-no-color", str(WORKFLOW)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_the_workflow_takes_the_address_from_github_pages_unless_set_on_purpose():
    [build_step] = [s for s in steps() if "site-builder build" in s.get("run", "")]
    assert build_step["run"] == 'site-builder build --strict --base-url "$BASE_URL"'
    assert build_step["env"]["BASE_URL"] == (
        "${{ vars.SITE_BASE_URL || format('{0}/', steps.pages.outputs.base_url) }}"
    )
    configure = [s for s in steps() if s.get("uses", "").startswith("actions/configure-pages@")]
    assert [s["id"] for s in configure] == ["pages"]


def test_the_workflow_uses_current_official_actions_and_caches_pip():
    uses = {s["uses"].split("@")[0]: int(s["uses"].split("@v")[1]) for s in steps() if "uses" in s}
    minimum = {
        "actions/checkout": 4,
        "actions/setup-python": 5,
        "actions/configure-pages": 5,
        "actions/upload-pages-artifact": 3,
        "actions/deploy-pages": 4,
    }
    assert set(uses) == set(minimum)
    assert all(uses[name] >= major for name, major in minimum.items()), uses
    [python] = [s for s in steps() if s.get("uses", "").startswith("actions/setup-python@")]
    assert python["with"]["cache"] == "pip"


# --- schemas/ kept current by build and check ---------------------------------------


def article_enum(root: Path) -> list[str]:
    document = json.loads((root / "schemas" / "article.schema.json").read_text(encoding="utf-8"))
    annotation = document["properties"]["annotations"]["items"]
    [quote] = [
        r
        for r in annotation["allOf"]
        if r.get("if", {}).get("properties", {}).get("type") == {"const": "quote"}
    ]
    return quote["then"]["properties"]["speaker"]["enum"]


def test_build_and_check_keep_the_schemas_listing_the_projects_ids(make_project: ProjectFactory):
    root = project(make_project)
    report = check(BuildOptions(root))
    assert not report.failed
    assert article_enum(root) == ["li-keqiang", "xi-jinping"]
    people = root / "content" / "people.yaml"
    people.write_text(
        people.read_text(encoding="utf-8") + "wang-huning:\n  name: Wang Huning\n", encoding="utf-8"
    )
    stamp = (root / "schemas" / "site.schema.json").stat().st_mtime_ns
    build(BuildOptions(root, search=False))
    assert article_enum(root) == ["li-keqiang", "wang-huning", "xi-jinping"]
    # a file whose bytes would not change is left alone
    assert (root / "schemas" / "site.schema.json").stat().st_mtime_ns == stamp
    assert sorted(p.name for p in (root / "schemas").iterdir()) == sorted(schema.SCHEMA_FILES)


def test_unreadable_people_leave_the_schemas_as_they_were(make_project: ProjectFactory):
    root = project(make_project)
    check(BuildOptions(root))
    before = (root / "schemas" / "article.schema.json").read_bytes()
    (root / "content" / "people.yaml").write_text("- not a mapping\n", encoding="utf-8")
    assert check(BuildOptions(root)).failed
    assert (root / "schemas" / "article.schema.json").read_bytes() == before


def test_strict_writes_no_schema_and_a_stale_one_fails_the_run(make_project: ProjectFactory):
    root = project(make_project)
    check(BuildOptions(root))
    people = root / "content" / "people.yaml"
    people.write_text(
        people.read_text(encoding="utf-8") + "wang-huning:\n  name: Wang Huning\n", encoding="utf-8"
    )
    before = (root / "schemas" / "article.schema.json").read_bytes()
    report = check(BuildOptions(root, strict=True))
    assert report.failed
    assert [h for h in headlines(report.diagnostics) if h.startswith("schemas/")] == [
        "schemas/article.schema.json:1:1: warning: out of date: it does not list the current people and terms"
    ]
    assert (root / "schemas" / "article.schema.json").read_bytes() == before
    check(BuildOptions(root))  # a plain run brings it up to date
    report = check(BuildOptions(root, strict=True))
    assert [h for h in headlines(report.diagnostics) if h.startswith("schemas/")] == []


def test_a_schemas_folder_that_leads_outside_is_never_written(
    make_project: ProjectFactory, tmp_path: Path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = project(make_project)
    (root / "schemas").symlink_to(elsewhere)
    report = check(BuildOptions(root))
    assert [h for h in headlines(report.diagnostics) if h.startswith("schemas")] == [
        "schemas: warning: cannot update the schemas: schemas/ is not a folder of the project"
    ]
    assert list(elsewhere.iterdir()) == []
