"""Rubric worksheets: scales as data, printable and fillable PDFs, the HTML worksheet, and collect."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from browser import dom_after
from conftest import ROOT, SHIPPED, TINY, make, text_of
from conftest import handbook as handbook_targets
from conftest import worksheets as worksheet_targets
from pdfcheck import figures_without_alt, on_state
from profilepress.errors import ProfileErrors, UserError
from profilepress.load import load_scales

MM = 72 / 25.4

# The presets' labels, lowest first, typed from ../shared/domain.md.
PRESETS = {
    "nirn-practice-profile": ["Unacceptable Variation", "Developmental", "Expected/Proficient"],
    "missouri-spdg": ["Far from Proficient", "Close to Proficient", "Proficient", "Exemplary (Ideal Implementation)"],
    "california-cpm": ["Emerging", "Acquiring", "Accomplished"],
    "astd-coaching": ["Lacking This Skill", "Need To Develop This", "Doing Okay On This", "One Of My Strengths"],
    "gis-facilitators": ["Beginner", "Intermediate", "Expert"],
}


def worksheets(source, out, scale="nirn-practice-profile", scope="profile", formats=("html", "pdf", "fillable-pdf")):
    return make(source, out, worksheet_targets(source, scope, *formats), scale=scale)


@pytest.fixture(scope="module")
def shipped(default_build):
    """The default build's worksheets (whole profile, domains, competencies) for the neutral brand."""
    return default_build / "neutral" / "worksheets"


@pytest.fixture(scope="module")
def missouri_d1(tmp_path_factory):
    out = tmp_path_factory.mktemp("missouri")
    make(SHIPPED, out, [t for t in worksheet_targets(SHIPPED, "domain", "html", "fillable-pdf")
                        if t.scope.code == "D1"], scale="missouri-spdg")
    return out / "worksheets"


def radio_groups(reader: PdfReader) -> dict[str, list[str]]:
    """Radio group name → its choices' values (the widgets' "on" states), read from the widgets' parents."""
    groups: dict[str, list[str]] = {}
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            parent = widget.get("/Parent")
            if parent is not None:
                groups.setdefault(str(parent.get_object()["/T"]), []).append(on_state(widget))
    return groups


