"""The workshop's slides: 16:9, tagged, 24 pt text that never leaves its slide, and a deck that works offline."""

from __future__ import annotations

import json
import re

import pymupdf
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from profilepress import slides
from profilepress.load import load_packets, load_profile, load_scales

from conftest import ROOT, SHIPPED
from pdfcheck import structure_elements

MM = 72 / 25.4
SAMPLE = "introduction-half-day"


@pytest.fixture(scope="module")
def deck(default_build):
    folder = default_build / "neutral" / "packets"
    return {
        "pdf": folder / f"{SAMPLE}-slides.pdf",
        "html": folder / f"{SAMPLE}-slides.html",
        "branded": default_build / "northwind" / "packets" / f"{SAMPLE}-slides.pdf",
    }


@pytest.fixture(scope="module")
def recipe():
    profile = load_profile(SHIPPED)
    return profile, load_packets(ROOT / "packets", profile, set(load_scales([ROOT / "scales"])))[SAMPLE]


def spans(page):
    """Every text span on a page, including any a clip would hide (text past the page's edge is not lost)."""
    flags = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_MEDIABOX_CLIP
    return [
        span
        for block in page.get_text("dict", flags=flags)["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
        if span["text"].strip()
    ]


@pytest.mark.parametrize("which", ["pdf", "branded"])
def test_slides_are_16_9_one_page_each_and_no_text_leaves_its_slide(deck, which):
    with pymupdf.open(deck[which]) as pdf:
        for number, page in enumerate(pdf, 1):
            # every page is one whole slide: a slide that ran on would add a page its numbering does not know
            assert f"{number} / {len(pdf)}" in page.get_text() or number == 1, number
            width, height = page.rect.width, page.rect.height
            assert abs(width / height - 16 / 9) < 0.001
            foot_top = height - slides.FOOT_MM * MM
            for span in spans(page):
                x0, y0, x1, y1 = span["bbox"]
                assert x0 >= slides.SIDE_MM * MM - 1 and x1 <= width - slides.SIDE_MM * MM + 1, (number, span["text"])
                assert y0 >= 0 and y1 <= height, (number, span["text"])
                if span["size"] < 15:  # the foot: title and slide number
                    assert y0 >= foot_top - 1, (number, span["text"])
                else:  # content stays above the foot
                    assert y1 <= foot_top + 1, (number, span["text"], y1, foot_top)
                    # read from the back of the room: 24 pt text; code labels (C1.3) at 18 pt
                    label = span["text"].strip()
                    is_code = label[:1] in "CDPG" and ("." in label or label[1:].isdigit())
                    assert span["size"] >= 24 - 0.01 or (span["size"] >= 18 - 0.01 and is_code), (
                        number,
                        span["text"],
                        span["size"],
                    )


def test_html_has_one_section_per_pdf_page(deck):
    html = BeautifulSoup(deck["html"].read_text(encoding="utf-8"), "html.parser")
    with pymupdf.open(deck["pdf"]) as pdf:
        assert len(html.select("section.slide")) == len(pdf)


def test_slides_hold_what_the_recipe_asks_for_in_order(deck, recipe):
    profile, packet = recipe
    with pymupdf.open(deck["pdf"]) as pdf:
        pages = [" ".join(page.get_text().split()) for page in pdf]
    text = " ".join(pages)
    assert pages[0].startswith(packet.title)
    order = ["What you will learn", "Agenda", "The guiding principles", "The 3 domains"]
    order += [f"{c.code} {c.name}" for c in packet.competencies] + [
        "Rating your practice",
        "Discuss in your group",
        "Where the competencies come from",
        "Thank you",
    ]
    positions = [next(i for i, p in enumerate(pages) if p.startswith(h)) for h in order]
    assert positions == sorted(positions), list(zip(order, positions))
    for c in packet.competencies:  # every activity, word for word, and the one-line reminder
        from profilepress.select import reminder

        assert " ".join(reminder(c).split()) in text
        for a in c.activities:
            assert f"{a.code} {' '.join(a.text.split())}" in text, a.code
    for p in profile.principles:
        assert f"{p.code} {p.name}" in text
    for q in packet.discussion:
        assert " ".join(q.split()) in text
    scale = load_scales([ROOT / "scales"])["nirn-practice-profile"]
    assert all(level.label in text for level in scale.levels) and scale.not_applicable in text
    assert profile.citation in text  # the deck carries its citation


def test_every_slide_the_deck_makes_fits_and_an_overfilled_one_is_caught(recipe):
    profile, packet = recipe
    made = slides.deck(profile, packet, ["Sam Rivera"])
    assert len(made) > 10 and all(slides.fits(s) for s in made)
    activities = [slides.Item(a.text, code=a.code) for c in profile.competencies for a in c.activities]
    crowded = slides.Slide("list", "Everything at once", tuple(activities[:12]))
    assert not slides.fits(crowded)
    spread = slides.spread("Everything at once", activities[:12])
    assert len(spread) > 1 and all(slides.fits(s) for s in spread)
    assert [i for s in spread for i in s.items] == activities[:12]  # nothing lost, nothing reordered


def test_slides_pdf_is_tagged_with_a_heading_per_slide(deck):
    reader = PdfReader(deck["pdf"])
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    roles = [role for role, _ in structure_elements(reader)]
    assert roles.count("/H1") + roles.count("/H2") == len(reader.pages)


def test_html_deck_works_offline_with_the_keyboard(deck, browser):
    source = deck["html"].read_text(encoding="utf-8")
    soup = BeautifulSoup(source, "html.parser")
    assert not [tag for tag in soup.find_all(src=True) if not tag["src"].startswith("data:")]
    assert not soup.find_all("link", href=True) and "http://" not in source.split("<body")[0]
    assert "data:font/woff;base64," in source  # its font travels with it
    visible = (
        "JSON.stringify([...document.querySelectorAll('.slide')].map((s, i) => s.hidden ? -1 : i).filter(i => i >= 0))"
    )
    browser.viewport(1280, 720)
    browser.open(deck["html"])
    assert json.loads(browser.evaluate(visible)) == [0]
    for key, expected in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1), ("End", None), ("Home", 0)):
        browser.evaluate(f"document.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}'}}))")
        shown = json.loads(browser.evaluate(visible))
        last = len(soup.select("section.slide")) - 1
        assert shown == [last if expected is None else expected], (key, shown)
    assert browser.evaluate("location.hash") == "#slide-1"
    # each slide's content stays inside it, as laid out in the browser with the embedded font
    overflow = browser.evaluate("""JSON.stringify([...document.querySelectorAll('.slide')].map((s, i) => {
        s.hidden = false; const over = s.scrollHeight > s.clientHeight + 1 || s.scrollWidth > s.clientWidth + 1;
        s.hidden = true; return over ? i + 1 : 0; }).filter(Boolean))""")
    assert json.loads(overflow) == []
    family = browser.evaluate("getComputedStyle(document.querySelector('.slide li')).fontFamily")
    assert "Atkinson Hyperlegible" in family
    assert browser.evaluate("document.fonts.check('24pt \"Atkinson Hyperlegible\"')")


