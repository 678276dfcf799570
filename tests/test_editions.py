"""Tailored editions: role excerpts, workshop packets, brands, the build plan and the catalogue."""

from __future__ import annotations

import re
import shutil

import pikepdf
import pymupdf
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from profilepress.build import build
from profilepress.errors import ProfileErrors
from profilepress.inputs import load_inputs
from profilepress.load import load_brands, load_profile
from profilepress.project import BuildOptions, Project, Target

from conftest import ROOT, SHIPPED, TEMPLATES, TINY, text_of
from pdfcheck import figures_without_alt, page_texts, structure_elements


def project(out, **kw):
    return Project(SHIPPED, TEMPLATES, out, ROOT, **kw)


def make(out, *targets, **options):
    """These targets, in this process, with one job (as conftest.make)."""
    return build(project(out), BuildOptions(plan=targets, **{"jobs": 1, **options}))


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def content_stream(page) -> bytes:
    """What a page draws: its content stream, or its streams one after the other."""
    contents = page.obj["/Contents"]
    return b"\n".join(part.read_bytes() for part in (contents if isinstance(contents, pikepdf.Array) else [contents]))


def accent_rgb(hex_colour):
    return " ".join(f"{int(hex_colour[i : i + 2], 16) / 255:.6f}".rstrip("0").rstrip(".") for i in (1, 3, 5))


# --- roles ------------------------------------------------------------------------------------


def test_every_role_excerpt_holds_exactly_its_competencies(default_build, shipped_profile):
    """Every role's excerpt, as the default build makes it."""
    assert [r.id for r in shipped_profile.roles] == sorted(
        [
            "coach",
            "improvement-advisor",
            "technical-assistance-provider",
            "facilitator",
            "consultant",
            "mentor",
            "implementation-specialist",
        ]
    )
    for role in shipped_profile.roles:
        soup = soup_of(default_build / "neutral/roles" / f"{role.id}.html")
        articles = [a["id"] for a in soup.select("article.competency")]
        assert articles == [c.id for c in role.primary] + [c.id for c in role.supporting], role.id
        headings = [text_of(h) for h in soup.select("article.competency h3")]
        assert headings == [f"{c.code} {c.name}" for c in role.competencies]  # codes unchanged
        assert "An example mapping." in text_of(soup.select_one(".example-note"))
        assert "not part of the profile" in text_of(soup.select_one(".role-note"))
        assert [p.get("id") for p in soup.select("ul.principles > li")] == [p.id for p in shipped_profile.principles]
        sheets = [s["id"] for s in soup.select("section.ws-competency")]
        assert sheets == [f"ws-{c.id}" for c in role.competencies]
        # Each competency in full: every activity, verbatim.
        rows = [text_of(li.select_one(".activity-text")) for li in soup.select("article.competency li.activity")]
        assert rows == [a.text for c in role.competencies for a in c.activities]


def test_role_excerpt_pdf(default_build, shipped_profile):
    coach = next(r for r in shipped_profile.roles if r.id == "coach")
    with pymupdf.open(default_build / "neutral/roles/coach.pdf") as pdf:  # 234 pages: MuPDF reads them fast
        entries = pdf.get_toc()  # [level (1 at the top), title, page]
        text = " ".join(" ".join(page.get_text().split()) for page in pdf.pages(0, 3))
        sizes = {(round(page.mediabox.width), round(page.mediabox.height)) for page in pdf}
    competencies = [title for level, title, _ in entries if level == 2 and re.match(r"C\d+ ", title)]
    in_full, sheets = competencies[: len(coach.competencies)], competencies[len(coach.competencies) :]
    assert in_full == [f"{c.code} {c.name}" for c in coach.competencies]
    assert sheets[: len(coach.competencies)] == in_full  # then their worksheets
    assert "An example mapping." in text
    assert sizes == {(595, 842), (842, 595)}  # portrait text, landscape worksheets


