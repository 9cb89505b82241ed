"""Incremental builds (serve's Builder): after any series of edits, the output is byte-identical
to a clean build, and an edit rewrites only the pages that depend on it."""

from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path

import pytest

from site_builder import incremental
from site_builder.build import Builder, BuildOptions, Changes, build, resolve_site
from site_builder.incremental import BuildMemo, ReferenceMemo
from site_builder.link import collect_site
from site_builder.write import SiteWriteError

SLUG = "xi-heads-internet-security-group"
ARTICLE = f"content/articles/{SLUG}.yaml"


@pytest.fixture
def project(seed_project: Path) -> Path:
    return seed_project


def tree_differences(left: Path, right: Path) -> list[str]:
    def walk(cmp: filecmp.dircmp, prefix: str) -> list[str]:
        found = [prefix + n for n in (*cmp.left_only, *cmp.right_only)]
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found += [prefix + n for n in (*mismatch, *errors)]
        for name, sub in cmp.subdirs.items():
            found += walk(sub, f"{prefix}{name}/")
        return found

    return walk(filecmp.dircmp(left, right), "")


def edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, (relpath, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def copy_article(root: Path, slug: str) -> None:
    """A second article from the first, less its explicit ids (those must be unique site-wide)."""
    lines = (root / ARTICLE).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.lstrip().startswith("id: ")]
    (root / f"content/articles/{slug}.yaml").write_text("".join(kept), encoding="utf-8")


def assert_same_as_clean_build(project: Path, out: Path, tmp_path: Path, n: int) -> None:
    clean = tmp_path / f"clean{n}"
    report = build(BuildOptions(project, out=clean))
    assert not report.failed, [d.format() for d in report.diagnostics]
    assert tree_differences(out, clean) == []


def test_scripted_edits_match_clean_builds(project: Path, tmp_path: Path):
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    first = builder.build()
    assert not first.failed and first.files_written > 20

    steps = [
        # a quote's note: the article page, the speaker's page that shows the note too, and
        # the annotation export that carries it, and the pages of the terms the note names
        # (a term's places include notes naming it)
        (
            lambda: edit(project, ARTICLE, "This is the line that put", "This line put"),
            {
                f"articles/{SLUG}/index.html",
                "people/xi-jinping/index.html",
                f"annotations/{SLUG}.jsonld",
                "glossary/cyber-power/index.html",
                "glossary/independent-innovation/index.html",
            },
        ),
        # a person's name: attributions in the article, the person page, the index, other pages
        (
            lambda: edit(project, "content/people.yaml", "name: Liu Yunshan", "name: Liu Yun-shan"),
            None,
        ),
        # a glossary definition: the term page only
        (
            lambda: edit(
                project,
                "content/glossary.yaml",
                "definition: |",
                "definition: |\n    Edited.\n   ",
            ),
            None,
        ),
        # an include used by the two index pages
        (
            lambda: edit(
                project,
                "templates/_letters.html",
                '"{{ t("letters_label") }}"',
                '"Jump to a letter"',
            ),
            {"people/index.html", "glossary/index.html"},
        ),
        # the theme's words: an override, a script's message, then the whole language
        (
            lambda: edit(
                project,
                "content/site.yaml",
                "autolink: first",
                'autolink: first\nstrings:\n  people: "Persons"',
            ),
            None,
        ),
        (
            lambda: edit(project, "content/site.yaml", 'people: "Persons"', 'copy_link: "Copy"'),
            None,
        ),
        (lambda: edit(project, "content/site.yaml", "language: en", "language: zh"), None),
        # a new article, then its removal
        (lambda: copy_article(project, "copy"), None),
        (lambda: (project / "content/articles/copy.yaml").unlink(), None),
        # a stylesheet
        (
            lambda: (project / "templates/static/style.css").write_text("body{}\n"),
            {"static/style.css"},
        ),
    ]
    for n, (change, expected) in enumerate(steps):
        change()
        report = builder.build()
        assert not report.failed, [d.format() for d in report.diagnostics]
        if expected is not None:
            assert set(report.written) == expected, n
        assert_same_as_clean_build(project, out, tmp_path, n)


