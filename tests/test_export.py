"""The annotation export (FORMAT.md section 11): W3C-valid, exact selectors, deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, ProjectFactory
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from site_builder.build import BuildOptions, build

SLUG = "xi-heads-internet-security-group"
SCHEMAS = Path(__file__).parent / "fixtures" / "w3c-annotation-schemas"


def _registry() -> Registry:
    resources = []
    for path in sorted((SCHEMAS / "definitions").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"], Resource(contents=schema, specification=DRAFT4)))
    return Registry().with_resources(resources)


def _assertions() -> dict[str, list[Path]]:
    manifest = json.loads((SCHEMAS / "manifest.json").read_text(encoding="utf-8"))
    groups: dict[str, list[Path]] = {"collection": [], "annotation": []}
    for name, files in manifest["groups"].items():
        kind = "annotation" if name.startswith("annotation") else "collection"
        groups[kind] += [SCHEMAS / f for f in files]
    return groups


def w3c_failures(collection: dict[str, Any]) -> list[str]:
    """Every assertion of the manifest the export does not pass, by file and annotation."""
    registry = _registry()
    failures = []
    groups = _assertions()

    def check(instance: dict[str, Any], assertion: Path, what: str) -> None:
        schema = json.loads(assertion.read_text(encoding="utf-8"))
        valid = Draft4Validator(schema, registry=registry).is_valid(instance)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failures.append(f"{assertion.name}: {what}")

    for assertion in groups["collection"]:
        check(collection, assertion, "collection")
    for item in collection["first"]["items"]:
        annotation = {"@context": collection["@context"], **item}
        for assertion in groups["annotation"]:
            check(annotation, assertion, item["id"])
    return failures


def selector_problems(collection: dict[str, Any], source: str) -> list[str]:
    """Each selector that, applied to the source text, does not find its own passage once."""
    problems = []
    for item in collection["first"]["items"]:
        quote, position = item["target"]["selector"]
        exact = quote["exact"]
        if source[position["start"] : position["end"]] != exact:
            problems.append(f"{item['id']}: position selects something else")
        whole = quote["prefix"] + exact + quote["suffix"]
        starts = [i for i in range(len(source)) if source.startswith(whole, i)]
        if starts != [position["start"] - len(quote["prefix"])]:
            problems.append(f"{item['id']}: quote matches at {starts}")
    return problems


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "output"
    result = subprocess.run(
        [sys.executable, "-m", "site_builder", "build", "--project", str(REPO), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return out


def load_collection(site: Path, slug: str = SLUG) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / f"annotations/{slug}.jsonld").read_bytes())
    return data


def test_seed_export_passes_every_w3c_assertion(seed_site: Path):
    collection = load_collection(seed_site)
    assert collection["total"] == len(collection["first"]["items"]) > 30
    assert w3c_failures(collection) == []


def test_w3c_check_catches_a_broken_export(seed_site: Path):
    collection = load_collection(seed_site)
    del collection["first"]["items"][0]["target"]
    collection["type"] = "Collection"
    failures = w3c_failures(collection)
    assert any("collectionTypeValidated" in f for f in failures)
    assert any("targetKeyFound" in f for f in failures)


def test_seed_selectors_find_exactly_their_passages(seed_site: Path):
    source_bytes = (seed_site / f"articles/{SLUG}/source.txt").read_bytes()
    assert source_bytes == (REPO / f"seeds/{SLUG}.txt").read_bytes()
    collection = load_collection(seed_site)
    assert selector_problems(collection, source_bytes.decode("utf-8")) == []


def test_seed_export_says_what_each_annotation_is(seed_site: Path):
    items = load_collection(seed_site)["first"]["items"]
    by_id = {item["id"].rsplit("#", 1)[1]: item for item in items}
    quote = by_id["quote-efforts-should-be-made"]
    assert quote["motivation"] == "highlighting"
    speaker, note = quote["body"]
    assert speaker == {
        "type": "SpecificResource",
        "source": "https://example.github.io/cyber-power/people/xi-jinping/",
        "purpose": "identifying",
    }
    assert note["type"] == "TextualBody" and note["format"] == "text/markdown"
    assert note["purpose"] == "commenting" and note["language"] == "en"
    target = quote["target"]
    assert target["scope"] == f"https://example.github.io/cyber-power/articles/{SLUG}/"
    assert target["source"]["id"].endswith(f"articles/{SLUG}/source.txt")
    assert target["source"]["via"].startswith("http")
    motivations = {item["motivation"] for item in items}
    assert motivations == {"highlighting", "identifying", "classifying", "commenting"}
    starts = [item["target"]["selector"][1]["start"] for item in items]
    assert starts == sorted(starts)


def test_article_page_and_sitemap_point_at_the_collection(seed_site: Path):
    page = (seed_site / f"articles/{SLUG}/index.html").read_text(encoding="utf-8")
    assert (
        f'<link rel="alternate" type="application/ld+json" href="../../annotations/{SLUG}.jsonld"'
        in page
    )
    sitemap = (seed_site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"https://example.github.io/cyber-power/annotations/{SLUG}.jsonld" in sitemap


# A seed that a sloppy export gets wrong: a byte-order mark, CRLF line endings, characters
# outside the Basic Multilingual Plane, a decomposed accent, curly quotes; the YAML spells
# them the editor's way (straight quotes, a precomposed é, one line for a line break).
TRICKY_SEED = (
    "\ufeffHeadline 🎉 here\r\n"
    "Body starts: 𠀀𠀁 the caf\u0065\u0301 said “we will” go.\r\n"
    "Then 😀 Xi spoke\r\nof the “cyber power” twice: cyber power.\r\n"
)
TRICKY_ARTICLE = """\
source: seeds/tricky.txt
title: Tricky
body_starts_at: "Body starts"
annotations:
  - type: note
    text: "café said \\"we will\\""
    note: An *accent* and curly quotes.
  - type: mention
    text: Xi spoke of
    person: xi-jinping
  - type: term
    text: cyber power
    term: cyber-power
    all: true
