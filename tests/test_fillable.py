"""The fillable worksheet, filled as its users fill it: in six real PDF programs, each the documented way.

Answers are given, saved, changed and saved again, then reopened by other
programs (pdf.js is Firefox's viewer; pdftk reads what a script would read) and
collected. And the form and tags as programs and screen readers read them.
"""

from __future__ import annotations

import csv
import re
import shutil

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from profilepress import collect

from conftest import SHIPPED, make, text_of
from conftest import worksheets as worksheet_targets
from fillers import PROGRAMS, fill_rounds, pdfjs_shows, pdftk_values
from pdfcheck import (
    column_headers,
    element_text,
    field_name,
    headers_named,
    marked_text,
    on_state,
    structure_elements,
    tables,
)

PT_PER_MM = 72 / 25.4
LEVELS = ["unacceptable-variation", "developmental", "expected-proficient", "na"]
LABELS = {
    "unacceptable-variation": "Unacceptable Variation",
    "developmental": "Developmental",
    "expected-proficient": "Expected/Proficient",
    "na": "No opportunity / N/A",
}

FIRST = {
    "role": "Coach",
    "r1_date": "2026-01-12",
    "C1_1_r1": "developmental",
    "C1_2_r1": "na",
    "C1_3_r1": "expected-proficient",
    "C1_1_r2": "expected-proficient",
    "C1_1_priority": True,
    "C1_1_evidence": "Ran two “listening” sessions — naïve café",
    "C1_notes": "Ask Zoë about the café sessions",
    "C1_reflection": "Más práctica con los equipos",
}
SECOND = {  # an answer changed after the first save, a tick taken back, another given
    "C1_1_r1": "na",
    "C1_3_r1": "unacceptable-variation",
    "C1_1_priority": False,
    "C1_2_priority": True,
    "C1_1_evidence": "Led the Łódź session – twice",
}
# pikepdf draws filled-in text only in Western European (WinAnsi) characters (its documentation says so),
# and refuses other text when asked to draw it: it gets accented text it can draw.
WINANSI_ONLY = {"pikepdf"}


def answers(program: str, round_: dict) -> dict:
    given = dict(round_)
    if program in WINANSI_ONLY and "C1_1_evidence" in given and round_ is SECOND:
        given["C1_1_evidence"] = "Led the Zürich session – twice"
    return given


def person(program: str) -> str:
    return f"Zoë Łukasz {program}" if program not in WINANSI_ONLY else f"Zoë Müller {program}"


def expected_fields(program: str) -> dict[str, str]:
    given = {**answers(program, FIRST), **answers(program, SECOND), "name": person(program)}
    return {key: ("on" if value is True else value) for key, value in given.items() if value is not False}


@pytest.fixture(scope="module")
def c1(default_build, tmp_path_factory):
    """The C1 worksheet: fillable and HTML as the default build made them, and printable (which the default plan
    does not make) made here."""
    out = tmp_path_factory.mktemp("c1")
    make(SHIPPED, out, [t for t in worksheet_targets(SHIPPED, "competency", "pdf") if "c01-" in t.path])
    for name in ("c01-co-learning-fillable.pdf", "c01-co-learning.html"):
        shutil.copy(default_build / "neutral/worksheets" / name, out / "worksheets" / name)
    return out / "worksheets"


@pytest.fixture(scope="module")
def filled(c1, tmp_path_factory):
    """The fillable C1 worksheet filled by each program: answers given, saved, changed, saved again."""
    out = tmp_path_factory.mktemp("filled")
    files = {}
    for program in PROGRAMS:
        first, second = out / f"{program}-first.pdf", out / f"{program}.pdf"
        given = {**answers(program, FIRST), "name": person(program)}
        fill_rounds(program, c1 / "c01-co-learning-fillable.pdf", [(first, given), (second, answers(program, SECOND))])
        files[program] = second
    return files


@pytest.fixture(scope="module")
def viewer(filled):
    """What Firefox's viewer (pdf.js) shows in each program's file."""
    return pdfjs_shows(*filled.values())


def ticks(path) -> dict[str, list[str]]:
    """Every radio group and the states of its widgets that are on (as drawn: /AS)."""
    on: dict[str, list[str]] = {}
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if "/Parent" in widget and widget["/Parent"].get_object().get("/FT") == "/Btn":
                on.setdefault(field_name(widget), [])
                if widget.get("/AS") not in (None, "/Off"):
                    on[field_name(widget)].append(str(widget["/AS"])[1:])
    return on


# --- six programs --------------------------------------------------------------------------------


