"""Nothing an editor writes becomes active content, and everything shows as the editor's text.

One project puts hostile input in every field editors write (and in the seed), builds it, and
reads every page back with Python's html.parser: no script from content, no event-handler
attributes, no link to a `javascript:`/`data:`/`vbscript:` URL however it is cased or encoded,
no duplicate ids, and the hostile text visible, as text, where the editor put it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import ProjectFactory
from htmlcheck import Element, parse

from site_builder.build import BuildOptions, build

SCRIPT = '<script>alert("s")</script>'
ATTRIBUTE = '" onerror="alert(1)'
SINGLE = "' onmouseover='alert(2)"
IMAGE = "<img src=x onerror=alert(3)>"
AMPERSANDS = "Tom & Jerry &amp; &lt;b&gt; &#60;i&#62; \"quoted\" 'single'"
HOSTILE = (SCRIPT, ATTRIBUTE, SINGLE, IMAGE, AMPERSANDS)

MARKDOWN_LINKS = (
    "[one](javascript:alert(4))",
    "[two](JaVaScRiPt:alert(5))",
    "[three](jav&#x09;ascript:alert(6))",
    "[four](&#106;avascript:alert(7))",
    "[five](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)",
    "[six](vbscript:msgbox(9))",
    "[seven]( javascript:alert(10))",
    "<javascript:alert(11)>",
    "![eight](javascript:alert(12))",
    "[nine][ref]\n\n[ref]: javascript:alert(13)",
    '<a href="javascript:alert(14)">raw</a>',
    '<div onclick="alert(15)">raw div</div>',
    "[ten](https://example.test/ok)",
)
MARKDOWN = SCRIPT + "\n\n" + IMAGE + "\n\n" + "\n\n".join(MARKDOWN_LINKS) + "\n\n" + AMPERSANDS

EVIL_NAME = f"Evil {SCRIPT} Name"
EVIL_TERM = f"evil {IMAGE} term"
SEED = (
    f"President Xi Jinping met {EVIL_NAME} today.\n"
    f"They spoke of the {EVIL_TERM} and said {ATTRIBUTE} and {SINGLE}.\n"
    f"{AMPERSANDS} ends here.\n"
)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def hostile_project(make_project: ProjectFactory) -> Path:
    people = f"""\
xi-jinping:
  name: Xi Jinping
  summary: {q(SCRIPT + ATTRIBUTE)}
  bio: {q(MARKDOWN)}
  links:
    - label: {q(SCRIPT + SINGLE)}
      url: "https://example.test/?a=1&b=2'onmouseover=alert(16)"
evil:
  name: {q(EVIL_NAME)}
  native: {q(IMAGE)}
  aliases: [{q(ATTRIBUTE)}]
  summary: {q(AMPERSANDS)}
  roles:
    - title: {q(SCRIPT)}
      from: {q(ATTRIBUTE)}
      to: {q(IMAGE)}
"""
    glossary = f"""\
evil-term:
  term: {q(EVIL_TERM)}
  native: {q(SCRIPT)}
  transliteration: {q(ATTRIBUTE)}
  aliases: [{q(SINGLE)}]
  renderings:
    - text: {q(AMPERSANDS)}
      by: {q(SCRIPT)}
  definition: {q(MARKDOWN)}
"""
    article = f"""\
source: seeds/s.txt
title: {q(SCRIPT + " " + ATTRIBUTE)}
publisher: {q(IMAGE)}
original_url: "https://example.test/a?x=1&y='2'"
annotations:
  - type: quote
    text: {q(ATTRIBUTE)}
    speaker: evil
    note: {q(MARKDOWN)}
  - type: mention
    text: {q(EVIL_NAME)}
    person: evil
    id: main-content
  - type: term
    text: {q(EVIL_TERM)}
    term: evil-term
    note: {q(SCRIPT)}
    id: para-1
  - type: note
    text: {q(AMPERSANDS)}
    note: {q(MARKDOWN)}
    id: note-x
"""
    site = f"""\
title: {q(SCRIPT + " site")}
description: {q(ATTRIBUTE + AMPERSANDS)}
base_url: https://example.test/site/
"""
    return make_project(
        {
            "content/site.yaml": site,
            "content/people.yaml": people,
            "content/glossary.yaml": glossary,
            "content/articles/evil.yaml": article,
            "seeds/s.txt": SEED,
        }
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"

    def factory(files: dict[str, str]) -> Path:
        for relpath, text in files.items():
            target = root / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    hostile_project(factory)
    report = build(BuildOptions(root))
    assert not [d for d in report.diagnostics if d.is_error], [
        d.format() for d in report.diagnostics
    ]
    return root / "output"


def pages(site: Path) -> dict[str, list[Element]]:
    found = {}
    for path in sorted(site.rglob("*.html")):
        reader = parse(path.read_text(encoding="utf-8"))
        assert reader.problems == [], (path, reader.problems)
        found[path.relative_to(site).as_posix()] = reader.elements
    return found


def page_text(site: Path, relpath: str) -> str:
    reader = parse((site / relpath).read_text(encoding="utf-8"))
    return reader.root.text


_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset")
_STRIPPED = re.compile(r"[\t\n\r]")


def url_scheme(value: str) -> str:
    """What a browser would take as the URL's scheme (html.parser has decoded the entities)."""
    cleaned = _STRIPPED.sub("", value).lstrip("".join(map(chr, range(33)))).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def test_the_hostile_site_builds(site: Path):
    assert (site / "articles/evil/index.html").is_file()
    assert (site / "people/evil/index.html").is_file()
    assert (site / "glossary/evil-term/index.html").is_file()


