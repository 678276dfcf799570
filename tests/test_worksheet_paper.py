"""The printed worksheets, measured on the page as a print designer and a trainer would look at them.

Read from the default build (tests/conftest.py): the whole-profile and domain
worksheets, printable and fillable, on A4. Geometry comes from PyMuPDF: where
text and lines are drawn, in points from the paper's edge.
"""

from __future__ import annotations

import re

import pikepdf
import pymupdf
import pytest

from pdfcheck import widgets

MM = 72 / 25.4
SHEETS = ("profile", "d01-co-creation-and-engagement", "d02-ongoing-improvement", "d03-sustaining-change")


@pytest.fixture(scope="module")
def sheets(default_build):
    folder = default_build / "neutral" / "worksheets"
    return {
        name: (pymupdf.open(folder / f"{name}.pdf"), pymupdf.open(folder / f"{name}-fillable.pdf")) for name in SHEETS
    }


def rules(page) -> list[tuple[float, float, float]]:
    """Horizontal lines drawn on a page, at least 40 mm long: (y, x0, x1).

    WeasyPrint draws a line as a stroke, and a box's bottom border as the band between two
    rectangles (filled even-odd): a rule at the bottom of the outer one.
    """
    found = []
    for drawing in page.get_drawings():
        items = drawing["items"]
        if all(item[0] == "l" for item in items):
            found += [
                (round(a.y, 1), min(a.x, b.x), max(a.x, b.x))
                for _, a, b in items
                if abs(a.y - b.y) < 0.3 and abs(b.x - a.x) > 40 * MM
            ]
        elif len(items) == 2 and all(item[0] == "re" for item in items):
            outer, inner = items[0][1], items[1][1]
            if (
                abs(outer.x0 - inner.x0) < 0.1
                and abs(outer.x1 - inner.x1) < 0.1
                and abs(outer.y0 - inner.y0) < 0.1
                and 0.1 < abs(outer.y1 - inner.y1) < 1.2
                and outer.width > 40 * MM
            ):
                found.append((round(max(outer.y1, inner.y1), 1), outer.x0, outer.x1))
    return found


def content_bottom(page) -> float:
    """How far down the page its content goes (text and drawings, page furniture excluded), in points."""
    top_band, bottom_band = 16 * MM, page.rect.height - 16 * MM
    bottoms = [b[3] for b in page.get_text("blocks") if top_band < b[1] < bottom_band]
    bottoms += [d["rect"].y1 for d in page.get_drawings() if top_band < d["rect"].y0 < bottom_band]
    return max(bottoms, default=0)


def test_no_page_is_mostly_empty_but_a_ruled_notes_page(sheets):
    for name, (printable, _) in sheets.items():
        for number, page in enumerate(printable, start=1):
            area_top, area_bottom = 18 * MM, page.rect.height - 18 * MM
            used = (content_bottom(page) - area_top) / (area_bottom - area_top)
            if used >= 0.5:
                continue
            text = page.get_text()
            assert "Notes and coaching focus" in text and len(rules(page)) >= 20, (
                f"{name}.pdf page {number} is {used:.0%} full and is not a ruled notes page"
            )


def test_notes_fill_a_ruled_page_when_they_do_not_fit_under_the_table(sheets):
    printable, _ = sheets["profile"]
    notes_pages = [
        page
        for page in printable
        if page.get_text().lstrip().startswith("Self-assessment") is False
        and "Notes and coaching focus" in page.get_text()
        and "Activity, and evidence" not in page.get_text()
    ]
    assert notes_pages, "some competency's notes need a page of their own in the whole-profile worksheet"
    for page in notes_pages:
        assert len(rules(page)) >= 30 and (content_bottom(page) - 18 * MM) / (page.rect.height - 36 * MM) > 0.85


def test_evidence_is_two_ruled_lines_8_mm_apart_under_each_activity(sheets):
    printable, _ = sheets["profile"]
    page = printable[1]  # C1, its first page
    assert "C1.1" in page.get_text()
    table = [x0 for y, x0, x1 in rules(page)]
    # the evidence lines start right of the code column and the "Evidence or example" label
    evidence = sorted({y for y, x0, x1 in rules(page) if x0 > min(table) + 10 * MM and x1 - x0 > 100 * MM})
    gaps = [round((b - a) / MM, 1) for a, b in zip(evidence, evidence[1:])]
    pairs = sum(1 for gap in gaps if 7.9 <= gap <= 8.1)
    activities = len(re.findall(r"\bC1\.\d\b", page.get_text()))
    assert pairs >= activities, (gaps, activities)


def test_page_furniture_at_least_10_mm_from_the_edge(sheets):
    for name, (printable, fillable) in sheets.items():
        for document in (printable, fillable):
            for number, page in enumerate(document, start=1):
                for x0, y0, x1, y1, text, *_ in page.get_text("words"):
                    assert (
                        x0 >= 10 * MM
                        and y0 >= 10 * MM
                        and page.rect.width - x1 >= 10 * MM
                        and page.rect.height - y1 >= 10 * MM
                    ), f"{name} page {number}: {text!r} too near the edge"


def test_scale_labels_are_never_hyphenated_and_na_never_splits(sheets):
    printable, _ = sheets["profile"]
    for number, page in enumerate(printable, start=1):
        words = [w[4] for w in page.get_text("words")]
        assert not any(re.fullmatch(r"(Unaccept|Vari|Develop|Pro|Profi|oppor)\w*-", w) for w in words), number
        if "Activity, and evidence or example" in page.get_text():
            assert "N/A" in words and "Unacceptable" in words and "Developmental" in words, number