def test_a_failed_incremental_build_leaves_the_output_alone(project: Path, tmp_path: Path):
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(project, ARTICLE, "speaker: xi-jinping", "speaker: xi-jinpin")
    report = builder.build()
    assert report.failed and report.written == ()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    edit(project, ARTICLE, "speaker: xi-jinpin", "speaker: xi-jinping")
    assert not builder.build().failed
    assert_same_as_clean_build(project, out, tmp_path, 0)


def test_nothing_changed_writes_nothing(project: Path, tmp_path: Path):
    builder = Builder(BuildOptions(project, out=tmp_path / "served"))
    builder.build()
    assert builder.build().written == ()


def test_cached_articles_still_take_part_in_site_wide_checks(project: Path, tmp_path: Path):
    builder = Builder(BuildOptions(project, out=tmp_path / "served"))
    assert not builder.build().failed
    # A second article with the same explicit ids: the first one, unchanged and reused from
    # the memo, must still be checked against it, exactly as a clean build checks them.
    shutil.copy(project / ARTICLE, project / "content/articles/copy.yaml")
    incremental = builder.build()
    clean = build(BuildOptions(project, out=tmp_path / "clean"))
    assert incremental.failed and clean.failed
    messages = [d.format() for d in incremental.errors]
    assert messages == [d.format() for d in clean.errors]
    assert any("is already used in" in m for m in messages)
    (project / "content/articles/copy.yaml").unlink()
    assert not builder.build().failed
    assert_same_as_clean_build(project, tmp_path / "served", tmp_path, 99)


def test_articles_are_resolved_again_only_when_what_they_depend_on_changes(
    project: Path, tmp_path: Path
):
    """An article's own file, its seed, and the ids and names of people and terms: nothing else."""
    builder = Builder(BuildOptions(project, out=tmp_path / "served"))
    assert not builder.build().failed

    def resolved() -> object:
        return builder.memo.articles[ARTICLE].article

    before = resolved()
    edit(project, "content/people.yaml", "bio: |", "bio: |\n    A longer bio.\n   ")
    assert not builder.build().failed
    assert resolved() is before  # a bio is shown on the person page, and read by no article
    edit(project, "content/people.yaml", "aliases: []", "aliases: [Director Liu]")
    assert not builder.build().failed
    assert resolved() is not before  # a new alias may be autolinked in any article
    before = resolved()
    edit(project, "seeds/xi-heads-internet-security-group.txt", "\n", "\n\n")
    assert not builder.build().failed
    assert resolved() is not before
    assert_same_as_clean_build(project, tmp_path / "served", tmp_path, 0)


