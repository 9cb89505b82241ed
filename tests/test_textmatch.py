"""Unit tests for the matching rules of FORMAT.md section 7."""

from __future__ import annotations

import pytest

from site_builder.textmatch import (
    NameMatcher,
    find_all,
    normalize,
    normalize_needle,
)


def test_whitespace_runs_collapse_and_map_back():
    norm = normalize("A  b\r\n\r\nc")
    assert norm.text == "A b c"
    assert [norm.to_original(i) for i in range(len(norm.text) + 1)] == [0, 1, 3, 4, 8, 9]


def test_typographic_quotes_match_ascii():
    norm = normalize("\u201cclean\u201d and \u2018chipper\u2019")
    assert norm.text == "\"clean\" and 'chipper'"
    assert len(norm.text) == len("\u201cclean\u201d and \u2018chipper\u2019")


def test_combining_marks_compare_in_nfc_and_offsets_cover_the_whole_cluster():
    decomposed = "Zho\u0304u Enlai"  # ō as o + combining macron
    norm = normalize(decomposed)
    assert norm.text == "Zh\u014du Enlai"
    start = norm.text.index("\u014d")
    assert decomposed[norm.to_original(start) : norm.to_original(start + 1)] == "o\u0304"


def test_needle_is_trimmed():
    assert normalize_needle("  two wings\n of a bird ") == "two wings of a bird"


@pytest.mark.parametrize(
    ("haystack", "needle", "expected"),
    [
        ("Xi said Xinhua", "Xi", [0]),
        ("Li and Liu", "Li", [0]),
        ("In Xi's view", "Xi", [3]),
        ("网络强国建设", "网络强国", [0]),  # CJK matches as written, without word edges
        ("建设网络强国", "网络强国", [2]),
        ("aaa", "aa", []),  # inside a word on both sides
        ("a aa aa", "aa", [2, 5]),
    ],
)
def test_find_all_respects_word_edges(haystack, needle, expected):
    assert find_all(haystack, needle) == expected


def test_name_matcher_skips_partial_words_and_prefers_longest_names():
    matcher = NameMatcher(["Xi", "Xi Jinping", "President Xi Jinping", "Li", "Jinping met"])
    text = "President Xi Jinping met Li. Xinhua, TaXi, Liu and Xi."
    assert matcher.find(text) == [
        (0, 20, "President Xi Jinping"),  # longest at the leftmost place; "Jinping met" overlaps
        (25, 27, "Li"),
        (51, 53, "Xi"),
    ]


def test_name_matcher_matches_cjk_inside_running_text():
    assert NameMatcher(["习近平"]).find("主席习近平说") == [(2, 5, "习近平")]


def test_name_matcher_does_not_let_a_rejected_long_name_hide_a_short_one():
    # "Xi Jin" fails its word edge inside "Jinping", but "Xi" at the same place still counts.
    assert NameMatcher(["Xi Jin", "Xi"]).find("Xi Jinping") == [(0, 2, "Xi")]


def test_name_matcher_without_names_finds_nothing():
    assert NameMatcher([]).find("anything") == []
