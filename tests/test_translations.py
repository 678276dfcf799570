"""Translated editions of a profile's text: overlay files keyed by ids, each entry with the hash of the source text
it translates; `build.py translations` reporting missing, stale and unknown entries by code; `--init` adding
skeletons without touching what is there; the translated model falling back to the source text; a plan edition with
`translation: es` building. All on the tiny profile and its Spanish overlay (tests/profiles/tiny/translations/es),
in HTML only."""

from __future__ import annotations

import pickle
import shutil

import pytest
from bs4 import BeautifulSoup

from profilepress import deps, translation
from profilepress.load import load_profile
from profilepress.load.translations import load_translations
from profilepress.render import lang_attr

from conftest import ROOT, TINY, cli

SPANISH = "translations/es/profile.yaml"
ES_EDITION = """\
  - brand: neutral
    translation: es
    documents:
      - kind: handbook
        formats: [html]
      - kind: worksheet
        scope: competency
        formats: [html]
      - kind: excerpt
        roles: all
        formats: [html]
      - kind: packet
        packet: listening-hour
        trainer: false
        formats: [html]
"""


@pytest.fixture
def tiny(tmp_path):
    """A writable copy of the tiny project, its plan in HTML only, with a Spanish edition beside the English one."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    plan = folder / "build.yaml"
    text = plan.read_text(encoding="utf-8")
    for formats in ("[html, pdf]", "[html, pdf, fillable-pdf]"):
        text = text.replace(f"formats: {formats}\n", "formats: [html]\n")
    plan.write_text(text + ES_EDITION, encoding="utf-8")
    return folder


def translations(tiny, *args):
    return cli("--plan", str(tiny / "build.yaml"), "translations", *args)


def build(tiny, *args):
    return cli("--plan", str(tiny / "build.yaml"), "-o", str(tiny.parent / "out"), "--jobs", "1", *args)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_shipped_spanish_overlay_is_complete_and_current():
    result = translations(TINY, "es")
    assert result.code == 0, result.out + result.err
    assert "es: 34 of 34 translated, 0 missing, 0 stale, 0 unknown" in result.out


def test_report_names_a_missing_entry_and_a_stale_one_by_code(tiny):
    # the source of M2.1 is reworded after its translation was made: stale; the entry of M1.2's first item goes
    edit(tiny / "competencies/reflecting-back.yaml", "Summarise in the mentee's words", "Summarise in their words")
    overlay = (tiny / SPANISH).read_text(encoding="utf-8")
    start = overlay.index("  competency.active-listening.activity.2.item.1:")
    end = overlay.index("  competency.active-listening.activity.2.item.2:")
    (tiny / SPANISH).write_text(overlay[:start] + overlay[end:], encoding="utf-8")

    result = translations(tiny)
    assert result.code == 1, result.out + result.err  # stale: exit 1
    assert "es: 32 of 34 translated, 1 missing, 1 stale, 0 unknown" in result.out
    lines = result.out.splitlines()
    assert any(line.strip().startswith("stale    M2.1:") and "Summarise in their words" in line for line in lines)
    assert any(line.strip() == "missing  M1.2 item 1 (competency.active-listening.activity.2.item.1)" for line in lines)
    assert any(f"{SPANISH}:" in line and "stale    M2.1" in line for line in lines)  # located in the overlay

    # missing alone is work in progress: exit 0
    edit(tiny / "competencies/reflecting-back.yaml", "Summarise in their words", "Summarise in the mentee's words")
    assert translations(tiny, "es").code == 0


def test_init_adds_skeletons_and_never_touches_existing_entries(tiny):
    edit(tiny / "competencies/reflecting-back.yaml", "  - Summarise in the mentee's words\n", "")
    edit(
        tiny / "competencies/reflecting-back.yaml",
        "activities:\n",
        "activities:\n  - Summarise in the mentee's words\n  - Check that you understood\n",
    )
    before = {p.name: p.read_bytes() for p in (tiny / "translations/es").iterdir()}

    result = translations(tiny, "es", "--init")
    assert result.code == 0, result.err

    files = {p.name: p.read_bytes() for p in (tiny / "translations/es").iterdir()}
    assert set(files) == {"profile.yaml", "added-1.yaml"}
    assert files["profile.yaml"] == before["profile.yaml"]  # untouched
    added = files["added-1.yaml"].decode("utf-8")
    assert "competency.reflecting-back.activity.2:  # M2.2" in added
    assert 'source: "Check that you understood"' in added
    assert f'source_hash: "{translation.source_hash("Check that you understood")}"' in added
    assert "text: null" in added
    assert added.count("source_hash:") == 1  # only what was missing
    first = added.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")  # the engine's schema, relative to the file
    schema = tiny / "translations/es" / first.partition("$schema=")[2]
    assert schema.resolve() == (ROOT / "schema/translation.schema.json").resolve()
    # it loads: the new entry is missing (no text yet), not an error
    report = translations(tiny, "es")
    assert report.code == 0 and "1 missing" in report.out

    # run again: nothing to add, nothing written
    again = translations(tiny, "es", "--init")
    assert again.code == 0 and "nothing to add" in again.err + again.out
    assert {p.name for p in (tiny / "translations/es").iterdir()} == {"profile.yaml", "added-1.yaml"}


def test_init_starts_a_new_language(tiny):
    result = translations(tiny, "pt-BR", "--init")
    assert result.code == 0, result.err
    written = (tiny / "translations/pt-BR/profile.yaml").read_text(encoding="utf-8")
    assert "language: pt-BR" in written and written.count("text: null") == 34
    assert translations(tiny, "pt-BR").code == 0
    bad = translations(tiny, "not a tag", "--init")
    assert bad.code == 1 and "error: 'not a tag' is not a language tag (BCP 47), e.g. es, fr or pt-BR" in bad.err
    assert not (tiny / "translations" / "not a tag").exists()


def test_an_unknown_id_is_a_located_error_naming_the_close_match(tiny):
    edit(tiny / SPANISH, "  competency.reflecting-back.name:", "  competency.reflectng-back.name:")
    edit(tiny / SPANISH, "language: es", "language: es")
    line = (
        (tiny / SPANISH).read_text(encoding="utf-8").splitlines().index("  competency.reflectng-back.name:  # M2 name")
    )
    result = build(tiny)
    assert result.code == 1
    assert (
        f"{SPANISH}:{line + 1}:3: error: unknown entry 'competency.reflectng-back.name': no text of the profile has "
        "this key (entries.competency.reflectng-back.name) — did you mean 'competency.reflecting-back.name'?"
    ) in result.err.replace(str(tiny) + "/", "")
    report = translations(tiny, "es")
    assert report.code == 1 and "unknown  competency.reflectng-back.name" in report.out


def test_language_is_checked(tiny):
    edit(tiny / SPANISH, "language: es", "language: fr")
    result = build(tiny)
    assert result.code == 1
    assert f"{SPANISH}:5:11: error: language 'fr' is not the folder's, 'es'" in result.err.replace(str(tiny) + "/", "")
    edit(tiny / SPANISH, "language: fr", "language: Spanish")
    assert "is not allowed here" in build(tiny).err


def test_a_plan_naming_a_language_with_no_translation_is_located(tiny):
    edit(tiny / "build.yaml", "translation: es", "translation: de")
    result = build(tiny)
    assert result.code == 1
    assert "build.yaml:" in result.err and "no translation 'de' of the profile" in result.err
    assert "build.py translations de --init" in result.err


def test_translated_model_falls_back_to_the_source_for_stale_and_missing_entries(tiny):
    edit(tiny / "competencies/reflecting-back.yaml", "Summarise in the mentee's words", "Summarise in their words")
    edit(tiny / SPANISH, "    text: Escucha activa\n", "    text: null\n")
    profile = load_profile(tiny)
    overlay = load_translations(tiny, profile)["es"]
    es = translation.translate(profile, overlay)
    assert es.language == "es" and profile.language == "en-GB"

    name = es.competencies[0].name  # missing (text: null)
    assert name == "Active listening" and translation.lang_of(name) == "en-GB" and name.state == "missing"
    stale = es.competencies[1].activities[0].text
    assert stale == "Summarise in their words" and translation.lang_of(stale) == "en-GB" and stale.state == "stale"
    assert translation.fallback(stale) and lang_attr(stale) == ' lang="en-GB"'
    done = es.competencies[0].activities[1]
    assert done.text == "Hacer preguntas abiertas" and translation.lang_of(done.text) == "es"
    assert done.items == ("¿Qué pasó después?", "¿Cómo te sentiste?")
    assert not translation.fallback(done.text) and lang_attr(done.text) == ""
    assert translation.lang_of(profile.competencies[0].name) is None  # the source model: plain text
    assert es.principles[0].text == "dales tiempo a las personas."
    assert es.roles[0].competencies[0] is es.competencies[0]  # roles point at the translated competencies
    # the source model is untouched, and a translated text survives the trip to a worker process
    assert profile.competencies[0].activities[1].text == "Ask open questions"
    again = pickle.loads(pickle.dumps(stale))
    assert (again, again.lang, again.state) == (stale, "en-GB", "stale")
    # a dependency hash tells a fallback from a translation of the same words
    assert deps.value_hash(translation.Localised("Escucha", "es", "translated")) != deps.value_hash(
        translation.Localised("Escucha", "en-GB", "missing")
    )


def test_a_translated_edition_builds_in_spanish(tiny):
    result = build(tiny)
    assert result.code == 0, result.err
    out = tiny.parent / "out" / "neutral"
    page = BeautifulSoup((out / "es/handbook.html").read_text(encoding="utf-8"), "html.parser")
    assert page.html["lang"] == "es"
    text = page.get_text(" ")
    for spanish in (
        "Perfil de práctica de la mentoría entre pares",
        "Escucha activa",
        "Hacer preguntas abiertas",
        "¿Cómo te sentiste?",
        "dales tiempo a las personas.",
    ):
        assert spanish in text, spanish
    assert "Ask open questions" not in text
    for name in ("worksheets/m01-active-listening.html", "roles/buddy.html", "packets/listening-hour.html"):
        assert "Escucha activa" in (out / "es" / name).read_text(encoding="utf-8"), name
    english = (out / "handbook.html").read_text(encoding="utf-8")  # the English edition beside it is untouched
    assert "Ask open questions" in english and "Escucha activa" not in english


def test_a_stale_entry_warns_and_strict_fails(tiny):
    edit(tiny / "competencies/reflecting-back.yaml", "Summarise in the mentee's words", "Summarise in their words")
    result = build(tiny)
    assert result.code == 0, result.err
    assert "warning: stale translation of M2.1 (es)" in result.err + result.out
    page = (tiny.parent / "out/neutral/es/worksheets/m02-reflecting-back.html").read_text(encoding="utf-8")
    assert "Summarise in their words" in page  # the source text in place of the stale translation
    for name in ("worksheets/m02-reflecting-back.html", "handbook.html"):  # marked with its own language
        soup = BeautifulSoup((tiny.parent / "out/neutral/es" / name).read_text(encoding="utf-8"), "html.parser")
        assert soup.html["lang"] == "es", name
        shown = soup.find(lambda tag: tag.name == "span" and tag.get_text() == "Summarise in their words")
        assert shown is not None and shown.get("lang") == "en-GB", (name, shown)
    strict = build(tiny, "--strict")
    assert strict.code == 1 and "stale translation of M2.1 (es)" in strict.err


def test_editing_a_translation_rebuilds_exactly_the_translated_documents_that_show_it(tiny):
    first = build(tiny)
    assert first.code == 0, first.err
    out = tiny.parent / "out"
    before = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.html")}
    edit(
        tiny / SPANISH,
        "text: Resumir con las palabras de la persona mentorada",
        "text: Resumir con las propias palabras de la persona mentorada",
    )
    second = build(tiny)
    assert second.code == 0, second.err
    after = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.html")}
    changed = sorted(p for p in after if after[p] != before.get(p))
    # M2.1 shows in the Spanish handbook, M2's worksheet and the role excerpt (the packet lists only names);
    # the catalogue lists the outputs
    assert changed == [
        "index.html",
        "neutral/es/handbook.html",
        "neutral/es/roles/buddy.html",
        "neutral/es/worksheets/m02-reflecting-back.html",
    ], changed
    assert "propias palabras" in (out / "neutral/es/handbook.html").read_text(encoding="utf-8")
    third = build(tiny)
    assert third.code == 0 and "decided from the manifest" in third.err + third.out


def test_a_translated_worksheet_carries_the_source_identity_so_collect_reads_it():
    from profilepress import forms
    from profilepress.load import load_scales

    profile = load_profile(TINY)
    es = translation.translate(profile, load_translations(TINY, profile)["es"])
    scale = next(iter(load_scales([ROOT / "scales"]).values()))
    assert es.competencies[0].activities[0].text == "Guardar el teléfono"
    assert forms.identity(es, scale, es.competencies) == forms.identity(profile, scale, profile.competencies)
    assert translation.source_of(es.competencies[0].activities[0].text) == "Put the phone away"


def test_check_reads_every_language_and_list_shows_the_translated_edition(tiny):
    listed = cli("--plan", str(tiny / "build.yaml"), "--list")
    assert listed.code == 0, listed.err
    assert "neutral/es/handbook.html" in listed.out and "Worksheet: M1 Escucha activa (es)" in listed.out
    assert cli("--plan", str(tiny / "build.yaml"), "check").code == 0
    (tiny / "translations/fr").mkdir()  # a language no edition uses is checked too
    (tiny / "translations/fr/profile.yaml").write_text(
        'language: fr\nentries:\n  domain.listenin.name:\n    source_hash: "49c46058"\n    text: Écoute\n',
        encoding="utf-8",
    )
    result = cli("--plan", str(tiny / "build.yaml"), "check")
    assert result.code == 1
    assert "translations/fr/profile.yaml:3:3: error: unknown entry 'domain.listenin.name'" in result.err
    assert "did you mean 'domain.listening.name'?" in result.err


# --- what a translated edition says about itself ----------------------------------------------------------

EDITION_DOCUMENTS = (
    "handbook.html",
    "worksheets/m01-active-listening.html",
    "roles/buddy.html",
    "packets/listening-hour.html",
)


def page(tiny, name, edition="neutral/es"):
    return BeautifulSoup((tiny.parent / "out" / edition / name).read_text(encoding="utf-8"), "html.parser")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_a_translated_publication_says_it_is_an_unofficial_translation_and_that_the_original_governs(tiny):
    result = build(tiny)
    assert result.code == 0, result.err
    handbook = page(tiny, "handbook.html")
    about = words(handbook.select_one("#about"))
    assert "Este documento es una traducción no oficial de la siguiente publicación:" in about
    assert "Example, A. (2023). Peer mentoring practice profile." in about  # the publication, named
    assert "prevalece el texto original, en inglés" in about and "Licencia del original" in about
    colophon = words(handbook.select_one("footer.colophon"))
    assert (
        colophon.startswith("Traducción no oficial de: Example, A. (2023).")
        and "prevalece el texto original" in colophon
    )
    worksheet = words(page(tiny, "worksheets/m01-active-listening.html").select_one(".colophon"))
    assert "Traducción no oficial de:" in worksheet and "Licencia del original: CC BY 4.0" in worksheet
    packet = page(tiny, "packets/listening-hour.html")
    assert "son una traducción no oficial de:" in words(packet.select_one("#imprint"))
    assert "prevalece el texto original" in words(packet.select_one("#imprint"))
    assert words(packet.select_one(".verbatim-note")).startswith("Traducción no oficial del perfil")
    for name in EDITION_DOCUMENTS:  # never "word for word", which a translation is not
        assert "literalmente" not in words(page(tiny, name)), name
    # the source-language edition beside it says what it said
    english = page(tiny, "handbook.html", "neutral")
    assert "This document reproduces the text of the following profile word for word:" in words(english)
    assert "translation" not in words(english) and english.select_one("#about dt").get_text() == "Licence"


def test_the_back_cover_of_a_translated_publication_names_the_original_in_its_language():
    from profilepress import messages, select

    profile = load_profile(TINY)
    es = translation.translate(profile, load_translations(TINY, profile)["es"])
    back = select.Wording(es, messages.translator("es"), "es").back_cover
    assert back == (
        'Esta edición es una traducción no oficial de «<span lang="en-GB">Peer Mentoring Practice Profile</span>» '
        "(obra publicada con la licencia CC BY 4.0); prevalece el texto original."
    )
    assert "word for word" in select.Wording(profile, messages.translator("en-GB")).back_cover


def test_a_translated_profile_of_an_organisations_own_claims_no_publication(tiny):
    edit(tiny / "profile.yaml", "rights:", "provenance: own\nrights:")
    result = build(tiny)
    assert result.code == 0, result.err
    about = words(page(tiny, "handbook.html").select_one("#about"))
    assert "Este documento contiene una traducción del siguiente perfil, redactado por su entidad editora:" in about
    assert "prevalece el texto original, en inglés" in about
    colophon = words(page(tiny, "handbook.html").select_one("footer.colophon"))
    assert "Cítese el original así:" in colophon
    for name in EDITION_DOCUMENTS:
        text = words(page(tiny, name))
        for claim in ("publicación", "no oficial", "literalmente", "publicada"):
            assert claim not in text, (name, claim)
        assert "prevalece el texto original" in text, name


# --- the profile's vocabulary ------------------------------------------------------------------------------


def test_the_vocabulary_is_translated_and_a_stale_term_falls_back_marked_with_its_language(tiny):
    result = build(tiny)
    assert result.code == 0, result.err
    headings = page(tiny, "handbook.html").select("article.competency h4")
    assert [h.get_text() for h in headings[:2]] == ["Descripción", "Actividades"]
    assert not any(h.has_attr("lang") for h in headings)

    # the profile names its activities anew: the Spanish term is stale, reported, and shown in English, marked
    edit(tiny / "profile.yaml", "rights:", "vocabulary:\n  activities: what a mentor does\nrights:")
    report = translations(tiny, "es")
    assert report.code == 1
    assert any(
        line.strip().startswith("stale    vocabulary activities:") and "'what a mentor does'" in line
        for line in report.out.splitlines()
    )
    result = build(tiny)
    assert result.code == 0 and "warning: stale translation of vocabulary activities (es)" in result.err
    for h4 in page(tiny, "handbook.html").select("article.competency h4"):
        if h4.get_text() != "Descripción":
            assert (h4.get_text(), h4.get("lang")) == ("What a mentor does", "en-GB")


# --- every passage shown untranslated carries its language ----------------------------------------------

FALLING_BACK = (  # entries left out of the overlay: their texts are shown in English
    "profile.title",
    "profile.date",
    "vocabulary.principle.many",
    "vocabulary.domain.many",
    "vocabulary.activities",
    "profile.introduction.heading",
    "profile.introduction.body.2.1",
    "profile.principles_section.body.1",
    "principle.be-honest.name",
    "principle.be-patient.text",
    "domain.listening.summary",
    "competency.active-listening.name",
    "competency.active-listening.activity.2.item.1",
    "competency.reflecting-back.description.1",
)


def nearest_lang(node) -> str:
    element = node.parent
    while not element.has_attr("lang"):
        element = element.parent
    return element["lang"]


def shown_with_lang(soup):
    """Every piece of text a reader sees or hears in a page's body, with the language it is marked with."""
    for tag in soup(["script", "style", "template"]):
        tag.decompose()
    body = soup.body
    return [(" ".join(s.split()), nearest_lang(s)) for s in body.find_all(string=True) if s.strip()]