def test_no_script_from_content(site: Path):
    for page, elements in pages(site).items():
        for element in elements:
            if element.tag == "script" and element.attrs.get("type") == "application/ld+json":
                # Inert data: editors' text may appear, but only as JSON that cannot close the
                # element (no raw `<`) and that still says exactly what the editor wrote.
                assert "<" not in element.text, page
                assert json.loads(element.text)["@context"] == "https://schema.org"
            elif element.tag == "script":
                assert "alert" not in element.text and "alert" not in element.attrs.get("src", "")
            assert element.tag not in ("iframe", "object", "embed", "img"), (page, element)


def test_structured_data_keeps_the_editors_text(site: Path):
    html = (site / "articles/evil/index.html").read_text(encoding="utf-8")
    [data] = [
        e
        for e in parse(html).elements
        if e.tag == "script" and e.attrs.get("type") == "application/ld+json"
    ]
    assert json.loads(data.text)["headline"] == SCRIPT + " " + ATTRIBUTE


def test_no_event_handler_attributes(site: Path):
    for page, elements in pages(site).items():
        for element in elements:
            handlers = [name for name in element.attrs if name.startswith("on")]
            assert handlers == [], (page, element.tag, element.attrs)


def test_no_dangerous_urls(site: Path):
    for page, elements in pages(site).items():
        for element in elements:
            for name in _URL_ATTRIBUTES:
                if name in element.attrs:
                    scheme = url_scheme(element.attrs[name])
                    assert scheme in ("", "http", "https", "mailto"), (page, element.attrs)


def test_no_duplicate_ids_on_any_page(site: Path):
    for page, elements in pages(site).items():
        ids = [e.attrs["id"] for e in elements if "id" in e.attrs]
        assert len(ids) == len(set(ids)), (page, sorted(i for i in ids if ids.count(i) > 1))


def test_page_ids_survive_editor_ids(site: Path):
    elements = pages(site)["articles/evil/index.html"]
    ids = {e.attrs["id"]: e for e in elements if "id" in e.attrs}
    assert ids["main_content"].tag == "main"
    assert ids["para_1"].attrs["class"] == "para"
    assert ids["main-content"].attrs["data-annotation-id"] == "main-content"
    assert ids["para-1"].attrs["data-annotation-id"] == "para-1"
    assert ids["note-x"].attrs["data-annotation-id"] == "note-x"


def test_links_keep_their_exact_url(site: Path):
    elements = pages(site)["people/xi-jinping/index.html"]
    hrefs = [e.attrs.get("href", "") for e in elements if e.tag == "a"]
    assert "https://example.test/?a=1&b=2'onmouseover=alert(16)" in hrefs
    assert "https://example.test/ok" in hrefs
    article = pages(site)["articles/evil/index.html"]
    assert "https://example.test/a?x=1&y='2'" in [e.attrs.get("href") for e in article]


@pytest.mark.parametrize(
    ("page", "texts"),
    [
        ("index.html", [SCRIPT + " site", SCRIPT + " " + ATTRIBUTE]),
        ("people/evil/index.html", [EVIL_NAME, IMAGE, AMPERSANDS, SCRIPT, ATTRIBUTE]),
        ("people/xi-jinping/index.html", [SCRIPT + ATTRIBUTE, SCRIPT + SINGLE, AMPERSANDS, IMAGE]),
        ("glossary/evil-term/index.html", [EVIL_TERM, SCRIPT, ATTRIBUTE, AMPERSANDS, IMAGE]),
        ("people/index.html", [EVIL_NAME, AMPERSANDS]),
        ("glossary/index.html", [EVIL_TERM]),
        (
            "articles/evil/index.html",
            [SCRIPT + " " + ATTRIBUTE, IMAGE, EVIL_NAME, EVIL_TERM, AMPERSANDS],
        ),
    ],
)
def test_editors_text_shows_as_text(site: Path, page: str, texts: list[str]):
    shown = " ".join(page_text(site, page).split())
    for text in texts:
        assert " ".join(text.split()) in shown, (page, text)


def test_markdown_links_that_are_refused_show_as_text(site: Path):
    shown = page_text(site, "glossary/evil-term/index.html")
    assert "[one](javascript:alert(4))" in shown
    # Shown as text, its quotes made typographic like any note's (markdown-it's smartquotes).
    assert "<a href=\u201cjavascript:alert(14)\u201d>raw</a>" in shown


def test_head_fields_are_escaped(site: Path):
    html = (site / "articles/evil/index.html").read_text(encoding="utf-8")
    head = html.split("</head>", 1)[0]
    scripts = re.findall(r"<script\b[^>]*>", head.lower())
    assert scripts == ['<script type="application/ld+json">']  # only the inert structured data
    elements = parse(html).elements
    [title] = [e for e in elements if e.tag == "title"]
    assert SCRIPT in title.text
    [description] = [
        e for e in elements if e.tag == "meta" and e.attrs.get("name") == "description"
    ]
    assert "alert" not in "".join(k for k in description.attrs)


def test_sitemap_is_well_formed(site: Path):
    tree = ElementTree.parse(site / "sitemap.xml")
    locs = [e.text for e in tree.iter() if e.tag.endswith("loc")]
    assert all(loc and loc.startswith("https://example.test/site/") for loc in locs)
