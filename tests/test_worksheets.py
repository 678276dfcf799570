"""Rubric worksheets: scales as data, printable and fillable PDFs, the HTML worksheet (collect: test_collect.py)."""

from __future__ import annotations

import json
import shutil

import pikepdf
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from profilepress.errors import ProfileErrors, UserError
from profilepress.load import load_scales

from conftest import ROOT, SHIPPED, TINY, make, text_of
from conftest import worksheets as worksheet_targets
from pdfcheck import on_state, page_texts, resolved, root_of

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
def fillable(shipped) -> pikepdf.Pdf:
    """The default build's whole-profile fillable worksheet, read once for the file (with qpdf: 1,175 widgets)."""
    with pikepdf.open(shipped / "profile-fillable.pdf") as pdf:
        yield pdf


@pytest.fixture(scope="module")
def missouri_c1(tmp_path_factory):
    """C1's worksheet on the Missouri scale (one competency: the scale sets every worksheet's columns and fields
    the same way, whatever its scope)."""
    out = tmp_path_factory.mktemp("missouri")
    make(
        SHIPPED,
        out,
        [t for t in worksheet_targets(SHIPPED, "competency", "html", "fillable-pdf") if t.scope.code == "C1"],
        scale="missouri-spdg",
    )
    return out / "worksheets"


def radio_groups(reader: PdfReader | pikepdf.Pdf) -> dict[str, list[str]]:
    """Radio group name → its choices' values (the widgets' "on" states), read from the widgets' parents."""
    groups: dict[str, list[str]] = {}
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            widget = resolved(annotation)
            parent = widget.get("/Parent")
            if parent is not None:
                groups.setdefault(str(resolved(parent)["/T"]), []).append(on_state(widget))
    return groups


def field_names(reader: PdfReader | pikepdf.Pdf) -> set[str]:
    return {str(resolved(f)["/T"]) for f in root_of(reader)["/AcroForm"]["/Fields"]}


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
        "  - id: leading\n    label: Leading\n    descriptor: Helps others do it.\n",
        encoding="utf-8",
    )
    worksheets(source, tmp_path / "out", scale="ours", formats=("html",))
    soup = BeautifulSoup((tmp_path / "out/worksheets/profile.html").read_text(encoding="utf-8"), "lxml")
    assert [" ".join(li.get_text().split()) for li in soup.select("ol.legend li")] == [
        "Starting: Not yet in practice.",
        "Leading: Helps others do it.",
    ]
    assert "Source: Our framework, 2025" in text_of(soup.select_one(".how-to"))