def test_tailor_by_role_domain_competency_and_scale(run, tmp_path, shipped_profile):
    out = tmp_path / "out"
    result = run(
        "tailor",
        "--domain",
        "D3",
        "--competency",
        "C2",
        "--scale",
        "california-cpm",
        "--format",
        "html",
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    soup = soup_of(out / "neutral/tailored/c02-c12-c13-c14-c15.html")
    assert [a["id"] for a in soup.select("article.competency")] == [
        "brokering",
        "grow-and-sustain-relationships",
        "develop-teams",
        "build-capacity",
        "cultivate-leaders-and-champions",
    ]
    assert [text_of(th) for th in soup.select("#ws-brokering thead tr:nth-of-type(1) th.h-level")][:3] == [
        "Emerging",
        "Acquiring",
        "Accomplished",
    ]
    assert "A selection." in text_of(soup.select_one(".example-note"))
    result = run("tailor", "--role", "mentor", "--format", "html", "-o", str(out))
    assert result.code == 0, result.err
    assert (out / "neutral/tailored/mentor.html").is_file()
    assert not (ROOT / "profile_src/roles/tailored.yaml").exists()  # nothing was written to the sources


def test_tailor_refuses_unknown_codes_with_a_suggestion(run, tmp_path):
    result = run("tailor", "--competency", "C16", "-o", str(tmp_path))
    assert result.code == 1 and "unknown competency code 'C16'; did you mean 'C6'" in result.err
    result = run("tailor", "--role", "coahc", "-o", str(tmp_path))
    assert result.code == 1 and "unknown role 'coahc'; did you mean 'coach'" in result.err


def test_bad_role_file_is_located(profile_copy):
    path = profile_copy / "roles/coach.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("primary: [C12, C14, C5, C9]", "primary: [C12, C41, C5, C9]"),
        encoding="utf-8",
    )
    with pytest.raises(ProfileErrors) as info:
        load_profile(profile_copy)
    message = info.value.errors[0].format(relative_to=profile_copy)
    assert re.match(r"roles/coach\.yaml:\d+:\d+: error: unknown competency code 'C41'", message)
    assert "did you mean 'C4'" in message


# --- brands -----------------------------------------------------------------------------------


def test_brand_colours_and_logo_reach_html_and_pdf(default_build):
    soup = soup_of(default_build / "northwind/handbook.html")  # the brand's paper: US Letter
    assert "--accent: #0b5d4b;" in soup.style.string
    logo = soup.select_one("header.cover img.brand-logo")
    assert logo["src"].startswith("data:image/svg+xml;base64,")
    assert logo["alt"].startswith("Northwind Implementation Collaborative logo")
    assert soup.select_one("header.cover .brand-name") is None  # the logo carries the name: not twice
    assert "Northwind Implementation Collaborative reproduces the profile" in text_of(soup.select_one("#about"))
    assert "learning@northwind.example" in text_of(soup.select_one("footer.colophon"))
    # The profile's own text is untouched by the brand.
    assert "Northwind" not in " ".join(text_of(el) for el in soup.select("main"))

    path = default_build / "northwind/handbook.pdf"
    with pikepdf.open(path) as reader:
        figures = [node for role, node in structure_elements(reader) if role == "/Figure"]
        # the logo on the cover and on the back cover, with the publisher's contact and permission
        assert [str(f["/Alt"]) for f in figures] == [logo["alt"]] * 2 and figures_without_alt(reader) == 0
        assert len(reader.pages) % 2 == 0
        streams = " ".join(content_stream(page).decode("latin-1") for page in reader.pages[:10])
        assert f"{accent_rgb('#0b5d4b')} rg" in streams
        size = (float(reader.pages[0].mediabox[2]), float(reader.pages[0].mediabox[3]))
    texts = page_texts(path)
    back = " ".join(texts[-1].split())
    assert "learning@northwind.example" in back and "reproduces the profile for its own training" in back
    body = " ".join(texts[4:8])
    # the footer names the document beside the organisation's line
    assert (
        "Implementation Support Practitioner Profile · Northwind Implementation Collaborative · training edition"
        in " ".join(body.split())
    )
    assert size == (612.0, 792.0)


