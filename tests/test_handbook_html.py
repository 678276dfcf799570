"""The HTML handbook: self-contained, semantic, navigable, and safe."""

from __future__ import annotations

import re

from conftest import SHIPPED, handbook, make, text_of


def test_document_metadata(shipped_handbook):
    html = shipped_handbook.find("html")
    assert html["lang"] == "en-GB"  # the interface's locale (the profile's text is English too: no lang of its own)
    assert shipped_handbook.find("meta", charset=True)["charset"] == "utf-8"
    assert "width=device-width" in shipped_handbook.find("meta", attrs={"name": "viewport"})["content"]
    assert text_of(shipped_handbook.title) == (
        "Implementation Support Practitioner Profile: Guiding Principles "
        "and Core Competencies for Implementation Practice"
    )
    assert shipped_handbook.find("meta", attrs={"name": "author"})["content"].startswith("Allison Metz")


def test_landmarks(shipped_handbook):
    body = shipped_handbook.body
    assert [child.name for child in body.find_all(recursive=False)] == [
        "a",
        "header",
        "section",
        "nav",
        "main",
        "footer",
    ]
    assert body.section["id"] == "about" and body.section["aria-labelledby"] == "about-heading"
    assert len(shipped_handbook.find_all("main")) == 1
    assert shipped_handbook.select_one("a.skip-link")["href"] == "#main"
    assert shipped_handbook.find("main")["id"] == "main"
    nav = shipped_handbook.find("nav")
    assert shipped_handbook.find(id=nav["aria-labelledby"]).name == "h2"


def test_heading_order_never_skips_a_level(shipped_handbook):
    levels = [int(h.name[1]) for h in shipped_handbook.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, (before, after)


def test_sections_are_labelled_by_their_headings(shipped_handbook):
    for element in shipped_handbook.select("section[aria-labelledby], main article"):
        label = shipped_handbook.find(id=element["aria-labelledby"]) if element.has_attr("aria-labelledby") else None
        assert label is not None and label.name in ("h2", "h3"), element.get("id")


def test_ids_unique_and_every_contents_link_resolves(shipped_handbook):
    ids = [el["id"] for el in shipped_handbook.find_all(id=True)]
    assert len(ids) == len(set(ids))
    links = [a["href"] for a in shipped_handbook.select("nav a")]
    assert len(links) == 4 + 3 + 15
    assert all(link.startswith("#") and link[1:] in ids for link in links)


def test_contents_lists_domains_and_competencies_with_codes(shipped_handbook):
    entries = [text_of(a) for a in shipped_handbook.select("nav > ol > li > a")]
    assert entries[:4] == [
        "About this edition",
        "Introduction and Purpose",
        "Guiding Principles: How Implementation Support Practitioners Do Their Work",
        "Domains and Core Competencies: What Implementation Support Practitioners Do In Their Work",
    ]
    assert entries[4:] == ["D1 Co-Creation and Engagement", "D2 Ongoing Improvement", "D3 Sustaining Change"]
    nested = [text_of(a) for a in shipped_handbook.select("nav ol ol a")]
    assert nested[0] == "C1 Co-learning" and nested[-1] == "C15 Cultivate Leaders and Champions"


def test_domains_hold_their_summary_and_competencies(shipped_handbook, shipped_profile):
    for domain in shipped_profile.domains:
        section = shipped_handbook.find("section", id=domain.id)
        assert text_of(section.h2) == f"{domain.code} {domain.name}"
        assert text_of(section.select_one(".domain-summary")) == domain.summary
        assert [a["id"] for a in section.select("article.competency")] == [c.id for c in domain.competencies]
    # D3's overview differs from its page summary: each is printed where the profile prints it.
    overview = text_of(shipped_handbook.select(".domain-overview li")[2])
    assert "problem solving and resource sharing" in overview
    assert "problem solving, and resource sharing" in text_of(shipped_handbook.find("section", id="sustaining-change"))


def test_description_lists_and_nested_activities(shipped_handbook):
    facilitation = shipped_handbook.find("article", id="facilitation")
    assert len(facilitation.select(".core-component ul > li")) == 5
    c10_4 = shipped_handbook.find("li", id="c10-4")
    assert [text_of(li)[:20] for li in c10_4.select("ul.sub-items > li")] == [
        "Support effective co",
        "Support effective co",
        "Help to identify loc",
    ]


def test_self_contained_no_external_requests(shipped_handbook):
    assert not shipped_handbook.find_all(["link", "script", "img", "iframe", "object", "embed"])
    for element in shipped_handbook.find_all(href=True):
        assert element["href"].startswith("#"), element["href"]
    assert shipped_handbook.find_all(src=True) == []
    css = shipped_handbook.style.string
    assert "url(" not in css and "@import" not in css
    assert ".activity" in css and "@media print" in css


def test_profile_text_is_escaped(tmp_path):
    """Markup in a source field is shown as text, never interpreted."""
    import shutil

    source = tmp_path / "src"
    shutil.copytree(SHIPPED, source)
    path = source / "competencies/c01-co-learning.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Create spaces for new ideas to emerge", '"Create <script>alert(1)</script> & <b>spaces</b>"'
        ),
        encoding="utf-8",
    )
    make(source, tmp_path / "out", handbook("html"))
    raw = (tmp_path / "out/handbook.html").read_text(encoding="utf-8")
    assert "<script>" not in raw and "<b>spaces" not in raw
    assert "Create &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;spaces&lt;/b&gt;" in raw


def test_same_sources_same_bytes(tmp_path):
    make(SHIPPED, tmp_path / "a", handbook("html"))
    make(SHIPPED, tmp_path / "b", handbook("html"))
    assert (tmp_path / "a/handbook.html").read_bytes() == (tmp_path / "b/handbook.html").read_bytes()


def test_attribution_block(shipped_handbook):
    about = shipped_handbook.find("section", id="about")
    text = text_of(about)
    assert "reproduces the text of the following profile word for word" in text
    assert "not part of the profile" in text  # our codes are declared as ours
    footer = shipped_handbook.find("footer")
    assert "Metz, A., Louison, L." in text_of(footer)
