"""Collect: filled worksheets read back into tables, a group summary and a report for each person.

Everything here is checked as a user sees it: exit codes and messages, the rows
of ratings.csv and notes.csv, ratings.json, and the text of the HTML reports.
The worksheets are the tiny profile's (three activities in two competencies),
rated on the California CPM scale (Emerging 1, Acquiring 2, Accomplished 3);
most runs make the reports as HTML only, one makes the PDFs too.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ByteStringObject, NameObject, TextStringObject

from profilepress.cli import main

from conftest import ROOT, TINY, run_script, text_of
from pdfcheck import figures_without_alt

SCALE = "california-cpm"
FIRST_ACTIVITY = "Put the phone away"  # M1.1 in tests/profiles/tiny/competencies/active-listening.yaml


@pytest.fixture(scope="module")
def tiny(tiny_build):
    """The tiny profile's worksheet as HTML, printable PDF and fillable PDF, on its plan's scale (SCALE): from its
    plan, built once for the test run (conftest's tiny_build). Read only: tests fill copies."""
    out, _ = tiny_build
    return out / "neutral" / "worksheets"


@pytest.fixture(scope="module")
def identity(tiny):
    """The identity the HTML worksheet carries, as its script saves it with the answers."""
    soup = BeautifulSoup((tiny / "profile.html").read_text(encoding="utf-8"), "html.parser")
    return json.loads(soup.find("meta", attrs={"name": "profilepress-worksheet"})["content"])


def test_the_worksheet_carries_each_activitys_code_and_words_hash(tiny, identity):
    """In the PDF's metadata and the HTML page alike; the whole fingerprint stays for the page's own script."""
    carried = json.loads(PdfReader(tiny / "profile-fillable.pdf").metadata["/profilepressworksheet"])
    assert carried == identity
    assert sorted(identity["activities"]) == ["M1.1", "M1.2", "M2.1"]
    assert all(re.fullmatch(r"[0-9a-f]{8}", h) for h in identity["activities"].values())
    assert re.fullmatch(r"[0-9a-f]{16}", identity["fingerprint"]) and identity["competencies"] == ["M1", "M2"]


def fill(source, target, values):
    """Fill a fillable worksheet the way pypdf's documentation shows."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(target)


def saved_answers(path, identity, fields):
    """A file like the HTML worksheet's "Save answers to a file" writes."""
    path.write_text(
        json.dumps(
            {"format": "profilepress-worksheet-answers", "format_version": 1, "worksheet": identity, "fields": fields}
        ),
        encoding="utf-8",
    )
    return path


def collect(run, out, *files, source=TINY, options=("--format", "html")):
    """`collect`, in this process, with one job (its few reports are not worth starting a pool of workers)."""
    return run("collect", *map(str, files), "--source", str(source), "--into", str(out), *options)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def result_row(soup, code):
    """A competency's (or domain's) figures in the summary's results tables, its two rows read as one:
    activities | first rating: ticks per level, N/A, average, people | second rating: the same | change | priorities."""
    body = next(tb for tb in soup.select("table.results tbody") if text_of(tb.th).startswith(f"{code} "))
    first, second = ([text_of(td) for td in tr.select("td")] for tr in body.select("tr"))
    return first[:1] + first[1:-2] + second + first[-2:]


# --- a worksheet filled with pypdf, collected into every table and report ----------------------

ADA = {
    "name": "Ada Example",
    "role": "Mentor",
    "organisation": "Example Mentoring Network",
    "r1_date": "2026-01-10",
    "r2_date": "2026-03-10",
    "M1_1_r1": "/emerging",
    "M1_2_r1": "/acquiring",
    "M2_1_r1": "/na",
    "M1_1_r2": "/accomplished",
    "M1_2_r2": "/accomplished",
    "M1_1_priority": "/on",
    "M1_1_evidence": "Phone in a drawer for every session",
    "M1_notes": "Ask Ben how he keeps quiet.",
    "M2_reflection": "I summarise too early.",
}


@pytest.fixture(scope="module")
def ada(tiny, tmp_path_factory):
    """Ada's worksheet, filled with pypdf, collected into HTML and PDF reports."""
    folder = tmp_path_factory.mktemp("ada")
    fill(tiny / "profile-fillable.pdf", folder / "ada.pdf", ADA)
    assert (
        main(
            ["collect", str(folder / "ada.pdf"), "--source", str(TINY), "--into", str(folder / "summary")],
            root=ROOT,
        )
        == 0
    )
    return folder / "summary"


def test_what_collect_writes(ada):
    assert sorted(str(p.relative_to(ada)) for p in ada.rglob("*") if p.is_file()) == [
        "notes.csv",
        "people/ada-example.html",
        "people/ada-example.pdf",
        "ratings.csv",
        "ratings.json",
        "summary.html",
        "summary.pdf",
    ]


def test_ratings_table(ada):
    rows = read_csv(ada / "ratings.csv")
    got = {(r["activity"], r["round"]): (r["level"], r["level_label"], r["priority"], r["evidence"]) for r in rows}
    assert got == {
        ("M1.1", "1"): ("emerging", "Emerging", "yes", "Phone in a drawer for every session"),
        ("M1.2", "1"): ("acquiring", "Acquiring", "", ""),
        ("M2.1", "1"): ("na", "No opportunity / N/A", "", ""),
        ("M1.1", "2"): ("accomplished", "Accomplished", "", ""),
        ("M1.2", "2"): ("accomplished", "Accomplished", "", ""),
    }
    assert {(r["person"], r["role"], r["file"]) for r in rows} == {("Ada Example", "Mentor", "ada.pdf")}
    assert {r["round_date"] for r in rows if r["round"] == "2"} == {"2026-03-10"}


def test_notes_and_reflections_reach_the_tables_and_reports(ada):
    assert read_csv(ada / "notes.csv") == [
        {
            "person": "Ada Example",
            "competency": "M1",
            "notes": "Ask Ben how he keeps quiet.",
            "reflection": "",
            "file": "ada.pdf",
        },
        {
            "person": "Ada Example",
            "competency": "M2",
            "notes": "",
            "reflection": "I summarise too early.",
            "file": "ada.pdf",
        },
    ]
    data = json.loads((ada / "ratings.json").read_text(encoding="utf-8"))
    assert data["people"][0]["notes"] == [
        {"competency": "M1", "notes": "Ask Ben how he keeps quiet.", "reflection": "", "file": "ada.pdf"},
        {"competency": "M2", "notes": "", "reflection": "I summarise too early.", "file": "ada.pdf"},
    ]
    notes = text_of(soup_of(ada / "summary.html").select_one(".sum-notes"))
    assert (
        "M1 Active listening Ada Example Notes and coaching focus: Ask Ben how he keeps quiet. "
        "M2 Reflecting back Ada Example Reflection: I summarise too early."
    ) in notes
    person = soup_of(ada / "people/ada-example.html")
    m1, m2 = person.select("section.person-competency")
    assert "Notes and coaching focus Ask Ben how he keeps quiet." in text_of(m1)
    assert "Reflection I summarise too early." in text_of(m2)


def test_summary_shows_each_round_with_its_people_and_the_change(ada):
    soup = soup_of(ada / "summary.html")
    # activities | first: Emerging, Acquiring, Accomplished, N/A, average, people | second: the same | change | priorities
    assert result_row(soup, "M1") == [
        "2",
        "1",
        "1",
        "0",
        "0",
        "1.5",
        "1",
        "0",
        "0",
        "2",
        "0",
        "3.0",
        "1",
        "1.5 → 3.0, +1.5 (n = 1)",
        "1",
    ]
    assert result_row(soup, "M2") == ["1", "0", "0", "0", "1", "–", "–", "0", "0", "0", "0", "–", "–", "–", ""]
    assert "M1.1 Put the phone away (Ada Example)" in text_of(soup.select_one(".sum-priorities"))
    people = soup.select_one(".sum-people tbody tr")
    assert people.select_one("a")["href"] == "people/ada-example.html"
    report = PdfReader(ada / "summary.pdf")
    assert "Average level per competency" in report.pages[0].extract_text()
    assert figures_without_alt(report) == 0


def test_person_report(ada):
    soup = soup_of(ada / "people/ada-example.html")
    assert soup.html["lang"] == "en-GB" and soup.title.get_text() == "Self-assessment: Ada Example"
    assert text_of(soup.h1) == "Ada Example Peer Mentoring Practice Profile"
    facts = {text_of(tr.th): text_of(tr.td) for tr in soup.select(".person-facts tr")}
    assert facts == {
        "Role": "Mentor",
        "Organisation": "Example Mentoring Network",
        "Date of the first rating": "2026-01-10",
        "Date of the second rating": "2026-03-10",
        "Rating scale": "California Core Practice Model",
    }
    assert [text_of(li) for li in soup.select(".person-priorities li")] == ["M1.1 Put the phone away"]
    domain = soup.select_one("section.person-domain")
    assert text_of(domain.h2) == "L1 Listening"
    assert [text_of(h) for h in domain.select("h3")] == ["M1 Active listening", "M2 Reflecting back"]
    rows = [
        [text_of(tr.th)] + [text_of(td) for td in tr.select("td")]
        for tr in domain.select("tbody tr")
        if tr.th is not None
    ]
    assert rows == [
        ["M1.1 Put the phone away", "Emerging", "Accomplished", "Priority"],
        ["M1.2 Ask open questions What happened next? How did that feel?", "Acquiring", "Accomplished", ""],
        ["M2.1 Summarise in the mentee's words", "No opportunity / N/A", "Not rated", ""],
    ]
    # the evidence under its activity, across the table's whole width
    evidence = [text_of(tr) for tr in domain.select("tbody tr.evidence-row")]
    assert evidence == ["Evidence or example for M1.1: Phone in a drawer for every session"]
    assert domain.select_one("tr.evidence-row td")["colspan"] == "4"
    averages = " ".join(domain.select_one(".person-averages").get_text().split())
    assert averages == (
        "Average level: first rating 1.5 (2 activities rated); second rating 3.0 (2 activities "
        "rated). Change between the two ratings: 1.5 → 3.0, +1.5."
    )
    scale = text_of(soup.select_one(".person-scale"))
    assert [text_of(li) for li in soup.select(".scale-levels li")] == ["Emerging", "Acquiring", "Accomplished"]
    assert "Source: California Core Practice Model (CPM) practice profiles." in scale
    assert text_of(soup.body).count("California Core Practice Model (CPM) practice profiles.") == 1
    assert "Example, A. (2023). Peer mentoring practice profile." in text_of(soup.select_one("footer.colophon"))
    # a page for the person: no file names, field names or level ids
    page = text_of(soup.body)
    assert "ada.pdf" not in page and "M1_1" not in page and "accomplished" not in page
    # the accessibility gate's rules, read directly: headings in order, table headers with a scope
    levels = [int(h.name[1]) for h in soup.find_all(re.compile("^h[1-6]$"))]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    headers = soup.select("table th")
    assert headers and all(th.get("scope") in ("col", "row") for th in headers)

    pdf = PdfReader(ada / "people/ada-example.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Ada Example" in text and "Put the phone away" in text and "Phone in a drawer" in text
    assert pdf.metadata.title == "Self-assessment: Ada Example" and pdf.outline


def test_reports_pass_the_accessibility_gate_and_fit_a_phone_and_a_desktop(ada, browser):
    failing = {name: browser.axe(ada / name) for name in ("summary.html", "people/ada-example.html")}
    assert not any(failing.values()), failing
    for width in (320, 1280):
        browser.viewport(width)
        for name in ("summary.html", "people/ada-example.html"):
            browser.open(ada / name)
            page = browser.evaluate("document.documentElement.scrollWidth")  # the width set: a phone widens
            assert page <= width, f"{name} is {page} px wide at {width} px"  # its window to a page too wide
            cut = browser.evaluate(
                "[...document.querySelectorAll('thead th')].filter(th => "
                "th.scrollWidth > th.clientWidth + 1).map(th => th.textContent.trim())"
            )
            assert not cut or width == 320, f"{name} at {width} px: headings cut off: {cut}"
            # No rating printed over its neighbour: each cell's words fit in it.
            over = browser.evaluate(
                "[...document.querySelectorAll('td')].filter(td => td.offsetParent && "
                "td.scrollWidth > td.clientWidth + 1).map(td => td.textContent.trim())"
            )
            assert not over, f"{name} at {width} px: text wider than its cell: {over[:5]}"
    # On a phone the results scroll sideways in their box, each row's competency staying in view beside them.
    browser.viewport(320)
    browser.open(ada / "summary.html")
    kept = browser.evaluate("""(() => { const box = document.querySelector('.table-scroll');
      const cell = box.querySelector('.competency-cell'); box.scrollLeft = box.scrollWidth;
      return [box.scrollLeft > 100, Math.round(cell.getBoundingClientRect().left - box.getBoundingClientRect().left)];
    })()""")
    assert kept == [True, 0], kept


# --- filled the ways PDF programs and the browser do -------------------------------------


@pytest.mark.parametrize("how", ["V as a name", "V as a string", "V as a string with a slash", "AS only"])
def test_choices_stored_the_ways_other_programs_store_them(run, tiny, tmp_path, how):
    writer = PdfWriter(clone_from=PdfReader(tiny / "profile-fillable.pdf"))
    choices = {"M1_1_r1": "accomplished", "M1_2_r1": "emerging", "M1_1_r2": "na"}
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if "/Parent" not in widget:
                if widget.get("/T") == "name":
                    widget[NameObject("/V")] = TextStringObject(f"Filled, {how}")
                continue
            group = widget["/Parent"].get_object()
            value = choices.get(str(group["/T"]))
            if value is None:
                continue
            if how == "V as a name":
                group[NameObject("/V")] = NameObject(f"/{value}")
            elif how == "V as a string":
                group[NameObject("/V")] = TextStringObject(value)
            elif how == "V as a string with a slash":
                group[NameObject("/V")] = TextStringObject(f"/{value}")
            elif f"/{value}" in widget["/AP"]["/N"]:
                widget[NameObject("/AS")] = NameObject(f"/{value}")
    writer.write(tmp_path / "filled.pdf")
    result = collect(run, tmp_path / "out", tmp_path / "filled.pdf")
    assert result.code == 0, result.err
    rows = {(r["person"], r["activity"], r["round"]): r["level"] for r in read_csv(tmp_path / "out/ratings.csv")}
    name = f"Filled, {how}"
    assert rows == {(name, "M1.1", "1"): "accomplished", (name, "M1.2", "1"): "emerging", (name, "M1.1", "2"): "na"}


def test_two_ticks_in_one_round_are_not_guessed_between(run, tiny, tmp_path):
    """A program that leaves two choices showing: the group's value decides; without one, the file is refused."""

    def two_ticks(target, stored):
        writer = PdfWriter(clone_from=PdfReader(tiny / "profile-fillable.pdf"))
        writer.update_page_form_field_values(None, {"name": "Gus"}, auto_regenerate=False)
        for page in writer.pages:
            for annotation in page.get("/Annots") or []:
                widget = annotation.get_object()
                if "/Parent" in widget and widget["/Parent"].get("/T") == "M1_1_r1":
                    state = next(s for s in widget["/AP"]["/N"] if s != "/Off")
                    if state in ("/emerging", "/acquiring"):
                        widget[NameObject("/AS")] = NameObject(state)
                    widget["/Parent"].get_object()[NameObject("/V")] = NameObject(stored)
        writer.write(target)

    two_ticks(tmp_path / "decided.pdf", "/acquiring")
    result = collect(run, tmp_path / "out", tmp_path / "decided.pdf")
    assert result.code == 0, result.err
    assert [(r["activity"], r["level"]) for r in read_csv(tmp_path / "out/ratings.csv")] == [("M1.1", "acquiring")]
    two_ticks(tmp_path / "undecided.pdf", "/Off")
    result = collect(run, tmp_path / "refused", tmp_path / "undecided.pdf")
    assert result.code == 1 and not (tmp_path / "refused").exists()
    assert "undecided.pdf: error: field M1_1_r1 has two choices ticked (acquiring and emerging)" in result.err


def test_html_worksheet_answers_saved_in_the_browser_are_collected(run, tiny, tmp_path, browser):
    """The page's own script fills and saves; collect reads what it saved."""
    script = """
      function pick(name, value) { document.querySelector('input[name="' + name + '"][value="' + value + '"]').click(); }
      document.getElementById('f-name').value = 'Bea Browser';
      pick('M1_1_r1', 'acquiring'); pick('M1_2_r1', 'acquiring'); pick('M1_2_r2', 'accomplished');
      document.querySelector('[name="M1_2_priority"]').click();
      document.querySelector('[name="M1_2_evidence"]').value = 'Asked "what next?" three times';
      document.querySelector('[name="M2_notes"]').value = 'Try it with Cy';
      var out = document.createElement('pre'); out.id = 'saved';
      out.textContent = JSON.stringify(window.profilepressWorksheet.answers());
      document.body.appendChild(out);
    """
    soup = BeautifulSoup(browser.dom_after(tiny / "profile.html", script), "html.parser")
    saved = json.loads(soup.select_one("#saved").get_text())
    answers = tmp_path / "bea.json"
    answers.write_text(json.dumps(saved), encoding="utf-8")

    result = collect(run, tmp_path / "out", answers)
    assert result.code == 0, result.err
    rows = {
        (r["person"], r["activity"], r["round"]): (r["level"], r["priority"], r["evidence"])
        for r in read_csv(tmp_path / "out/ratings.csv")
    }
    assert rows == {
        ("Bea Browser", "M1.1", "1"): ("acquiring", "", ""),
        ("Bea Browser", "M1.2", "1"): ("acquiring", "yes", 'Asked "what next?" three times'),
        ("Bea Browser", "M1.2", "2"): ("accomplished", "", ""),
    }
    assert read_csv(tmp_path / "out/notes.csv") == [
        {"person": "Bea Browser", "competency": "M2", "notes": "Try it with Cy", "reflection": "", "file": "bea.json"}
    ]


def test_text_is_decoded_from_its_bytes_so_one_broken_character_spoils_only_itself(run, tiny, tmp_path):
    """UTF-16BE with an unpaired surrogate, UTF-8 with a byte order mark (PDF 2.0), PDFDocEncoding."""
    utf16 = "Zoë ☺ café".encode("utf-16-be")
    broken = codecs.BOM_UTF16_BE + utf16[:12] + b"\xd8\x3d" + utf16[12:]  # a lone high surrogate before "café"
    texts = {
        "name": broken,
        "M1_1_evidence": codecs.BOM_UTF8 + "Naïve ".encode() + b"\xff" + " ☺ works".encode(),
        "M1_notes": b"Caf\xe9 \x80 \x93le \x84 fine",
    }  # é, bullet, fi ligature, em dash
    writer = PdfWriter(clone_from=PdfReader(tiny / "profile-fillable.pdf"))
    writer.update_page_form_field_values(None, {"M1_1_r1": "/acquiring"}, auto_regenerate=False)
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if str(widget.get("/T")) in texts:
                widget[NameObject("/V")] = ByteStringObject(texts[str(widget["/T"])])
    writer.write(tmp_path / "zoe.pdf")

    result = collect(run, tmp_path / "out", tmp_path / "zoe.pdf")
    assert result.code == 0, result.err
    [row] = read_csv(tmp_path / "out/ratings.csv")
    assert row["person"] == "Zoë ☺ \ufffdcafé"
    assert row["evidence"] == "Naïve \ufffd ☺ works"
    assert read_csv(tmp_path / "out/notes.csv")[0]["notes"] == "Café • ﬁle — fine"
    page = soup_of(tmp_path / "out/people/zoe-cafe.html")
    assert text_of(page.h1).startswith("Zoë ☺ \ufffdcafé")


# --- the arithmetic: each round over its own people, the change over the same people --------


def test_round_averages_have_their_people_and_the_change_is_paired(run, identity, tmp_path):
    """Ada and Ben are rated twice, Dee only once: Dee counts in the first rating's average, not in the change.

    First rating, all three: 1, 2, 1 (Ada M1.1, M1.2; Ben M1.1) and Dee's 3: 7/4 = 1.75, printed 1.8.
    Second rating: 3, 2, 3: 8/3, printed 2.7. Those two would give +0.9, which is no one's change.
    The change over the people rated both times (Ada, Ben): 4/3 → 8/3, printed 1.3 → 2.7, and +1.4 is the
    difference of the printed figures (the unrounded difference, 1.33, would print as +1.3).
    Ada's two rounds come in two files.
    """
    files = [
        saved_answers(
            tmp_path / "ada-1.json",
            identity,
            {"name": "Ada", "M1_1_r1": "emerging", "M1_2_r1": "acquiring", "M2_1_r1": "na"},
        ),
        saved_answers(
            tmp_path / "ada-2.json", identity, {"name": "Ada", "M1_1_r2": "accomplished", "M1_2_r2": "acquiring"}
        ),
        saved_answers(
            tmp_path / "ben.json", identity, {"name": "Ben", "M1_1_r1": "emerging", "M1_1_r2": "accomplished"}
        ),
        saved_answers(tmp_path / "dee.json", identity, {"name": "Dee", "M1_1_r1": "accomplished"}),
    ]
    result = collect(run, tmp_path / "out", *files)
    assert result.code == 0, result.err
    soup = soup_of(tmp_path / "out/summary.html")
    first, second, change = slice(1, 7), slice(7, 13), 13
    m1 = result_row(soup, "M1")
    assert m1[first] == ["2", "1", "1", "0", "1.8", "3"]  # Emerging, Acquiring, Accomplished, N/A, average, people
    assert m1[second] == ["0", "1", "2", "0", "2.7", "2"]
    assert m1[change] == "1.3 → 2.7, +1.4 (n = 2)"
    assert result_row(soup, "L1")[change] == "1.3 → 2.7, +1.4 (n = 2)"  # the domain: M2 was only N/A
    assert result_row(soup, "M2")[first] == ["0", "0", "0", "1", "–", "–"]
    header = text_of(soup.select_one("table.results thead"))
    assert "Average level People" in header and "Change, people rated both times" in header
    people = [text_of(tr.th) for tr in soup.select(".sum-people tbody tr")]
    assert people == ["Ada", "Ben", "Dee"]
    assert len(list((tmp_path / "out/people").glob("*.html"))) == 3


def test_a_person_rated_twice_on_other_activities_has_a_change_that_matches_the_averages(run, identity, tmp_path):
    """Everyone rated twice: the change is the difference of the rounds' own printed averages."""
    files = [
        saved_answers(
            tmp_path / "zoe.json", identity, {"name": "Zoë", "M1_1_r1": "emerging", "M1_2_r2": "accomplished"}
        )
    ]
    result = collect(run, tmp_path / "out", *files)
    assert result.code == 0, result.err
    m1 = result_row(soup_of(tmp_path / "out/summary.html"), "M1")
    assert m1[5] == "1.0" and m1[11] == "3.0" and m1[13] == "1.0 → 3.0, +2.0 (n = 1)"


# --- what collect refuses, and what it leaves out ----------------------------------------


def test_files_with_no_answers_are_refused_by_name(run, tiny, tmp_path, identity):
    fill(tiny / "profile-fillable.pdf", tmp_path / "filled.pdf", ADA)
    shutil.copy(tiny / "profile-fillable.pdf", tmp_path / "blank.pdf")
    shutil.copy(tiny / "profile.pdf", tmp_path / "printable.pdf")
    writer = PdfWriter(clone_from=PdfReader(tmp_path / "filled.pdf"))  # flattened by pypdf: fields gone
    writer.remove_annotations(subtypes="/Widget")
    del writer.root_object["/AcroForm"]
    writer.write(tmp_path / "flattened-pypdf.pdf")
    subprocess.run(
        ["pdftk", str(tmp_path / "filled.pdf"), "output", str(tmp_path / "flattened-pdftk.pdf"), "flatten"],
        check=True,
        capture_output=True,
    )
    saved_answers(tmp_path / "only-a-name.json", identity, {"name": "Ada Example", "r1_date": "2026-01-10"})
    saved_answers(tmp_path / "empty.json", identity, {})
    names = [
        "blank.pdf",
        "printable.pdf",
        "flattened-pypdf.pdf",
        "flattened-pdftk.pdf",
        "only-a-name.json",
        "empty.json",
    ]
    result = collect(run, tmp_path / "out", tmp_path / "filled.pdf", *(tmp_path / n for n in names))
    assert result.code == 1
    for name in ("blank.pdf", "only-a-name.json", "empty.json"):
        assert f"{name}: error: holds no answers" in result.err, name
    for name in ("printable.pdf", "flattened-pypdf.pdf", "flattened-pdftk.pdf"):
        assert f"{name}: error: has no form fields" in result.err, name
    assert "6 errors in 6 files; nothing was written." in result.err
    assert "filled.pdf: error" not in result.err and not (tmp_path / "out").exists()


def test_files_that_are_not_filled_worksheets_are_refused_by_name(run, tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(tmp_path / "other.pdf")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    result = collect(
        run,
        tmp_path / "out",
        tmp_path / "other.pdf",
        tmp_path / "notes.txt",
        tmp_path / "broken.pdf",
        tmp_path / "other.json",
        tmp_path / "missing.pdf",
    )
    assert result.code == 1
    err = result.err
    assert re.search(r"other\.pdf: error: not a worksheet made by this tool", err)
    assert re.search(r"notes\.txt: error: not a filled worksheet", err)
    assert re.search(r"broken\.pdf: error: not a readable PDF .* — save, export or scan it again", err)
    assert "EOF marker" not in err and "invalid pdf header" not in err  # pypdf's own warnings are not shown
    assert re.search(r"other\.json: error: not a saved answers file", err)
    assert re.search(r"missing\.pdf: error: file not found", err)
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def edited_copy(tmp_path, old, new):
    """The tiny profile, copied, with one competency file edited."""
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    path = source / "competencies/active-listening.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return source


def test_a_reworded_activity_is_named_and_left_out_unless_accepted(run, tiny, tmp_path):
    fill(tiny / "profile-fillable.pdf", tmp_path / "worksheet.pdf", ADA)
    source = edited_copy(tmp_path, FIRST_ACTIVITY, "Put the phone in a drawer")  # a typo fixed in M1.1
    warning = (
        f"warning: {tmp_path / 'worksheet.pdf'}: M1.1 was reworded after this worksheet was made; its "
        "answers are left out (give --accept-changed to collect them anyway)"
    )

    result = collect(run, tmp_path / "out", tmp_path / "worksheet.pdf", source=source)
    assert result.code == 0, result.err
    assert warning in result.err.splitlines()
    assert "1 warning about answers left out" in result.out
    rows = read_csv(tmp_path / "out/ratings.csv")
    assert {(r["activity"], r["round"]) for r in rows} == {("M1.2", "1"), ("M1.2", "2"), ("M2.1", "1")}
    assert "Phone in a drawer" not in (tmp_path / "out/people/ada-example.html").read_text(encoding="utf-8")
    assert len(read_csv(tmp_path / "out/notes.csv")) == 2  # notes belong to the competency

    accepted = collect(
        run,
        tmp_path / "accepted",
        tmp_path / "worksheet.pdf",
        source=source,
        options=("--format", "html", "--accept-changed"),
    )
    assert accepted.code == 0, accepted.err
    assert "warning" not in accepted.err
    assert "M1.1 was reworded after this worksheet was made; its answers are collected" in accepted.out
    rows = read_csv(tmp_path / "accepted/ratings.csv")
    assert {(r["activity"], r["round"]) for r in rows} == {
        ("M1.1", "1"),
        ("M1.1", "2"),
        ("M1.2", "1"),
        ("M1.2", "2"),
        ("M2.1", "1"),
    }
    person = soup_of(tmp_path / "accepted/people/ada-example.html")
    assert "M1.1 Put the phone in a drawer" in text_of(person.select_one(".person-table tbody th"))

    strict = collect(
        run, tmp_path / "strict", tmp_path / "worksheet.pdf", source=source, options=("--format", "html", "--strict")
    )
    assert strict.code == 1 and "M1.1 was reworded" in strict.err and not (tmp_path / "strict").exists()
    assert "--accept-changed" in run_script("collect", "--help").out


def test_an_activity_no_longer_in_the_profile_is_named(run, identity, tmp_path):
    source = edited_copy(
        tmp_path,
        "  - text: Ask open questions\n    items:\n      - What happened next?\n      - How did that feel?\n",
        "",
    )
    answers = saved_answers(
        tmp_path / "eve.json",
        identity,
        {"name": "Eve", "M1_1_r1": "acquiring", "M1_2_r1": "emerging", "M2_1_r1": "accomplished"},
    )
    result = collect(run, tmp_path / "out", answers, source=source, options=("--format", "html", "--accept-changed"))
    assert result.code == 0, result.err
    assert f"warning: {answers}: M1.2 is no longer in the profile; its answers are left out" in result.err
    assert {r["activity"] for r in read_csv(tmp_path / "out/ratings.csv")} == {"M1.1", "M2.1"}


def test_a_worksheet_from_before_activities_had_their_own_hashes(run, identity, tmp_path):
    """Compared by its whole fingerprint: collected when it matches, refused with what to do when not."""
    old = {k: v for k, v in identity.items() if k != "activities"}
    same = saved_answers(tmp_path / "same.json", old, {"name": "Fay", "M1_1_r1": "acquiring"})
    result = collect(run, tmp_path / "out", same)
    assert result.code == 0, result.err
    assert [r["activity"] for r in read_csv(tmp_path / "out/ratings.csv")] == ["M1.1"]

    stale = saved_answers(
        tmp_path / "stale.json", dict(old, fingerprint="0000000000000000"), {"name": "Fay", "M1_1_r1": "acquiring"}
    )
    result = collect(run, tmp_path / "refused", stale)
    assert result.code == 1 and not (tmp_path / "refused").exists()
    assert (
        f"{stale}: error: made before some of its competencies or activities were changed (the profile's "
        "version, 1.2, stayed the same); this worksheet is of an older kind that cannot tell which activities "
        "changed, so none of its answers can be matched safely — collect it with the profile sources it was "
        "made from (--source)"
    ) in result.err
    older = saved_answers(
        tmp_path / "older.json",
        dict(old, fingerprint="0000000000000000", version="1.1"),
        {"name": "Fay", "M1_1_r1": "acquiring"},
    )
    assert (
        "made from version 1.1 of the profile, and the profile is now version 1.2"
        in collect(run, tmp_path / "refused", older).err
    )


def test_people_get_safe_unique_report_names(run, identity, tmp_path):
    files = [
        saved_answers(tmp_path / f"{i}.json", identity, {"name": name, "M1_1_r1": "emerging"})
        for i, name in enumerate(["Zoë Example", "Zoe Example", "../../etc/passwd", "☺"])
    ]
    result = collect(run, tmp_path / "out", *files)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "out/people").iterdir()) == [
        "etc-passwd.html",
        "person.html",
        "zoe-example-2.html",
        "zoe-example.html",
    ]
    links = {
        text_of(tr.th): tr.select_one("a")["href"]
        for tr in soup_of(tmp_path / "out/summary.html").select(".sum-people tbody tr")
    }
    assert links["Zoe Example"] == "people/zoe-example-2.html" and links["☺"] == "people/person.html"


def test_collect_writes_all_or_nothing_one_at_a_time(tiny, tmp_path, monkeypatch):
    """While another build or collect holds the folder, collect says so at once (before rendering any report) and
    writes nothing; then it writes all its files together."""
    from profilepress import summarise
    from profilepress.write import BuildLock

    rendered = []
    render = summarise.html_to_pdf
    monkeypatch.setattr(summarise, "html_to_pdf", lambda *a, **k: rendered.append(1) or render(*a, **k))
    fill(tiny / "profile-fillable.pdf", tmp_path / "ada.pdf", ADA)
    into = tmp_path / "summary"
    args = ["collect", str(tmp_path / "ada.pdf"), "--source", str(TINY), "--into", str(into)]
    with BuildLock(into):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(args, root=ROOT) == 1
        assert "another build is writing to" in err.getvalue() and "--into for collect" in err.getvalue()
        assert sorted(p.name for p in into.iterdir()) == [".profilepress.lock"]
        assert not rendered
    assert main(args, root=ROOT) == 0 and rendered
    assert {"ratings.csv", "notes.csv", "ratings.json", "summary.html", "summary.pdf"} <= {
        p.name for p in into.iterdir()
    }
    assert not (into / ".profilepress.lock").exists()


def test_the_chart_gives_each_competency_its_name_in_full():
    """A long name wraps onto lines of its own in its row, word for word, never cut short with an ellipsis; the
    rows below move down to make room, and each row's markers stay level with its name."""
    import xml.etree.ElementTree as ET
    from types import SimpleNamespace

    from profilepress.chart import change_chart

    def group(code, name, first, second):
        rounds = {1: SimpleNamespace(average=first), 2: SimpleNamespace(average=second)}
        return SimpleNamespace(code=code, name=name, rounds=rounds)

    long_name = "Apply and integrate implementation frameworks, strategies, and approaches"
    svg = ET.fromstring(change_chart([group("C8", long_name, 2.0, 3.0), group("C9", "Facilitation", 1.5, 2.5)], 4, "t"))
    ns = {"s": "http://www.w3.org/2000/svg"}
    names = [
        [(span.text, float(span.get("y"))) for span in text.findall("s:tspan", ns)]
        for text in svg.findall("s:text", ns)
    ]
    names = [spans for spans in names if spans]
    assert " ".join(line for line, _ in names[0]) == f"C8 {long_name}" and len(names[0]) == 2
    assert all(len(line) <= 42 for line, _ in names[0]) and "…" not in ET.tostring(svg, encoding="unicode")
    assert names[1][0][1] > names[0][-1][1] + 10  # C9's row starts below C8's second line
    circles = [float(c.get("cy")) for c in svg.findall("s:circle", ns)][:2]
    assert names[0][0][1] - 8 < circles[0] < names[0][-1][1]  # between C8's lines
