"""The template contract: each page type's context is a TypedDict (site_builder/contexts.py).

Every page the build plans gives exactly the keys its type declares, nested records
included; every template reads only declared keys, the environment's globals, or names
it sets itself. A key added on one side only, or misspelt in a template, fails here.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import jinja2
import jinja2.meta
import pytest
from conftest import REPO
from jinja2 import nodes

from site_builder.build import BuildOptions, resolve_site
from site_builder.contexts import TEMPLATE_CONTEXTS, PageContext
from site_builder.markup import MarkdownRenderer
from site_builder.plan import plan_site, sitemap_job
from site_builder.render import make_environment

JINJA_NAMES = {"loop", "caller", "varargs", "kwargs", "self", "super", "range", "dict", "lipsum"}
"""Names Jinja itself provides inside a template."""


@pytest.fixture(scope="module")
def contexts() -> list[tuple[str, dict[str, Any]]]:
    site, problems = resolve_site(BuildOptions(REPO))
    assert site is not None, problems
    markdown = MarkdownRenderer()
    jobs = plan_site(site, site.content.site.base_url)
    jobs.append(sitemap_job(site, site.content.site.base_url, ()))
    return [
        (job.template, made)
        for job in jobs
        for _, made in job.pages(markdown)
        if not isinstance(made, bytes)  # an article's seed and export go with its page
    ]


def mismatches(value: Any, annotation: Any, where: str) -> Iterator[str]:
    """Where `value` has keys its annotation does not declare, or lacks required ones."""
    if is_typeddict(annotation):
        if not isinstance(value, dict):
            yield f"{where}: a {type(value).__name__}, not a mapping"
            return
        hints = get_type_hints(annotation)
        missing = annotation.__required_keys__ - value.keys()
        extra = value.keys() - hints.keys()
        if missing or extra:
            yield f"{where}: missing {sorted(missing)}, undeclared {sorted(extra)}"
        for key in (k for k in hints if k in value):
            yield from mismatches(value[key], hints[key], f"{where}.{key}")
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple) and args:
        for index, item in enumerate(value):
            yield from mismatches(item, args[0], f"{where}[{index}]")
    elif origin is dict and len(args) == 2:
        for key, item in value.items():
            yield from mismatches(item, args[1], f"{where}[{key!r}]")
    elif origin in (Union, types.UnionType):
        assert not any(is_typeddict(a) for a in args), f"{where}: unions of records are not checked"
        if not isinstance(value, tuple(get_origin(a) or a for a in args)):
            yield f"{where}: a {type(value).__name__}, not {annotation}"
    elif origin is collections.abc.Callable:
        if not callable(value):
            yield f"{where}: a {type(value).__name__}, not callable"
    elif (
        annotation is not Any and isinstance(annotation, type) and not isinstance(value, annotation)
    ):
        yield f"{where}: a {type(value).__name__}, not {annotation.__name__}"


def test_every_page_gives_exactly_the_declared_keys(contexts):
    templates = {template for template, _ in contexts}
    assert templates == set(TEMPLATE_CONTEXTS)
    found = [
        problem
        for template, context in contexts
        for problem in mismatches(context, TEMPLATE_CONTEXTS[template], template)
    ]
    assert found == []


class _Inner(typing.TypedDict):
    a: str


class _Outer(typing.TypedDict):
    inner: list[_Inner]
    n: int


def test_the_key_check_sees_a_missing_an_undeclared_and_a_mistyped_key():
    value = {"inner": [{"a": "x"}, {"b": "y"}, {"a": 1}], "n": "2", "extra": 1}
    assert list(mismatches(value, _Outer, "t")) == [
        "t: missing [], undeclared ['extra']",
        "t.inner[1]: missing ['a'], undeclared ['b']",
        "t.inner[2].a: a int, not str",
        "t.n: a str, not int",
    ]


def template_names(env: jinja2.Environment, name: str) -> tuple[set[str], set[str], set[str]]:
    """What a template reads, the names it sets itself, and the templates it uses."""
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    tree = env.parse(source)
    found = list(tree.find_all(nodes.Name))
    read = {n.name for n in found if n.ctx == "load"}
    stored = {n.name for n in found if n.ctx in ("store", "param")}
    stored |= {m.name for m in tree.find_all(nodes.Macro)}
    stored |= {i.target for i in tree.find_all(nodes.Import)}
    for imported in tree.find_all(nodes.FromImport):
        stored |= {alias if isinstance(alias, str) else alias[1] for alias in imported.names}
    used = {t for t in jinja2.meta.find_referenced_templates(tree) if t is not None}
    return read, stored, used


def reads_beyond_its_context(env: jinja2.Environment, template: str) -> set[str]:
    """Names the template (with everything it extends, includes or imports) reads that it
    neither sets nor gets from its context or the environment."""
    read: set[str] = set()
    stored: set[str] = set()
    todo, seen = [template], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        r, s, used = template_names(env, name)
        read |= r
        stored |= s
        todo.extend(used)
    declared = set(get_type_hints(TEMPLATE_CONTEXTS[template]))
    return read - stored - declared - set(env.globals) - JINJA_NAMES


@pytest.mark.parametrize("template", sorted(TEMPLATE_CONTEXTS))
def test_each_template_reads_only_declared_keys(template: str):
    env = make_environment(REPO)
    assert reads_beyond_its_context(env, template) == set()


def test_the_read_check_sees_a_key_no_context_declares():
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "404.html": '{% extends "base.html" %}{% block main %}{{ misspelt }}{% endblock %}',
                "base.html": "{% for x in page.title %}{{ x }}{{ root }}{% endfor %}"
                "{% block main %}{% endblock %}",
            }
        )
    )
    assert TEMPLATE_CONTEXTS["404.html"] is PageContext
    assert reads_beyond_its_context(env, "404.html") == {"misspelt"}


def test_every_page_template_of_the_theme_has_a_context_type():
    pages = {
        p.name
        for p in (REPO / "templates").iterdir()
        if p.is_file() and not p.name.startswith("_") and p.name != "base.html"
    }
    assert pages == set(TEMPLATE_CONTEXTS)