def test_bad_scale_file_is_located(tmp_path):
    scales = tmp_path / "scales"
    scales.mkdir()
    (scales / "bad.yaml").write_text(
        "id: bad\nname: Bad\nsource: x\nrated_unit: competency\nlevels:\n  - id: one\n    lable: One\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileErrors) as info:
        load_scales([scales])
    messages = [e.format() for e in info.value.errors]
    assert any("bad.yaml:7:5: error: unknown field 'lable'" in m and "did you mean 'label'" in m for m in messages)


def test_unknown_scale_suggests_one(tmp_path):
    with pytest.raises(UserError, match="unknown rating scale 'missouri'; did you mean 'missouri-spdg'"):
        worksheets(TINY, tmp_path, scale="missouri", formats=("html",))


# --- the printed and fillable worksheets ------------------------------------------------


def test_every_activity_has_its_fields_named_by_code(fillable, shipped_profile):
    reader = fillable
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
    assert {"name", "role", "organisation", "r1_date", "r2_date"} <= names
    assert not any("." in name for name in names)  # PDF would read a dot as a hierarchy


def test_switching_the_scale_changes_columns_and_fields(missouri_c1):
    reader = PdfReader(missouri_c1 / "c01-co-learning-fillable.pdf")
    assert radio_groups(reader)["C1_1_r1"] == [
        "far-from-proficient",
        "close-to-proficient",
        "proficient",
        "exemplary",
        "na",
    ]
    soup = BeautifulSoup((missouri_c1 / "c01-co-learning.html").read_text(encoding="utf-8"), "lxml")
    levels = [text_of(th) for th in soup.select("#ws-co-learning thead tr:nth-of-type(1) th.h-level")]
    assert levels == PRESETS["missouri-spdg"] + ["No opportunity / N/A"]
    rounds = [text_of(th) for th in soup.select("#ws-co-learning thead tr:nth-of-type(2) th")]
    assert rounds == ["1st", "2nd"] * 5
    assert len(soup.select('input[name="C1_1_r1"]')) == 5


def test_printable_worksheet(shipped, shipped_profile):
    reader = PdfReader(shipped / "profile.pdf")
    assert "/AcroForm" not in reader.trailer["/Root"]  # the printable one has no fields
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    pages = [" ".join(text.split()) for text in page_texts(shipped / "profile.pdf")]
    assert "SELF-ASSESSMENT WORKSHEET" in pages[0].upper()
    for activity in shipped_profile.activities:  # every row whole on one page: text and its evidence lines
        words = activity.text.split()
        head, tail = " ".join(words[:5]), " ".join(words[-4:])
        on = [i for i, text in enumerate(pages) if head in text]
        assert on and tail in pages[on[0]], f"{activity.code} is split across pages"
    summary = next(text for text in pages if "Summary sheet" in text)
    missing = [c.code for c in shipped_profile.competencies if f"{c.code} {c.name}" not in summary]
    assert not missing, f"the summary sheet has no row for {missing}"
    assert "count your ticks in each column" in summary


def test_tick_boxes_are_at_least_4_mm(fillable):
    reader = fillable
    sizes = []
    for annotation in reader.pages[1]["/Annots"]:
        widget = resolved(annotation)
        if widget.get("/FT") == "/Btn" or ("/Parent" in widget and widget["/Parent"].get("/FT") == "/Btn"):
            x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
            sizes.append((abs(x1 - x0) / MM, abs(y1 - y0) / MM))
    assert sizes and all(w >= 4 and h >= 4 for w, h in sizes), min(sizes)


def test_worksheet_identity_and_attribution(shipped, fillable, shipped_profile):
    identity = json.loads(str(fillable.docinfo["/profilepressworksheet"]))
    assert identity["scale"] == "nirn-practice-profile" and identity["version"] == "4.0"
    assert identity["competencies"] == [c.code for c in shipped_profile.competencies]
    soup = BeautifulSoup((shipped / "profile.html").read_text(encoding="utf-8"), "lxml")
    colophon = text_of(soup.select_one(".colophon"))
    assert shipped_profile.citation in colophon and "The source document states no licence" in colophon
    reminder = text_of(soup.select_one("#ws-co-learning .reminder"))
    assert reminder == (
        "Implementation support practitioners work collaboratively with systems stakeholders to "
        "learn how knowledge on implementation science can be effectively used in the local "
        "context."
    )
    rows = [text_of(r.select_one(".activity-text")) for r in soup.select("tr.ws-row")]
    assert rows == [a.text for a in shipped_profile.activities]


def test_a_description_that_opens_with_a_list_is_reminded_by_its_first_item(tmp_path):
    # Found by the property tests: the reminder assumed a description starts with a paragraph.
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    path = source / "competencies" / "active-listening.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  - Mentors give their full attention.\n",
            "  - items:\n      - Eyes on the speaker. Nothing else.\n      - Hands still\n",
        ),
        encoding="utf-8",
    )
    worksheets(source, tmp_path / "out", formats=("html",))
    soup = BeautifulSoup((tmp_path / "out" / "worksheets" / "profile.html").read_text(encoding="utf-8"), "lxml")
    assert text_of(soup.select_one("#ws-active-listening .reminder")) == "Eyes on the speaker."


# --- the HTML worksheet's own script (collecting is tested in test_collect.py) ----------------


def test_html_worksheet_reloads_saved_answers(shipped, browser):
    identity = json.loads(
        BeautifulSoup((shipped / "profile.html").read_text(encoding="utf-8"), "lxml").find(
            "meta", attrs={"name": "profilepress-worksheet"}
        )["content"]
    )
    saved = {
        "format": "profilepress-worksheet-answers",
        "format_version": 1,
        "worksheet": identity,
        "fields": {"name": "Cy Reload", "C3_1_r2": "na", "C3_1_priority": "on", "C3_notes": "Ask Ada"},
    }
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
    soup = BeautifulSoup(browser.dom_after(shipped / "profile.html", script), "lxml")
    messages = soup.select_one("#messages").get_text().splitlines()
    assert messages == [
        "old.json was saved from a different worksheet (another version of the profile or "
        "another rating scale), so it was not loaded.",
        "Loaded the answers from mine.json.",
    ]
    assert soup.select_one('input[name="C3_1_r2"][value="na"]').has_attr("checked")
    assert soup.select_one('input[name="C3_1_priority"]').has_attr("checked")
    assert soup.select_one('textarea[name="C3_notes"]')["data-value"] == "Ask Ada"
    assert soup.select_one("#f-name")["data-value"] == "Cy Reload"
