"""The PDF handbook, read back with pypdf: outline, contents, page furniture, metadata, fonts, paper."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from profilepress.model import ItemList

from conftest import ROOT, TEMPLATES, TINY, handbook, make
from pdfcheck import figure_count, figures_without_alt
from pdfcheck import page_texts as read_page_texts

MM = 72 / 25.4


def build_pdf(source, out, paper="a4", marks=False) -> PdfReader:
    make(source, out, handbook("pdf", paper=paper), marks=marks)
    return PdfReader(out / "handbook.pdf")


@pytest.fixture(scope="module")
def a4(default_build) -> PdfReader:
    """The default build's handbook: A4, the neutral brand."""
    return PdfReader(default_build / "neutral/handbook.pdf")


@pytest.fixture(scope="module")
def extracted(default_build) -> list[str]:
    """Each page's text as a reader copies it (once for the file)."""
    return read_page_texts(default_build / "neutral/handbook.pdf")


@pytest.fixture(scope="module")
def page_texts(extracted) -> list[str]:
    return [" ".join(text.split()) for text in extracted]


@functools.lru_cache(maxsize=4)
def outline(reader: PdfReader):
    """[(title, page number, [children…])] from the PDF's bookmarks (read once for each reader)."""

    def walk(items):
        result = []
        for item in items:
            if isinstance(item, list):
                result[-1][2].extend(walk(item))
            else:
                result.append((item.title, reader.get_destination_page_number(item) + 1, []))
        return result

    return walk(reader.outline)


def contents_entries(pdf: Path) -> dict[str, int]:
    """The printed contents: label → page number, read from the contents page's text."""
    page = next(p for p in read_page_texts(pdf)[:6] if p.lstrip().startswith("Contents"))
    text = " ".join(page.split())
    return {label.strip(): int(number) for label, number in re.findall(r"(?:^Contents )?(.+?) ?\.{3,} ?(\d+)", text)}


def test_bookmarks_mirror_domains_and_competencies(a4, shipped_profile):
    tree = outline(a4)
    domains = [(title, children) for title, _, children in tree if re.match(r"D\d ", title)]
    assert [title for title, _ in domains] == [f"{d.code} {d.name}" for d in shipped_profile.domains]
    for (_, children), domain in zip(domains, shipped_profile.domains):
        assert [c[0] for c in children] == [f"{c.code} {c.name}" for c in domain.competencies]
    front = [title for title, _, children in tree if not re.match(r"D\d ", title)]
    assert front == [
        "About this edition",
        "Contents",
        "Introduction and Purpose",
        "Guiding Principles: How Implementation Support Practitioners Do Their Work",
        "Domains and Core Competencies: What Implementation Support Practitioners Do In Their Work",
    ]


def test_contents_page_numbers_match_bookmarks(a4, default_build):
    printed = contents_entries(default_build / "neutral/handbook.pdf")
    bookmarks = {title: page for title, page, _ in outline(a4)}
    bookmarks.update({c[0]: c[1] for _, _, children in outline(a4) for c in children})
    assert len(printed) == 4 + 3 + 15
    for label, page in printed.items():
        assert bookmarks[label] == page, label


def test_domains_open_on_right_hand_pages(a4):
    domain_pages = [page for title, page, _ in outline(a4) if re.match(r"D\d ", title)]
    assert domain_pages and all(page % 2 == 1 for page in domain_pages)


def test_page_furniture(a4, page_texts):
    total = len(a4.pages)
    assert "Page 1 of" not in page_texts[0]  # the cover carries no furniture
    domain_start = {page: title for title, page, _ in outline(a4) if re.match(r"D\d ", title)}
    current, notes = None, 0
    for number, text in enumerate(page_texts, start=1):
        if number < 4 or not text:
            continue  # cover, attribution, contents
        assert f"Page {number} of {total}" in text, number  # a notes page too, numbered as the others are
        if text.startswith("Notes ") and len(text.split()) <= 10:
            assert number % 2 == 0  # a side left blank before a right-hand start is a ruled notes page
            assert "Implementation Support Practitioner Profile" in text
            notes += 1
            continue
        assert "Implementation Support Practitioner Profile" in text
        current = domain_start.get(number, current)
        if current:
            assert current in text, (number, current)  # running header names the domain
    assert notes >= 1


def test_metadata_title_author_language(a4, shipped_profile):
    info = a4.metadata
    assert info.title == shipped_profile.full_title
    assert info.author == ", ".join(shipped_profile.authors)
    assert info.creator == "profilepress"
    root = a4.trailer["/Root"]
    assert root["/Lang"] == "en-GB"  # the interface's locale
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a pypdf BooleanObject)


def test_tagged_pdf_ua(a4):
    root = a4.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp  # declares PDF/UA-1


def test_fonts_are_vendored_embedded_and_subset(a4):
    fonts = {}
    for page in a4.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert re.match(r"/[A-Z]{6}\+Atkinson-Hyperlegible", name), name  # subset, and ours
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), name


def test_a4_media_box(a4):
    box = a4.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)