def test_the_sample_brands_font_sets_body_text_in_html_and_pdf(default_build, browser):
    import pymupdf

    with pymupdf.open(default_build / "northwind/handbook.pdf") as pdf:
        body = [
            span["font"]
            for page in pdf.pages(8, 12)
            for block in page.get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
            if span["size"] >= 9.5
        ]
    assert body and sum("Open-Sans" in f for f in body) / len(body) > 0.95, set(body)
    html = default_build / "northwind/handbook.html"
    source = html.read_text(encoding="utf-8")
    assert source.count('font-family: "Open Sans"; font-weight:') == 4 and "data:font/woff;base64," in source
    browser.viewport(1280)
    browser.open(html)
    family = browser.evaluate("getComputedStyle(document.querySelector('main p')).fontFamily")
    assert family.startswith('"Open Sans"'), family
    assert browser.evaluate("document.fonts.check('16px \"Open Sans\"')")
    loaded = browser.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => "
        "f.family.includes('Open Sans') && f.status === 'loaded').length)"
    )
    assert loaded >= 1


def brand_copy(tmp_path, edit):
    brands = tmp_path / "brands"
    shutil.copytree(ROOT / "brands", brands)
    path = brands / "northwind/brand.yaml"
    text = path.read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.split("\n")[0] in l)
    return brands, line


def test_low_contrast_brand_is_refused(tmp_path):
    brands, line = brand_copy(tmp_path, ('  accent: "#0b5d4b"', '  accent: "#9fd8c8"'))
    with pytest.raises(ProfileErrors) as info:
        load_brands(brands, tmp_path)
    message = info.value.errors[0].format(relative_to=tmp_path)
    assert message.startswith(
        f"brands/northwind/brand.yaml:{line}:11: error: accent #9fd8c8 on background #ffffff has a contrast of "
    )
    assert "needs at least 4.5:1 (WCAG AA)" in message


def test_missing_or_outside_logo_is_refused(tmp_path):
    brands, line = brand_copy(tmp_path, ("  file: logo.svg", "  file: missing-logo.png"))
    with pytest.raises(ProfileErrors) as info:
        load_brands(brands, tmp_path)
    assert (
        info.value.errors[0]
        .format(relative_to=tmp_path)
        .startswith(f"brands/northwind/brand.yaml:{line}:9: error: 'missing-logo.png' does not exist in northwind/")
    )
    for bad, message in (
        ("../../etc/logo.svg", "is outside the brand's folder"),
        ("https://example.com/logo.svg", "is not a file in the brand's folder"),
        ("/etc/passwd", "is not a file in the brand's folder"),
    ):
        brands, _ = brand_copy(
            tmp_path / bad.replace("/", "_").replace(":", ""), ("  file: logo.svg", f"  file: {bad}")
        )
        with pytest.raises(ProfileErrors) as info:
            load_brands(brands, tmp_path)
        assert message in info.value.errors[0].message


def test_svg_logo_with_live_text_is_refused_with_how_to_convert_it(tmp_path):
    brands, line = brand_copy(tmp_path, ("  file: logo.svg", "  file: logo.svg"))
    logo = brands / "northwind/logo.svg"
    logo.write_text(
        logo.read_text(encoding="utf-8").replace("</svg>", '<text x="70" y="29" font-size="22">Northwind</text></svg>'),
        encoding="utf-8",
    )
    with pytest.raises(ProfileErrors) as info:
        load_brands(brands, tmp_path)
    message = info.value.errors[0].format(relative_to=tmp_path)
    assert message.startswith(f"brands/northwind/brand.yaml:{line}:")
    assert "live text (<text>)" in message and "convert the text to paths" in message
    load_brands(ROOT / "brands", ROOT)  # the shipped logo is drawn as paths: accepted


def test_unquoted_colour_is_explained(tmp_path):
    brands, line = brand_copy(tmp_path, ('  text: "#18211f"', "  text: #18211f"))
    with pytest.raises(ProfileErrors) as info:
        load_brands(brands, tmp_path)
    message = info.value.errors[0].format(relative_to=tmp_path)
    assert f"brand.yaml:{line}:" in message and "colours.text" in message


# --- the build plan and the catalogue ----------------------------------------------------------


