"""Accessibility gates, on the default build: one document of each kind, brand and scope.

* the HTML documents pass axe-core's WCAG 2.1 A and AA rules in headless Chromium;
* the PDFs are tagged (PDF/UA-1), show their title in the window, have a language
  and bookmarks, give every image alternative text, and announce every table cell
  with its own headers;
* every colour pair used for text, in the theme and in every brand, reaches 4.5:1.

What is sampled, and why that is enough: documents of one kind are made by one template
(a competency's worksheet, for instance, is the same macro whatever the competency), so a
rule broken by a template is broken in every document of its kind, and one of each kind,
brand and scope shows it. What varies with the content is covered by the documents that
hold it: the handbooks carry every competency and activity (plain and with sub-items), the
brand's handbook its logo, colours, font and Letter paper, the collected summary its chart.
A domain's worksheet stands for the whole profile's: the same sections, made by the same
macros, a third as many (axe-core takes 9 s of CPU over the whole one); D2's holds the
activities with sub-items and tables carried over pages. The plan's outputs are still
counted, so a document kind added to the plan fails here until it is sampled too.
"""

from __future__ import annotations

import re
from functools import cache

import pikepdf

from profilepress.theme import AA_TEXT

from conftest import ROOT
from pdfcheck import figure_count, figures_without_alt, tables

# One HTML document of each kind and brand: 11 of the 34.
HTML_SAMPLE = (
    "index.html",  # the catalogue
    "neutral/handbook.html",  # every competency and activity
    "northwind/handbook.html",  # a brand: its colours, logo and font
    "neutral/worksheets/d01-co-creation-and-engagement.html",  # a domain's competencies' rating tables and fields
    "neutral/worksheets/c09-facilitation.html",  # one competency (activities with sub-items)
    "neutral/roles/coach.html",  # a role excerpt
    "neutral/packets/introduction-half-day.html",  # the packet
    "neutral/packets/introduction-half-day-trainer.html",  # the trainer's edition
    "neutral/packets/introduction-half-day-slides.html",  # the slides
    "summary/summary.html",  # what collect writes: the summary, with its chart
    "summary/people/ada-example.html",  # and a person's report
)
# One PDF of each kind, scope, form and brand: 13 of the 40.
PDF_SAMPLE = (
    "neutral/handbook.pdf",
    "northwind/handbook.pdf",  # a brand: logo (figures), its font, US Letter
    "neutral/worksheets/d02-ongoing-improvement-fillable.pdf",  # rating tables as form fields, sub-items; continued
    "neutral/worksheets/d01-co-creation-and-engagement.pdf",  # printable, one domain, its summary sheet
    "neutral/worksheets/c01-co-learning-fillable.pdf",  # one competency
    "neutral/roles/coach.pdf",  # a role excerpt: the role's table, its competencies and their worksheets
    "neutral/packets/introduction-half-day.pdf",
    "neutral/packets/introduction-half-day-trainer.pdf",
    "neutral/packets/introduction-half-day-slides.pdf",
    "northwind/packets/introduction-half-day-trainer.pdf",  # the brand's packet on Letter
    "northwind/packets/introduction-half-day-slides.pdf",
    "summary/summary.pdf",  # a chart (a figure)
    "summary/people/ada-example.pdf",
)


@cache
def read(path) -> pikepdf.Pdf:
    """A PDF read once for the file, with qpdf (pikepdf): its tag tree is walked several times."""
    return pikepdf.open(path)


def test_html_documents_of_every_kind_pass_axe_wcag_21_aa(default_build, browser):
    """HTML_SAMPLE, one page of each kind and brand (see the module's docstring for why that is enough)."""
    pages = sorted(str(p.relative_to(default_build)) for p in default_build.rglob("*.html"))
    assert len(pages) == 31 + 3  # the plan's 31 HTML documents, the catalogue, the summary, one person's report
    assert set(HTML_SAMPLE) <= set(pages)
    violations = {page: browser.axe(default_build / page) for page in HTML_SAMPLE}
    failing = {page: [(v["id"], v["impact"], v["nodes"]) for v in found] for page, found in violations.items() if found}
    assert not failing, failing


def test_axe_gate_catches_a_violation(tmp_path, browser):
    """The gate is real: a page with an unlabelled input and low-contrast text fails it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><main><input type="text">'
        '<p style="color:#bbb">faint</p></main></body></html>',
        encoding="utf-8",
    )
    found = {v["id"] for v in browser.axe(page)}
    assert {"label", "color-contrast", "html-has-lang"} <= found


def test_pdfs_of_every_kind_are_tagged_titled_in_their_language_with_bookmarks(default_build):
    """PDF_SAMPLE, one PDF of each kind, scope, form and brand: the document-level settings (tags, PDF/UA,
    title, language) are written for every PDF by one function, and bookmarks and figures come from each kind's
    headings and images, which the sample holds (see the module's docstring)."""
    pdfs = sorted(str(p.relative_to(default_build)) for p in default_build.rglob("*.pdf"))
    assert len(pdfs) == 38 + 2  # the plan's 38, and the summary and one person's report
    assert set(PDF_SAMPLE) <= set(pdfs)
    for name in PDF_SAMPLE:
        reader = read(default_build / name)
        root = reader.Root
        assert root["/MarkInfo"]["/Marked"] is True and "/StructTreeRoot" in root, name
        assert 'pdfuaid:part="1"' in root["/Metadata"].read_bytes().decode("utf-8"), name
        assert str(reader.docinfo.get("/Title", "")).strip(), name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] is True, name
        assert root["/Lang"] == ("en-US" if name.startswith("northwind/") else "en-GB"), name  # the interface's
        with reader.open_outline() as outline:
            assert outline.root, name
        assert figures_without_alt(reader) == 0, name


