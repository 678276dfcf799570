"""Scanned, hand-ticked printed worksheets read back: the paper loop, as a trainer runs it.

The tiny profile's printable worksheet (conftest's tiny_build: four pages, three activities on the California
CPM scale) is rasterised at 150 dpi, marked as people mark it (tests/synthetic.py: ticks, crosses, circles,
filled boxes; two ticks in a row, a tick crossed out beside another, a faint mark), turned, shifted, scaled,
blurred, made noisy, saved as JPEG, and collected. The 1,000-page run is scripts/bench_scans.py.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import synthetic
from bs4 import BeautifulSoup
from PIL import Image

from profilepress import marks, review, scan

from conftest import TINY, cli

DPI = 150
PLAN = TINY / "build.yaml"


@pytest.fixture(scope="module")
def printed(tiny_build):
    """The printable worksheet and its four pages at 150 dpi."""
    out, _ = tiny_build
    pdf = out / "neutral" / "worksheets" / "profile.pdf"
    return pdf, synthetic.rasterise(pdf, DPI)


@pytest.fixture(scope="module")
def layouts(printed):
    """Each printed page's layout, from its code (as collect finds it), by page number."""
    _, pages = printed
    from profilepress.inputs import load_inputs, options_from_plan, project_from_plan, read_plan

    from conftest import ROOT

    parsed = read_plan(PLAN)
    project = project_from_plan(parsed, ROOT, source=None, templates=ROOT / "templates", output=None)
    options = options_from_plan(parsed)
    found = scan.Layouts(project, load_inputs(project, options, with_build_file=False, with_packets=False), options)
    return {n: found(scan.locate(page).code)[0] for n, page in enumerate(pages, start=1)}


def test_the_corner_marks_are_opencvs_aruco_markers():
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for number, bits in enumerate(marks.MARKERS):
        drawn = cv2.aruco.generateImageMarker(dictionary, number, 6)
        assert "".join("1" if v < 128 else "0" for v in drawn.ravel()) == bits


def test_each_printed_page_carries_marks_and_its_code_and_the_fillable_none(printed, tiny_build):
    pdf, pages = printed
    for number, page in enumerate(pages, start=1):
        located = scan.locate(page)
        assert located.code.page == number and located.code.scope == "ALL"
        assert abs(located.dpi - DPI) < 8
    assert (located.width, located.height) == (297.0, 210.0)
    fillable = synthetic.rasterise(pdf.with_name("profile-fillable.pdf"), 50, [2])[0]
    assert scan.find_marks(fillable) == {}


def test_the_layout_record_holds_every_box_of_the_page(layouts):
    boxes = layouts[2].boxes  # M1: two activities, 3 levels and N/A in two rounds, a priority each
    ratings = [b for b in boxes if b.field in ("M1_1_r1", "M1_1_r2")]
    assert sorted({b.value for b in ratings}) == ["accomplished", "acquiring", "emerging", "na"]
    assert len(ratings) == 8 and all(4.5 < b.width < 5.5 and b.width == b.height for b in ratings)
    assert {b.field for b in boxes if not b.value} >= {"M1_1_evidence", "M1_notes", "M1_reflection"}


def scanned(pages, layouts, seed, *, order=None, upside_down=(), ambiguous_share=0.25):
    """Pages marked and scanned; returns (images in scan order, what was drawn by field)."""
    pen, scanner = np.random.default_rng(seed), np.random.default_rng(seed + 1000)
    truth, images = {}, {}
    for number, page in enumerate(pages, start=1):
        image = page.copy()
        truth.update(synthetic.mark_page(image, layouts[number], pen, DPI, ambiguous_share=ambiguous_share))
        images[number] = synthetic.distort(image, scanner, DPI, upside_down=number in upside_down, jpeg=True)
    return [images[n] for n in (order or sorted(images))], truth


def save_tiff(images, path: Path) -> Path:
    first, *rest = [Image.fromarray(image) for image in images]
    first.save(path, save_all=True, append_images=rest, compression="tiff_deflate")
    return path