def test_list_shows_every_target_of_the_default_plan(run):
    result = run("--list")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1] == "69 targets"
    paths = [line.split()[-1] for line in lines[:-1]]
    assert len(paths) == len(set(paths)) == 69
    for expected in (
        "output/neutral/handbook.pdf",
        "output/neutral/worksheets/profile-fillable.pdf",
        "output/neutral/roles/coach.pdf",
        "output/neutral/packets/introduction-half-day-trainer.pdf",
        "output/northwind/handbook.pdf",
        "output/northwind/packets/introduction-half-day.pdf",
        "output/neutral/packets/introduction-half-day-slides.html",
        "output/northwind/packets/introduction-half-day-slides.pdf",
    ):
        assert expected in paths
    northwind = [line for line in lines if "output/northwind/" in line]
    assert northwind and all(" letter " in line for line in northwind)  # the brand's default paper


def plan_copy(tmp_path, old, new):
    text = (ROOT / "build.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new) + f"profile: {SHIPPED}\npackets: {ROOT / 'packets'}\n"
    (tmp_path / "build.yaml").write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), 1) if new.strip().split("\n")[0] in l)
    return tmp_path / "build.yaml", line


def test_two_targets_on_one_path_are_an_error(run, tmp_path):
    plan, _ = plan_copy(tmp_path, "        roles: all", "        roles: [coach, mentor, coach]")
    result = run("--plan", str(plan), "--source", str(SHIPPED), "--list")
    assert result.code == 1
    assert "two targets would write the same file, neutral/roles/coach.html" in result.err


def test_unknown_brand_role_or_packet_in_the_plan(run, tmp_path):
    plan, line = plan_copy(
        tmp_path,
        "packet: introduction-half-day\n        trainer: true\n        slides: true",
        "packet: introduction-halfday\n        trainer: true\n        slides: true",
    )
    result = run("--plan", str(plan), "--source", str(SHIPPED), "--list")
    assert result.code == 1
    assert f"build.yaml:{line}:17: error: unknown packet 'introduction-halfday'" in result.err
    assert "did you mean 'introduction-half-day'" in result.err
    plan, line = plan_copy(tmp_path, "  - brand: northwind", "  - brand: northwnd")
    result = run("--plan", str(plan), "--source", str(SHIPPED), "--list")
    assert (
        f"build.yaml:{line}:12: error: unknown brand 'northwnd'" in result.err
        and "did you mean 'northwind'" in result.err
    )


def test_catalogue_lists_what_was_built(tiny_build):
    """The tiny profile's plan, built once for the test run (conftest's tiny_build)."""
    folder, _ = tiny_build
    soup = soup_of(folder / "index.html")
    rows = [[text_of(td) for td in tr.select("th, td")] for tr in soup.select("tbody tr")]
    assert len(rows) == 9
    handbook_pdf = next(r for r in rows if r[0] == "Handbook" and r[1] == "PDF")
    assert int(handbook_pdf[3]) == len(PdfReader(folder / "neutral/handbook.pdf").pages)
    assert handbook_pdf[4].endswith("KB")
    links = [a["href"] for a in soup.select("tbody a")]
    assert links and all((folder / link).is_file() for link in links)
    assert "neutral/" not in text_of(soup.select_one("main"))  # documents named, never folders


@pytest.mark.parametrize("width", [320, 1280])
def test_the_catalogue_fits_a_phone_and_a_desktop(tiny_build, browser, width):
    """The page never scrolls sideways: a table too wide for the screen scrolls inside its own region."""
    folder, _ = tiny_build
    browser.viewport(width)
    browser.open(folder / "index.html")
    page = browser.evaluate("document.documentElement.scrollWidth")
    assert page <= width, f"the catalogue is {page} px wide at {width} px"
    # Every document's format, paper, pages and size in view, none printed over another: on a phone each is named.
    hidden = browser.evaluate("""[...document.querySelectorAll('.catalogue-table tbody td')].filter(td =>
        td.textContent.trim() && (td.getBoundingClientRect().right > innerWidth + 0.5 || td.scrollWidth > td.clientWidth + 1)
      ).map(td => td.textContent.trim())""")
    assert not hidden, f"at {width} px, out of view or overprinted: {hidden}"


def test_inputs_load_every_brand_and_packet():
    inputs = load_inputs(Project(SHIPPED, TEMPLATES, ROOT / "output", ROOT), BuildOptions())
    assert sorted(inputs.brands) == ["neutral", "northwind"]
    assert list(inputs.packets) == ["introduction-half-day"]
    assert inputs.brands["northwind"].paper == "letter" and inputs.brands["neutral"].logo is None


