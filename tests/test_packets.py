"""Workshop packets as a trainer hands them out: pages, forms, the trainer's guide, and recipes."""

from __future__ import annotations

import json
import re

import fitz
import lxml.html
import pytest
from bs4 import BeautifulSoup

from profilepress.errors import ProfileErrors
from profilepress.load import load_packets, load_profile, load_scales

from conftest import ROOT, SHIPPED

MM = 72 / 25.4
SAMPLE = "introduction-half-day"


def recipes(folder=ROOT / "packets"):
    return load_packets(folder, load_profile(SHIPPED), set(load_scales([ROOT / "scales"])))


def pages_of(path):
    with fitz.open(path) as pdf:
        return [page.get_text() for page in pdf]


def words(text):
    return " ".join(text.split())


FURNITURE = re.compile(
    r"^(Page \d+|Trainer copy · page T\d+|Trainer copy|Introduction to implementation support "
    r"practice|[A-Z][a-z’' ]+)$"
)


@pytest.fixture(scope="module")
def sample(default_build):
    """The sample packet from the default build: participant and trainer editions."""
    folder = default_build / "neutral" / "packets"
    return {
        "packet": folder / f"{SAMPLE}.pdf",
        "trainer": folder / f"{SAMPLE}-trainer.pdf",
        "html": folder / f"{SAMPLE}.html",
    }


def test_sample_packet_fits_twenty_a4_pages_and_no_side_is_blank_without_saying_so(sample):
    pages = pages_of(sample["packet"])
    assert len(pages) <= 20 and len(pages) % 2 == 0, len(pages)
    with fitz.open(sample["packet"]) as pdf:
        assert all(round(p.rect.width / MM) in (210, 297) for p in pdf)  # A4, portrait or landscape
        for number, page in enumerate(pdf, 1):
            text = words(page.get_text())
            assert text, f"page {number} is blank and does not say so"
            if text.startswith("Notes"):  # a ruled notes page
                rules = [d for d in page.get_drawings() if d["rect"].width > 100 * MM and d["rect"].height < 1]
                rules += [
                    d
                    for d in page.get_drawings()
                    for item in d["items"]
                    if item[0] == "re" and item[1].width > 100 * MM and item[1].height < 1
                ]
                assert len(rules) >= 15, f"page {number} says Notes but has {len(rules)} ruled lines"


def test_blank_sides_are_ruled_inside_the_text_area(default_build):
    """A side left blank before a right-hand start (here in the handbook) is ruled within its margins, numbered
    as the other pages are, and titled."""
    with fitz.open(default_build / "neutral" / "handbook.pdf") as pdf:
        folio = f"Page {{}} of {len(pdf)} Implementation Support Practitioner Profile"
        blank = [(n, p) for n, p in enumerate(pdf, 1) if words(p.get_text()) == f"Notes {folio.format(n)}"]
        assert blank
        for number, page in blank:
            rules = [item[1] for d in page.get_drawings() for item in d["items"] if item[0] == "re"]
            assert len(rules) >= 20, number
            width, height = page.rect.width / MM, page.rect.height / MM
            for r in rules:
                assert r.x0 / MM >= 19 and r.x1 / MM <= width - 19, (number, r)
                assert r.y0 / MM >= 22 and r.y1 / MM <= height - 23, (number, r)


def test_major_parts_start_on_right_hand_pages_and_the_evaluation_tears_out(sample):
    pages = [words(p) for p in pages_of(sample["packet"])]

    def first_page(heading):
        return next(
            i
            for i, text in enumerate(pages, 1)
            if re.search(rf"(^|\s){re.escape(heading)}\b", text) and heading in text.split(" Page ")[0][:200]
        )

    assert "Introduction to implementation support practice" in pages[0]
    # the first sheet: cover, then welcome, objectives and agenda on its back
    assert all(s in pages[1] for s in ("Welcome.", "What you will learn", "Agenda"))
    for heading in ("The competencies at a glance", "Self-assessment", "Evaluation"):
        assert first_page(heading) % 2 == 1, heading
    evaluation = first_page("Evaluation")
    assert "hand it in" in pages[evaluation - 1]
    assert "intentionally blank" in pages[evaluation]  # its back: nothing torn away with it
    assert "About this packet" in pages[-1]  # the back cover carries the imprint
    assert "Before the workshop" not in " ".join(pages)  # the sample sends its pre-work ahead