@pytest.mark.parametrize("program", PROGRAMS)
def test_filled_changed_and_reopened(filled, viewer, program):
    path = filled[program]
    drawn = ticks(path)
    assert drawn["C1_1_r1"] == ["na"], "a changed answer must leave exactly one tick"
    assert drawn["C1_3_r1"] == ["unacceptable-variation"]
    assert drawn["C1_2_r1"] == ["na"] and drawn["C1_1_r2"] == ["expected-proficient"]
    assert all(len(states) <= 1 for states in drawn.values()), {k: v for k, v in drawn.items() if len(v) > 1}
    # Firefox's viewer (pdf.js) shows every answer, whichever program filled the file.
    shown = viewer[path]
    assert {key: shown.get(key) for key in ("C1_1_r1", "C1_2_r1", "C1_3_r1", "C1_1_r2")} == {
        "C1_1_r1": "na",
        "C1_2_r1": "na",
        "C1_3_r1": "unacceptable-variation",
        "C1_1_r2": "expected-proficient",
    }
    assert shown.get("C1_2_priority") is True and not shown.get("C1_1_priority")
    assert shown["C1_1_evidence"] == answers(program, SECOND)["C1_1_evidence"]
    # pdftk reads the answers by the documented names.
    values = pdftk_values(path)
    assert values["C1_1_r1"].lstrip("/") == "na" and values["C1_3_r1"].lstrip("/") == "unacceptable-variation"
    assert values["name"] == person(program)
    # And collect reads exactly what was put in, non-ASCII text included.
    assert collect.read(path).fields == expected_fields(program)


