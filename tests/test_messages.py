"""The interface's words go through the catalogues; the profile's words (and its vocabulary) never do.

Documents of the tiny profile are built, in this process, in an edition whose brand chooses the locale:
the pseudo-locale (every catalogued message wrapped in ⟦ ⟧: what is left unwrapped, once the profile's own
text is taken out, reached the document without the catalogue), Spanish and US English.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml
from babel.messages import checkers
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from pypdf import PdfReader

from profilepress import load as load_module
from profilepress import messages, sources
from profilepress.load import load_profile
from profilepress.project import Target

from conftest import ROOT, SHIPPED, TEMPLATES, TINY, cli, handbook, make, text_of, worksheets
from pdfcheck import languages

LOCALES = ROOT / "locales"
ATTRIBUTES = ("aria-label", "alt", "title", "data-label", "data-round-1", "data-round-2", "aria-roledescription")


def edition_targets(source: Path) -> list[Target]:
    """One document of every kind the tiny profile makes, in HTML, and its handbook in PDF."""
    return [
        *handbook("html", "pdf"),
        *worksheets(source, "profile", "html"),
        *worksheets(source, "competency", "html"),
        Target("roles/buddy.html", "excerpt", "html", role="buddy"),
        Target("packet.html", "packet", "html", packet="listening-hour"),
        Target("packet-trainer.html", "packet", "html", packet="listening-hour", trainer=True),
        Target("slides.html", "slides", "html", packet="listening-hour"),
    ]


def build_in(locale: str, out: Path, monkeypatch, source: Path = TINY, targets: list[Target] | None = None) -> Path:
    """The tiny profile's documents in an edition whose interface is ``locale``."""
    load_brands = load_module.load_brands

    def brands_in_locale(folder, root):
        return {bid: dataclasses.replace(b, locale=locale) for bid, b in load_brands(folder, root).items()}

    monkeypatch.setattr(load_module, "load_brands", brands_in_locale)
    make(source, out, targets if targets is not None else edition_targets(source), scale="california-cpm")
    return out


def shown_text(path: Path) -> list[str]:
    """Every piece of text a reader sees or hears: text, the attributes a screen reader speaks, what the
    page's script shows (its MESSAGES) and the page furniture's words (CSS content strings)."""
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        texts = [page.extract_text() for page in reader.pages]

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item)
                else:
                    yield item.title

        return [*texts, *walk(reader.outline), str(reader.metadata.title)]
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    pieces = []
    for script in soup.find_all("script"):
        found = re.search(r"var MESSAGES = (\{.*?\});", script.string or "")
        pieces += list(yaml.safe_load(found.group(1)).values()) if found else []
        script.decompose()
    for style in soup.find_all("style"):
        for value in re.findall(r"content:\s*([^;}]*)", style.string or ""):  # its quoted strings: the words
            pieces.append("".join(re.findall(r'"([^"]*)"', value)))
        style.decompose()
    pieces.append(text_of(soup))
    for element in soup.find_all(True):
        pieces += [str(element[name]) for name in ATTRIBUTES if element.has_attr(name)]
    meta = soup.find("meta", attrs={"name": "description"})
    pieces.append(meta["content"] if meta else "")
    return pieces


def profile_words(source: Path) -> list[str]:
    """Every string of the profile's sources, its packet recipes and its scale: the profile's own words."""
    found: list[str] = []

    def gather(value):
        if isinstance(value, str):
            found.extend([value, re.sub(r"[*_`]", "", value)])
        elif isinstance(value, dict):
            for item in value.values():
                gather(item)
        elif isinstance(value, list):
            for item in value:
                gather(item)

    for path in [*source.rglob("*.yaml"), ROOT / "scales/california-cpm.yaml"]:
        gather(yaml.safe_load(path.read_text(encoding="utf-8")))
    # What the profile and its scale say by default, when their files say nothing: their words too.
    vocabulary = load_profile(source).vocabulary
    for term in (vocabulary.description, vocabulary.activities, vocabulary.principle.many, vocabulary.domain.many):
        found += [term, term[:1].upper() + term[1:], term.upper()]
    found.append(sources.ScaleFile.model_fields["not_applicable"].default)
    return sorted(set(found), key=len, reverse=True)