def test_each_prompt_is_printed_once_and_there_is_one_notes_handout(sample):
    text = words(" ".join(pages_of(sample["packet"])))
    for prompt in (
        "Which of these activities do you do with the most confidence?",
        "What evidence or feedback could you gather before your next rating?",
    ):
        assert text.count(prompt) == 1, prompt
    html = BeautifulSoup(sample["html"].read_text(encoding="utf-8"), "lxml")
    assert [s["data-section"] for s in html.select("[data-section^=notes]")] == ["notes"]


def _table_grid(page, top_word):
    """The x and y positions of the ruled lines of the table under a heading word, in mm."""
    anchor = page.search_for(top_word)[0]
    xs, ys = set(), set()
    for drawing in page.get_drawings():
        for item in drawing["items"]:
            if item[0] == "re":
                r = item[1]
            elif item[0] == "l":
                r = fitz.Rect(item[1], item[2])
            else:
                continue
            if r.y1 < anchor.y0 - 5:
                continue
            if r.height < 2 and r.width > 20:
                ys.add(round(r.y0 / MM, 1))
            if r.width < 2 and r.height > 20:
                xs.add(round(r.x0 / MM, 1))
    return sorted(xs), sorted(ys)


def test_action_plan_has_five_tall_rows_and_the_first_step_is_the_widest_column(sample):
    with fitz.open(sample["packet"]) as pdf:
        page = next(
            p
            for p in pdf
            if p.get_text().lstrip().startswith("My action plan") or "My action plan" in p.get_text()[:80]
        )
        xs, ys = _table_grid(page, "My first step")
        rows = [b - a for a, b in zip(ys, ys[1:]) if b - a > 5]
        tall = [h for h in rows if h >= 25]
        assert len(tall) >= 5, rows
        widths = [b - a for a, b in zip(xs, xs[1:]) if b - a > 3]
        step = page.search_for("My first step")[0]
        column = next(i for i, (a, b) in enumerate(zip(xs, xs[1:])) if a * MM <= step.x0 < b * MM)
        assert widths[column] == max(widths), widths
        assert "I will check in with" in page.get_text() and "(date)" in page.get_text()


def test_trainer_edition_has_a_full_block_for_every_agenda_item(sample):
    recipe = recipes()[SAMPLE]
    pages = [words(p) for p in pages_of(sample["trainer"])]
    guide = [p for p in pages if "Trainer copy" in p]
    participant = words(" ".join(pages_of(sample["packet"])))
    assert guide and "Trainer copy" not in participant and "Trainer's guide" not in participant
    text = " ".join(guide)
    blocks = re.split(r"\d\d:\d\d · \d+ min ", text)[1:]
    assert len(blocks) == len(recipe.agenda)
    for slot, block in zip(recipe.agenda, blocks):
        assert block.startswith(slot.item.replace('"', "")[:30]), block[:60]
        assert f"Led by {slot.lead}" in block
        parts = ["Purpose", "Steps", "Key messages", "Debrief questions", "Materials", "If time runs short"]
        positions = [block.find(part) for part in parts]
        assert -1 not in positions and positions == sorted(positions), (slot.item, positions)
    # every agenda row names who leads; handouts are referred to by the page participants see
    number = int(re.search(r"Packet: Self-assessment, page (\d+)", text).group(1))
    packet_pages = [words(p) for p in pages_of(sample["packet"])]
    assert "Self-assessment" in packet_pages[number - 1][:120] and f"Page {number}" in packet_pages[number - 1]
    # loose pages can be told apart: every trainer page but the cover says so in its running head
    first_participant = next(i for i, p in enumerate(pages) if "trainer copy of the participant packet" in p.lower())
    assert first_participant > 2  # the trainer's guide comes first, over several pages
    assert all("Trainer copy" in p or not p.replace("Notes", "").strip() for p in pages[1:first_participant])


def test_every_agenda_row_names_who_leads(sample):
    """Under the heading "Led by", each block's lead as the recipe names it (the facilitator unless another)."""
    html = BeautifulSoup(sample["html"].read_text(encoding="utf-8"), "lxml")
    assert html.select("table.agenda thead th")[-1].get_text(strip=True) == "Led by"
    rows = html.select("table.agenda tbody tr")
    agenda = recipes()[SAMPLE].agenda
    assert [row.find_all("td")[-1].get_text(strip=True) for row in rows] == [slot.lead for slot in agenda]
    assert len({slot.lead for slot in agenda}) >= 2  # the sample has a block led by someone else


