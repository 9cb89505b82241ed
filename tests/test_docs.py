"""The project's own documentation (issue 13): every link in README.md and docs/ that is not a
web address leads to a file inside the repository, so no clone ever shows a broken link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from site_builder import schema

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def local_links(document: Path) -> list[str]:
    """Markdown link targets that are not web addresses or in-page anchors."""
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.S)
    return [
        target for target in _LINK.findall(text) if not re.match(r"^(https?:|mailto:|#)", target)
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_local_link_leads_to_a_file_in_the_repository(document: Path):
    broken = []
    for target in local_links(document):
        path = (document.parent / target.split("#", 1)[0]).resolve()
        if not path.is_relative_to(REPO.resolve()) or not path.exists():
            broken.append(target)
    assert broken == []


def test_the_check_sees_the_links_it_checks():
    assert "docs/format.md" in local_links(REPO / "README.md")
    assert "../site_builder/strings/en.yaml" in local_links(REPO / "docs/format.md")


def _records() -> list[schema.Record]:
    found = [getattr(schema, name) for name in dir(schema)]
    return [r for r in found if isinstance(r, schema.Record) and r is not schema.STRINGS]


@pytest.mark.parametrize("record", _records(), ids=lambda r: r.name)
def test_the_editors_reference_names_every_field(record: schema.Record):
    # The theme's words are listed in their own tables, which docs/format.md links.
    text = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    assert [f.name for f in record.fields if f"`{f.name}`" not in text] == []
