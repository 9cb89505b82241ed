"""A deterministic benchmark corpus: N annotated articles, their people and their terms.

Issue 6 measures site-builder against Hugo, Pelican and MkDocs on "one generated corpus". The
corpus has to be the same bytes on every machine and every run (a seeded `random.Random` per
article, no clock, no hash randomisation), and it has to be *valid* for site-builder: every
annotation anchors exactly once (FORMAT.md section 7), so what is measured is a build, not an
error report. Passages are made unique with per-article numbers; a passage that still repeats
(a term used twice, on purpose) gets an `occurrence`.

    python -m bench.corpus --n 1000 --out bench/out/corpus-1000 [--tools ours,hugo,pelican,mkdocs]

writes one folder per tool; `ours/` is a site-builder project (content/ and seeds/, with the
default theme unless `--with-templates` copies the repository's templates/ in).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from bench import peers
from bench.model import VERSION, Annotation, Article, Corpus, NameUse, Person, Term, q
from site_builder.urls import derived_id, slugify

REPO = Path(__file__).resolve().parent.parent

WORDS_PER_ARTICLE = 700
MENTIONED, AUTOLINKED_PEOPLE = 6, 2
ANNOTATED_TERMS, AUTOLINKED_TERMS = 8, 2
QUOTES_WITH_TERMS, REPEATED_TERMS, NOTES = 3, 2, 8

# --- Vocabulary ------------------------------------------------------------------------------
# Filler is plain lower-case English; names are made of syllables that English filler never
# contains, so no filler word can ever match a name or a term by accident.

ADJ = [
    "regional",
    "national",
    "provincial",
    "digital",
    "rural",
    "urban",
    "fiscal",
    "strategic",
    "technical",
    "public",
    "private",
    "local",
    "central",
    "modern",
    "stable",
    "rapid",
    "gradual",
    "formal",
    "joint",
    "annual",
    "broad",
    "narrow",
    "open",
    "secure",
    "early",
    "late",
    "major",
    "minor",
    "steady",
    "careful",
]
NOUN = [
    "budget",
    "network",
    "policy",
    "program",
    "council",
    "market",
    "system",
    "office",
    "report",
    "plan",
    "agency",
    "sector",
    "project",
    "committee",
    "survey",
    "strategy",
    "reform",
    "standard",
    "service",
    "district",
    "province",
    "industry",
    "platform",
    "review",
    "schedule",
    "resource",
    "measure",
    "region",
    "database",
]
VERB = [
    "supports",
    "expands",
    "reviews",
    "delays",
    "shapes",
    "funds",
    "limits",
    "changes",
    "follows",
    "improves",
    "studies",
    "reshapes",
    "extends",
    "protects",
    "questions",
]
PREP = ["across", "within", "beyond", "under", "around", "through", "behind", "along"]
UNIT = [
    "districts",
    "towns",
    "schools",
    "clinics",
    "offices",
    "stations",
    "villages",
    "ports",
    "farms",
    "mills",
]
ADVERB = ["quietly", "slowly", "openly", "firmly", "briefly", "carefully", "steadily", "rarely"]
TERM_NOUN = [
    "doctrine",
    "accord",
    "protocol",
    "initiative",
    "mechanism",
    "charter",
    "model",
    "compact",
    "principle",
    "agenda",
]
ALT_NOUN = ["pact", "plan", "line", "rule", "scheme", "code"]
GIVEN = [
    "Ada",
    "Bruno",
    "Clara",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemal",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tove",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zora",
]
TITLE = ["Minister", "Director", "Professor", "Governor", "Senator", "Judge", "Mayor", "Ambassador"]
PUBLISHER = ["Harbor Times", "Capital Wire", "Northern Courier", "Daily Ledger", "Plains Review"]
AGENCY = ["DigiLex", "Policy Desk", "Translators Guild", "Press Office"]
NAME_SYLLABLES = [
    "ka",
    "ren",
    "do",
    "mi",
    "ta",
    "vo",
    "lin",
    "sa",
    "ber",
    "ju",
    "no",
    "fe",
    "ra",
    "tu",
    "mo",
    "zel",
    "gar",
    "ni",
    "pe",
    "lo",
]
TERM_SYLLABLES = [
    "qua",
    "dri",
    "hal",
    "sen",
    "wi",
    "ost",
    "ur",
    "bel",
    "cor",
    "dan",
    "vex",
    "ply",
    "tha",
    "mur",
    "gri",
    "sol",
    "pim",
    "yar",
]
CJK = "网络安全信息化强国领导小组中央委员会主席总理部长省市县国家发展改革".replace(" ", "")
MONTHS = "January February March April May June July August September October November December"


# --- Text helpers ----------------------------------------------------------------------------


def whole_word_spans(text: str, passage: str) -> list[tuple[int, int]]:
    """Every place `passage` occurs in `text` on whole words (FORMAT.md section 7, ASCII case)."""
    pattern = re.compile(r"(?<!\w)" + re.escape(passage) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _synth(rng: random.Random, syllables: Sequence[str], taken: set[str], parts: int) -> str:
    """A made-up word never seen before in this corpus.

    A word gets one syllable longer after every 20 draws that found only taken words, so a
    large corpus never runs out of short names (and the draw never loops forever).
    """
    attempts = 0
    while True:
        word = "".join(rng.choice(syllables) for _ in range(parts + attempts // 20))
        attempts += 1
        if word not in taken and word not in NOUN and word not in ADJ and len(word) > 3:
            taken.add(word)
            return word


def _markdown(rng: random.Random, subject: str, key: str, sentences: int) -> str:
    """A few sentences of Markdown with emphasis, a link, and sometimes a list."""
    lines = []
    for k in range(sentences):
        adj, noun, verb = rng.choice(ADJ), rng.choice(NOUN), rng.choice(VERB)
        if k == 0:
            lines.append(f"The *{subject}* {verb} the {adj} {noun} of the {rng.choice(NOUN)}.")
        elif k == 1:
            lines.append(
                f"See the [{adj} {noun} record](https://example.org/sources/{key}) "
                f"for the **{rng.choice(ADJ)}** details."
            )
        else:
            lines.append(f"Its {adj} {noun} {verb} the {rng.choice(ADJ)} {rng.choice(NOUN)}.")
    text = " ".join(lines)
    if rng.random() < 0.3:
        text += (
            f"\n\n- {rng.choice(ADJ)} {rng.choice(NOUN)}\n- {rng.choice(ADJ)} {rng.choice(NOUN)}"
        )
    return text + "\n"


def _filler(rng: random.Random) -> str:
    """One sentence of neutral English (about 13 words) that holds no name and no number."""
    a, n, v, p = rng.choice(ADJ), rng.choice(NOUN), rng.choice(VERB), rng.choice(PREP)
    shape = rng.randrange(3)
    if shape == 0:
        return (
            f"The {a} {n} {v} the {rng.choice(ADJ)} {rng.choice(NOUN)} {p} the {rng.choice(NOUN)}."
        )
    if shape == 1:
        return f"Each {n} {rng.choice(ADVERB)} {v} the {a} {rng.choice(NOUN)}, and the {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(ADJ)} {rng.choice(NOUN)}."
    return f"In the {a} {n}, the {rng.choice(NOUN)} {v} every {rng.choice(ADJ)} {rng.choice(NOUN)} {p} the {rng.choice(NOUN)}."


# --- People and terms ------------------------------------------------------------------------


def make_people(count: int, seed: int) -> tuple[Person, ...]:
    """People with unique surnames, so a short alias never names two entries."""
    rng = random.Random(f"{seed}:people")
    taken: set[str] = set(w.lower() for w in GIVEN + TITLE)
    people = []
    for k in range(count):
        surname = _cap(_synth(rng, NAME_SYLLABLES, taken, 2 + (k % 3 == 0)))
        given, title = rng.choice(GIVEN), rng.choice(TITLE)
        name = f"{given} {surname}"
        start = rng.randrange(1990, 2015)
        people.append(
            Person(
                id=slugify(name, 3),
                name=name,
                surname=surname,
                title=title,
                aliases=(f"{title} {name}", f"{title} {surname}", surname),
                summary=f"{title} of the {rng.choice(ADJ)} {rng.choice(NOUN)} since {start}.",
                bio=_markdown(rng, name, slugify(name, 3), 4),
                native="".join(rng.choice(CJK) for _ in range(3)) if k % 3 == 0 else None,
                roles=((f"{title} of the {rng.choice(NOUN)}", start),),
            )
        )
    return tuple(people)


def make_terms(count: int, seed: int) -> tuple[Term, ...]:
    """Terms named by a made-up word and a noun, with plural and capitalised aliases."""
    rng = random.Random(f"{seed}:terms")
    taken: set[str] = set()
    words = [_synth(rng, TERM_SYLLABLES, taken, 2 + (k % 2)) for k in range(count)]
    ids = [f"{w}-{rng.choice(TERM_NOUN)}" for w in words]
    terms = []
    for k, (word, tid) in enumerate(zip(words, ids, strict=True)):
        noun = tid.split("-")[1]
        name = f"{word} {noun}"
        renderings = ((f"{word} {rng.choice(ALT_NOUN)}", rng.choice(AGENCY)),) if k % 2 else ()
        see_also = tuple(sorted({ids[(k + d) % count] for d in (1, 7, 13)} - {tid}))
        terms.append(
            Term(
                id=tid,
                term=name,
                aliases=(f"{name}s", f"{_cap(word)} {_cap(noun)}"),
                renderings=renderings,
                definition=_markdown(rng, name, tid, 3),
                see_also=see_also,
                native="".join(rng.choice(CJK) for _ in range(4)) if k % 2 == 0 else None,
                transliteration=f"{word} {noun}" if k % 2 == 0 else None,
            )
        )
    return tuple(terms)


# --- Articles --------------------------------------------------------------------------------


@dataclass
class _Draft:
    """An article being written: its sentences and the annotations they carry."""

    rng: random.Random
    sentences: list[str] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)

    def number(self) -> int:
        """A number used once in this article: what makes each annotated passage unique."""
        return self.numbers.pop()

    def say(self, sentence: str, *annotations: Annotation) -> None:
        self.sentences.append(sentence)
        self.annotations.extend(annotations)


def _pick(pool_size: int, index: int, per_article: int, order: Sequence[int]) -> list[int]:
    """Round-robin over a shuffled pool, so every entry is used once N is large enough."""
    return [order[(index * per_article + j) % pool_size] for j in range(per_article)]


def _mentions(d: _Draft, people: Sequence[Person]) -> None:
    rng = d.rng
    for k, p in enumerate(people):
        name = p.name if rng.random() < 0.6 else p.aliases[0]
        d.say(
            f"{name} {rng.choice(VERB)} the {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(PREP)} the {rng.choice(ADJ)} {rng.choice(NOUN)}.",
            Annotation("mention", name, p.id),
        )
        if k < 2:  # a second mention by the title-and-surname alias
            alias = p.aliases[1]
            d.say(
                f"Later, {alias} {rng.choice(ADVERB)} {rng.choice(VERB)} the {rng.choice(NOUN)}.",
                Annotation("mention", alias, p.id),
            )


def _quotes(d: _Draft, people: Sequence[Person], terms: Sequence[Term]) -> None:
    rng = d.rng
    for k, p in enumerate(people):
        subject = (
            f"the {terms[k].term}"
            if k < len(terms)
            else f"the {rng.choice(ADJ)} {rng.choice(NOUN)}"
        )
        said = f"{subject} {rng.choice(VERB)} the {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(PREP)} {d.number()} {rng.choice(UNIT)}"
        note = _markdown(rng, p.name, f"{p.id}-{k}", 3) if k % 2 == 0 else None
        quote = Annotation("quote", _cap(said) + ",", p.id, note)
        nested = [Annotation("term", terms[k].term, terms[k].id)] if k < len(terms) else []
        d.say(f'"{_cap(said)}," {p.surname} said.', quote, *nested)


def _terms(d: _Draft, terms: Sequence[Term], repeated: int) -> None:
    rng = d.rng
    for k, t in enumerate(terms):
        note = _markdown(rng, t.term, f"{t.id}-n", 2) if k % 3 == 0 else None
        sentence = f"The {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(VERB)} the {t.term} {rng.choice(PREP)} the {rng.choice(ADJ)} {rng.choice(NOUN)}."
        d.say(sentence, Annotation("term", t.term, t.id, note))
        if k < repeated:  # the same term again, so its annotation needs `occurrence`
            d.say(f"Critics of the {t.term} {rng.choice(VERB)} the {rng.choice(NOUN)}.")


def _notes(d: _Draft, index: int) -> None:
    rng = d.rng
    for k in range(NOTES):
        passage = f"{d.number()} {rng.choice(UNIT)} of the {rng.choice(ADJ)} {rng.choice(NOUN)}"
        stable = f"n{index}-{k}" if k % 4 == 0 else None
        d.say(
            f"Officials cited {passage} {rng.choice(PREP)} the {rng.choice(ADJ)} {rng.choice(NOUN)}.",
            Annotation("note", passage, None, _markdown(rng, passage, f"n{index}-{k}", 3), stable),
        )


def _unannotated(d: _Draft, people: Sequence[Person], terms: Sequence[Term]) -> None:
    """Names no annotation covers: what autolinking and back-references must find."""
    rng = d.rng
    for p in people:
        d.say(
            f"As {rng.choice(p.aliases[1:])} noted, the {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(ADJ)} {rng.choice(NOUN)}."
        )
    for t in terms:
        d.say(
            f"The {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(t.names)} {rng.choice(PREP)} the {rng.choice(NOUN)}."
        )


def _paragraphs(rng: random.Random, sentences: list[str], opening: str) -> str:
    """Shuffle the sentences into paragraphs of three to six, one paragraph per line."""
    rng.shuffle(sentences)
    lines, k = [], 0
    while k < len(sentences):
        size = rng.randrange(3, 7)
        lines.append(" ".join(sentences[k : k + size]))
        k += size
    lines[0] = f"{opening} {lines[0]}"
    return "\n".join(lines) + "\n"


def make_article(
    index: int,
    people: Sequence[Person],
    terms: Sequence[Term],
    orders: tuple[list[int], list[int]],
    seed: int,
) -> Article:
    """One article of about 700 words with about 30 annotations, every one anchoring once."""
    rng = random.Random(f"{seed}:article:{index}")
    d = _Draft(rng, numbers=rng.sample(range(100, 1000), 40))
    mentioned = [people[k] for k in _pick(len(people), index, MENTIONED, orders[0])]
    others = [p for p in people if p not in mentioned]
    annotated = [terms[k] for k in _pick(len(terms), index, ANNOTATED_TERMS, orders[1])]
    spare = [t for t in rng.sample(terms, min(len(terms), 12)) if t not in annotated]
    autolinked_people = rng.sample(others, AUTOLINKED_PEOPLE)
    autolinked_terms = spare[:AUTOLINKED_TERMS]
    _mentions(d, mentioned)
    _quotes(d, mentioned, annotated[:QUOTES_WITH_TERMS])
    _terms(d, annotated[QUOTES_WITH_TERMS:], REPEATED_TERMS)
    _notes(d, index)
    _unannotated(d, autolinked_people, autolinked_terms)
    words = sum(len(s.split()) for s in d.sentences)
    while words < WORDS_PER_ARTICLE - 10:
        d.sentences.append(_filler(rng))
        words += len(d.sentences[-1].split())
    opening = f"This is report {index + 1} of the series."
    body = _paragraphs(rng, d.sentences, opening)
    title = f"{_cap(rng.choice(ADJ))} {rng.choice(NOUN)} and the {annotated[0].term}"
    day = date(2014, 1, 1) + timedelta(days=index % 3650)
    publisher = rng.choice(PUBLISHER)
    dateline = (
        f"{publisher}, {MONTHS.split()[day.month - 1]} {day.day}, {day.year} Adjust font size:"
    )
    head = f"{title}\n{dateline}\n"
    slug = f"a{index + 1:05d}-{slugify(annotated[0].term, 2)}"
    article = Article(
        slug=slug,
        title=title,
        publisher=publisher,
        date=day,
        seed=head + body,
        body_start=len(head),
        body_starts_at=opening,
        annotations=d.annotations,
        people=tuple(sorted({p.id for p in mentioned + autolinked_people})),
        terms=tuple(sorted({t.id for t in annotated + autolinked_terms})),
    )
    _anchor(article, rng)
    article.uses = _name_uses(
        article, [*mentioned, *autolinked_people], [*annotated, *autolinked_terms]
    )
    return article


def _anchor(article: Article, rng: random.Random) -> None:
    """Place every annotation, adding `occurrence` where its passage repeats; fail loudly otherwise."""
    body = article.body
    for a in article.annotations:
        spans = whole_word_spans(body, a.text)
        if not spans:
            raise AssertionError(f"{article.slug}: {a.type} passage not in body: {a.text!r}")
        if len(spans) > 1:
            a.occurrence = rng.randrange(len(spans)) + 1
        a.start, a.end = spans[(a.occurrence or 1) - 1]
    used: set[str] = {a.id for a in article.annotations if a.id}
    for k, a in enumerate(sorted(article.annotations, key=lambda a: a.start)):
        if a.id is None:
            # The id site-builder derives itself; where two would clash, an explicit one.
            derived = derived_id(a.type, a.text)
            a.id, a.derived = (derived, True) if derived not in used else (f"{a.type}-{k}", False)
            used.add(a.id)


def _name_uses(article: Article, people: Sequence[Person], terms: Sequence[Term]) -> list[NameUse]:
    """Every place a name occurs: annotations first, then unannotated names, longest name first."""
    uses = [
        NameUse(a.target, a.type, a.id or "", a.start, a.end)
        for a in article.annotations
        if a.target is not None
    ]
    taken = [(u.start, u.end) for u in uses if u.kind != "quote"]
    body = article.body
    candidates = [(n, p.id) for p in people for n in (p.name, *p.aliases)]
    candidates += [(n, t.id) for t in terms for n in t.names]
    for name, who in sorted(candidates, key=lambda c: -len(c[0])):
        for start, end in whole_word_spans(body, name):
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                uses.append(
                    NameUse(who, "name", f"p{body.count(chr(10), 0, start) + 1}", start, end)
                )
    return sorted(uses, key=lambda u: (u.start, u.end))


def make_corpus(n: int, seed: int = 1) -> Corpus:
    """The whole corpus for N articles: max(20, N/5) people and max(40, N/2) terms."""
    people = make_people(max(20, n // 5), seed)
    terms = make_terms(max(40, n // 2), seed)
    rng = random.Random(f"{seed}:orders")
    orders = (
        rng.sample(range(len(people)), len(people)),
        rng.sample(range(len(terms)), len(terms)),
    )
    articles = tuple(make_article(i, people, terms, orders, seed) for i in range(n))
    return Corpus(n, f"Benchmark corpus, {n} articles", people, terms, articles)


# --- Writing site-builder's project ------------------------------------------------------------


def block(text: str, indent: int) -> str:
    """A YAML literal block, as editors write Markdown notes."""
    pad = " " * indent
    return "|\n" + "".join(
        pad + line + "\n" if line else "\n" for line in text.rstrip("\n").split("\n")
    )


def people_yaml(people: Iterable[Person]) -> str:
    out = ["# Generated by bench/corpus.py: people of the benchmark corpus.\n"]
    for p in people:
        out.append(f"\n{p.id}:\n  name: {q(p.name)}\n")
        if p.native:
            out.append(f"  native: {p.native}\n")
        out.append(f"  aliases: [{', '.join(q(a) for a in p.aliases)}]\n")
        out.append(f"  summary: {q(p.summary)}\n  bio: {block(p.bio, 4)}")
        out.append("  roles:\n")
        out.extend(f"    - {{title: {q(t)}, from: {y}}}\n" for t, y in p.roles)
        out.append(
            f"  links:\n    - {{label: Profile, url: {q('https://example.org/people/' + p.id)}}}\n"
        )
    return "".join(out)


def glossary_yaml(terms: Iterable[Term]) -> str:
    out = ["# Generated by bench/corpus.py: terms of the benchmark corpus.\n"]
    for t in terms:
        out.append(f"\n{t.id}:\n  term: {q(t.term)}\n")
        if t.native:
            out.append(f"  native: {t.native}\n  transliteration: {q(t.transliteration or '')}\n")
        out.append(f"  aliases: [{', '.join(q(a) for a in t.aliases)}]\n")
        if t.renderings:
            out.append("  renderings:\n")
            out.extend(f"    - {{text: {q(text)}, by: {q(by)}}}\n" for text, by in t.renderings)
        out.append(f"  definition: {block(t.definition, 4)}")
        out.append(f"  see_also: [{', '.join(t.see_also)}]\n")
    return "".join(out)


TARGET_FIELD = {"quote": "speaker", "mention": "person", "term": "term"}


def article_yaml(a: Article) -> str:
    out = [
        f"source: seeds/{a.slug}.txt\ntitle: {q(a.title)}\npublisher: {q(a.publisher)}\n",
        f"date: {a.date.isoformat()}\nbody_starts_at: {q(a.body_starts_at)}\nannotations:\n",
    ]
    for n in a.annotations:
        out.append(f"  - type: {n.type}\n    text: {q(n.text)}\n")
        if n.type in TARGET_FIELD:
            out.append(f"    {TARGET_FIELD[n.type]}: {n.target}\n")
        if n.occurrence:
            out.append(f"    occurrence: {n.occurrence}\n")
        if n.id and not n.derived:
            out.append(f"    id: {n.id}\n")
        if n.note:
            out.append(f"    note: {block(n.note, 6)}")
    return "".join(out)


def site_yaml(corpus: Corpus) -> str:
    return (
        f"title: {q(corpus.title)}\n"
        f"description: {q('A generated corpus for measuring build speed (bench/corpus.py).')}\n"
        'base_url: "https://example.github.io/bench/"\nlanguage: en\nautolink: first\n'
    )


def write_files(root: Path, files: dict[str, str]) -> None:
    """Write text files under a fresh `root`: a stale file from a bigger corpus must not linger."""
    if root.exists():
        shutil.rmtree(root)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def ours_files(corpus: Corpus) -> dict[str, str]:
    """The site-builder project: content/ and seeds/ (FORMAT.md sections 2-6)."""
    files = {
        "content/site.yaml": site_yaml(corpus),
        "content/people.yaml": people_yaml(corpus.people),
        "content/glossary.yaml": glossary_yaml(corpus.terms),
    }
    for a in corpus.articles:
        files[f"content/articles/{a.slug}.yaml"] = article_yaml(a)
        files[f"seeds/{a.slug}.txt"] = a.seed
    return files


def write_ours(corpus: Corpus, root: Path, with_templates: bool = False) -> None:
    write_files(root, ours_files(corpus))
    write_anchor_records(root)
    if with_templates:
        shutil.copytree(REPO / "templates", root / "templates")


def write_anchor_records(root: Path) -> None:
    """The anchor records a committed project carries (FORMAT.md section 10), so that the
    corpus builds with --strict, as CI builds a project."""
    from site_builder.build import BuildOptions, records_of, resolve_site
    from site_builder.records import write_records

    site, _ = resolve_site(BuildOptions(root))
    if site is not None:
        write_records(root, records_of(site))


# --- Command line ------------------------------------------------------------------------------

TOOLS = ("ours", "hugo", "pelican", "mkdocs")


def generate(
    n: int, out: Path, tools: Sequence[str] = TOOLS, seed: int = 1, with_templates: bool = False
) -> Corpus:
    """Write the corpus for every tool in `tools` under `out/<tool>/`."""
    corpus = make_corpus(n, seed)
    for tool in tools:
        if tool == "ours":
            write_ours(corpus, out / "ours", with_templates)
        else:
            write_files(out / tool, peers.WRITERS[tool](corpus))
    (out / "corpus.json").write_text(json.dumps(describe(corpus, seed), indent=2) + "\n")
    return corpus


def describe(corpus: Corpus, seed: int) -> dict[str, object]:
    """What was generated, for the runner's report and to tell a stale cache from a fresh one."""
    words = sum(len(a.body.split()) for a in corpus.articles)
    notes = sum(1 for a in corpus.articles for n in a.annotations if n.note)
    return {
        "version": VERSION,
        "seed": seed,
        "articles": corpus.n,
        "people": len(corpus.people),
        "terms": len(corpus.terms),
        "annotations": sum(len(a.annotations) for a in corpus.articles),
        "markdown_notes": notes,
        "body_words": words,
        "pages_expected_ours": expected_pages(corpus),
        "pages_note": "besides these, indexes and a few fixed pages (404, search)",
    }


def expected_pages(corpus: Corpus) -> dict[str, int]:
    """The pages site-builder must write, by folder: one per article, person and term."""
    return {"articles": corpus.n, "people": len(corpus.people), "glossary": len(corpus.terms)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS)
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-templates", action="store_true", help="copy templates/ into ours/")
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    corpus = generate(args.n, args.out, tools, args.seed, args.with_templates)
    print(json.dumps(describe(corpus, args.seed)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