def test_a_long_title_is_set_smaller_and_one_too_long_for_the_title_slide_is_refused(recipe):
    import dataclasses

    from profilepress.errors import UserError

    _, packet = recipe
    assert slides.title_slide(packet, ["Sam Rivera"]).extra["title_pt"] == 38
    longer = dataclasses.replace(
        packet, title="Introduction to implementation support practice for practitioners and their supervisors"
    )
    size = slides.title_slide(longer, ["Sam Rivera", "Priya Natarajan"], logo=True).extra["title_pt"]
    assert 24 <= size < 38
    endless = dataclasses.replace(packet, title=" ".join(["Implementation support practice"] * 12))
    with pytest.raises(UserError, match="too long for the title slide"):
        slides.title_slide(endless, ["Sam Rivera"], logo=True)


def test_a_list_spread_over_slides_is_counted_in_the_interfaces_words_and_numbers(recipe):
    from profilepress.messages import translator

    profile, packet = recipe
    english = [s.part for s in slides.deck(profile, packet, ["Sam Rivera"]) if s.part]
    spanish = [
        s.part for s in slides.deck(profile, packet, ["Sam Rivera"], gettext=translator("es"), locale="es") if s.part
    ]
    assert english and all(re.fullmatch(r"\d+ of \d+", part) for part in english)
    assert spanish and all(re.fullmatch(r"\d+ de \d+", part) for part in spanish)