def without(text: str, words: list[str]) -> str:
    text = " ".join(text.split())
    for word in words:
        text = text.replace(" ".join(word.split()), " ")
    return text


@pytest.fixture(scope="module")
def pseudo_build(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return build_in(messages.PSEUDO_LOCALE, tmp_path_factory.mktemp("pseudo"), monkeypatch)


@pytest.fixture(scope="module")
def spanish_build(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return build_in("es", tmp_path_factory.mktemp("es"), monkeypatch)


def outside_the_catalogue(folder: Path, words: list[str]) -> dict[str, set[str]]:
    """In the documents under ``folder`` built in the pseudo-locale: each document's words that are neither in
    a catalogued message (⟦ ⟧) nor the profile's own ``words``."""
    unwrapped: dict[str, set[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".pdf")):
        for piece in shown_text(path):
            text = " ".join(str(piece).split())
            while True:  # innermost first: a message can hold another (a heading inside a caption)
                shorter = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
                if shorter == text:
                    break
                text = shorter
            left = re.findall(r"[^\W\d_]{2,}", without(text, words))
            if left:
                unwrapped.setdefault(path.relative_to(folder).as_posix(), set()).update(left)
    return unwrapped


def test_every_interface_string_reaches_the_documents_through_the_catalogue(pseudo_build):
    unwrapped = outside_the_catalogue(pseudo_build, profile_words(TINY))
    assert not unwrapped, f"interface text outside the catalogue: {unwrapped}"


def catalogue_in(locale: str, folder: Path, monkeypatch) -> Path:
    """The catalogue page (index.html) of a whole build of the tiny profile's plan (its HTML documents), in an
    edition whose interface is ``locale``."""
    source = folder / "tiny"
    shutil.copytree(TINY, source)
    plan = source / "build.yaml"
    plan.write_text(re.sub(r"formats: \[[^]]*\]", "formats: [html]", plan.read_text(encoding="utf-8")), "utf-8")
    load_brands = load_module.load_brands
    monkeypatch.setattr(
        load_module,
        "load_brands",
        lambda *args: {bid: dataclasses.replace(b, locale=locale) for bid, b in load_brands(*args).items()},
    )
    built = cli("--plan", str(plan), "-o", str(folder / "out"), "-j", "1")
    assert built.code == 0, built.err
    page = folder / "out" / "index.html"
    assert page.is_file()
    return page


def test_the_catalogue_page_speaks_the_interfaces_language(tmp_path, monkeypatch):
    """The list of what a build made (index.html): its title, its documents' names, formats, papers and sizes
    go through the catalogue too (the pseudo-locale), and read as Spanish in a Spanish interface."""
    pseudo = catalogue_in(messages.PSEUDO_LOCALE, tmp_path / "pseudo", monkeypatch)
    unwrapped = outside_the_catalogue(pseudo.parent, profile_words(TINY))
    assert not unwrapped.get("index.html"), f"interface text outside the catalogue: {unwrapped['index.html']}"
    spanish = BeautifulSoup(catalogue_in("es", tmp_path / "es", monkeypatch).read_text("utf-8"), "lxml")
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in spanish.select("tbody tr")]
    assert rows[0][:2] == ["Manual", "HTML"]
    assert any(row[0] == "Hoja de trabajo: todo el perfil" for row in rows), rows
    assert any(row[0] == "Extracto por rol: Buddy" for row in rows), rows
    assert text_of(spanish.select_one("title")).startswith("Documentos: ")
    assert not any(english in text_of(spanish) for english in ("Handbook", "Worksheet", "Neutral edition", "bytes"))


def english_fragments() -> set[str]:
    """The English catalogue's messages, in the pieces a document shows them (between placeholders and
    markup), of two words or more."""
    with (LOCALES / "en_US/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    pieces = set()
    for message in catalogue:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            for piece in re.split(r"%\(\w+\)s|<[^>]+>", text):
                piece = " ".join(piece.split()).strip(" .,:;()")
                if piece and len(piece.split()) >= 2:
                    pieces.add(piece)
    return pieces


def test_the_spanish_edition_has_no_english_interface_string(spanish_build):
    words = profile_words(TINY)
    english = english_fragments()
    assert "Save answers to a file" in english  # the scan knows the interface's words
    found = {}
    for path in sorted(p for p in spanish_build.rglob("*") if p.suffix in (".html", ".pdf")):
        text = " ".join(without(" ".join(map(str, shown_text(path))), words).split())
        hits = {piece for piece in english if piece in text}
        if hits:
            found[path.relative_to(spanish_build).as_posix()] = hits
    assert not found, f"English interface text in the Spanish edition: {found}"
    soup = BeautifulSoup((spanish_build / "worksheets/profile.html").read_text(encoding="utf-8"), "html.parser")
    assert "Guardar respuestas en un archivo" in text_of(soup.select_one("#save-answers"))


def test_the_profiles_text_carries_its_own_language_when_the_interface_differs(spanish_build):
    soup = BeautifulSoup((spanish_build / "handbook.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "es"
    assert soup.select_one("h2#about-heading").get_text() == "Acerca de esta edición"
    for element in soup.select("article.competency, #introduction, .citation, .cover .title"):
        assert element.find_parent(attrs={"lang": "en-GB"}) or element.get("lang") == "en-GB", element.name
    # The PDF's language is the interface's; the profile's words are tagged with their own (pdftags.tag_languages).
    with pikepdf.open(spanish_build / "handbook.pdf") as pdf:
        assert str(pdf.Root.Lang) == "es"
    tagged = languages(PdfReader(spanish_build / "handbook.pdf"))
    for words in ("Active listening", "Ask open questions", "Mentors give their full attention.", "Be Patient"):
        assert [lang for text, lang in tagged if words in text] and all(
            lang == "en-GB" for text, lang in tagged if words in text
        ), words
    assert all(lang == "es" for text, lang in tagged if "Acerca de esta edición" in text)


def test_a_passages_language_reaches_the_pdfs_tags_nested_as_in_the_html(tmp_path):
    """An element's lang becomes its structure element's /Lang, inherited by what it holds, overridden inside."""
    from profilepress.pdf import html_to_pdf

    html = (
        '<html lang="es"><head><title>t</title></head><body><h1>Escucha</h1>'
        '<p>Dice <span lang="en-GB">Active listening</span> en inglés.</p>'
        '<section lang="en-GB"><h2>Reflecting back</h2><ul><li>Say back</li><li lang="es">Devolver</li></ul></section>'
        "</body></html>"
    )
    tagged = languages(PdfReader(io.BytesIO(html_to_pdf(html, tmp_path, [tmp_path]))))
    assert ("Escucha", "es") in tagged and ("Active listening", "en-GB") in tagged
    assert ("Reflecting back", "en-GB") in tagged and ("Say back", "en-GB") in tagged and ("Devolver", "es") in tagged
    assert all(lang == "es" for text, lang in tagged if "Dice" in text or "en inglés" in text)


def test_us_english_spells_organization_and_license(tmp_path, monkeypatch):
    out = build_in("en-US", tmp_path, monkeypatch, targets=[*handbook("html"), *worksheets(TINY, "profile", "html")])
    sheet = text_of(BeautifulSoup((out / "worksheets/profile.html").read_text(encoding="utf-8"), "html.parser"))
    book = text_of(BeautifulSoup((out / "handbook.html").read_text(encoding="utf-8"), "html.parser"))
    assert "Organization" in sheet and "Organisation" not in sheet
    assert "License" in book and "Licence" not in book
    assert "Check Priority" in sheet and "Tick" not in sheet


def test_the_northwind_edition_is_us_english(default_build):
    soup = BeautifulSoup((default_build / "northwind/handbook.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "en-US"
    assert "License" in text_of(soup.select_one("#about")) and "Licence" not in text_of(soup)


def test_catalogues_are_complete_and_keep_every_placeholder():
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    for locale in ("en_US", "es"):
        with (LOCALES / locale / "LC_MESSAGES/messages.po").open("rb") as handle:
            catalogue = read_po(handle)
        translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
        assert template <= translated, f"{locale} lacks {template - translated}"
        for message in catalogue:
            if message.id:
                checkers.python_format(catalogue, message)  # raises on a placeholder lost or added


def test_paper_follows_the_locale_unless_the_brand_says(tmp_path):
    from profilepress.load import load_brands

    brands = tmp_path / "brands"
    for name, lines in {"us": "locale: en-US\n", "es": "locale: es\n", "us-a4": "locale: en-US\npaper: a4\n"}.items():
        (brands / name).mkdir(parents=True)
        (brands / name / "brand.yaml").write_text(f"name: {name}\n{lines}", encoding="utf-8")
    loaded = load_brands(brands, tmp_path)
    assert (loaded["us"].paper, loaded["es"].paper, loaded["us-a4"].paper) == ("letter", "a4", "a4")


# --- the profile's vocabulary and provenance ------------------------------------------------------------


def test_no_template_holds_a_word_of_the_bundled_profile():
    declared = yaml.safe_load((SHIPPED / "profile.yaml").read_text(encoding="utf-8"))
    vocabulary = declared["vocabulary"]
    words = {vocabulary["description"], vocabulary["activities"], declared["title"], declared["short_title"]}
    for part in ("principle", "domain", "competency"):
        words |= {vocabulary[part]["one"], vocabulary[part]["many"]}
    defaults = {"principle", "principles", "domain", "domains", "competency", "competencies"}
    own = {w.lower() for w in words - defaults} | {"implementation support", "isp "}
    assert {"core component", "core activities", "guiding principles"} <= own
    found = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for word in own
        if word in path.read_text(encoding="utf-8").lower()
    ]
    assert not found


def test_an_organisations_own_profile_is_not_said_to_be_reproduced(tmp_path):
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    path = source / "profile.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "rights:",
            "provenance: own\nvocabulary:\n  competency: {one: skill, many: skills}\n"
            "  description: what it looks like\n  activities: what a mentor does\nrights:",
        ),
        encoding="utf-8",
    )
    make(source, tmp_path / "out", handbook("html"))
    soup = BeautifulSoup((tmp_path / "out/handbook.html").read_text(encoding="utf-8"), "html.parser")
    text = text_of(soup)
    for reproduced in ("word for word", "not part of the profile", "Reproduced"):
        assert reproduced not in text
    competency = soup.select_one("article.competency")
    assert [text_of(h) for h in competency.select("h4")] == ["What it looks like", "What a mentor does"]
    assert "Cite it as" in text_of(soup.select_one("footer.colophon"))


def test_the_bundled_profiles_vocabulary_reaches_its_documents(shipped_handbook):
    competency = shipped_handbook.select_one("article.competency")
    assert [text_of(h) for h in competency.select("h4")] == ["Core component", "Core activities"]
    assert "reproduces the text of the following profile word for word" in text_of(shipped_handbook)


def test_a_spanish_summary_writes_numbers_as_spanish_readers_do_and_marks_the_profiles_words(
    run, tmp_path, monkeypatch
):
    """collect's summary and reports in an edition whose interface is Spanish (the profile's text, in English,
    marked with its language; the scale's cited labels with theirs): the averages and the change written with a
    decimal comma. The figures are those of test_collect's paired change (1.3 → 2.7, +1.4 in English)."""
    from profilepress import forms
    from profilepress.load import load_scales

    load_brands = load_module.load_brands
    monkeypatch.setattr(
        load_module,
        "load_brands",
        lambda folder, root: {k: dataclasses.replace(b, locale="es") for k, b in load_brands(folder, root).items()},
    )
    profile = load_profile(TINY)
    scale = load_scales([ROOT / "scales"])["california-cpm"]
    identity = json.loads(forms.identity(profile, scale, profile.competencies).to_json())
    answers = {
        "ada": {
            "name": "Ada",
            "M1_1_r1": "emerging",
            "M1_2_r1": "acquiring",
            "M1_1_r2": "accomplished",
            "M1_2_r2": "acquiring",
        },
        "ben": {"name": "Ben", "M1_1_r1": "emerging", "M1_1_r2": "accomplished"},
        "dee": {"name": "Dee", "M1_1_r1": "accomplished"},
    }
    files = []
    for name, fields in answers.items():
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(
            json.dumps(
                {
                    "format": "profilepress-worksheet-answers",
                    "format_version": 1,
                    "worksheet": identity,
                    "fields": fields,
                }
            ),
            encoding="utf-8",
        )
    result = run(
        "collect",
        *map(str, files),
        "--source",
        str(TINY),
        "--into",
        str(tmp_path / "out"),
        "--format",
        "html",
    )
    assert result.code == 0, result.err
    soup = BeautifulSoup((tmp_path / "out/summary.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "es"
    body = next(tb for tb in soup.select("table.results tbody") if text_of(tb.th).startswith("M1 "))
    first, second = ([text_of(td) for td in tr.select("td")] for tr in body.select("tr"))
    assert first[-2:] == ["1,3 → 2,7, +1,4 (n = 2)", ""] and "1,8" in first and "2,7" in second
    assert body.th.select_one('[lang="en-GB"]').get_text() == "Active listening"
    heads = soup.select("table.results thead th")
    assert [th.select_one("[lang]").get("lang") for th in heads if text_of(th) == "Emerging"] == ["en"]
    assert "Sin ocasión / N/A" in [text_of(th) for th in heads]
    assert "en inglés" in text_of(soup.select_one("header"))  # the cited labels are said to be in English
    report = BeautifulSoup((tmp_path / "out/people/ada.html").read_text(encoding="utf-8"), "html.parser")
    assert "1,5" in text_of(report.select_one(".person-averages"))  # Ada's M1, first rating: (1 + 2) / 2
    assert all(span.get("lang") == "en-GB" for span in report.select(".person-table .activity-text"))


def test_a_scales_cited_labels_keep_their_language_and_the_worksheet_says_so(spanish_build, tmp_path, monkeypatch):
    """The scale's level names are quoted from its source (scales/README.md): in a Spanish worksheet they stay
    in English, marked, and the worksheet says so; its N/A choice is the engine's words, in Spanish."""
    soup = BeautifulSoup((spanish_build / "worksheets/profile.html").read_text(encoding="utf-8"), "html.parser")
    legend = soup.select(".how-to .legend strong")
    assert [(s.get_text(), s.get("lang")) for s in legend] == [
        ("Emerging", "en"),
        ("Acquiring", "en"),
        ("Accomplished", "en"),
    ]
    assert "Los nombres de los niveles se citan tal como los da su fuente, en inglés." in text_of(
        soup.select_one(".how-to .source")
    )
    heads = soup.select(".ws-competency thead th.h-level")
    assert heads[0].select_one("[lang]")["lang"] == "en" and text_of(heads[-1]) == "Sin ocasión / N/A"
    assert not heads[-1].select("[lang]")
    out = build_in("en-GB", tmp_path, monkeypatch, targets=worksheets(TINY, "profile", "html"))
    english = BeautifulSoup((out / "worksheets/profile.html").read_text(encoding="utf-8"), "html.parser")
    assert not english.select(".how-to [lang]") and "quoted" not in text_of(english.select_one(".how-to"))
    assert text_of(english.select(".ws-competency thead th.h-level")[-1]) == "No opportunity / N/A"