def field_names(reader: PdfReader) -> set[str]:
    return {str(f.get_object()["/T"]) for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"]}


# --- scales ----------------------------------------------------------------------------


def test_presets_are_data_with_exact_labels_and_sources():
    scales = load_scales([ROOT / "scales"])
    assert {sid: [level.label for level in s.levels] for sid, s in scales.items()} == PRESETS
    for scale in scales.values():
        assert scale.source and scale.not_applicable == "No opportunity / N/A"
        assert not scale.has_descriptors  # never invented
    assert scales["missouri-spdg"].evidence_column


def test_a_user_scale_with_descriptors(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(TINY, source)
    (source / "scales").mkdir()
    (source / "scales/ours.yaml").write_text(
        "id: ours\nname: Our coaching scale\nsource: Our framework, 2025\nrated_unit: competency\nlevels:\n"
        "  - id: starting\n    label: Starting\n    descriptor: Not yet in practice.\n"
        "  - id: leading\n    label: Leading\n    descriptor: Helps others do it.\n", encoding="utf-8")
    worksheets(source, tmp_path / "out", scale="ours", formats=("html",))
    soup = BeautifulSoup((tmp_path / "out/worksheets/profile.html").read_text(encoding="utf-8"), "html.parser")
    assert [" ".join(li.get_text().split()) for li in soup.select("ol.legend li")] == ["Starting: Not yet in practice.",
                                                                   "Leading: Helps others do it."]
    assert "Source: Our framework, 2025" in text_of(soup.select_one(".how-to"))


def test_bad_scale_file_is_located(tmp_path):
    scales = tmp_path / "scales"
    scales.mkdir()
    (scales / "bad.yaml").write_text("id: bad\nname: Bad\nsource: x\nrated_unit: competency\nlevels:\n"
                                     "  - id: one\n    lable: One\n", encoding="utf-8")
    with pytest.raises(ProfileErrors) as info:
        load_scales([scales])
    messages = [e.format() for e in info.value.errors]
    assert any("bad.yaml:7:5: error: unknown field 'lable'" in m and "did you mean 'label'" in m for m in messages)


def test_unknown_scale_suggests_one(tmp_path):
    with pytest.raises(UserError, match="unknown rating scale 'missouri'; did you mean 'missouri-spdg'"):
        worksheets(TINY, tmp_path, scale="missouri", formats=("html",))


# --- the printed and fillable worksheets ------------------------------------------------


def test_every_activity_has_its_fields_named_by_code(shipped, shipped_profile):
    reader = PdfReader(shipped / "profile-fillable.pdf")
    names = field_names(reader)
    groups = radio_groups(reader)
    levels = ["unacceptable-variation", "developmental", "expected-proficient", "na"]
    for activity in shipped_profile.activities:
        base = activity.code.replace(".", "_")
        for suffix in ("_r1", "_r2", "_evidence", "_priority"):
            assert base + suffix in names, base + suffix
        assert groups[base + "_r1"] == groups[base + "_r2"] == levels
    for competency in shipped_profile.competencies:
        assert {f"{competency.code}_notes", f"{competency.code}_reflection"} <= names
    assert {"name", "role", "organisation", "date", "r1_date", "r2_date"} <= names
    assert not any("." in name for name in names)  # PDF would read a dot as a hierarchy


def test_switching_the_scale_changes_columns_and_fields(missouri_d1):
    reader = PdfReader(missouri_d1 / "d01-co-creation-and-engagement-fillable.pdf")
    assert radio_groups(reader)["C1_1_r1"] == ["far-from-proficient", "close-to-proficient", "proficient",
                                               "exemplary", "na"]
    soup = BeautifulSoup((missouri_d1 / "d01-co-creation-and-engagement.html").read_text(encoding="utf-8"),
                         "html.parser")
    levels = [text_of(th) for th in soup.select("#ws-co-learning thead tr:nth-of-type(1) th.h-level")]
    assert levels == PRESETS["missouri-spdg"] + ["No opportunity / N/A"]
    rounds = [text_of(th) for th in soup.select("#ws-co-learning thead tr:nth-of-type(2) th")]
    assert rounds == ["1st", "2nd"] * 5
    assert len(soup.select('input[name="C1_1_r1"]')) == 5


def test_printable_worksheet(shipped, shipped_profile):
    reader = PdfReader(shipped / "profile.pdf")
    assert "/AcroForm" not in reader.trailer["/Root"]  # the printable one has no fields
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "SELF-ASSESSMENT WORKSHEET" in pages[0].upper()
    for activity in shipped_profile.activities:  # every row whole on one page: text and its evidence lines
        words = activity.text.split()
        head, tail = " ".join(words[:5]), " ".join(words[-4:])
        on = [i for i, text in enumerate(pages) if head in text]
        assert on and tail in pages[on[0]], f"{activity.code} is split across pages"
    summary = next(text for text in pages if "Summary sheet" in text)
    assert all(f"{c.code} {c.name}" in " ".join(pages) for c in shipped_profile.competencies)
    assert "count your ticks in each column" in summary


def test_tick_boxes_are_at_least_4_mm(shipped):
    reader = PdfReader(shipped / "profile-fillable.pdf")
    sizes = []
    for annotation in reader.pages[1]["/Annots"]:
        widget = annotation.get_object()
        if widget.get("/FT") == "/Btn" or ("/Parent" in widget and widget["/Parent"].get("/FT") == "/Btn"):
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            sizes.append((abs(x1 - x0) / MM, abs(y1 - y0) / MM))
    assert sizes and all(w >= 4 and h >= 4 for w, h in sizes), min(sizes)


def test_worksheet_identity_and_attribution(shipped, shipped_profile):
    info = PdfReader(shipped / "profile-fillable.pdf").metadata
    identity = json.loads(info["/profilepressworksheet"])
    assert identity["scale"] == "nirn-practice-profile" and identity["version"] == "4.0"
    assert identity["competencies"] == [c.code for c in shipped_profile.competencies]
    soup = BeautifulSoup((shipped / "profile.html").read_text(encoding="utf-8"), "html.parser")
    colophon = text_of(soup.select_one(".colophon"))
    assert shipped_profile.citation in colophon and "The source document states no licence" in colophon
    reminder = text_of(soup.select_one("#ws-co-learning .reminder"))
    assert reminder == ("Implementation support practitioners work collaboratively with systems stakeholders to "
                        "learn how knowledge on implementation science can be effectively used in the local "
                        "context.")
    rows = [text_of(r.select_one(".activity-text")) for r in soup.select("tr.ws-row")]
    assert rows == [a.text for a in shipped_profile.activities]


def test_a_description_that_opens_with_a_list_is_reminded_by_its_first_item(tmp_path):
    # Found by the property tests: the reminder assumed a description starts with a paragraph.
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    path = source / "competencies" / "active-listening.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - Mentors give their full attention.\n",
        "  - items:\n      - Eyes on the speaker. Nothing else.\n      - Hands still\n"), encoding="utf-8")
    worksheets(source, tmp_path / "out", formats=("html",))
    soup = BeautifulSoup((tmp_path / "out" / "worksheets" / "profile.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert text_of(soup.select_one("#ws-active-listening .reminder")) == "Eyes on the speaker."


# --- filling in, three ways, and collecting --------------------------------------------


def fill_with_pypdf(source, target, values):
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)


def fill_low_level(source, target, choices, texts, *, how):
    """Fill as other programs do: only the group's /V ("V"), or only the widget's /AS ("AS")."""
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if "/Parent" in widget:
                group = widget["/Parent"].get_object()
                name = str(group["/T"])
                if name in choices:
                    index = [str(o) for o in group["/Opt"]].index(choices[name])
                    state = f"/{index}"
                    if how == "V":
                        group[NameObject("/V")] = NameObject(state)
                    elif state in widget["/AP"]["/N"]:
                        widget[NameObject("/AS")] = NameObject(state)
            elif str(widget.get("/T")) in texts:
                widget[NameObject("/V")] = TextStringObject(texts[str(widget["/T"])])
    writer.write(target)


def collect_into(run, out, *files):
    result = run("collect", *map(str, files), "--into", str(out))
    return result


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_fill_pdf_collect_and_read_results(run, shipped, tmp_path):
    filled = tmp_path / "ada.pdf"
    fill_with_pypdf(shipped / "profile-fillable.pdf", filled, {
        "name": "Ada Example", "role": "Coach", "r1_date": "2026-01-10", "r2_date": "2026-03-10",
        "C1_1_r1": "/0", "C1_2_r1": "/1", "C1_3_r1": "/3",       # lowest, middle, N/A
        "C1_1_r2": "/2", "C1_2_r2": "/2",                         # both at the highest later
        "C1_1_priority": "/on", "C1_1_evidence": "Ran two listening sessions",
        "C12_4_r1": "/2",
    })
    result = collect_into(run, tmp_path / "summary", filled)
    assert result.code == 0, result.err
    rows = read_csv(tmp_path / "summary/ratings.csv")
    got = {(r["activity"], r["round"]): (r["level"], r["priority"], r["evidence"]) for r in rows}
    assert got == {
        ("C1.1", "1"): ("unacceptable-variation", "yes", "Ran two listening sessions"),
        ("C1.2", "1"): ("developmental", "", ""),
        ("C1.3", "1"): ("na", "", ""),
        ("C1.1", "2"): ("expected-proficient", "", ""),
        ("C1.2", "2"): ("expected-proficient", "", ""),
        ("C12.4", "1"): ("expected-proficient", "", ""),
    }
    assert {r["person"] for r in rows} == {"Ada Example"} and rows[0]["round_date"] == "2026-01-10"

    soup = BeautifulSoup((tmp_path / "summary/summary.html").read_text(encoding="utf-8"), "html.parser")
    c1 = next(tr for tr in soup.select("table.results tbody tr") if text_of(tr.th).startswith("C1 "))
    cells = [text_of(td) for td in c1.select("td")]
    # activities | r1: 3 levels, N/A, average | r2: 3 levels, N/A, average | change | priorities
    assert cells == ["7", "1", "1", "0", "1", "1.5", "0", "0", "2", "0", "3.0", "+1.5", "1"]
    priorities = text_of(soup.select_one(".sum-priorities"))
    assert "C1.1 Understand the system and organizational context and culture (Ada Example)" in priorities

    data = json.loads((tmp_path / "summary/ratings.json").read_text(encoding="utf-8"))
    assert data["scale"]["id"] == "nirn-practice-profile" and len(data["ratings"]) == 6
    report = PdfReader(tmp_path / "summary/summary.pdf")
    assert "Average level per competency" in report.pages[0].extract_text()
    assert figures_without_alt(report) == 0


@pytest.mark.parametrize("how", ["V", "AS"])
def test_forms_filled_by_other_programs(run, missouri_d1, tmp_path, how):
    filled = tmp_path / f"filled-{how}.pdf"
    fill_low_level(missouri_d1 / "d01-co-creation-and-engagement-fillable.pdf", filled,
                   {"C2_1_r1": "exemplary", "C2_2_r1": "far-from-proficient", "C2_1_r2": "na"},
                   {"name": f"Filled by {how}"}, how=how)
    result = collect_into(run, tmp_path / "out", filled)
    assert result.code == 0, result.err
    rows = {(r["activity"], r["round"]): r["level"] for r in read_csv(tmp_path / "out/ratings.csv")}
    assert rows == {("C2.1", "1"): "exemplary", ("C2.2", "1"): "far-from-proficient", ("C2.1", "2"): "na"}


def test_html_worksheet_answers_saved_in_the_browser_are_collected(run, shipped, tmp_path):
    """The page's own script fills, counts and saves; collect reads what it saved."""
    script = """
      function pick(name, value) { document.querySelector('input[name="' + name + '"][value="' + value + '"]').click(); }
      document.getElementById('f-name').value = 'Bea Browser';
      pick('C2_1_r1', 'developmental'); pick('C2_2_r1', 'developmental'); pick('C2_2_r2', 'expected-proficient');
      document.querySelector('input[name="C2_2_priority"]').click();
      document.querySelector('input[name="C2_2_evidence"]').value = 'Chaired the partners meeting';
      var out = document.createElement('pre'); out.id = 'saved';
      out.textContent = JSON.stringify(window.profilepressWorksheet.answers());
      document.body.appendChild(out);
    """
    soup = BeautifulSoup(dom_after(shipped / "profile.html", script), "html.parser")
    counts = soup.select_one('tr[data-competency="C2"]')
    assert text_of(counts.select_one('td[data-round="1"][data-value="developmental"]')) == "2"
    assert text_of(counts.select_one("td[data-priority]")) == "1"
    saved = json.loads(soup.select_one("#saved").get_text())
    assert saved["format"] == "profilepress-worksheet-answers" and saved["fields"]["C2_1_r1"] == "developmental"
    answers = tmp_path / "bea.json"
    answers.write_text(json.dumps(saved), encoding="utf-8")

    result = collect_into(run, tmp_path / "out", answers)
    assert result.code == 0, result.err
    rows = {(r["person"], r["activity"], r["round"]): (r["level"], r["priority"], r["evidence"])
            for r in read_csv(tmp_path / "out/ratings.csv")}
    assert rows == {
        ("Bea Browser", "C2.1", "1"): ("developmental", "", ""),
        ("Bea Browser", "C2.2", "1"): ("developmental", "yes", "Chaired the partners meeting"),
        ("Bea Browser", "C2.2", "2"): ("expected-proficient", "", ""),
    }


def test_html_worksheet_reloads_saved_answers(shipped):
    identity = json.loads(BeautifulSoup((shipped / "profile.html").read_text(encoding="utf-8"), "html.parser")
                          .find("meta", attrs={"name": "profilepress-worksheet"})["content"])
    saved = {"format": "profilepress-worksheet-answers", "format_version": 1, "worksheet": identity,
             "fields": {"name": "Cy Reload", "C3_1_r2": "na", "C3_1_priority": "on", "C3_notes": "Ask Ada"}}
    stale = dict(saved, worksheet=dict(identity, fingerprint="0000000000000000"))
    script = f"""
      var out = document.createElement('pre'); out.id = 'messages';
      out.textContent = window.profilepressWorksheet.load({json.dumps(stale)}, 'old.json') + '\\n' +
                        window.profilepressWorksheet.load({json.dumps(saved)}, 'mine.json');
      document.body.appendChild(out);
      document.querySelectorAll('input, textarea').forEach(function (el) {{
        if (el.checked) el.setAttribute('checked', ''); if (el.value && el.type !== 'radio' && el.type !== 'checkbox')
          el.setAttribute('data-value', el.value); }});
    """
    soup = BeautifulSoup(dom_after(shipped / "profile.html", script), "html.parser")
    messages = soup.select_one("#messages").get_text().splitlines()
    assert messages == ["old.json was saved from a different worksheet (another version of the profile or "
                        "another rating scale), so it was not loaded.", "Loaded the answers from mine.json."]
    assert soup.select_one('input[name="C3_1_r2"][value="na"]').has_attr("checked")
    assert soup.select_one('input[name="C3_1_priority"]').has_attr("checked")
    assert soup.select_one('textarea[name="C3_notes"]')["data-value"] == "Ask Ada"
    assert soup.select_one("#f-name")["data-value"] == "Cy Reload"


def test_two_rounds_in_two_files_give_the_change(run, shipped, tmp_path):
    before, after = tmp_path / "before.pdf", tmp_path / "after.pdf"
    fill_with_pypdf(shipped / "profile-fillable.pdf", before, {"name": "Dee", "C13_1_r1": "/0", "C13_2_r1": "/0"})
    fill_with_pypdf(shipped / "profile-fillable.pdf", after, {"name": "Dee", "C13_1_r2": "/2", "C13_2_r2": "/1"})
    result = collect_into(run, tmp_path / "out", before, after)
    assert result.code == 0, result.err
    soup = BeautifulSoup((tmp_path / "out/summary.html").read_text(encoding="utf-8"), "html.parser")
    c13 = next(tr for tr in soup.select("table.results tbody tr") if text_of(tr.th).startswith("C13 "))
    cells = [text_of(td) for td in c13.select("td")]
    assert cells[5] == "1.0" and cells[10] == "2.5" and cells[11] == "+1.5"
    d3 = next(tr for tr in soup.select("table.results tbody tr.total") if "D3" in text_of(tr.th))
    assert [text_of(td) for td in d3.select("td")][11] == "+1.5"


# --- what collect refuses -----------------------------------------------------------------


def test_collect_refuses_files_that_are_not_filled_worksheets(run, shipped, tmp_path):
    shutil.copy(shipped / "profile.pdf", tmp_path / "printable.pdf")     # printable: a worksheet, no fields
    handbook = tmp_path / "handbook.pdf"
    make(TINY, tmp_path / "hb", handbook_targets("pdf"))
    shutil.copy(tmp_path / "hb/handbook.pdf", handbook)
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (tmp_path / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    result = collect_into(run, tmp_path / "out", handbook, tmp_path / "notes.txt", tmp_path / "broken.pdf",
                          tmp_path / "other.json", tmp_path / "missing.pdf")
    assert result.code == 1
    err = result.err
    assert re.search(r"handbook\.pdf: error: not a worksheet made by this tool", err)
    assert re.search(r"notes\.txt: error: not a filled worksheet", err)
    assert re.search(r"broken\.pdf: error: not a readable PDF", err)
    assert re.search(r"other\.json: error: not a saved answers file", err)
    assert re.search(r"missing\.pdf: error: file not found", err)
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_collect_refuses_a_worksheet_of_another_profile_version(run, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(TINY, source)
    worksheets(source, tmp_path / "old", formats=("fillable-pdf",))
    path = source / "competencies/active-listening.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Put the phone away", "Put the phone in a drawer"),
                    encoding="utf-8")
    filled = tmp_path / "old-filled.pdf"
    fill_with_pypdf(tmp_path / "old/worksheets/profile-fillable.pdf", filled, {"name": "Eve", "M1_1_r1": "/1"})
    result = run("collect", str(filled), "--source", str(source), "--into", str(tmp_path / "out"))
    assert result.code == 1
    assert "old-filled.pdf: error: made from a different version of the profile" in result.err
    assert "collect it with the sources it was made from" in result.err