def test_letter_media_box(default_build, shipped_profile):
    letter = PdfReader(default_build / "northwind/handbook.pdf")  # the sample brand prints on US Letter
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in letter.pages} == {(612.0, 792.0)}
    printed = contents_entries(default_build / "northwind/handbook.pdf")
    bookmarks = {c[0]: c[1] for _, _, children in outline(letter) for c in children}
    competencies = [f"{c.code} {c.name}" for c in shipped_profile.competencies]
    assert all(label in printed and label in bookmarks for label in competencies), (printed, bookmarks)
    assert [printed[label] for label in competencies] == [bookmarks[label] for label in competencies]


def test_bleed_and_crop_marks(tmp_path):
    marked = build_pdf(TINY, tmp_path, marks=True)
    page = marked.pages[0]
    bleed = 3 * MM
    assert float(page.trimbox.width) == pytest.approx(210 * MM, abs=0.5)
    assert float(page.mediabox.width) == pytest.approx(210 * MM + 2 * bleed, abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(297 * MM + 2 * bleed, abs=0.5)


def test_no_activity_split_across_pages(a4, page_texts, shipped_profile):
    for activity in shipped_profile.activities:
        words = activity.text.split()
        head, tail = " ".join(words[:6]), " ".join(words[-6:])
        pages = [i for i, text in enumerate(page_texts) if head in text]
        assert pages, activity.code
        assert tail in page_texts[pages[0]], f"{activity.code} is split across pages"


@pytest.mark.parametrize("document", ["neutral/handbook.pdf", "neutral/roles/coach.pdf"])
def test_no_description_list_leaves_one_item_alone_on_a_page(default_build, shipped_profile, document):
    """A competency's list (C9's goals, for one) keeps its first two items on one page and its last two: a
    lone item at a page's foot or head reads as a list of one. (The excerpt holds C9, whose list was split so.)"""
    texts = [" ".join(text.split()) for text in read_page_texts(default_build / document)]

    def page_of(item: str) -> int:
        head = " ".join(item.split()[:5])
        return next(i for i, text in enumerate(texts) if head in text)

    lists = [b.items for c in shipped_profile.competencies for b in c.description if isinstance(b, ItemList)]
    assert len(lists) >= 2  # C9's goals, and another
    shown = [items for items in lists if any(" ".join(items[0].split()[:5]) in text for text in texts)]
    assert shown
    for items in shown:
        assert page_of(items[0]) == page_of(items[1]), f"{items[0]!r} alone at a page's foot"
        assert page_of(items[-1]) == page_of(items[-2]), f"{items[-1]!r} alone at a page's head"


def test_no_heading_alone_at_a_page_foot(extracted, shipped_profile):
    headings = {"CORE COMPONENT", "CORE ACTIVITIES"} | {f"{c.code} {c.name}" for c in shipped_profile.competencies}
    for number, text in enumerate(extracted, start=1):
        lines = [" ".join(l.split()) for l in text.splitlines() if l.strip()]
        body = [
            l
            for l in lines
            if not re.search(r"Page \d+ of \d+|^Implementation Support Practitioner Profile$", l)
            and not re.match(r"^D\d [A-Z]", l)
        ]
        if body:
            assert body[-1] not in headings, f"page {number} ends with the heading {body[-1]!r}"


def test_reproducible_across_processes(default_build, run, tmp_path, monkeypatch):
    """A PDF made again, here in the test's process, is byte for byte the one `python build.py` made in its own
    process (in its pool of workers) for the default build, under the same SOURCE_DATE_EPOCH (the test run's, or
    none): a fillable worksheet, whose form fields are written after layout (a short one: test_incremental's
    test of `verify` remakes a handbook byte for byte); and SOURCE_DATE_EPOCH, when set, is the date the PDF carries
    (the tiny profile's handbook)."""
    fillable = "neutral/worksheets/c01-co-learning-fillable.pdf"
    result = run("--only", fillable, "--quiet", "--output", str(tmp_path / "again"))
    assert result.code == 0, result.err
    assert (tmp_path / "again" / fillable).read_bytes() == (default_build / fillable).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1606780800")
    result = run(
        "--plan", str(TINY / "build.yaml"), "--only", "neutral/handbook.pdf", "-q", "-o", str(tmp_path / "dated")
    )
    assert result.code == 0, result.err
    info = PdfReader(tmp_path / "dated/neutral/handbook.pdf").metadata
    assert info["/CreationDate"].startswith("D:20201201")


def test_alt_text_check_finds_an_image_without_it():
    """The check test_accessibility uses on the logo and the chart is real: an image without alt text is found."""
    import io

    from profilepress.pdf import html_to_pdf

    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    html = (
        f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        f'<img src="{pixel}" alt="a dot" width="20"><img src="{pixel}" width="20"></body></html>'
    )
    reader = PdfReader(io.BytesIO(html_to_pdf(html, ROOT, [TEMPLATES])))
    assert figure_count(reader) == 2
    assert figures_without_alt(reader) == 1
