"""The HTML worksheet in a real browser (headless Chromium): on a phone and a desktop, kept as you type.

The page's own script runs; the tests act as a user does (typing, clicking) and
read what the page shows.
"""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture(scope="module")
def pages(default_build):
    return default_build / "neutral" / "worksheets"


TYPE = """
  function type(el, value) { el.focus(); el.value = value; el.dispatchEvent(new Event('input', {bubbles: true})); }
  function pick(name, value) { document.querySelector('input[name="' + name + '"][value="' + value + '"]').click(); }
"""


# The pages checked at a phone's width: the worksheet of each scope and each kind of document that carries
# worksheets (see test_no_sideways_scrolling_on_a_phone for why these are enough).
PHONE_SAMPLE = (
    "worksheets/profile.html",
    "worksheets/d01-co-creation-and-engagement.html",
    "worksheets/c09-facilitation.html",  # one competency, activities with sub-items
    "roles/coach.html",  # an excerpt: the role's table, its competencies in full and their worksheets
    "packets/introduction-half-day.html",
    "packets/introduction-half-day-trainer.html",
    "packets/introduction-half-day-slides.html",
    "handbook.html",
)


PHONES = (320, 390)  # the narrowest screen a page must fit (WCAG's reflow width), and a common phone's


def test_no_sideways_scrolling_on_a_phone(browser, pages, default_build):
    """A sample of the pages (PHONE_SAMPLE), no longer every worksheet: worksheets of one scope share their
    template, and the whole-profile worksheet holds every competency's table and every activity's text, so what
    would make one competency's page too wide makes it too wide; the handbook holds every competency's text in
    full, as an excerpt does for its own; the domain, competency, excerpt, packet, trainer and slide pages are
    each their kind's layout. Each page is loaded once and laid out at each phone's width in turn (the screen
    turned, as it were: the page's own styles for that width apply)."""
    neutral = default_build / "neutral"
    documents = sorted(pages.glob("*.html")) + sorted(neutral.glob("*/*.html"))
    assert len(documents) >= 19 + 7 + 2  # every worksheet, and the excerpts and packets that carry worksheets
    assert {neutral / name for name in PHONE_SAMPLE} <= {*documents, neutral / "handbook.html"}
    for name in PHONE_SAMPLE:
        browser.viewport(PHONES[0])
        browser.open(neutral / name)
        for width in PHONES:
            browser.viewport(width)
            # Against the width set, not the window's: a phone's browser widens its window to a page too wide.
            page_width = browser.evaluate("document.documentElement.scrollWidth")
            assert page_width <= width, f"{name} at {width} px is {page_width} px wide"
            if name in ("worksheets/profile.html", "worksheets/c09-facilitation.html"):
                phone_card_layout(browser, width)


def test_worksheets_carried_by_excerpts_and_packets_on_a_desktop_and_a_phone(browser, default_build):
    """On a desktop, a worksheet inside an excerpt or a packet takes the screen's width (at the text's measure
    the rating columns left the activity none: one letter a line); on a phone, each of its boxes shows the level
    it stands for, as its column heading is hidden there."""
    for name in ("roles/coach.html", "packets/introduction-half-day.html"):
        browser.viewport(1280)
        browser.open(default_build / "neutral" / name)
        widths = browser.evaluate(
            "[...document.querySelectorAll('.ws-table td.activity-cell')].map(td => td.getBoundingClientRect().width)"
        )
        assert widths and min(widths) > 400, f"{name}: activity column {min(widths or [0]):.0f} px wide at 1280 px"
        browser.viewport(320)
        shown = browser.evaluate("""[...document.querySelectorAll('.ws-table tr.ws-row')].slice(0, 3).flatMap(row =>
          [...row.querySelectorAll('.box')].map(box => { const label = box.parentElement.querySelector('.pick-label');
            return label && label.getBoundingClientRect().width > 20 ? label.innerText.trim() : ''; }))""")
        assert len(shown) >= 3 * 9 and all(shown), f"{name}: a box with no level beside it at 320 px: {shown}"
        spilling = browser.evaluate("""[...document.querySelectorAll('.ws-row .pick-label')].filter(label =>
          label.getBoundingClientRect().right > label.closest('td').getBoundingClientRect().right + 0.5)
          .map(label => label.innerText.trim())""")
        assert not spilling, f"{name}: level names wider than their column at 320 px: {spilling[:3]}"