def ratings_of(folder: Path) -> dict[str, str]:
    with (folder / "ratings.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {f"{r['activity'].replace('.', '_')}_r{r['round']}": r["level"] for r in rows if r["level"]}


def test_a_scanned_worksheet_gives_exactly_the_ratings_drawn_and_flags_the_ambiguous(
    printed, layouts, tmp_path, browser
):
    """Pages in mixed order, one upside down, in a multi-page TIFF: the clear ratings read, every ambiguous row
    sent to review and none guessed; the review page chosen on in a browser, on a phone and a desktop, and the
    file its script saves collected with the scan."""
    _, pages = printed
    pages = list(pages)
    pages[1] = pages[1].copy()  # evidence written by hand under M1.1
    evidence = next(b for b in layouts[2].boxes if b.field == "M1_1_evidence")
    k = DPI / 25.4
    for n in range(6):
        x = evidence.x + 4 + n * 9
        wave = [(x + t * 7, evidence.y + 5 + np.sin(t * 9 + n) * 1.5) for t in np.linspace(0, 1, 20)]
        cv2.polylines(pages[1], [np.round(np.array(wave) * k).astype(np.int32)], False, 30, 2, cv2.LINE_AA)
    seed = next(s for s in range(50) if _has_every_kind(pages, layouts, s))
    images, truth = scanned(pages, layouts, seed, order=[3, 1, 4, 2], upside_down={2})
    scan_file = save_tiff(images, tmp_path / "ada.tiff")
    out = tmp_path / "summary"
    result = cli("--plan", str(PLAN), "collect", str(scan_file), "--into", str(out), "--format", "html")
    assert result.code == 0, result.err
    clear = {f: v for f, v in truth.items() if v not in (None, "?") and not f.endswith("_priority")}
    assert ratings_of(out) == clear
    ambiguous = sorted(f for f, v in truth.items() if v == "?")
    assert f"{len(ambiguous)} scanned answer" in result.err and "await review" in result.err
    page = BeautifulSoup((out / "review.html").read_text(encoding="utf-8"), "html.parser")
    items = page.select(".review-item")
    assert sorted(i["data-key"].rsplit(":", 1)[1] for i in items) == ambiguous
    assert all(i.img["src"].startswith("data:image/png;base64,") for i in items)
    report = BeautifulSoup((out / "people" / "ada.html").read_text(encoding="utf-8"), "html.parser")
    captions = [f.figcaption.get_text(" ", strip=True) for f in report.select(".handwriting")]
    assert captions == ["M1.1 · Evidence or example (ada.tiff, page 4)"]  # its page in the scan file
    waiting = report.select_one(".awaiting-review").get_text(" ", strip=True)
    assert waiting.startswith(f"{len(ambiguous)} answers on your scanned worksheet await review")

    # In the browser: on a phone and a desktop, every choice readable and none over another; the reviewer picks
    # the first box of each row and saves; what the page's script saves is what collect is given.
    for width in (320, 1280):
        browser.viewport(width)
        browser.open(out / "review.html")
        laid = json.loads(
            browser.evaluate(
                """JSON.stringify({sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth, overlaps: [...document.querySelectorAll(
                '.review-item')].flatMap(item => { const r = [...item.querySelectorAll('.review-choice')].map(
                c => c.getBoundingClientRect()); return r.slice(1).filter((b, i) => b.left < r[i].right - 1
                && b.top < r[i].bottom - 1); }).length})"""
            )
        )
        assert laid == {"sideways": False, "overlaps": 0}, (width, laid)
    assert browser.axe(out / "review.html") == []
    saved_text = browser.evaluate(
        """new Promise(done => {
            URL.createObjectURL = blob => { blob.text().then(done); return "#"; };  // the file, not a download
            HTMLAnchorElement.prototype.click = () => {};
            document.querySelectorAll('.review-item').forEach(i => i.querySelector('.review-choice input').click());
            document.getElementById('save-review').click(); })"""
    )
    assert "0 of" in browser.evaluate("document.getElementById('left').textContent")
    answers = {item["data-key"]: item.select("input[type=radio]")[0]["value"] for item in items}
    assert json.loads(saved_text)["answers"] == answers
    saved = tmp_path / review.ANSWERS_FILE
    saved.write_text(saved_text, encoding="utf-8")
    again = cli("--plan", str(PLAN), "collect", str(scan_file), str(saved), "--into", str(out), "--format", "html")
    assert again.code == 0, again.err
    assert "review (left out" not in again.err
    assert not BeautifulSoup((out / "people" / "ada.html").read_text(encoding="utf-8"), "html.parser").select(
        ".awaiting-review"
    )
    reviewed = {key.rsplit(":", 1)[1]: value for key, value in answers.items()}
    assert ratings_of(out) == clear | {f: v for f, v in reviewed.items() if not f.endswith("_priority")}
    page = BeautifulSoup((out / "review.html").read_text(encoding="utf-8"), "html.parser")  # not the old one
    assert not page.select(".review-item") and "Nothing awaits review" in page.get_text(" ", strip=True)

    # A review file with an answer that is none of its row's boxes, or answers no scan here asks for, is named
    first_key = next(k for k in answers if k.endswith(("_r1", "_r2")))
    wrong = json.loads(saved_text)
    wrong["answers"] = {**answers, first_key: "bogus", "0123456789abcdef:9:M9_9_r1": "developmental"}
    bad = tmp_path / "review-bad.json"
    bad.write_text(json.dumps(wrong), encoding="utf-8")
    refused = cli("--plan", str(PLAN), "collect", str(scan_file), str(bad), "--into", str(out), "--format", "html")
    assert refused.code == 1, refused.err
    activity, _, which = first_key.rsplit(":", 1)[1].rpartition("_")
    row = f"{activity.replace('_', '.')}, {'first rating' if which == 'r1' else 'second rating'}"
    assert f"review-bad.json: error: the answer for {row} on page" in refused.err, refused.err
    assert "'bogus', which is none of that row's boxes" in refused.err
    assert "review-bad.json: error: 1 of its answers is for scanned ratings that none of the scans" in refused.err
    assert "ada.tiff: error" not in refused.err


def _has_every_kind(pages, layouts, seed) -> bool:
    """A seed whose marks hold clear ratings and at least two ambiguous ones (drawn on copies, cheaply)."""
    pen = np.random.default_rng(seed)
    truth = {}
    for number, page in enumerate(pages, start=1):
        truth.update(synthetic.mark_page(page.copy(), layouts[number], pen, DPI, ambiguous_share=0.25))
    values = list(truth.values())
    return values.count("?") >= 2 and sum(v not in (None, "?") for v in values) >= 4


def recoded(page, text: str):
    """A clean page image with another code printed in place of its own."""
    image = page.copy()
    k = DPI / 25.4
    left, top = marks.code_position(297.0, 210.0)
    image[
        int((top - 1) * k) : int((top + marks.CODE_MM + 1) * k),
        int((left - 1) * k) : int((left + marks.CODE_MM + 1) * k),
    ] = 255
    matrix = np.array(marks.qr_matrix(text), np.uint8)
    cell = marks.CODE_MM / len(matrix)
    for r, c in zip(*np.nonzero(matrix), strict=True):
        x0, y0 = (left + c * cell) * k, (top + r * cell) * k
        cv2.rectangle(image, (round(x0), round(y0)), (round(x0 + cell * k) - 1, round(y0 + cell * k) - 1), 0, -1)
    return image


def test_pages_that_cannot_be_used_are_named_by_file_and_page_with_what_to_do(printed, layouts, tmp_path):
    _, pages = printed
    code = scan.locate(pages[1]).code
    other_version = marks.PageCode(code.scope, "0" * 8, code.scale, code.edition, 2, code.layout).text()
    unreadable = pages[2].copy()
    k = DPI / 25.4
    left, top = marks.code_position(297.0, 210.0)
    unreadable[int(top * k) : int((top + marks.CODE_MM) * k), int(left * k) : int((left + 5) * k)] = 255
    cropped = pages[3][int(20 * DPI / 25.4) :, :]  # the top marks cut off
    rng = np.random.default_rng(1)
    marked = pages[1].copy()
    synthetic.mark_page(marked, layouts[2], rng, DPI, blank_share=0, ambiguous_share=0)
    files = {
        "ada.png": [synthetic.distort(marked, rng, DPI, jpeg=False)],
        "ada-again.png": [synthetic.distort(marked, rng, DPI, jpeg=False)],  # the same sheet through the scanner again
        "version.png": [recoded(pages[1], other_version)],
        "twice.pdf": [pages[0], pages[1], pages[1]],  # a PDF of page images, as a scanner makes it
        "unreadable.jpg": [unreadable],
        "blank.png": [synthetic.distort(pages[1].copy(), rng, DPI)],
        "cropped.png": [cropped],
        "lowres75.pdf": [cv2.resize(pages[1], None, fx=75 / DPI, fy=75 / DPI, interpolation=cv2.INTER_AREA)],
    }
    paths = []
    for name, images in files.items():
        path = tmp_path / name
        if path.suffix == ".pdf":
            first, *rest = [Image.fromarray(image) for image in images]
            dpi = 75 if name == "lowres75.pdf" else DPI
            first.save(path, save_all=True, append_images=rest, resolution=dpi)
        elif len(images) > 1:
            save_tiff(images, path)
        else:
            cv2.imwrite(str(path), images[0])
        paths.append(str(path))
    out = tmp_path / "summary"
    result = cli("--plan", str(PLAN), "collect", *paths, "--into", str(out), "--format", "html")
    assert result.code == 1 and not out.exists()
    assert "Traceback" not in result.err
    lines = result.err.splitlines()

    def said(name: str, *words: str) -> bool:
        return any(name in line and all(w in line for w in words) for line in lines)

    assert said("version.png", "page 1:", "another version of the profile", "--source")
    assert said("twice.pdf", "page 3:", "page 2 of the worksheet again", "scanned twice")
    assert not any("twice.pdf" in line and "page 1:" in line for line in lines)  # its other pages read
    assert said("unreadable.jpg", "page 1:", "code", "cannot be read", "200 dpi or more")
    assert said("cropped.png", "page 1:", "corner marks cannot be found", "200 dpi")
    assert said("ada-again.png", "page 1:", "the same page as page 1 of ada.png, scanned twice")
    assert said("blank.png", "holds no answers: no box is ticked")
    # A scanner's PDF page is drawn at 200 dpi first: a 75 dpi scan that enlarging lets be read is read.
    assert not said("lowres75.pdf", "page 1:"), [line for line in lines if "lowres75" in line]


def test_a_pdf_scan_is_also_read_at_its_own_resolution_and_a_problem_told_from_that(printed, tmp_path, monkeypatch):
    """A scanner's PDF page that cannot be read drawn at 200 dpi is tried at the scan's own resolution, and a
    problem is told from that drawing, so what it says of the resolution is true (a 100 dpi scan was said to be
    "about 195 dpi", with advice about the code instead of the resolution)."""
    _, pages = printed
    path = tmp_path / "low.pdf"
    small = cv2.resize(pages[1], None, fx=90 / DPI, fy=90 / DPI, interpolation=cv2.INTER_AREA)
    Image.fromarray(small).save(path, resolution=90)
    [drawings] = list(scan.page_images(path))
    assert [round(d.shape[1] / small.shape[1] * 90) for d in drawings] == [scan.PDF_DPI, 90]
    tried = []

    def locate(gray):
        tried.append(gray.shape[1])
        raise scan.PageProblem(f"unreadable at {gray.shape[1]} px")

    monkeypatch.setattr(scan, "locate", locate)
    with pytest.raises(scan.PageProblem, match=rf"unreadable at {drawings[1].shape[1]} px"):
        scan._first_readable(drawings, lambda code: None)
    assert tried == [drawings[0].shape[1], drawings[1].shape[1]]  # 200 dpi first, then its own
    [single] = list(scan.page_images(tmp_path / "low.png" if cv2.imwrite(str(tmp_path / "low.png"), small) else None))
    assert len(single) == 1  # an image is read as it is


def test_a_page_of_another_worksheet_in_a_persons_file_is_refused(printed, layouts, tmp_path):
    _, pages = printed
    code = scan.locate(pages[1]).code
    other = marks.PageCode("M1", code.fingerprint, code.scale, code.edition, 2, code.layout)
    path = save_tiff([pages[0], pages[1], recoded(pages[1], other.text())], tmp_path / "mixed.tiff")

    def layout_for(found: marks.PageCode):
        return layouts[found.page], "the worksheet for M1" if found.scope == "M1" else "the whole-profile worksheet"

    errors: list = []
    read = scan.read_file(path, layout_for, errors)
    assert [e.message for e in errors] == [
        "page 3: is a page of another worksheet (the worksheet for M1) than the file's other pages "
        "(the whole-profile worksheet)"
    ]
    assert "file of its own" in errors[0].hint
    assert [p.number for p in read[0].pages] == [1, 2]


def test_box_states_and_the_rule_for_a_row():
    assert scan.decide([("a", scan.TICKED), ("b", scan.EMPTY)]) == ("a", "")
    assert scan.decide([("a", scan.EMPTY), ("b", scan.EMPTY)]) == (None, "")
    assert scan.decide([("a", scan.FILLED), ("b", scan.EMPTY)]) == ("a", "")
    assert scan.decide([("a", scan.TICKED), ("b", scan.TICKED)]) == (None, "more than one box ticked")
    assert scan.decide([("a", scan.FILLED), ("b", scan.TICKED)])[1].startswith("a box filled in beside")
    assert scan.decide([("a", scan.TICKED), ("b", scan.FAINT)]) == (None, "a faint mark")


def test_without_the_kept_layout_the_worksheet_is_laid_out_again_as_it_was_printed(printed, layouts, tmp_path):
    """Only the scans and the project at hand (another machine, an empty cache): the same boxes, page by page."""
    _, pages = printed
    from profilepress.inputs import load_inputs, options_from_plan, project_from_plan, read_plan

    from conftest import ROOT

    parsed = read_plan(PLAN)
    project = project_from_plan(parsed, ROOT, source=None, templates=ROOT / "templates", output=None)
    options = options_from_plan(parsed)
    again = scan.Layouts(project, load_inputs(project, options, with_build_file=False, with_packets=False), options)
    made = again._render(scan.locate(pages[0]).code)
    assert [page.key for page in made] == [layouts[n].key for n in sorted(layouts)]
    assert made == [layouts[n] for n in sorted(layouts)]


def test_a_file_with_some_of_a_worksheets_pages_is_refused_not_counted_as_a_person(printed, layouts, tmp_path):
    """A page per image, or a stray page in a file of its own, would otherwise be one more person, silently."""
    _, pages = printed
    images, _ = scanned(pages, layouts, 3)
    whole = save_tiff(images, tmp_path / "ada.tiff")
    stray = tmp_path / "ada-page-2.png"
    cv2.imwrite(str(stray), images[1])
    with_boxes = [n for n, layout in sorted(layouts.items()) if any(b.value for b in layout.boxes)]
    out = tmp_path / "summary"
    result = cli("--plan", str(PLAN), "collect", str(whole), str(stray), "--into", str(out), "--format", "html")
    assert result.code == 1 and not out.exists()
    others = [n for n in with_boxes if n != 2]
    assert f"ada-page-2.png: error: holds 1 of the {len(with_boxes)} pages of" in result.err
    assert f"page{'s' if len(others) > 1 else ''} {', '.join(map(str, others))} of the worksheet" in result.err
    assert "a PNG or JPEG holds one page" in result.err and "ada.tiff: error" not in result.err
