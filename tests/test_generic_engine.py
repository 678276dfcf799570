"""The engine knows no profile by name: a different profile of the same shape builds too."""

from __future__ import annotations

from bs4 import BeautifulSoup
from pypdf import PdfReader

from profilepress.load import load_profile

from conftest import ROOT, TEMPLATES, TINY, handbook, make, text_of


def test_tiny_profile_builds_into_a_handbook(tmp_path):
    written = make(TINY, tmp_path, handbook("html", "pdf"))
    assert [w.target.path for w in written.built] == ["handbook.html", "handbook.pdf"]
    pdf = PdfReader(tmp_path / "handbook.pdf")
    assert pdf.metadata.title == "Peer Mentoring Practice Profile"
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    assert [item.title for item in pdf.outline if not isinstance(item, list)][-1] == "L1 Listening"
    soup = BeautifulSoup((tmp_path / "handbook.html").read_text(encoding="utf-8"), "lxml")
    assert soup.html["lang"] == "en-GB"
    assert text_of(soup.title) == "Peer Mentoring Practice Profile"
    assert [text_of(h) for h in soup.select("article.competency h3")] == ["M1 Active listening", "M2 Reflecting back"]
    rows = [
        text_of(li.select_one(".code")) + " " + text_of(li.select_one(".activity-text"))
        for li in soup.select("li.activity")
    ]
    assert rows == ["M1.1 Put the phone away", "M1.2 Ask open questions", "M2.1 Summarise in the mentee's words"]
    assert [text_of(li) for li in soup.select("li#m1-2 .sub-items li")] == ["What happened next?", "How did that feel?"]
    assert [text_of(li) for li in soup.select("#introduction ul li")] == [
        "Mentors listen first.",
        "Mentors share what worked for them.",
    ]
    assert "CC BY 4.0" in text_of(soup.select_one("#about"))
    page = text_of(soup)
    assert "Implementation Support" not in page and "Metz" not in page


def test_tiny_profile_model():
    profile = load_profile(TINY)
    assert profile.short_title == "PMP Profile"
    assert [d.code for d in profile.domains] == ["L1"]
    assert [p.code for p in profile.principles] == ["G1", "G2"]
    assert profile.subtitle is None and profile.full_title == profile.title


def test_engine_and_templates_name_no_profile():
    """No code or template mentions the bundled profile: its words live only in profile_src/."""
    words = ("Implementation Support", "ISP", "Metz", "Co-Creation", "NIRN")
    for path in [*(ROOT / "profilepress").rglob("*.py"), *TEMPLATES.rglob("*.*"), ROOT / "build.py"]:
        text = path.read_text(encoding="utf-8")
        for word in words:
            assert word not in text, f"{path.relative_to(ROOT)} mentions {word!r}"
