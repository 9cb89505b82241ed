"""Planning: every page is a job, a module-level function with the values it reads, and so
its own cache key. These tests hold the plan to that: a job copied whole (pickled) makes
the same page, nothing callable hides in its inputs, and an edit changes exactly the jobs
that show what was edited."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from test_incremental import ARTICLE, edit

from site_builder import plan
from site_builder.build import BuildOptions, resolve_site
from site_builder.markup import MarkdownRenderer
from site_builder.model import Site
from site_builder.plan import PageJob, plan_site, sitemap_job
from site_builder.render import make_environment, render_page
from site_builder.urls import GLOSSARY_INDEX, HOME, PEOPLE_INDEX, SEARCH, article_path, person_path


@pytest.fixture
def project(seed_project: Path) -> Path:
    return seed_project


def site_of(project: Path) -> Site:
    site, problems = resolve_site(BuildOptions(project, jobs=1))
    assert site is not None, problems
    return site


def jobs_of(site: Site) -> list[PageJob]:
    jobs = plan_site(site, site.content.site.base_url)
    return [*jobs, sitemap_job(site, site.content.site.base_url, ())]


def rendered(job: PageJob, project: Path) -> list[tuple[str, str | bytes]]:
    env = make_environment(project)
    return [
        (path, made if isinstance(made, bytes) else render_page(job.template, made, env))
        for path, made in job.pages(MarkdownRenderer())
    ]


def callables_in(value: Any, where: str) -> list[str]:
    """Where a function, lambda or bound method sits inside plain data."""
    if isinstance(value, str | bytes | int | float | bool | type(None)):
        return []
    if callable(value):
        return [where]
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in callables_in(v, f"{where}[{k!r}]")]
    if isinstance(value, list | tuple | set | frozenset):
        return [f for i, v in enumerate(value) for f in callables_in(v, f"{where}[{i}]")]
    if hasattr(value, "__dataclass_fields__"):
        return [
            f
            for name in value.__dataclass_fields__
            for f in callables_in(getattr(value, name), f"{where}.{name}")
        ]
    return []


def test_every_job_is_a_module_level_function_of_plain_values(project: Path) -> None:
    jobs = jobs_of(site_of(project))
    assert {job.template for job in jobs} >= {"article.html", "person.html", "term.html"}
    for job in jobs:
        make = job.make
        assert make.__module__ == plan.__name__ and make.__qualname__ == make.__name__, job.path
        assert getattr(plan, make.__name__) is make and make.__closure__ is None, job.path
        assert callables_in(job.inputs, job.path) == [], job.path


def test_a_job_copied_whole_makes_the_same_page(project: Path) -> None:
    """A pickled job shares nothing with the build that planned it: if its page came out
    different, the page read something its inputs do not hold."""
    jobs = jobs_of(site_of(project))
    for job in jobs:
        copy = pickle.loads(pickle.dumps(job))
        assert copy == job, job.path
        assert rendered(copy, project) == rendered(job, project), job.path


def test_a_note_edit_changes_its_article_and_the_pages_that_show_the_note(project: Path) -> None:
    before = {job.path: job for job in jobs_of(site_of(project))}
    edit(project, ARTICLE, "In Chinese: 努力", "In Chinese (edited): 努力")
    after = {job.path: job for job in jobs_of(site_of(project))}
    assert before.keys() == after.keys()
    changed = {path for path in after if after[path] != before[path]}
    assert any(path.startswith("articles/") for path in changed)
    # The index pages list names and counts, which a note does not change.
    assert not changed & {HOME, PEOPLE_INDEX, GLOSSARY_INDEX}
    assert len(changed) < len(after) // 2


def test_a_summary_edit_changes_the_person_the_people_index_and_the_articles_naming_them(
    project: Path,
) -> None:
    site = site_of(project)
    person = next(p for p in site.content.people if p.summary)
    before = {job.path: job for job in jobs_of(site)}
    edit(project, "content/people.yaml", person.summary, "Edited. " + person.summary)
    site = site_of(project)
    after = {job.path: job for job in jobs_of(site)}
    changed = {path for path in after if after[path] != before[path]}
    naming = {
        article_path(a.spec.slug)
        for a in site.articles
        if any(p.target == person.id for p in a.places)  # their popovers show the summary
    }
    assert naming
    assert changed >= {person_path(person.id), PEOPLE_INDEX, *naming}
    assert not changed & {GLOSSARY_INDEX, HOME, SEARCH}
