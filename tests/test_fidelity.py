"""The shipped profile reproduces the source's words exactly, in the source's order.

Two independent checks:

* a hand-made table, typed from reading the source, of each competency's
  code, name, number of activities and first and last activity;
* every sentence in profile_src/ must occur, word for word, in the extracted
  source text once its layout damage (bullets, line-break hyphens, stray
  heading words) is undone by the table of repairs below.
"""

from __future__ import annotations

import re

import pytest

from conftest import SOURCE_TEXT, text_of

# (code, name, activity count, first activity starts, last activity starts), typed from the source.
COMPETENCIES = [
    (
        "C1",
        "Co-learning",
        7,
        "Understand the system and organizational context",
        "Seek other ways to introduce and create readiness",
    ),
    (
        "C2",
        "Brokering",
        7,
        "Position yourself as a bridge “in between”",
        "Promote opportunities for stakeholders and team members",
    ),
    (
        "C3",
        "Address power differentials",
        7,
        "Position the range of service beneficiary experiences",
        "Develop an evolving ‘collective view’",
    ),
    ("C4", "Co-design", 6, "Work with stakeholders to build a strong fit", "Facilitate design-centered activities"),
    (
        "C5",
        "Tailoring support",
        7,
        "Regularly assess the implementation support, needs, and assets",
        "Continuously promote the adaptability",
    ),
    (
        "C6",
        "Assess needs and assets",
        6,
        "Identify the needs that different stakeholders",
        "Engage people with lived experience in determining needs and assets",
    ),
    (
        "C7",
        "Understand context",
        6,
        "Involve diverse stakeholders from throughout the system",
        "Identify and support mitigating actions",
    ),
    (
        "C8",
        "Apply and integrate implementation frameworks, strategies, and approaches",
        6,
        "Remain up to date on evidence developed",
        "Support the selection, application, and integration",
    ),
    ("C9", "Facilitation", 10, "Create welcoming and engaging spaces", "When needed, respond to emergent discussions"),
    (
        "C10",
        "Communication",
        4,
        "Work with stakeholders to develop communication protocols",
        "Encourage stakeholders to regularly communicate",
    ),
    (
        "C11",
        "Conduct Improvement Cycles",
        9,
        "Facilitate the ongoing testing and improvement",
        "Help to create feedback loops that connect leadership",
    ),
    ("C12", "Grow and sustain relationships", 11, "Build trust with others by modeling", "Demonstrate empathy"),
    (
        "C13",
        "Develop teams",
        10,
        "Help to identify relevant implementation team members",
        "Help to manage conflict among team members",
    ),
    (
        "C14",
        "Build Capacity",
        8,
        "To prepare stakeholders for necessary changes",
        "Promote collaboration and partnerships",
    ),
    (
        "C15",
        "Cultivate Leaders and Champions",
        10,
        "Identify existing leadership roles",
        "Ensure stakeholders regularly review champion roles",
    ),
]

DOMAINS = [
    ("D1", "Co-Creation and Engagement", ["C1", "C2", "C3", "C4", "C5"]),
    ("D2", "Ongoing Improvement", ["C6", "C7", "C8", "C9", "C10", "C11"]),
    ("D3", "Sustaining Change", ["C12", "C13", "C14", "C15"]),
]

PRINCIPLES = [
    "Be Empathetic",
    "Be Curious",
    "Be Committed",
    "Advance Equity",
    "Use Critical Thinking",
    "Embrace Cross-disciplinary Approaches",
]

# Layout damage in the extracted text, and what the printed page says (see profile_src/NOTES.md).
REPAIRS = {
    "differ-entials": "differentials",
    "implemen-tation": "implementation",
    "twoway": "two-way",
    "facil itate": "facilitate",
    "Imple- mentation": "Implementation",
    "Implementa- tion": "Implementation",
    "inextri- cably": "inextricably",
    "reexam- ine": "reexamine",
    "implemen- tation": "implementation",
    "respon- sible": "responsible",
    "de- velop": "develop",
    "perspec- tives": "perspectives",
    "that CO-CREATION programs": "that programs",
    "resources of AND ENGAGEMENT those": "resources of those",
    "approaches: Apply Implementation": "approaches: Implementation",
    "relationships: Grow Implementation": "relationships: Implementation",
}


@pytest.fixture(scope="module")
def source_text() -> str:
    text = " ".join(SOURCE_TEXT.read_text(encoding="utf-8").replace("•", " ").split())
    for damaged, repaired in REPAIRS.items():
        assert damaged in text, f"repair table out of date: {damaged!r} not in the source"
        text = text.replace(damaged, repaired)
    return text


def all_texts(profile):
    """Every piece of the profile's own prose, with a label for failure messages."""
    for section in (profile.introduction, profile.principles_section, profile.domains_section):
        for block in section.body:
            for text in getattr(block, "items", None) or (block.text,):
                yield section.heading, text
    for p in profile.principles:
        yield p.code, f"{p.name} – {p.text}"
    for d in profile.domains:
        yield d.code, d.overview
        yield d.code, d.summary
        for c in d.competencies:
            for block in c.description:
                for text in getattr(block, "items", None) or (block.text,):
                    yield c.code, text
            for a in c.activities:
                yield a.code, a.text
                for item in a.items:
                    yield a.code, item