def phone_card_layout(browser, width):
    """Each activity is a card: the first rating's choices in one column, the second's beside it, each choice
    with its level written next to it; the About-you fields keep the screen's width."""
    layout = browser.evaluate("""(() => {
      const row = document.querySelector('tr.ws-row');
      const left = cls => [...row.querySelectorAll('td.' + cls + ' .pick')].map(p => p.getBoundingClientRect().left);
      const labels = [...row.querySelectorAll('td.r1 .pick')].map(p => {
        const label = p.querySelector('.pick-label');  // the level's name, shown beside its choice
        return label && label.getBoundingClientRect().width > 20 ? label.innerText.trim() : ''; });
      const about = [...document.querySelectorAll('.who input')].map(i => i.getBoundingClientRect().width);
      return {r1: left('r1'), r2: left('r2'), labels, about, head: getComputedStyle(row.closest('table')
              .querySelector('thead')).display};
    })()""")
    assert len(set(round(x) for x in layout["r1"])) == 1 and len(set(round(x) for x in layout["r2"])) == 1
    assert min(layout["r2"]) > max(layout["r1"]) and layout["head"] == "none"
    assert len(layout["labels"]) >= 3 and all(layout["labels"]), f"a choice shows no level name: {layout['labels']}"
    assert min(layout["about"]) >= width * 0.7, "the About-you fields keep the screen's width"


def test_a_table_on_a_desktop(browser, pages):
    browser.viewport(1280)
    browser.open(pages / "profile.html")
    state = browser.evaluate("""(() => {
      const table = document.querySelector('.ws-table');
      const cut = [...table.querySelectorAll('thead th')].filter(th => th.scrollWidth > th.clientWidth + 1)
                                                          .map(th => th.textContent.trim());
      return {scroll: document.documentElement.scrollWidth, screen: window.innerWidth, cut,
              head: getComputedStyle(table.querySelector('thead')).display,
              activity: table.querySelector('td.activity-cell').getBoundingClientRect().width};
    })()""")
    assert state["scroll"] <= state["screen"] and state["head"] != "none"
    assert not state["cut"], f"headings cut off: {state['cut']}"
    assert state["activity"] > 500
    # Scrolled halfway down a long table, its headings are still in view at the top of the screen.
    top = browser.evaluate("""(() => { const row = document.querySelector('#ws-c9-6');
      window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 300);
      return document.querySelector('#ws-facilitation thead').getBoundingClientRect().top; })()""")
    assert abs(top) < 2, top