def test_the_sample_cases_are_printed_and_marked_as_examples(sample):
    text = words(" ".join(pages_of(sample["packet"])))
    for case in recipes()[SAMPLE].cases:
        assert f"{case.title}" in text
    assert text.count("An example case, written for this workshop.") == len(recipes()[SAMPLE].cases)


# --- recipes ------------------------------------------------------------------------------------


def _recipe(tmp_path, old, new, name="a.yaml"):
    folder = tmp_path / "packets"
    folder.mkdir(exist_ok=True)
    text = (ROOT / f"packets/{SAMPLE}.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    return folder, text.replace(old, new)


def test_a_recipe_combines_a_role_domains_and_competencies(tmp_path):
    folder, _ = _recipe(tmp_path, "competencies: [C1, C9, C12]", "role: coach\ndomains: [D3]\ncompetencies: [C2]")
    profile = load_profile(SHIPPED)
    packet = load_packets(folder, profile, {"nirn-practice-profile"})[SAMPLE]
    coach = next(r for r in profile.roles if r.id == "coach")
    d3 = next(d for d in profile.domains if d.code == "D3")
    wanted = {c.code for c in coach.competencies} | {c.code for c in d3.competencies} | {"C2"}
    order = [c.code for c in profile.competencies]
    assert [c.code for c in packet.competencies] == sorted(wanted, key=order.index)


@pytest.mark.parametrize(
    "old, new, where, message, hint",
    [
        (
            "competencies: [C1, C9, C12]",
            "competencies: [C1, C99, C12]",
            "competencies:",
            "unknown competency code 'C99'",
            "did you mean 'C9'",
        ),
        (
            "competencies: [C1, C9, C12]",
            "domains: [D4]",
            "domains:",
            "unknown domain code 'D4'",
            "choose one of: D1, D2, D3",
        ),
        ("competencies: [C1, C9, C12]", "role: coahc", "role:", "unknown role 'coahc'", "did you mean 'coach'"),
        ("duplex: true", "duplx: true", "duplx:", "unknown field 'duplx'", "did you mean 'duplex'"),
        (
            "        - minutes: 12\n",
            "        - minutes: 13\n",
            "      steps:",
            "take 21 minutes, the block 20",
            "add up to the block's",
        ),
        (
            "      handouts: [agenda, objectives]",
            "      handouts: [agenda, slides]",
            "      handouts:",
            "handouts",
            "agenda",
        ),
        (
            '  - time: "09:50"',
            '  - time: "09:55"',
            '  - time: "09:55"',
            "starts at 09:55, but the block before it ends at 09:50",
            "start when the one before it ends",
        ),
    ],
)
def test_recipe_mistakes_are_located_with_a_fix(tmp_path, old, new, where, message, hint):
    folder, text = _recipe(tmp_path, old, new)
    with pytest.raises(ProfileErrors) as info:
        load_packets(folder, load_profile(SHIPPED), {"nirn-practice-profile"})
    messages = [e.format(relative_to=tmp_path) for e in info.value.errors]
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith(where))
    assert any(m.startswith("packets/a.yaml:") and message in m and hint in m for m in messages), messages
    assert any(
        m.startswith(f"packets/a.yaml:{line}:") or m.startswith(f"packets/a.yaml:{line + 1}:") for m in messages
    ), (line, messages)


SMALL = """\
competencies: [C1]
duplex: {duplex}
paper: letter
sections: [cover, objectives, agenda, competencies, reflection, action-plan, evaluation, notes]
"""


def _small_packet(run, tmp_path, duplex):
    """The sample recipe cut down to one competency and a few handouts; the recipe sets paper and duplex."""
    text = (ROOT / f"packets/{SAMPLE}.yaml").read_text(encoding="utf-8")
    head, rest = text.split("competencies: [C1, C9, C12]", 1)
    rest = re.sub(r"\nduplex: true.*?\n", "\n", rest)
    rest = re.sub(r"\nsections:.*?\n(?=agenda:)", "\n", rest, flags=re.S)
    rest = re.sub(r"      handouts: \[[^\]]*\]\n", "      handouts: []\n", rest)
    rest = re.sub(r"\ncases:.*?\n(?=discussion:)", "\n", rest, flags=re.S)
    folder = tmp_path / f"packets-{duplex}"
    folder.mkdir()
    (folder / "small.yaml").write_text(head + SMALL.format(duplex=str(duplex).lower()) + rest, encoding="utf-8")
    plan = tmp_path / f"plan-{duplex}.yaml"
    plan.write_text(
        f"profile: {SHIPPED}\npackets: {folder}\nscale: nirn-practice-profile\neditions:\n"
        f"  - brand: neutral\n    documents:\n      - kind: packet\n        packet: {SAMPLE}\n"
        f"        trainer: false\n        formats: [pdf]\n",
        encoding="utf-8",
    )
    out = tmp_path / f"out-{duplex}"
    result = run("--plan", str(plan), "--output", str(out))
    assert result.code == 0, result.err
    return out / f"neutral/packets/{SAMPLE}.pdf"


