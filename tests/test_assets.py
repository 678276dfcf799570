"""What reaches the PDF renderer: stylesheets checked, only the vendored fonts, short warnings, the libraries recorded.

Cheap on purpose: the tiny profile, HTML where the PDF is not the point, the command line in this process,
and one process of its own only where its font configuration is the point.
"""

from __future__ import annotations

import base64
import json
import re
import shutil

from pypdf import PdfReader

from profilepress.cli import main

from conftest import ROOT, TINY


def cli(*args):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args), root=ROOT)
    return code, out.getvalue(), err.getvalue()


def test_an_unclosed_css_block_warns_and_strict_fails_even_from_the_cache(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    base = templates / "css" / "base.css"
    lines = base.read_text(encoding="utf-8").count("\n")
    with open(base, "a", encoding="utf-8") as out:
        out.write("\n.callout { border: 1px solid\n")  # never closed: every rule after it is lost
    plan = ["--plan", str(TINY / "build.yaml"), "-o", str(tmp_path / "out"), "--templates", str(templates)]
    only = ["--only", "neutral/handbook.html", "--jobs", "1"]
    where = rf"templates/css/base\.css:{lines + 2}:10: a '\{{' opened here is never closed"

    code, _, err = cli(*plan, *only)
    assert code == 0, err
    assert re.search(rf"warning: neutral/handbook\.html: {where}.*add '\}}'", err), err
    handbook = (tmp_path / "out" / "neutral" / "handbook.html").read_bytes()

    code, out, err = cli(*plan, *only, "--strict")  # the output is up to date: the warning is replayed
    assert code == 1, (out, err)
    assert "rendered" not in out, out
    assert re.search(rf"neutral/handbook\.html: error: warning \(--strict\): {where}", err), err
    assert (tmp_path / "out" / "neutral" / "handbook.html").read_bytes() == handbook


def test_only_vendored_fonts_same_bytes_with_an_empty_system_font_configuration(tmp_path, monkeypatch):
    """A character the vendored font lacks (a tick, an arrow, a star, a CJK character) is drawn with the
    fallbacks the build names, never whatever the machine's font configuration offers: the same PDF when
    FONTCONFIG_FILE lists no fonts at all. (Fontconfig reads FONTCONFIG_FILE each time WeasyPrint makes a font
    configuration, once per document, so this process serves: no process of its own is needed.)"""
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    path = source / "competencies" / "active-listening.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  - Put the phone away" in text
    path.write_text(text.replace("  - Put the phone away", '  - "Tick ✓ then → ★ 中"', 1), encoding="utf-8")
    args = ["--plan", str(source / "build.yaml"), "--only", "neutral/handbook.pdf", "--jobs", "1"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    code, _, err = cli(*args, "-o", str(tmp_path / "normal"))
    assert code == 0, err
    empty = tmp_path / "empty.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    code, _, err = cli(*args, "-o", str(tmp_path / "empty"))
    assert code == 0, err

    normal = (tmp_path / "normal" / "neutral" / "handbook.pdf").read_bytes()
    assert (tmp_path / "empty" / "neutral" / "handbook.pdf").read_bytes() == normal
    reader = PdfReader(tmp_path / "normal" / "neutral" / "handbook.pdf")
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for p in reader.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
    }
    assert {"DejaVu-Sans", "Droid-Sans-Fallback"} <= fonts, fonts  # the named fallbacks: real glyphs, no boxes
    from profilepress.fontconfig import config_text

    assert re.findall(r"<dir>(.*?)</dir>", config_text()) == [str(ROOT / "fonts")]  # the vendored fonts only


def test_the_manifest_records_the_rendering_libraries(tiny_build):
    out, _ = tiny_build
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["libraries"]
    assert set(recorded) >= {"weasyprint", "pydyf", "pango", "harfbuzz", "fontconfig", "pillow", "fonttools"}
    assert recorded["weasyprint"] == __import__("weasyprint").__version__
    assert all(v != "absent" and v[0].isdigit() for v in recorded.values()), recorded


def test_a_renderer_warning_never_carries_a_whole_data_url():
    from profilepress.pdf import RenderLog, html_to_pdf

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5qq" height="5"/></svg>'
    url = "data:image/svg+xml;base64," + base64.b64encode(svg * 20).decode("ascii")
    log = RenderLog()
    html_to_pdf(f'<html lang="en"><title>t</title><img src="{url}" alt="x">', ROOT, [ROOT / "fonts"], log)
    assert log.warnings, "the drawing failure is reported"
    for warning in log.warnings:
        assert len(warning) <= 300 and "base64," not in warning, warning
        assert "data:image/svg+xml,…" in warning, warning


def test_the_default_documents_render_without_a_warning(default_build):
    """Every document of the default plan, HTML and PDF, rendered with nothing for the renderer to warn about (a
    stylesheet rule it cannot read, a missing font or image): the manifest keeps each output's warnings."""
    manifest = json.loads((default_build / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["targets"]) >= 60
    warned = {path: entry["warnings"] for path, entry in manifest["targets"].items() if entry["warnings"]}
    assert not warned, warned