def test_logos_and_charts_carry_their_alternative_text(default_build):
    logo = read(default_build / "northwind/handbook.pdf")
    chart = read(default_build / "summary/summary.pdf")
    assert figure_count(logo) >= 1 and figures_without_alt(logo) == 0
    assert figure_count(chart) >= 1 and figures_without_alt(chart) == 0


def _wcag_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1's contrast ratio, computed here (not by the engine's own function)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_edition_sets_its_text_in_colours_that_reach_aa(default_build):
    """The colours each brand's handbook is actually set in (its CSS custom properties), checked with WCAG's
    formula: text, muted text and the accent on the paper, and text on the accent."""
    assert round(_wcag_ratio("#767676", "#ffffff"), 2) == 4.54  # the formula, against a known value
    editions = sorted(default_build.glob("*/handbook.html"))
    assert {p.parent.name for p in editions} >= {"neutral", "northwind"}
    for page in editions:
        html = page.read_text(encoding="utf-8")
        colours = dict(re.findall(r"--(accent|ink|muted|paper|on-accent):\s*(#[0-9a-fA-F]{6})", html))
        assert len(colours) == 5, (page, colours)
        for fg, bg in (("ink", "paper"), ("muted", "paper"), ("accent", "paper"), ("on-accent", "accent")):
            ratio = _wcag_ratio(colours[fg], colours[bg])
            assert ratio >= 4.5, f"{page.parent.name}: {fg} {colours[fg]} on {bg} {colours[bg]} is {ratio:.2f}:1"


CSS_COLOUR = re.compile(r"(?<![-\w])color\s*:\s*([^;}]+)")
# A text colour is a hex colour (checked here), one of the theme's or the brand's custom properties (checked per
# edition above), or the parent's: a named colour, rgb() or a colour with transparency would escape the check.
CHECKABLE = re.compile(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|var\(--[\w-]+\)|inherit|currentColor")


def test_every_text_colour_in_the_templates_reaches_aa_on_white():
    """Text colours written in the stylesheets (page furniture, captions) are on white pages."""
    found, unknown = [], []
    for css in (ROOT / "templates/css").glob("*.css"):
        for value in CSS_COLOUR.findall(css.read_text(encoding="utf-8")):
            colour = value.strip().removesuffix("!important").strip()
            if not CHECKABLE.fullmatch(colour):
                unknown.append((css.name, colour))
            elif colour.startswith("#"):
                full = colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])
                found.append((css.name, full, _wcag_ratio(full, "#ffffff")))
    assert not unknown, f"text colours this test cannot check: {unknown}"
    assert len(found) >= 10
    assert all(ratio >= AA_TEXT for _, _, ratio in found), [f for f in found if f[2] < AA_TEXT]


def test_tiny_profile_html_passes_axe_too(tiny_build, browser):
    """Another profile (another language tag, no subtitle, a domain of two competencies): where its content shows
    differently, its handbook and whole-profile worksheet (holding both competencies' worksheets). Its catalogue,
    role excerpt and packet are made by the templates the shipped sample above already passes through axe."""
    out, _ = tiny_build
    pages = ["neutral/handbook.html", "neutral/worksheets/profile.html"]
    failing = {page: browser.axe(out / page) for page in pages}
    assert not any(failing.values()), failing


def test_every_table_cell_is_announced_with_the_headers_of_its_own_column_and_row(default_build):
    """In the PDFs of every kind, each cell's /Headers name the header cells above it in its columns and left of it
    in its row, as the table is laid out (spans counted), and each header cell says whether it heads a column or a
    row. The sample's tables: every competency's rating table (fillable and printable, tables carried over pages),
    the role's table, the packets' agenda, action plan and evaluation, the summary's and the report's results."""
    with_tables = set()
    for name in PDF_SAMPLE:
        path = default_build / name
        for cells in tables(read(path), with_text=False):
            with_tables.add(name)
            for cell in cells:
                if cell["role"] == "TH":
                    assert cell["scope"] in ("/Column", "/Row", "/Rowgroup"), path.name
                    continue
                above = {
                    c["id"]
                    for c in cells
                    if c["role"] == "TH"
                    and c["scope"] == "/Column"
                    and c["row"] < cell["row"]
                    and c["col"] < cell["col"] + cell["cols"]
                    and cell["col"] < c["col"] + c["cols"]
                }
                left = {
                    c["id"]
                    for c in cells
                    if c["role"] == "TH"
                    and c["scope"] == "/Row"
                    and c["col"] < cell["col"]
                    and c["row"] <= cell["row"] < c["row"] + c["rows"]
                }
                assert above | left <= set(cell["headers"]), (path.name, cell["row"], cell["col"])
                assert set(cell["headers"]) <= {c["id"] for c in cells if c["role"] == "TH"}, path.name
    assert with_tables == {n for n in PDF_SAMPLE if "handbook" not in n and "slides" not in n}  # tables to check