"""


def test_tricky_seed_selectors_use_the_seeds_own_characters(make_project: ProjectFactory):
    root = make_project(
        {
            "seeds/tricky.txt": TRICKY_SEED.encode("utf-8"),
            "content/articles/tricky.yaml": TRICKY_ARTICLE,
        }
    )
    report = build(BuildOptions(project=root, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]
    out = root / "output"
    raw = (out / "articles/tricky/source.txt").read_bytes()
    assert raw == TRICKY_SEED.encode("utf-8")
    source = raw.decode("utf-8").removeprefix("\ufeff")
    collection = load_collection(out, "tricky")
    assert w3c_failures(collection) == []
    assert selector_problems(collection, source) == []
    exacts = [item["target"]["selector"][0]["exact"] for item in collection["first"]["items"]]
    assert exacts == [
        "caf\u0065\u0301 said “we will”",
        "Xi spoke\r\nof",
        "cyber power",
        "cyber power",
    ]
    ids = [item["id"].rsplit("#", 1)[1] for item in collection["first"]["items"]]
    assert ids[2:] == ["term-cyber-power", "term-cyber-power-2"]
    # Positions count code points of the text as decoded: 🎉 and 𠀀 are one each, not two.
    note = collection["first"]["items"][0]["target"]["selector"][1]
    assert source[: note["start"]].endswith("𠀀𠀁 the ")


def test_autolinks_are_left_out(make_project: ProjectFactory):
    root = make_project(
        {
            "seeds/a.txt": "Xi met Li Keqiang. Xi spoke.\n",
            "content/articles/a.yaml": """\
                source: seeds/a.txt
                title: A
                annotations:
                  - type: note
                    text: Xi spoke
                    note: Later.
            """,
        }
    )
    report = build(BuildOptions(project=root, search=False))
    assert not report.failed
    items = load_collection(root / "output", "a")["first"]["items"]
    assert [item["motivation"] for item in items] == ["commenting"]
    page = (root / "output/articles/a/index.html").read_text(encoding="utf-8")
    assert 'href="../../people/li-keqiang/index.html"' in page  # the autolink is on the page


def test_export_is_byte_identical_across_builds(make_project: ProjectFactory, tmp_path: Path):
    root = make_project(
        {
            "seeds/tricky.txt": TRICKY_SEED.encode("utf-8"),
            "content/articles/tricky.yaml": TRICKY_ARTICLE,
        }
    )
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        assert not build(BuildOptions(project=root, out=out, search=False)).failed
    for name in ("annotations/tricky.jsonld", "articles/tricky/source.txt"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