def test_a_brand_with_its_own_font(tmp_path):
    """A brand's font files (inside its folder) are embedded in its PDFs, fetched through the safe fetcher."""
    shutil.copytree(ROOT / "brands", tmp_path / "brands")
    shutil.copytree(ROOT / "fonts", tmp_path / "fonts")
    shutil.copytree(ROOT / "scales", tmp_path / "scales")
    shutil.copy(
        ROOT / "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Bold.ttf",
        tmp_path / "brands/northwind/fonts/BrandSans-Regular.ttf",
    )
    path = tmp_path / "brands/northwind/brand.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("font:"), text.index("paper:")
    path.write_text(
        text[:start] + "font:\n  family: Brand Sans\n  files:\n    regular: fonts/BrandSans-Regular.ttf\n" + text[end:],
        encoding="utf-8",
    )
    from profilepress.document import document_html
    from profilepress.pdf import RenderLog, html_to_pdf
    from profilepress.render import Renderer

    project = Project(TINY, TEMPLATES, tmp_path / "out", tmp_path)  # a small handbook: the font is what is looked at
    inputs = load_inputs(project, BuildOptions(), with_build_file=False, with_packets=False)
    target = Target("nw.pdf", "handbook", "pdf", brand="northwind", paper="letter")
    html = document_html(inputs, target, BuildOptions(), Renderer(TEMPLATES))
    assert (
        '@font-face { font-family: "Brand Sans"; font-weight: 400; font-style: normal; '
        'src: url("brands/northwind/fonts/BrandSans-Regular.ttf"); }' in html
    )
    log = RenderLog()
    html_to_pdf(html, tmp_path, project.asset_dirs, log)
    assert tmp_path / "brands/northwind/fonts/BrandSans-Regular.ttf" in log.fetched


def test_interface_spelling_follows_the_brands_locale(default_build, tmp_path):
    """Northwind says locale en-US: its editions spell the interface the American way; the profile is untouched."""
    from profilepress.document import document_html
    from profilepress.render import Renderer

    us = soup_of(default_build / "northwind/handbook.html")
    gb = soup_of(default_build / "neutral/handbook.html")
    assert [text_of(dt) for dt in us.select("#about dt")][0] == "License"
    assert [text_of(dt) for dt in gb.select("#about dt")][0] == "Licence"
    assert text_of(us.select_one("main")) == text_of(gb.select_one("main"))  # the profile's own words
    project = Project(SHIPPED, TEMPLATES, tmp_path / "out", ROOT)
    inputs = load_inputs(project, BuildOptions(), with_build_file=False, with_packets=False)
    sheet = BeautifulSoup(
        document_html(
            inputs, Target("w.html", "worksheet", "html", brand="northwind"), BuildOptions(), Renderer(TEMPLATES)
        ),
        "html.parser",
    )
    labels = [text_of(label) for label in sheet.select(".who .field-label")]
    assert "Organization" in labels and "Organisation" not in labels
    assert "your organization will say" in text_of(sheet)


def test_a_locale_without_a_catalogue_is_refused(tmp_path):
    brands, line = brand_copy(tmp_path, ("locale: en-US", "locale: fr"))
    with pytest.raises(ProfileErrors) as info:
        load_brands(brands, tmp_path)
    message = info.value.errors[0].format(relative_to=tmp_path)
    assert message.startswith(f"brands/northwind/brand.yaml:{line}:")
    assert "no interface catalogue for locale 'fr'" in message and "choose one of: en-GB, en-US" in message


def test_the_catalogue_names_each_pdfs_paper_and_the_slides_shape(default_build):
    soup = soup_of(default_build / "index.html")
    paper = {
        tr.select_one("a")["href"]: text_of(tr.select("td")[1])
        for tr in soup.select("tbody tr")
        if tr.select_one("a")["href"].endswith(".pdf")
    }
    assert paper["neutral/handbook.pdf"] == "A4" and paper["northwind/handbook.pdf"] == "Letter"
    slides = [href for href in paper if href.endswith("-slides.pdf")]
    assert slides and all(paper[href] == "Slides, 16:9" for href in slides), {h: paper[h] for h in slides}