def test_answers_are_kept_in_the_browser_and_offered_back(browser, pages):
    browser.viewport(1280)
    page = pages / "c01-co-learning.html"
    browser.open(page)
    browser.evaluate("localStorage.clear()")
    browser.open(page)
    assert browser.evaluate("document.getElementById('restore').hidden") is True
    browser.evaluate(
        TYPE
        + """
      type(document.getElementById('f-name'), 'Ada Example');
      pick('C1_3_r1', 'developmental');
      document.querySelector('input[name="C1_3_priority"]').click();
      type(document.getElementById('f-C1_3_evidence'), 'Ran the café session');
    """
    )
    browser.evaluate("new Promise(done => setTimeout(done, 600))")  # kept after a short pause
    kept = json.loads(browser.evaluate("localStorage.getItem(window.profilepressWorksheet.storageKey)"))
    assert kept["fields"]["C1_3_r1"] == "developmental"

    browser.open(page)  # the tab was closed, the page opened again
    offer = browser.evaluate(
        "[document.getElementById('restore').hidden, document.getElementById('restore-text').textContent]"
    )
    assert offer[0] is False and "4 filled in" in offer[1] and "Restore them?" in offer[1]
    assert browser.evaluate("document.getElementById('f-name').value") == ""
    browser.evaluate("document.getElementById('restore-yes').click()")
    restored = browser.evaluate("""[document.getElementById('f-name').value,
      document.querySelector('input[name="C1_3_r1"][value="developmental"]').checked,
      document.querySelector('input[name="C1_3_priority"]').checked,
      document.getElementById('f-C1_3_evidence').value, document.getElementById('restore').hidden]""")
    assert restored == ["Ada Example", True, True, "Ran the café session", True]

    browser.open(page)
    browser.evaluate("document.getElementById('restore-no').click()")
    assert browser.evaluate("localStorage.getItem(window.profilepressWorksheet.storageKey)") is None
    browser.open(page)
    assert browser.evaluate("document.getElementById('restore').hidden") is True


def test_closing_with_unsaved_answers_asks_first(browser, pages):
    browser.viewport(1280)
    page = pages / "c01-co-learning.html"
    browser.open(page)
    closing = """(() => { const e = new Event('beforeunload', {cancelable: true});
                          window.dispatchEvent(e); return e.defaultPrevented; })()"""
    assert browser.evaluate(closing) is False  # nothing typed yet
    browser.evaluate(TYPE + "pick('C1_2_r2', 'na');")
    assert browser.evaluate(closing) is True  # an answer not saved to a file
    identity = browser.evaluate("JSON.parse(document.querySelector('meta[name=profilepress-worksheet]').content)")
    saved = {
        "format": "profilepress-worksheet-answers",
        "format_version": 1,
        "worksheet": identity,
        "fields": {"C1_2_r2": "na"},
    }
    browser.evaluate(f"window.profilepressWorksheet.load({json.dumps(saved)}, 'mine.json')")
    assert browser.evaluate(closing) is False  # loaded from a file: nothing to lose
    browser.evaluate("localStorage.clear()")


def test_saved_file_is_named_by_scope_person_and_date(browser, pages):
    browser.viewport(1280)
    browser.open(pages / "c01-co-learning.html")
    browser.evaluate(TYPE + "type(document.getElementById('f-name'), 'Zoë Ó Briain');")
    name = browser.evaluate("window.profilepressWorksheet.fileName()")
    assert re.fullmatch(r"worksheet-c01-co-learning-zoe-o-briain-\d{4}-\d{2}-\d{2}\.json", name), name
    browser.evaluate("localStorage.clear()")


def test_each_test_starts_with_nothing_kept_in_the_browser(chromium, pages):
    """The browser fixture's promise, which the tests of kept answers rely on: what a page stored, and the screen
    size, are gone when the next test begins."""
    chromium.new_page()
    chromium.viewport(320)
    chromium.open(pages / "c09-facilitation.html")
    chromium.evaluate("localStorage.setItem('kept', 'yes'); sessionStorage.setItem('kept', 'yes')")
    chromium.new_page()
    chromium.open(pages / "c09-facilitation.html")
    assert chromium.evaluate("[localStorage.length, sessionStorage.length, window.innerWidth > 320]") == [0, 0, True]


def test_an_activity_has_room_at_every_desktop_width(browser, pages):
    """Between a phone and a wide screen (a small laptop, a tablet turned sideways) a worksheet is cards until its
    table leaves each activity room to read: never a column of a few words a line."""
    for width in (1000, 1130, 1280):
        browser.viewport(width)
        browser.open(pages / "c09-facilitation.html")
        narrowest = browser.evaluate(
            "Math.min(...[...document.querySelectorAll('.ws-table td.activity-cell')]"
            ".map(td => td.getBoundingClientRect().width))"
        )
        assert narrowest >= 340, f"at {width} px an activity has {narrowest:.0f} px"