def test_every_passage_shown_in_the_source_language_is_marked_with_it(tiny):
    """A partly stale, partly missing Spanish overlay: in every document of every kind (slides too), each text
    shown in English (a fallback, the citation, the publisher, the role, the scale's cited labels) is inside
    an element whose lang is English, and each translated text inside one whose lang is Spanish."""
    edit(
        tiny / "build.yaml",
        "        trainer: false\n        formats: [html]\n",
        "        trainer: true\n        slides: true\n        formats: [html]\n",
    )
    edit(
        tiny / "packets/listening-hour.yaml",
        "sections: [cover, agenda, competencies, worksheets, notes]",
        "sections: [cover, agenda, competency-map, competencies, worksheets, reflection, notes, evaluation]",
    )
    edit(tiny / "competencies/reflecting-back.yaml", "Summarise in the mentee's words", "Summarise in their words")
    overlay = (tiny / SPANISH).read_text(encoding="utf-8")
    for key in FALLING_BACK:
        start = overlay.index(f"  {key}:")
        overlay = overlay[:start] + overlay[overlay.index("\n", overlay.index("    text:", start)) + 1 :]
    (tiny / SPANISH).write_text(overlay, encoding="utf-8")
    result = build(tiny)
    assert result.code == 0, result.err

    profile = load_profile(tiny)
    state = translation.state(profile, load_translations(tiny, profile)["es"])
    assert len(state.missing) == len(FALLING_BACK) and [f.code for f, _ in state.stale] == ["M2.1"]
    english = [f.text for f in state.missing] + [f.text for f, _ in state.stale]
    english += [profile.citation, profile.publisher, "Buddy", profile.roles[0].description, "Emerging", "Accomplished"]
    spanish = [
        "Guardar el teléfono",
        "Hacer preguntas abiertas",
        "¿Cómo te sentiste?",
        "Devolver lo escuchado",
        "Ten paciencia",
    ]

    def found(text: str, shown: str) -> bool:
        if len(text.split()) == 1:  # a term: exactly the text (capitalised as a heading), never inside a word
            return shown.lower() == text.lower()
        return " ".join(text.split()) in shown

    seen: dict[str, int] = {}
    out = tiny.parent / "out/neutral/es"
    for path in sorted(out.rglob("*.html")):
        for shown, lang in shown_with_lang(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")):
            for text in english:
                if found(text, shown):
                    seen[text] = seen.get(text, 0) + 1
                    assert lang.startswith("en"), (path.name, text, shown, lang)
            for text in spanish:
                if text in shown:
                    seen[text] = seen.get(text, 0) + 1
                    assert lang == "es", (path.name, text, shown, lang)
    assert set(seen) == set(english) | set(spanish), set(english) | set(spanish) - set(seen)  # all were shown


# --- the brand's and the recipe's own text keep their language ------------------------------------------

NORTHWIND_DOCUMENTS = """\
    documents:
      - kind: handbook
        formats: [html]
      - kind: packet
        packet: listening-hour
        trainer: true
        formats: [html]
"""
NORTHWIND_PAGES = ("handbook.html", "packets/listening-hour.html", "packets/listening-hour-trainer.html")
NORTHWIND = (
    "  - brand: northwind\n" + NORTHWIND_DOCUMENTS + "  - brand: northwind\n    translation: es\n" + NORTHWIND_DOCUMENTS
)


def test_the_brands_and_the_recipes_text_keep_their_language_in_a_translated_edition(tiny):
    """Northwind writes in American English (its locale, en-US); its Spanish edition speaks Spanish, and shows the
    brand's tagline, contact and permission, and the packet recipe's text (written in the profile's English),
    marked with their language. Its English edition marks none of them."""
    (tiny / "build.yaml").write_text((tiny / "build.yaml").read_text(encoding="utf-8") + NORTHWIND, encoding="utf-8")
    result = build(tiny)
    assert result.code == 0, result.err
    brand = ("Practice support for health", "learning@northwind.example", "permission it obtains")
    recipe = (
        "An hour on listening",
        "Mentor circle",
        "New peer mentors",
        "Listening in pairs",
        "Practise listening with a partner.",
        "Keep pairs together.",
        "A timer",
    )

    def langs(edition: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {text: set() for text in brand + recipe}
        for name in NORTHWIND_PAGES:
            for shown, lang in shown_with_lang(page(tiny, name, edition)):
                for text in found:
                    if text in shown:
                        found[text].add(lang)
        return found

    spanish = langs("northwind/es")
    assert all(spanish[text] == {"en-US"} for text in brand), spanish
    assert all(spanish[text] == {"en-GB"} for text in recipe), {t: spanish[t] for t in recipe}
    handbook = page(tiny, "handbook.html", "northwind/es")
    assert handbook.html["lang"] == "es" and handbook.select_one(".brand-tagline")["lang"] == "en-US"
    english = langs("northwind")
    assert all(english[text] == {"en-US"} for text in brand + recipe), english  # the page's own: unmarked
    for name in NORTHWIND_PAGES:
        marks = {e.get("lang") for e in page(tiny, name, "northwind").body.select("[lang]")}
        assert "en-US" not in marks, name