def test_duplex_false_gives_a_compact_single_sided_packet_on_the_recipes_paper(run, tmp_path):
    single = _small_packet(run, tmp_path, False)
    double = _small_packet(run, tmp_path, True)
    with fitz.open(single) as pdf:
        assert round(pdf[0].rect.width / MM) == 216  # the recipe's US Letter
        texts = [words(p.get_text()) for p in pdf]
    assert not any("intentionally blank" in t for t in texts)
    assert sum(1 for t in texts if t.startswith("Notes")) == 1  # only the notes handout
    assert len(texts) < len(pages_of(double))


# --- reader-facing text and excerpt layout --------------------------------------------------------


def test_no_output_names_a_source_path_or_says_permission_is_missing(default_build):
    for path in sorted(default_build.rglob("*")):
        if path.suffix == ".html":
            text = lxml.html.document_fromstring(path.read_bytes()).text_content()  # the text, scripts' included
        elif path.suffix == ".pdf":
            text = " ".join(pages_of(path))
        else:
            continue
        assert "profile_src" not in text and ".yaml" not in text, path
        assert "None recorded" not in text, path


def test_role_page_is_a_table_with_pages_and_no_page_holds_only_the_citation(default_build, shipped_profile):
    for role in shipped_profile.roles:
        pages = [words(p) for p in pages_of(default_build / "neutral" / "roles" / f"{role.id}.pdf")]
        role_page = next(p for p in pages if "The competencies in this excerpt" in p)
        for kind, members in (("Primary", role.primary), ("Supporting", role.supporting)):
            for c in members:
                found = re.search(rf"{re.escape(c.code)} {re.escape(c.name)} {kind} (\d+)", role_page)
                assert found, (role.id, c.code, role_page)
                assert f"{c.code} {c.name}" in pages[int(found.group(1)) - 1], (role.id, c.code)
        for number, page in enumerate(pages, 1):
            body = re.sub(r"Page \d+ of \d+|Implementation Support Practitioner Profile", "", page)
            body = body.replace(shipped_profile.citation, "").replace("Reproduced from:", "").strip()
            assert len(body) > 40, f"{role.id}: page {number} holds only {page[:120]!r}"


@pytest.mark.parametrize("width", [320, 1280])
def test_packet_html_tables_are_never_clipped(default_build, width, browser):
    script = """JSON.stringify({page: document.documentElement.scrollWidth,
        clipped: [...document.querySelectorAll('table')].filter(t => {
            const box = t.parentElement;
            const scrolls = box.classList.contains('table-scroll') && getComputedStyle(box).overflowX === 'auto'
                            && box.getAttribute('tabindex') === '0';
            return box.scrollWidth > box.clientWidth + 1 && !scrolls; }).map(t => t.className),
        narrow: [...document.querySelectorAll('.ws-table')].filter(t => innerWidth > 1000 &&
            t.getBoundingClientRect().width < 900).length})"""
    browser.viewport(width)
    for name in (SAMPLE, f"{SAMPLE}-trainer"):
        browser.open(default_build / "neutral" / "packets" / f"{name}.html")
        seen = json.loads(browser.evaluate(script))
        assert seen["page"] <= width, (name, seen)  # the page never scrolls sideways
        assert seen["clipped"] == [], (name, seen)  # a wide table scrolls in its own region
        assert seen["narrow"] == 0, (name, seen)  # on a desktop, worksheets use the width
        # Each agenda block's time, minutes, what we do and who leads it, in view without scrolling its table.
        out_of_view = browser.evaluate("""[...document.querySelectorAll('table.agenda tbody tr > *')].filter(cell =>
            cell.getBoundingClientRect().right > Math.min(innerWidth, document.documentElement.clientWidth) + 0.5
          ).map(cell => cell.textContent.trim())""")
        assert not out_of_view, (name, width, out_of_view[:4])