def test_six_programs_collected_together(filled, run, tmp_path):
    folder = tmp_path / "summary"
    result = run("collect", *(str(path) for path in filled.values()), "--into", str(folder), "--format", "html")
    assert result.code == 0, result.err
    with open(folder / "ratings.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for program in PROGRAMS:
        mine = {
            (r["activity"], r["round"]): (r["level"], r["priority"], r["evidence"])
            for r in rows
            if r["person"] == person(program)
        }
        assert mine == {
            ("C1.1", "1"): ("na", "", answers(program, SECOND)["C1_1_evidence"]),
            ("C1.2", "1"): ("na", "yes", ""),
            ("C1.3", "1"): ("unacceptable-variation", "", ""),
            ("C1.1", "2"): ("expected-proficient", "", ""),
        }, program


# --- the form, as programs read it ------------------------------------------------------------------


def test_one_field_per_rating_named_by_code_with_level_states(c1, shipped_profile):
    reader = PdfReader(c1 / "c01-co-learning-fillable.pdf")
    form = reader.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in form or form["/NeedAppearances"] is False
    listed = [f.get_object() for f in form["/Fields"]]
    names = [str(f["/T"]) for f in listed]
    assert len(names) == len(set(names)), "a field is listed twice"
    assert not any("/Parent" in f for f in listed), "a radio button is listed as a field of its own"
    competency = shipped_profile.competencies[0]
    for activity in competency.activities:
        base = activity.code.replace(".", "_")
        for round_, word in ((1, "first"), (2, "second")):
            group = next(f for f in listed if f["/T"] == f"{base}_r{round_}")
            kids = [k.get_object() for k in group["/Kids"]]
            assert [on_state(k) for k in kids] == LEVELS
            assert all("/T" not in k and "/Off" in k["/AP"]["/N"] for k in kids)
            assert str(group["/TU"]) == f"{activity.code} {activity.text}, {word} rating"
        assert f"{base}_evidence" in names and f"{base}_priority" in names
    assert {"name", "role", "organisation", "r1_date", "r2_date", "C1_notes", "C1_reflection"} <= set(names)
    tu = {str(f["/T"]): str(f.get("/TU", "")) for f in listed}
    assert tu["C1_notes"] == "C1 Co-learning: notes and coaching focus"
    assert tu["C1_reflection"] == "C1 Co-learning: reflection"


def test_text_fields_you_can_write_in_with_a_font_that_covers_the_profile(c1, shipped_profile):
    reader = PdfReader(c1 / "c01-co-learning-fillable.pdf")
    form = reader.trailer["/Root"]["/AcroForm"]
    heights = {}
    for f in form["/Fields"]:
        field = f.get_object()
        if field.get("/FT") == "/Tx":
            x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
            heights[str(field["/T"])] = y1 - y0
            assert x1 > x0 and y1 > y0
            font, size = re.fullmatch(r"/(\S+) ([\d.]+) Tf 0 g", str(field["/DA"])).groups()
            assert float(size) >= 9, "a fixed, readable size (0 would shrink text to fit)"
            assert "/AP" in field, "an appearance, so no program has to be asked to draw it"
    assert min(heights.values()) >= 14, min(heights.items(), key=lambda kv: kv[1])
    border = 1.01  # the field is its box less the 0.5 pt line drawn around it
    assert min(h for name, h in heights.items() if name.endswith("_evidence")) >= 2 * 8 * PT_PER_MM - border
    assert heights["C1_notes"] >= 6 * 8 * PT_PER_MM - border
    font = form["/DR"]["/Font"]["/" + font].get_object()
    assert font["/Subtype"] == "/TrueType" and font["/Encoding"] == "/WinAnsiEncoding"
    assert "+" not in str(font["/BaseFont"]), "the whole font, not a subset"
    program = font["/FontDescriptor"]["/FontFile2"].get_data()
    import io

    cmap = TTFont(io.BytesIO(program)).getBestCmap()
    words = {ch for c in shipped_profile.competencies for a in c.activities for ch in a.text + "".join(a.items)}
    words |= {ch for c in shipped_profile.competencies for ch in c.name}
    assert not {ch for ch in words if ord(ch) not in cmap}, "the field font lacks a character of the profile"


# --- tags a screen reader reads ------------------------------------------------------------------------


def test_rating_headers_belong_to_their_own_columns(c1, shipped_profile):
    reader = PdfReader(c1 / "c01-co-learning-fillable.pdf")
    checked = 0
    for cells in tables(reader):
        for cell in cells:
            radios = [w for w in cell["widgets"] if "/Parent" in w]
            if cell["role"] != "TD" or not radios:
                continue
            widget = radios[0]
            level, group = on_state(widget), field_name(widget)
            code = group.rsplit("_r", 1)[0].replace("_", ".")
            round_short = "1st" if group.endswith("_r1") else "2nd"
            for heard in (headers_named(cells, cell), column_headers(cells, cell)):
                # (a label wraps between words, and text runs on separate lines are read with a break between)
                heard_words = [re.sub(r"\s+", "", h) for h in heard]
                assert LABELS[level].replace(" ", "") in heard_words and round_short in heard, (group, level, heard)
            assert any(code in h for h in headers_named(cells, cell)), (group, headers_named(cells, cell))
            checked += 1
    activities = len(shipped_profile.competencies[0].activities)
    assert checked == activities * 2 * len(LEVELS)


def test_headings_and_lists_as_read(c1):
    headings = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")
    for name in ("c01-co-learning.pdf", "c01-co-learning-fillable.pdf"):
        reader = PdfReader(c1 / name)
        texts = marked_text(reader)

        def nested(node, inside=False, name=name):
            for kid in node.get("/K") if isinstance(node.get("/K"), list) else [node.get("/K")]:
                kid = kid.get_object() if hasattr(kid, "get_object") else kid
                if hasattr(kid, "get") and "/S" in kid:
                    here = kid["/S"] in headings
                    assert not (here and inside), f"{name}: a heading inside a heading"
                    nested(kid, inside or here)

        nested(reader.trailer["/Root"]["/StructTreeRoot"].get_object())
        steps = [element_text(reader, node, texts) for role, node in structure_elements(reader) if role == "/LI"]
        assert steps[0].startswith("1. Read each activity"), steps[0]
        assert any(s.startswith("5. Some weeks later") for s in steps), steps


def test_printable_and_fillable_paginate_alike(c1):
    printable, fillable = PdfReader(c1 / "c01-co-learning.pdf"), PdfReader(c1 / "c01-co-learning-fillable.pdf")
    assert "/AcroForm" not in printable.trailer["/Root"]

    def codes(reader):
        return [sorted(set(re.findall(r"\bC1\.\d+\b", page.extract_text()))) for page in reader.pages]

    assert len(printable.pages) == len(fillable.pages)
    assert codes(printable) == codes(fillable)
    assert "Summary sheet" not in " ".join(page.extract_text() for page in printable.pages)


def test_html_fields_autocomplete_and_label(c1):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((c1 / "c01-co-learning.html").read_text(encoding="utf-8"), "lxml")
    assert soup.select_one("#f-name")["autocomplete"] == "name"
    assert soup.select_one("#f-organisation")["autocomplete"] == "organization"
    assert soup.select_one("#f-role")["autocomplete"] == "organization-title"
    assert soup.select_one("#f-r1_date")["autocomplete"] == "off"
    radio = soup.select_one('input[name="C1_3_r1"][value="developmental"]')
    assert text_of(radio.find_parent("label")) == "Developmental , first rating"