def test_shape(shipped_profile):
    assert [p.name for p in shipped_profile.principles] == PRINCIPLES
    assert [(d.code, d.name, [c.code for c in d.competencies]) for d in shipped_profile.domains] == DOMAINS
    assert len(shipped_profile.competencies) == 15
    assert len(shipped_profile.activities) == sum(row[2] for row in COMPETENCIES) == 114


@pytest.mark.parametrize("code,name,count,first,last", COMPETENCIES, ids=[row[0] for row in COMPETENCIES])
def test_competency_activities(shipped_profile, code, name, count, first, last):
    competency = next(c for c in shipped_profile.competencies if c.code == code)
    assert competency.name == name
    assert len(competency.activities) == count
    assert competency.activities[0].text.startswith(first)
    assert competency.activities[-1].text.startswith(last)
    assert [a.code for a in competency.activities] == [f"{code}.{n}" for n in range(1, count + 1)]


def test_every_sentence_is_in_the_source_verbatim(shipped_profile, source_text):
    missing = [(label, text) for label, text in all_texts(shipped_profile) if text not in source_text]
    assert not missing, "not found word for word in the source:\n" + "\n".join(
        f"  {label}: {text[:90]}" for label, text in missing
    )


def test_source_order_of_activities(shipped_profile, source_text):
    """Within each competency, activities appear in the source in the same order."""
    for c in shipped_profile.competencies:
        positions = [source_text.index(a.text) for a in c.activities]
        assert positions == sorted(positions), c.code


def test_nested_items_and_description_lists(shipped_profile):
    by_code = {a.code: a for a in shipped_profile.activities}
    assert by_code["C10.4"].text.endswith("As part of this process:")
    assert [i.split()[0:4] for i in by_code["C10.4"].items] == [
        ["Support", "effective", "communication", "and"],
        ["Support", "effective", "communication", "and"],
        ["Help", "to", "identify", "local"],
    ]
    lists = {c.code: [b.items for b in c.description if hasattr(b, "items")] for c in shipped_profile.competencies}
    assert len(lists["C9"]) == 1 and len(lists["C9"][0]) == 5
    assert [i.split(":")[0] for i in lists["C14"][0]] == [
        "Intervention/approach-specific capacity",
        "General capacity",
        "Analytic capacity",
        "Adaptive capacity",
    ]


def test_editorial_judgements(shipped_profile, source_text):
    communication = next(c for c in shipped_profile.competencies if c.code == "C10")
    paragraphs = [b.text for b in communication.description if hasattr(b, "text")]
    messenger = [p for p in paragraphs if p.startswith("Implementation support practitioners may serve")]
    assert len(messenger) == 1, "the paragraph printed twice in the source is kept once"
    texts = " ".join(text for _, text in all_texts(shipped_profile))
    for stray in (
        "CO-CREATION",
        "ENGAGEMENT",
        "IMPROVEMENT",
        "SUSTAINING",
        "Apply Implementation",
        "Grow Implementation",
        "•",
        "- ",
    ):
        assert stray not in texts, stray
    # The source's own slips are kept.
    for slip in ("evidenced-informed", "lived with experience", "practitoners", "cultivate leader and champions"):
        assert slip in texts, slip
    assert "supporting two-way communication" in texts


def test_handbook_holds_every_item_in_order_with_codes(shipped_profile, shipped_handbook):
    rows = [
        (text_of(li.select_one(".code")), text_of(li.select_one(".activity-text")))
        for li in shipped_handbook.select("li.activity")
    ]
    assert rows == [(a.code, a.text) for a in shipped_profile.activities]
    headings = [text_of(h) for h in shipped_handbook.select("article.competency h3")]
    assert headings == [f"{code} {name}" for code, name, *_ in COMPETENCIES]
    principles = [text_of(li) for li in shipped_handbook.select("ul.principles > li")]
    assert principles == [f"{p.code} {p.name} – {p.text}" for p in shipped_profile.principles]
    body = text_of(shipped_handbook)
    for label, text in all_texts(shipped_profile):
        assert text in body, f"{label}: {text[:80]}"


def test_citation_and_metadata(shipped_profile, shipped_handbook):
    assert shipped_profile.citation == (
        "Metz, A., Louison, L., Burke, K., Albers, B., & Ward, C. (2020). Implementation support "
        "practitioner profile: Guiding principles and core competencies for implementation practice. "
        "Chapel Hill, NC: National Implementation Research Network, University of North Carolina at "
        "Chapel Hill."
    )
    assert shipped_profile.version == "4.0" and shipped_profile.date == "November 2020"
    assert shipped_profile.authors == ("Allison Metz", "Laura Louison", "Katie Burke", "Bianca Albers", "Caryn Ward")
    assert shipped_profile.rights.licence is None
    citations = [text_of(p) for p in shipped_handbook.select(".citation")]
    assert citations and all(c == shipped_profile.citation for c in citations)
    assert "states no licence" in text_of(shipped_handbook.select_one("#about"))


def test_no_hyphenation_damage_left(shipped_profile):
    """A hyphen followed by a space is the mark of an unrepaired line break."""
    damaged = [(label, m.group()) for label, text in all_texts(shipped_profile) for m in re.finditer(r"\w+- \w+", text)]
    assert not damaged
