"""Languages, and person and term pages (issue 11): CJK runs marked with `lang`, places grouped
by article with the roles of the day, quotes that name their speaker, numbered pages."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from conftest import REPO, ProjectFactory, headlines
from markupsafe import Markup

from bench.corpus import make_corpus, write_ours
from site_builder import pages
from site_builder.build import BuildOptions, build
from site_builder.markup import MarkdownRenderer, SpanStyle, annotate_paragraph, mark_cjk
from site_builder.model import Occurrence, Place, Role
from site_builder.render import make_environment

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")

# --- the lang function -------------------------------------------------------------------------


def test_mark_cjk_wraps_each_run_of_escaped_text() -> None:
    assert mark_cjk("In Chinese: 网络强国, &quot;cyber power&quot; (网络大国)") == (
        'In Chinese: <span lang="zh-Hans">网络强国</span>, &quot;cyber power&quot; '
        '(<span lang="zh-Hans">网络大国</span>)'
    )


def test_mark_cjk_keeps_cjk_punctuation_inside_the_run_and_takes_the_site_language() -> None:
    assert mark_cjk("一体之两翼、驱动之双轮。", "zh-Hant") == (
        '<span lang="zh-Hant">一体之两翼、驱动之双轮。</span>'
    )


def test_mark_cjk_leaves_text_without_cjk_as_it_is() -> None:
    text = "Xi &amp; Li &lt;b&gt;"
    assert mark_cjk(text) is text


def test_seed_text_in_spans_is_marked_without_breaking_the_spans() -> None:
    text = "The group 中央网络安全和信息化领导小组 met."
    places = [Place("name", "term", 10, 24, "group", ""), Place("inner", "note", 4, 12, "", "x")]
    html = annotate_paragraph(
        text, 0, len(text), places, SpanStyle(href=lambda p: "t.html"), opened=set()
    )
    assert html.count('<span lang="zh-Hans">') == 2  # the run is cut where the spans cross
    assert re.sub(r"<[^>]+>", "", html) == text
    assert _balanced(html)


def test_a_plain_paragraph_is_marked_too() -> None:
    text = "习近平 said."
    html = annotate_paragraph(text, 0, len(text), [], SpanStyle(href=lambda p: ""), opened=set())
    assert html == '<span lang="zh-Hans">习近平</span> said.'


def test_markdown_text_is_marked_with_typographic_quotes_and_code_left_alone() -> None:
    md = MarkdownRenderer()
    html = md.render(
        'In Chinese: 努力把我国建设成为网络强国, "strive"; see [网络](https://e.test/).'
    )
    assert '<span lang="zh-Hans">努力把我国建设成为网络强国</span>' in html
    assert '<a href="https://e.test/"><span lang="zh-Hans">网络</span></a>' in html
    assert "“strive”" in html


def test_markdown_rendered_for_another_language_is_rendered_again() -> None:
    md = MarkdownRenderer()
    assert 'lang="zh-Hans"' in md.render("网络")
    md.use_cjk_lang("ja")
    assert md.render("网络") == '<p><span lang="ja">网络</span></p>\n'


def test_the_cjk_filter_escapes_and_marks_plain_fields(tmp_path: Path) -> None:
    env = make_environment(tmp_path)
    template = env.from_string("{{ name|cjk }}|{{ html|cjk }}")
    rendered = template.render(
        site={"cjk_lang": "zh-Hant"}, name="<b>習近平</b>", html=Markup("<i>已標記</i>")
    )
    assert rendered == '&lt;b&gt;<span lang="zh-Hant">習近平</span>&lt;/b&gt;|<i>已標記</i>'


def test_a_bad_cjk_lang_is_a_located_error(make_project: ProjectFactory) -> None:
    project = make_project(
        {
            "content/site.yaml": """\
            title: T
            base_url: https://example.test/
            cjk_lang: "zh Hans"
            """
        }
    )
    report = build(BuildOptions(project, search=False))
    assert headlines(report.errors) == [
        "content/site.yaml:3:11: error: `cjk_lang` must be a language tag such as `zh-Hans`, "
        "found `zh Hans`"
    ]


def _balanced(html: str) -> bool:
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)(\w+)[^>]*>", html):
        if not closing:
            stack.append(tag)
        elif not stack or stack.pop() != tag:
            return False
    return not stack


# --- roles, quote cards, grouping -----------------------------------------------------------

ROLES = (
    Role("Member of the Standing Committee", "2007", "2022"),
    Role("Premier of the State Council", "March 2013", "March 2023"),
    Role("Deputy head of the internet group", "2014", ""),
    Role("Honorary chair", "", ""),
)


def test_roles_on_a_date_and_those_taken_up_later() -> None:
    held, later = pages.roles_on(ROLES, datetime.date(2013, 2, 1))
    assert held == ["Member of the Standing Committee", "Honorary chair"]
    assert later == ["Premier of the State Council", "Deputy head of the internet group"]


def test_a_role_that_ended_before_the_date_is_neither_held_nor_later() -> None:
    held, later = pages.roles_on(ROLES, datetime.date(2023, 6, 1))
    assert held == ["Deputy head of the internet group", "Honorary chair"]
    assert later == []


def test_without_a_date_no_roles_are_claimed() -> None:
    assert pages.roles_on(ROLES, None) == ([], [])


def occurrence(
    before: str, text: str, after: str, offset: int = 100, slug: str = "a"
) -> Occurrence:
    return Occurrence(slug, slug.upper(), "q", "quote", before, text, after, "", offset)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            "",
            '," he said.',
            '<mark>power</mark>," <span class="editorial-insertion">[Xi Jinping]</span> said.',
        ),
        (
            "He stressed: “",
            "”",
            '<span class="editorial-insertion">[Xi Jinping]</span> stressed: “<mark>power</mark>”',
        ),
        ("", '," Xi said.', '<mark>power</mark>," Xi said.'),
        (
            "",
            '," the president said, and he said more.',
            '<mark>power</mark>," the president said, and he said more.',
        ),
    ],
)
def test_a_quote_card_names_the_speaker_where_the_sentence_says_he(
    before: str, after: str, expected: str
) -> None:
    sentence = pages.speaker_context(occurrence(before, "power", after), "Xi Jinping", "zh-Hans")
    assert pages.context_markup(sentence) == expected


def test_mentions_inside_a_quote_card_are_not_listed_again() -> None:
    quote = occurrence("", '"We should act,"', " Xi said.", offset=100)
    inside = Occurrence("a", "A", "m", "mention", '"We should act," ', "Xi", " said.", "", 117)
    elsewhere = Occurrence("a", "A", "m2", "mention", "", "Xi", " presided.", "", 300)
    other_article = Occurrence("b", "B", "m", "mention", "", "Xi", " said.", "", 117)
    kept = pages.without_repeated_quotes([inside, elsewhere, other_article], [quote])
    assert kept == [elsewhere, other_article]


def test_groups_are_newest_first_with_undated_last_and_cards_in_text_order() -> None:
    cards = [
        {"article_slug": s, "article_title": s.upper(), "n": n}
        for n, s in enumerate(["old", "new", "undated", "old"])
    ]
    dates = {"old": datetime.date(2014, 2, 27), "new": datetime.date(2020, 1, 1), "undated": None}
    groups = pages.group_by_article(cards, dates)
    assert [g["slug"] for g in groups] == ["new", "old", "undated"]
    assert [c["n"] for c in groups[1]["cards"]] == [0, 3]


# --- pagination -------------------------------------------------------------------------------


def section(key: str, sizes: list[list[int]]) -> pages.Section:
    groups = tuple(
        {
            "slug": f"{key}{g}",
            "cards": [{"size": s, "id": f"{key}{g}.{i}"} for i, s in enumerate(cs)],
        }
        for g, cs in enumerate(sizes)
    )
    return pages.Section(key, groups, sum(len(cs) for cs in sizes))


def test_paginate_keeps_every_page_within_budget_and_every_card_once() -> None:
    sections = [section("quotes", [[30, 30], [30]]), section("mentions", [[30, 30, 30, 30]])]
    budget = 2 * pages.GROUP_OVERHEAD + 100
    split = pages.paginate(sections, lambda c: c["size"], budget)
    assert len(split) > 1
    seen = [c["id"] for page in split for s in page for g in s.groups for c in g["cards"]]
    assert seen == [c["id"] for s in sections for g in s.groups for c in g["cards"]]
    for page in split:
        cost = sum(
            pages.GROUP_OVERHEAD + sum(c["size"] for c in g["cards"])
            for s in page
            for g in s.groups
        )
        assert cost <= budget


def test_a_list_cut_between_pages_says_it_continues() -> None:
    split = pages.paginate(
        [section("mentions", [[50, 50, 50]])], lambda c: c["size"], pages.GROUP_OVERHEAD + 110
    )
    assert [len(p[0].groups[0]["cards"]) for p in split] == [2, 1]
    assert [(p[0].continued, p[0].groups[0]["continued"]) for p in split] == [
        (False, False),
        (True, True),
    ]
    assert all(p[0].total == 3 for p in split)


def test_a_card_larger_than_the_budget_still_gets_a_page() -> None:
    split = pages.paginate([section("q", [[10, 10**6, 10]])], lambda c: c["size"], 5000)
    assert [[c["size"] for c in p[0].groups[0]["cards"]] for p in split] == [[10], [10**6], [10]]


def test_nothing_to_list_is_one_page_without_sections() -> None:
    assert pages.paginate([], pages.card_size) == [[]]


# --- the seed site's person and term pages -----------------------------------------------------


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "site"
    report = build(BuildOptions(REPO, out=out, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics]
    return out


def main_of(site: Path, path: str) -> str:
    page = (site / path).read_text(encoding="utf-8")
    return page[page.index("<main") : page.index("</main>")]


def test_person_page_groups_by_dated_article_and_names_the_speaker(seed_site: Path) -> None:
    main = main_of(seed_site, "people/xi-jinping/index.html")
    assert '<time class="meta" datetime="2014-02-27">27 February 2014</time>' in main
    assert '<span class="editorial-insertion">[Xi Jinping]</span> said.' in main
    assert "Then: General Secretary of the Central Committee" in main
    assert ">In Xi heads Internet security group<" not in main
    text = re.sub(r"<[^>]+>", "", main)
    assert 'Cyberspace should be made clean and chipper," Xi said.' in text
    # the mention "Xi said" after that quote is in its quote card, and not listed again
    assert text.count("Cyberspace should be made clean and chipper") == 1


def test_no_empty_sections(seed_site: Path) -> None:
    main = main_of(seed_site, "people/li-keqiang/index.html")
    assert "Quotations" not in main and "Mentions" in main


def test_term_page_counts_the_notes_that_name_it(seed_site: Path) -> None:
    main = main_of(seed_site, "glossary/cyber-power/index.html")
    assert re.search(r"In the texts <span class=\"meta\">\(4\)", main)
    assert ">In note 13<" in main and "#note_cyber-power-strategy" in main


def test_every_cjk_character_of_the_seed_site_is_inside_a_lang_span(seed_site: Path) -> None:
    for page in sorted(seed_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        body = html[html.index("<body") :]
        body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
        outside = re.sub(r'<span lang="zh-Hans">[^<]*</span>', "", body)
        assert not CJK.findall(re.sub(r"<[^>]+>", "", outside)), page


# --- a generated site of 300 articles ---------------------------------------------------------


def test_a_300_article_site_splits_long_lists_into_numbered_pages(tmp_path: Path) -> None:
    corpus = make_corpus(300)
    write_ours(corpus, tmp_path / "project")
    out = tmp_path / "out"
    report = build(BuildOptions(tmp_path / "project", out=out, search=False))
    assert not report.failed, [d.format() for d in report.diagnostics[:5]]
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*.html")}
    largest = max(sizes.items(), key=lambda kv: kv[1])
    numbered = sorted(
        p for p in sizes if re.fullmatch(r"(people|glossary)/[^/]+/\d+/index.html", p)
    )
    print(
        f"\n300 articles: {len(sizes)} pages, {len(numbered)} numbered list pages;"
        f" largest {largest[0]} at {largest[1] / 1000:.0f} KB"
    )
    assert largest[1] < 200_000, largest
    assert numbered, "no list was long enough to be split"
    first = numbered[0]
    base = first.rsplit("/", 2)[0]
    page_2 = (out / first).read_text(encoding="utf-8")
    assert f'<link rel="prev" href="../../../{base}/index.html">' in page_2
    assert f'<a href="../../../{base}/index.html" rel="prev">' in page_2
    page_1 = (out / base / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="next" href="../../{base}/2/index.html">' in page_1
    # every place is listed on exactly one of the pages
    person = base.split("/")[1]
    listed = sum(
        (out / p).read_text(encoding="utf-8").count('<li class="occurrence ')
        for p in [f"{base}/index.html", *(n for n in numbered if n.startswith(base + "/"))]
    )
    people = {p.id: p for p in corpus.people}
    assert person in people or base.startswith("glossary/")
    totals = [int(n) for n in re.findall(r'<span class="meta">\((\d+)\)</span>', page_1)]
    assert listed == sum(totals) > 0
    assert f"{base}/2/" in (out / "sitemap.xml").read_text(encoding="utf-8")
