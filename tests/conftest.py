"""Shared fixtures: inline projects written into a temporary folder (MkDocs' @tempdir style)."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MINIMAL_SITE = """\
title: Test site
description: A site for tests.
base_url: https://example.test/site/
language: en
"""

MINIMAL_PEOPLE = """\
xi-jinping:
  name: Xi Jinping
  native: 习近平
  aliases: [President Xi Jinping, Xi]
  summary: General Secretary.
li-keqiang:
  name: Li Keqiang
  aliases: [Premier Li Keqiang, Li]
  summary: Premier.
"""

MINIMAL_GLOSSARY = """\
cyber-power:
  term: cyber power
  native: 网络强国
  definition: A *strong* cyber country.
"""

ProjectFactory = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Write a project from {relative path: text}; unspecified core files get minimal defaults.

    Pass `None` as a file's text to leave that file out.
    """

    def factory(files: dict[str, str | bytes | None] | None = None, **defaults: bool) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        merged: dict[str, str | bytes | None] = {
            "content/site.yaml": MINIMAL_SITE,
            "content/people.yaml": MINIMAL_PEOPLE,
            "content/glossary.yaml": MINIMAL_GLOSSARY,
        }
        merged.update(files or {})
        for relpath, text in merged.items():
            if text is None:
                continue
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return factory


@pytest.fixture
def seed_project(tmp_path: Path) -> Path:
    """A copy of this repository's own site (the seed article, its people, glossary and
    templates), to edit freely."""
    root = tmp_path / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def headlines(diagnostics: Iterable[object]) -> list[str]:
    """The first line of each diagnostic (`path:line:col: severity: message`), as editors see it."""
    return [d.format().splitlines()[0] for d in diagnostics]  # type: ignore[attr-defined]
