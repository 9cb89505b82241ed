"""The seed site, built as `site-builder build --no-search`, byte for byte as tests/golden/ has it.

A change to any page shows here as the list of files that differ and a diff of the first.
When the change is meant, record the site again with `python tests/regen.py golden` and
review `git diff tests/golden/` as the change readers will see.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from snapshots import COPIED_MANIFEST, GOLDEN, REPO, build_seed_site, golden_differences


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "seed"
    build_seed_site(out)
    return out


def test_a_fresh_build_matches_the_golden_folder(built: Path):
    differences = golden_differences(built)
    if differences:
        pytest.fail(f"{differences}\nif this change is meant: python tests/regen.py golden", False)


def test_the_folder_records_every_kind_of_page():
    # A golden folder recorded from a build that failed half-way would pass its own compare.
    for relpath in (
        "index.html",
        "articles/xi-heads-internet-security-group/index.html",
        "people/index.html",
        "people/xi-jinping/index.html",
        "glossary/index.html",
        "glossary/cyber-power/index.html",
        "feed.xml",
        "sitemap.xml",
        "404.html",
    ):
        assert (GOLDEN / relpath).is_file(), relpath
    assert not (GOLDEN / "pagefind").exists()


def test_copied_files_are_the_themes_own_bytes():
    # Only the hashes of static/ are recorded, because the build copies it unchanged from
    # the theme: the hashes must be those of the theme's files.

    lines = COPIED_MANIFEST.read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        digest, _, name = line.partition("  ")
        theme_file = REPO / "templates" / name
        assert hashlib.sha256(theme_file.read_bytes()).hexdigest() == digest, name
