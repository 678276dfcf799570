"""Restricted fetching and atomic writes: no stray files read, no half-written outputs."""

from __future__ import annotations

import os
import shutil

import pytest

from profilepress.errors import UserError
from profilepress.pdf import RenderLog, html_to_pdf
from profilepress.write import OutputFolder

from conftest import ROOT, TEMPLATES, TINY_PLAN, previous_build

ALLOWED = [TEMPLATES, ROOT / "fonts"]


def render(body: str, log: RenderLog | None = None) -> bytes:
    html = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'
    return html_to_pdf(html, ROOT, ALLOWED, log)


@pytest.mark.parametrize(
    "body,named,why",
    [
        (
            '<img src="file:///etc/passwd" alt="x">',
            "file:///etc/passwd",
            "outside the template, font and brand folders",
        ),
        (
            '<link rel="stylesheet" href="http://example.com/style.css">',
            "http://example.com/style.css",
            "network URLs are never fetched",
        ),
        (
            '<img src="https://example.com/logo.png" alt="logo">',
            "https://example.com/logo.png",
            "network URLs are never fetched",
        ),
        (
            '<img src="tests/profiles/tiny/profile.yaml" alt="x">',
            "tests/profiles/tiny/profile.yaml",
            "outside the template, font and brand folders",
        ),
        ('<img src="templates/no-such-logo.png" alt="x">', "templates/no-such-logo.png", "does not exist"),
        ('<img src="templates/../README.md" alt="x">', "README.md", "outside the template, font and brand folders"),
    ],
)
def test_fetcher_refuses_and_fails_the_render(body, named, why):
    log = RenderLog()
    with pytest.raises(UserError) as info:
        render(body, log)
    message = str(info.value)
    assert message.startswith("resource refused: ") and named in message and why in message
    assert log.fetched == []


def test_fetcher_serves_data_uris_and_project_fonts():
    log = RenderLog()
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    style = (
        "<style>@font-face { font-family: T; "
        'src: url("fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf"); } '
        "body { font-family: T; }</style>"
    )
    pdf = render(f'{style}<p>Text</p><img src="{pixel}" alt="a dot">', log)
    assert pdf.startswith(b"%PDF-")
    assert log.fetched == [ROOT / "fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf"]


def test_attachments_are_refused():
    with pytest.raises(UserError, match="attachments are not allowed"):
        render('<link rel="attachment" href="templates/css/print.css">')
    with pytest.raises(UserError, match="attachments are not allowed"):
        render('<a rel="attachment" href="fonts/README.md">x</a>')


def test_refused_resource_fails_the_build_and_keeps_previous_outputs(run, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "_parts.html.j2"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            '<header class="cover">', '<header class="cover"><img src="file:///etc/passwd" alt="">'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    previous_build(out, {"neutral/handbook.html": b"previous html", "neutral/handbook.pdf": b"previous pdf"})

    result = run(
        "--plan",
        str(TINY_PLAN),
        "--templates",
        str(templates),
        "--output",
        str(out),
        "--format",
        "html",
        "--format",
        "pdf",
        "--jobs",
        "1",
    )
    assert result.code == 1
    assert "error: resource refused: file:///etc/passwd" in result.err
    assert "Traceback" not in result.err
    assert (out / "neutral/handbook.html").read_text(encoding="utf-8") == "previous html"
    assert (out / "neutral/handbook.pdf").read_bytes() == b"previous pdf"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "manifest.json",
        "neutral",
        "neutral/handbook.html",
        "neutral/handbook.pdf",
    ]


def test_atomic_write_keeps_previous_file_when_interrupted(tmp_path, monkeypatch):
    folder = OutputFolder(tmp_path)
    folder.write("doc.pdf", b"first version")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        folder.write("doc.pdf", b"second version, never completed")
    monkeypatch.undo()
    assert (tmp_path / "doc.pdf").read_bytes() == b"first version"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.pdf"]  # no temporary file left behind


def test_writes_stay_inside_the_output_folder(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    for bad in ("../escape.html", "/etc/passwd", "a/../../escape.html"):
        with pytest.raises(UserError, match="outside the output folder"):
            folder.write(bad, b"x")
    assert not (tmp_path / "escape.html").exists()
