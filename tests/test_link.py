"""Unit tests for the link stage: autolinking (FORMAT.md section 7) and back-references."""

from __future__ import annotations

from site_builder.build import BuildOptions, resolve_site
from site_builder.urls import note_id

SEED = """\
Headline
President Xi Jinping met Premier Li Keqiang. Xinhua said Xi and Li agreed.
Liu was absent. Xi spoke of cyber power and 网络强国. Li Keqiang nodded.
"""


def article(annotations: str = "[]", autolink: str = "first") -> dict[str, str]:
    return {
        "content/site.yaml": f"title: T\nbase_url: https://example.test/\nautolink: {autolink}\n",
        "seeds/s.txt": SEED,
        "content/articles/a.yaml": (
            "source: seeds/s.txt\ntitle: A\nbody_starts_at: President\n"
            f"annotations: {annotations}\n"
        ),
    }


def linked(make_project, **kw):
    site, diagnostics = resolve_site(BuildOptions(make_project(article(**kw))))
    assert site is not None, [d.format() for d in diagnostics]
    (only,) = site.articles
    body = only.body.text
    return site, [(p.id, p.type, p.target, body[p.start : p.end], p.auto) for p in only.places]


def test_first_occurrence_is_linked_and_longest_name_wins(make_project):
    _, places = linked(make_project)
    assert places == [
        ("mention-president-xi-jinping", "mention", "xi-jinping", "President Xi Jinping", True),
        ("mention-premier-li-keqiang", "mention", "li-keqiang", "Premier Li Keqiang", True),
        ("term-cyber-power", "term", "cyber-power", "cyber power", True),
    ]


def test_all_links_every_occurrence_but_never_inside_other_words(make_project):
    _, places = linked(make_project, autolink="all")
    texts = [text for _, _, _, text, _ in places]
    assert texts == [
        "President Xi Jinping",
        "Premier Li Keqiang",
        "Xi",
        "Li",
        "Xi",
        "cyber power",
        "网络强国",
        "Li Keqiang",
    ]  # never "Xinhua", never "Liu"
    ids = [i for i, *_ in places]
    assert len(ids) == len(set(ids))


def test_none_links_nothing(make_project):
    _, places = linked(make_project, autolink="none")
    assert places == []


def test_an_annotated_mention_stops_autolinking_of_that_person(make_project):
    annotations = "\n  - {type: mention, text: Xi, occurrence: 2, person: xi-jinping}"
    _, places = linked(make_project, annotations=annotations)
    assert [(t, auto) for _, _, target, t, auto in places if target == "xi-jinping"] == [
        ("Xi", False)
    ]


def test_quotes_and_notes_do_not_block_autolinks(make_project):
    annotations = (
        "\n  - {type: note, text: President Xi Jinping met, note: n}"
        "\n  - {type: quote, text: cyber power and, speaker: xi-jinping}"
    )
    _, places = linked(make_project, annotations=annotations)
    autolinked = {t for _, _, _, t, auto in places if auto}
    assert {"President Xi Jinping", "cyber power"} <= autolinked


def test_back_references_list_every_place_with_context(make_project):
    site, _ = linked(make_project)
    mentions = site.mentions_of["xi-jinping"]
    assert [m.text for m in mentions] == ["President Xi Jinping", "Xi", "Xi"]
    assert mentions[0].anchor == "mention-president-xi-jinping"
    assert mentions[1].anchor == "para_1"  # unlinked places point at their paragraph
    assert mentions[2].before.endswith("absent. ")
    assert [o.text for o in site.occurrences_of["cyber-power"]] == ["cyber power", "网络强国"]


def test_unused_people_and_terms_are_warnings(make_project):
    files = article()
    files["content/people.yaml"] = "nobody:\n  name: Nobody Atall\n"
    files["content/glossary.yaml"] = "unused:\n  term: unused thing\n  definition: x\n"
    site, diagnostics = resolve_site(BuildOptions(make_project(files)))
    assert site is not None
    messages = [d.format() for d in diagnostics]
    assert any("warning: no article names the person `nobody`" in m for m in messages)
    assert any(
        "content/glossary.yaml:1:1: warning: no article uses the term `unused`" in m
        for m in messages
    )


def test_notes_that_name_a_term_are_listed_for_it_in_text_order(make_project):
    """A note names a term by any of its names, in its plain text (not its Markdown); a term
    annotation's own note is the term's place already, so it is not listed again."""
    annotations = (
        "\n  - {type: note, text: President Xi Jinping met, note: 'On *cyber power*.'}"
        "\n  - {type: term, text: cyber power, term: cyber-power, note: 'Also 网络强国.'}"
        "\n  - {type: note, text: Li Keqiang nodded, note: 'Nothing [here](https://a.test/).'}"
        "\n  - {type: note, text: Liu was absent, note: '网络强国 again.'}"
    )
    site, _ = linked(make_project, annotations=annotations)
    hits = site.notes_naming["cyber-power"]
    assert [(h.number, h.passage, h.note) for h in hits] == [
        (1, "President Xi Jinping met", "On *cyber power*."),
        (2, "Liu was absent", "网络强国 again."),
    ]
    assert hits[0].anchor == note_id(site.articles[0].places[0].id)  # the note on the page
    assert set(site.notes_naming) == {"cyber-power"}


def test_a_name_a_person_and_a_term_share_is_the_terms_in_notes(make_project):
    files = article("\n  - {type: note, text: Liu was absent, note: Premier of the Li era.}")
    files["content/glossary.yaml"] = (
        "li:\n  term: Li\n  definition: A unit of length.\n"
        "cyber-power:\n  term: cyber power\n  definition: x\n"
    )
    site, _ = resolve_site(BuildOptions(make_project(files)))
    assert site is not None
    assert [h.passage for h in site.notes_naming["li"]] == ["Liu was absent"]