def test_a_same_size_edit_within_the_stamp_s_resolution_is_seen(project: Path, tmp_path: Path):
    """A file saved twice in quick succession can keep its time and size; its bytes decide."""
    out = tmp_path / "served"
    path = project / ARTICLE
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")  # saved just now, as an editor does
    before = path.stat()
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    assert "This is the line that put" in text
    path.write_text(text.replace("This is the line that put", "This is the line then put"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == (
        before.st_mtime_ns,
        before.st_size,
        before.st_ino,
    )
    report = builder.build()
    assert f"articles/{SLUG}/index.html" in report.written
    assert "This is the line then put" in (out / f"articles/{SLUG}/index.html").read_text()


WATCHED = ("content", "seeds", "templates")
PAGE = f"articles/{SLUG}/index.html"


def test_a_build_told_what_changed_reads_again_only_that(project: Path, tmp_path: Path):
    """The preview's watcher says which files changed: an article outside that is not looked
    at again (not even its stamp), so an unreported edit shows only once it is reported."""
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    before = builder.memo.articles[ARTICLE].article
    edit(project, ARTICLE, "This is the line that put", "This is the line then put")
    assert builder.build(Changes(frozenset({"content/people.yaml"}), WATCHED)).written == ()
    assert builder.memo.articles[ARTICLE].article is before
    report = builder.build(Changes(frozenset({ARTICLE}), WATCHED))
    assert PAGE in report.written
    assert "This is the line then put" in (out / PAGE).read_text(encoding="utf-8")
    assert_same_as_clean_build(project, out, tmp_path, 0)


@pytest.mark.parametrize(
    ("reported", "seen"),
    [
        ({"seeds/xi-heads-internet-security-group.txt"}, True),
        ({"seeds"}, True),  # a folder renamed into place: everything below it changed
        ({"seeds/other.txt"}, False),
    ],
)
def test_a_seed_is_read_again_when_it_or_its_folder_is_reported(
    project: Path, tmp_path: Path, reported: set[str], seen: bool
):
    builder = Builder(BuildOptions(project, out=tmp_path / "served"))
    assert not builder.build().failed
    before = builder.memo.articles[ARTICLE].article
    edit(project, "seeds/xi-heads-internet-security-group.txt", "\n", "\n\n")
    assert not builder.build(Changes(frozenset(reported), WATCHED)).failed
    assert (builder.memo.articles[ARTICLE].article is not before) is seen


def test_files_outside_the_watched_folders_are_looked_at_as_always(project: Path, tmp_path: Path):
    """A watcher that does not watch seeds/ cannot vouch for them: their stamps decide."""
    builder = Builder(BuildOptions(project, out=tmp_path / "served"))
    assert not builder.build().failed
    before = builder.memo.articles[ARTICLE].article
    edit(project, "seeds/xi-heads-internet-security-group.txt", "\n", "\n\n")
    unwatched = Changes(frozenset(), ("content", "templates"))
    assert not builder.build(unwatched).failed
    assert builder.memo.articles[ARTICLE].article is not before
    before = builder.memo.articles[ARTICLE].article
    assert not builder.build(unwatched).failed
    assert builder.memo.articles[ARTICLE].article is before  # stamped, not read again
    assert_same_as_clean_build(project, tmp_path / "served", tmp_path, 0)


def test_an_article_reached_through_a_link_is_read_again_when_its_file_is_reported(
    project: Path, tmp_path: Path
):
    """The watcher names the file written, not the link that leads to it. (A seed behind a
    link is named by the file it leads to already: validation resolves `source:`.)"""
    article = project / ARTICLE
    article.rename(project / "content/draft-1.yaml")
    article.symlink_to("../draft-1.yaml")
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    assert not builder.build(Changes(frozenset({ARTICLE}), WATCHED)).failed
    edit(project, "content/draft-1.yaml", "This is the line that put", "This is the line then put")
    report = builder.build(Changes(frozenset({"content/draft-1.yaml"}), WATCHED))
    assert PAGE in report.written
    assert "This is the line then put" in (out / PAGE).read_text("utf-8")
    assert_same_as_clean_build(project, out, tmp_path, 0)


FOOTER = '<footer class="site-footer">'


def test_templates_are_read_again_only_when_the_watcher_reports_them(project: Path, tmp_path: Path):
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    edit(project, "templates/base.html", FOOTER, FOOTER + "Edited footer")
    assert builder.build(Changes(frozenset({ARTICLE}), WATCHED)).written == ()
    report = builder.build(Changes(frozenset({"templates/base.html"}), WATCHED))
    assert PAGE in report.written and "Edited footer" in (out / PAGE).read_text("utf-8")
    assert_same_as_clean_build(project, out, tmp_path, 0)


def test_a_template_change_reported_to_a_failed_build_is_not_lost(project: Path, tmp_path: Path):
    """The build that was told stopped at a content error, before reading templates."""
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    edit(project, "templates/base.html", FOOTER, FOOTER + "Edited footer")
    edit(project, ARTICLE, "speaker: ", "speaker: nobody-at-all\n    x: ")
    both = Changes(frozenset({"templates/base.html", ARTICLE}), WATCHED)
    assert builder.build(both).failed
    edit(project, ARTICLE, "speaker: nobody-at-all\n    x: ", "speaker: ")
    assert not builder.build(Changes(frozenset({ARTICLE}), WATCHED)).failed
    assert "Edited footer" in (out / PAGE).read_text("utf-8")
    assert_same_as_clean_build(project, out, tmp_path, 0)


def test_changes_are_not_trusted_after_a_build_that_raised(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    edit(project, ARTICLE, "This is the line that put", "This is the line then put")

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patched:
        patched.setattr(BuildMemo, "load_content", broken)
        with pytest.raises(RuntimeError):
            builder.build(Changes(frozenset({ARTICLE}), WATCHED))
    assert PAGE in builder.build(Changes(frozenset(), WATCHED)).written
    assert_same_as_clean_build(project, out, tmp_path, 0)


def test_back_references_regathered_per_article_equal_a_fresh_gathering(tmp_path: Path):
    """The preview's ReferenceMemo against link.collect_site, over a run of random edits to
    articles' places and notes: lists gained, lost and reordered must all come out as a
    fresh gathering has them."""
    import dataclasses
    import random

    from bench.corpus import make_corpus, write_ours

    write_ours(make_corpus(12), tmp_path / "p")
    options = BuildOptions(tmp_path / "p", jobs=1)
    memo = BuildMemo()
    site, problems = resolve_site(options, memo)
    assert site is not None, problems
    linked = list(memo.references.linked)
    assert len(linked) == 12
    content, gathering, rng = site.content, ReferenceMemo(), random.Random(7)
    for step in range(60):
        index = rng.randrange(len(linked))
        donor = linked[rng.randrange(len(linked))]
        found = list(linked[index].found)
        rng.shuffle(found)
        found = found[: rng.randrange(len(found) + 1)] + list(donor.found[: rng.randrange(4)])
        notes = list(linked[index].notes)[: rng.randrange(3)] + list(donor.notes[:1])
        linked[index] = dataclasses.replace(linked[index], found=tuple(found), notes=tuple(notes))
        kept, _ = gathering.collect_site(content, list(linked), True)
        expected, _ = collect_site(content, list(linked), True)
        for shelf in ("quotes_by", "mentions_of", "occurrences_of", "notes_naming"):
            assert getattr(kept, shelf) == getattr(expected, shelf), (step, shelf)
            assert list(getattr(kept, shelf)) == list(getattr(expected, shelf)), (step, shelf)


def test_pages_of_a_build_that_wrote_nothing_are_not_taken_as_written(
    project: Path, tmp_path: Path
):
    """That build rendered its pages into a staging folder, then failed (a file of
    templates/root/ clashing with a page) and removed the folder, pages and all."""
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    edit(project, ARTICLE, "This is the line that put", "This is the line then put")
    clash = project / "templates/root/index.html"
    clash.parent.mkdir(parents=True, exist_ok=True)
    clash.write_text("mine", encoding="utf-8")
    report = builder.build()
    assert report.failed and report.written == ()
    assert any("clashes with a file the build writes" in d.message for d in report.diagnostics)
    clash.unlink()
    assert PAGE in builder.build().written
    assert_same_as_clean_build(project, out, tmp_path, 0)


def test_a_preview_update_that_failed_is_completed_by_the_next_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "served"
    builder = Builder(BuildOptions(project, out=out))
    assert not builder.build().failed
    edit(project, ARTICLE, "This is the line that put", "This is the line then put")

    def full_disk(*args: object) -> None:
        raise SiteWriteError(f"cannot write {PAGE}: No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(incremental, "update_from", full_disk)
        report = builder.build()
    assert report.failed and "No space left" in report.diagnostics[-1].message
    assert "This is the line then put" not in (out / PAGE).read_text("utf-8")
    assert PAGE in builder.build().written
    assert_same_as_clean_build(project, out, tmp_path, 0)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".served.")]  # no staging