def test_carried_tables_say_continued(sheets):
    printable, _ = sheets["profile"]
    carried = [page for page in printable if "(continued)" in page.get_text()]
    assert carried
    for page in carried:
        head = [w for w in page.get_text("words") if w[3] < 18 * MM]
        assert "(continued)" in " ".join(w[4] for w in head)


def test_printable_and_fillable_paginate_identically(sheets):
    for name, (printable, fillable) in sheets.items():
        assert len(printable) == len(fillable), name

        def codes(document):
            return [sorted(set(re.findall(r"\bC\d+\.\d+\b", page.get_text()))) for page in document]

        assert codes(printable) == codes(fillable), name


def test_summary_sheet_one_landscape_page_names_on_two_lines_at_most(sheets, shipped_profile):
    printable, _ = sheets["profile"]
    summary = [page for page in printable if "Summary sheet" in page.get_text()]
    assert len(summary) == 1 and summary[0].number == len(printable) - 1
    page = summary[0]
    assert page.rect.width > page.rect.height
    for competency in shipped_profile.competencies:
        found = page.search_for(competency.name)
        lines = {round(r.y0) for r in found}
        assert found and len(lines) <= 2, (competency.name, lines)
        assert all(r.x1 < page.rect.width - 14 * MM for r in found), competency.name


def test_one_competency_worksheet_has_no_summary_sheet(default_build):
    document = pymupdf.open(default_build / "neutral/worksheets/c01-co-learning-fillable.pdf")
    assert not any("Summary sheet" in page.get_text() for page in document)
    assert (
        "Summary sheet"
        in pymupdf.open(default_build / "neutral/worksheets/d01-co-creation-and-engagement.pdf")[-1].get_text()
    )


def test_every_worksheet_carries_the_citation_and_the_rights(default_build, shipped_profile):
    for path in sorted((default_build / "neutral" / "worksheets").glob("*.pdf")):
        text = " ".join(pymupdf.open(path)[0].get_text().split())
        assert "Metz, A., Louison, L., Burke, K., Albers, B., & Ward, C. (2020)." in text, path.name
        assert "The source document states no licence" in text, path.name


def test_fillable_worksheets_have_one_field_per_rating_and_room_to_write(default_build):
    """Read in the whole-profile worksheet, one domain's and one competency's (not all 19): every worksheet's
    form is made by one template, and the whole-profile worksheet holds every activity's and competency's fields,
    so a field named, labelled or sized wrongly for any activity is found in it; the other two are the other
    scopes' forms. (That a competency's fields are alike in every worksheet is
    test_notes_get_the_same_room_in_every_worksheet_that_holds_them, over all 19.)"""
    folder = default_build / "neutral" / "worksheets"
    assert len(list(folder.glob("*-fillable.pdf"))) == 1 + 3 + 15
    for name in ("profile", "d02-ongoing-improvement", "c09-facilitation"):
        path = folder / f"{name}-fillable.pdf"
        with pikepdf.open(path) as pdf:
            form = pdf.Root["/AcroForm"]
            assert form.get("/NeedAppearances") in (None, False), path.name
            listed = list(form["/Fields"])
            assert not any("/Parent" in f for f in listed), f"{path.name}: a radio button is listed as a field"
            ratings = [f for f in listed if str(f["/T"]).endswith(("_r1", "_r2"))]
            assert ratings, path.name
            for f in ratings:
                assert re.fullmatch(r"C\d+\.\d+ .+, (first|second) rating", str(f["/TU"])), str(f["/TU"])
                assert all("/T" not in k for k in f["/Kids"])
        texts = [w for w in widgets(path) if w["type"] == "Tx"]
        assert texts, path.name
        for widget in texts:
            height = widget["rect"][3] - widget["rect"][1]
            assert height >= 14, (path.name, widget["name"], height)
            if widget["name"].endswith("_evidence"):
                assert height >= 22 and widget["flags"] & (1 << 12), (path.name, widget["name"])  # multiline


def test_notes_get_the_same_room_in_every_worksheet_that_holds_them(default_build, sheets):
    """A competency's notes are laid out alike wherever they appear, printable or fillable (what one
    document's layout showed is reused by the others, so this is what keeps builds reproducible)."""
    heights: dict[str, set[float]] = {}
    folder = default_build / "neutral" / "worksheets"
    for path in sorted(folder.glob("*-fillable.pdf")):
        for widget in widgets(path):
            if widget["name"].endswith(("_notes", "_reflection")):
                heights.setdefault(widget["name"], set()).add(round(widget["rect"][3] - widget["rect"][1]))
    assert len(heights) == 2 * 15 and all(len(h) == 1 for h in heights.values()), {
        k: v for k, v in heights.items() if len(v) > 1
    }
    printable, _ = sheets["profile"]
    notes = [w for w in widgets(folder / "profile-fillable.pdf") if w["name"].endswith("_notes")]
    assert len(notes) == 15
    for widget in notes:
        # the ruled lines under "Notes" on paper fill the fillable field's box
        x0, top, x1, bottom = widget["box"]
        drawn = rules(printable[widget["page"]])
        inside = {y for y, left, right in drawn if top < y <= bottom + 1 and left >= x0 - 2 and right <= x1 + 2}
        assert round(len(inside) * 8 * MM) == round(bottom - top + 1), (widget["page"] + 1, widget["name"])
