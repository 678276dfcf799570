"""Hostile input and faults: every bad input gets a located message, exit 1, no traceback, output untouched.

Most cases are one row of a table: how to break a copy of the project, and what
the user must be told. The faults that need a process of their own (Ctrl-C, two
builds at once) or a failing disk have tests of their own below.

The second catalogue of hostile cases (issue 14), each case and where it is tested; a
name in brackets is a row of CASES, a name with a file is a test of its own:

* a user's file in output/: `make clean` (test_clean), a file at a planned path, a link in
  the way, a read-only output and the umask (test_faults), `--output .` and the other
  refused folders (test_ownership::test_output_may_not_be_a_folder_of_sources_or_above_them);
* interrupts: Ctrl-C while sources load (test_ctrl_c_while_large_sources_load), while workers
  start and mid-render (test_ctrl_c_mid_render_keeps_the_previous_outputs), between the final
  renames (test_faults::test_a_signal_while_outputs_are_put_in_place_waits_for_them), SIGTERM
  (test_faults::test_sigterm_mid_render_exits_143_and_changes_nothing), the lock's race
  (test_faults::test_the_lock_cannot_be_held_twice, test_two_builds_at_once_into_one_folder),
  SIGKILL's leftovers (test_faults::test_the_next_build_removes_what_a_killed_build_left_and_only_that),
  a fault inside WeasyPrint (test_faults::test_a_bug_while_rendering_exits_3_in_one_line_unless_verbose);
* the strict loader on every path: [alias bomb in the plan], [deep nesting in the plan],
  [nul byte in a role file], [markdown nested 500 levels deep], [brackets nested 500 levels
  deep], [markdown field too long], a huge file refused before it is read
  (test_faults::test_a_huge_source_is_refused_before_it_is_read);
* assets: [png with valid checksums and too little image data], [png with valid checksums and
  a broken zlib stream], [corrupt png], an SVG logo the PDF renderer cannot draw
  (test_an_svg_logo_the_pdf_renderer_cannot_draw), short warnings (test_assets::test_a_renderer_warning_never_carries_a_whole_data_url),
  an unclosed CSS block and --strict from the cache
  (test_assets::test_an_unclosed_css_block_warns_and_strict_fails_even_from_the_cache,
  test_faults::test_strict_fails_on_a_warning_recorded_by_an_earlier_build);
* what the author wrote: the sanitiser's removals and bidi controls
  (test_what_the_documents_leave_out_is_said), long tokens
  (test_a_long_unbroken_token_wraps_inside_the_page), [look-alike letter in a code],
  [look-alike letter in a reference];
* exits: a bad SOURCE_DATE_EPOCH (test_cli::test_bad_source_date_epoch_is_a_usage_error);
* errors of every layer in one run (test_validation::test_every_layer_reports_its_errors_in_one_run);
* reproducibility: system fonts (test_assets::test_only_vendored_fonts_same_bytes_with_an_empty_system_font_configuration),
  library versions (test_assets::test_the_manifest_records_the_rendering_libraries,
  test_architecture::test_a_rendering_librarys_version_is_part_of_the_engines_fingerprint);
* scale: the memory cap (test_faults::test_a_worker_over_its_memory_limit_fails_with_a_message),
  hidden files and .git (test_faults::test_hidden_files_and_version_control_folders_are_not_sources),
  very many targets (test_faults::test_a_build_of_very_many_documents_asks_first),
  [windows device name as a role id], [windows device name as a packet id].
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import fitz
import pytest
from PIL import Image

from profilepress.cli import main

from conftest import ROOT, TINY, previous_build

# --- a writable copy of the whole project ---------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A copy of the project (sources, plan, packets, brands, scales; templates and fonts linked)."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("profile_src", "packets", "brands", "scales"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "build.yaml", root / "build.yaml")
    for name in ("templates", "fonts"):
        (root / name).symlink_to(ROOT / name)
    previous_build(tmp_path / "out", {"neutral/handbook.html": b"a previous build"})
    return root


def run(root, *args, project_root=None):
    """The command line, in this process, on the copy, run from the copy's folder; (exit code, stdout, stderr).

    ``root`` is the project copy (its sibling out/ is the output folder); profiles
    without brands and templates of their own give ``project_root=ROOT`` and a --plan.
    """
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    try:
        os.chdir(root)  # (the plan by default is the working folder's build.yaml)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            where = () if args[:1] == ("check",) else ("-o", str(root.parent / "out"))  # check writes nothing
            code = main([*where, *args], root=project_root or root)
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit(root, relative, old, new):
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root, relative, content):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)


def png(size, mode="1"):
    import io

    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def png_chunks(idat):
    """A 20×20 RGB PNG whose chunks all carry valid checksums, with ``idat`` as its image data."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20, 20, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def tiny_with_activity(tmp_path, activity):
    """A copy of the tiny profile whose first activity ("Put the phone away") is replaced by ``activity``
    (YAML list items, indented as in the file)."""
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    edit(source, "competencies/active-listening.yaml", "  - Put the phone away", activity)
    return source


C7 = "profile_src/competencies/c07-understand-context.yaml"
COACH = "profile_src/roles/coach.yaml"
NORTHWIND = "brands/northwind/brand.yaml"
LOGO = ("  file: logo.svg", "  file: {}")

# (name, how to break the copy, the message expected on stderr as a regular expression)
CASES = [
    (
        "yaml syntax error",
        lambda r: edit(r, C7, "name: Understand context", 'name: "Understand context'),
        r"c07-understand-context\.yaml:\d+:\d+: error: YAML syntax error",
    ),
    (
        "tab indentation",
        lambda r: edit(r, C7, "  - >-\n    Involve", "\t- >-\n    Involve"),
        r"c07-understand-context\.yaml:\d+:1: error: a tab character is used for indentation",
    ),
    (
        "unknown field",
        lambda r: edit(r, C7, "\nname:", "\nnmae:"),
        r"c07-understand-context\.yaml:4:1: error: unknown field 'nmae' .* did you mean 'name'",
    ),
    (
        "missing field",
        lambda r: edit(r, C7, "code: C7\n", ""),
        r"c07-understand-context\.yaml:2:1: error: missing required field 'code'",
    ),
    (
        "wrong type",
        lambda r: edit(r, C7, "name: Understand context", "name: [a, b]"),
        r"c07-understand-context\.yaml:4:7: error: must be text, not a list \(name\)",
    ),
    (
        "duplicate key",
        lambda r: edit(r, C7, "code: C7\n", "code: C7\ncode: C8\n"),
        r"c07-understand-context\.yaml:4:1: error: duplicate key 'code', first used at line 3",
    ),
    (
        "yaml 1.1 boolean",
        lambda r: edit(r, "profile_src/profile.yaml", "language: en", "language: no"),
        r"profile\.yaml:\d+:11: error: 'no' is ambiguous: YAML 1\.1 reads it as a boolean",
    ),
    (
        "yaml 1.1 float",
        lambda r: edit(r, "profile_src/profile.yaml", 'version: "4.0"', "version: 1.10"),
        r"profile\.yaml:\d+:10: error: '1\.10' is ambiguous: YAML reads it as a number",
    ),
    (
        "unsafe tag",
        lambda r: edit(r, C7, "name: Understand context", "name: !!python/object/apply:os.system [id]"),
        r"c07-understand-context\.yaml:4:7: error: YAML tag 'tag:yaml\.org,2002:python/object/apply:os\.system'",
    ),
    (
        "alias bomb",
        lambda r: write(
            r,
            "profile_src/competencies/c99-bomb.yaml",
            "\n".join(
                ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
                + [
                    f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
                    for i in range(1, 20)
                ]
            ),
        ),
        r"c99-bomb\.yaml:1:5: error: YAML anchor '&a0' is not allowed",
    ),
    (
        "deep nesting",
        lambda r: write(r, "profile_src/competencies/c99-deep.yaml", "id: " + "[" * 200 + "]" * 200),
        r"c99-deep\.yaml:1:\d+: error: YAML syntax error: nesting deeper than 40 levels",
    ),
    (  # the plan is read by the strict reader on every path, the up-to-date check's included
        "alias bomb in the plan",
        lambda r: write(
            r,
            "build.yaml",
            (r / "build.yaml").read_text(encoding="utf-8")
            + "x0: &x0 [a, a, a, a, a, a, a, a, a]\n"
            + "".join(f"x{i}: &x{i} [*x{i - 1}, *x{i - 1}, *x{i - 1}, *x{i - 1}, *x{i - 1}]\n" for i in range(1, 25)),
        ),
        r"build\.yaml:\d+:5: error: YAML anchor '&x0' is not allowed",
    ),
    (
        "deep nesting in the plan",
        lambda r: write(r, "build.yaml", "editions: " + "[" * 5000 + "]" * 5000 + "\n"),
        r"build\.yaml:1:\d+: error: YAML syntax error: nesting deeper than 40 levels",
    ),
    (
        "file too large",
        lambda r: write(r, "profile_src/competencies/c99-big.yaml", "# " + "x" * 2_100_000),
        r"c99-big\.yaml: error: file is too large \(2,100,002 bytes\)",
    ),
    (
        "not utf-8",
        lambda r: write(r, "profile_src/competencies/c99-latin1.yaml", "name: caf\xe9".encode("latin-1")),
        r"c99-latin1\.yaml:1:1: error: the file is not valid UTF-8",
    ),
    (
        "broken reference",
        lambda r: edit(r, "profile_src/domains/d2-ongoing-improvement.yaml", "  - facilitation\n", "  - facilitaton\n"),
        r"d2-ongoing-improvement\.yaml:\d+:5: error: unknown competency 'facilitaton' .* did you mean 'facilitation'",
    ),
    (
        "id escaping the output folder",
        lambda r: edit(r, C7, "id: understand-context", "id: ../../etc"),
        r"c07-understand-context\.yaml:2:5: error: '\.\./\.\./etc' is not allowed here \(id\)",
    ),
    (
        "absolute path as a role id",
        lambda r: edit(r, "profile_src/roles/coach.yaml", "id: coach", "id: /etc/passwd"),
        r"roles/coach\.yaml:\d+:5: error: '/etc/passwd' is not allowed here \(id\)",
    ),
    (
        "markdown field too long",
        lambda r: edit(
            r, "profile_src/roles/coach.yaml", "description: >-\n", "description: >-\n  " + "[x](" * 3000 + "\n"
        ),
        r"roles/coach\.yaml:\d+:\d+: error: is 12,\d{3} characters long, more than the 2,000 allowed here \(description\)",
    ),
    (
        "windows device name as a role id",
        lambda r: edit(r, "profile_src/roles/coach.yaml", "id: coach", "id: con"),
        r"roles/coach\.yaml:\d+:5: error: 'con' is a device name on Windows, .* choose another id \(id\)",
    ),
    (
        "windows device name as a packet id",
        lambda r: edit(r, "packets/introduction-half-day.yaml", "id: introduction-half-day", "id: lpt1"),
        r"introduction-half-day\.yaml:\d+:5: error: 'lpt1' is a device name on Windows",
    ),
    (
        "unknown role in a packet",
        lambda r: edit(r, "packets/introduction-half-day.yaml", "competencies: [C1, C9, C12]", "role: coahc"),
        r"introduction-half-day\.yaml:\d+:7: error: unknown role 'coahc' .* did you mean 'coach'",
    ),
    (
        "unknown competency in a packet",
        lambda r: edit(
            r, "packets/introduction-half-day.yaml", "competencies: [C1, C9, C12]", "competencies: [C1, C19]"
        ),
        r"introduction-half-day\.yaml:\d+:20: error: unknown competency code 'C19' .* did you mean 'C9'",
    ),
    (
        "unknown key in the plan",
        lambda r: edit(r, "build.yaml", "scale: nirn", "scael: nirn"),
        r"build\.yaml:\d+:1: error: unknown field 'scael' .* did you mean 'scale'",
    ),
    (
        "brand folder name",
        lambda r: shutil.copytree(r / "brands/northwind", r / "brands/Bad Brand"),
        r"Bad Brand/brand\.yaml: error: the brand folder name 'Bad Brand' is not allowed",
    ),
    (
        "missing logo",
        lambda r: edit(r, NORTHWIND, LOGO[0], LOGO[1].format("gone.svg")),
        r"northwind/brand\.yaml:\d+:9: error: 'gone\.svg' does not exist in northwind/",
    ),
    (
        "remote logo",
        lambda r: edit(r, NORTHWIND, LOGO[0], LOGO[1].format("https://example.com/logo.svg")),
        r"northwind/brand\.yaml:\d+:9: error: 'https://example\.com/logo\.svg' is not a file in the brand's folder",
    ),
    (
        "logo outside the project",
        lambda r: edit(r, NORTHWIND, LOGO[0], LOGO[1].format("../../../../../etc/x.svg")),
        r"northwind/brand\.yaml:\d+:9: error: '\.\./\.\./\.\./\.\./\.\./etc/x\.svg' is outside the brand's folder",
    ),
    (
        "oversized logo",
        lambda r: (
            write(r, "brands/northwind/big.png", b"\x89PNG" + b"0" * 1_100_000),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("big.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is 1,100,004 bytes \(at most 1,000,000\)",
    ),
    (
        "corrupt png",
        lambda r: (
            write(r, "brands/northwind/bad.png", b"\x89PNG\r\n\x1a\nnot an image"),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("bad.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is not a readable PNG",
    ),
    (
        "png with valid checksums and too little image data",
        lambda r: (
            write(r, "brands/northwind/short.png", png_chunks(zlib.compress(b"\0" * 50))),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("short.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is not a readable PNG \(image file is truncated\); "
        r"export it again .*replace short\.png",
    ),
    (
        "png with valid checksums and a broken zlib stream",
        lambda r: (
            write(r, "brands/northwind/garbage.png", png_chunks(b"garbage, not a zlib stream")),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("garbage.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is not a readable PNG \(broken data stream",
    ),
    (
        "png pixel bomb",
        lambda r: (
            write(r, "brands/northwind/huge.png", png((9000, 9000))),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("huge.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is 9000×9000 pixels",
    ),
    (
        "png too wide",
        lambda r: (
            write(r, "brands/northwind/wide.png", png((8100, 10))),
            edit(r, NORTHWIND, LOGO[0], LOGO[1].format("wide.png")),
        ),
        r"northwind/brand\.yaml:\d+:9: error: the logo is 8100×10 pixels \(at most 8000 a side",
    ),
    (
        "svg element bomb",
        lambda r: write(
            r, "brands/northwind/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg">' + "<g/>" * 6000 + "</svg>"
        ),
        r"northwind/brand\.yaml:\d+:9: error: the SVG logo has more than 5000 elements",
    ),
    (
        "svg script",
        lambda r: write(
            r, "brands/northwind/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        ),
        r"northwind/brand\.yaml:\d+:9: error: the SVG logo has a <script> element",
    ),
    (
        "svg entity",
        lambda r: write(
            r,
            "brands/northwind/logo.svg",
            '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        ),
        r"northwind/brand\.yaml:\d+:9: error: the SVG logo declares a DTD or entities",
    ),
    (
        "svg outside reference",
        lambda r: write(
            r,
            "brands/northwind/logo.svg",
            '<svg xmlns="http://www.w3.org/2000/svg" '
            'xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<image xlink:href="file:///etc/passwd"/></svg>',
        ),
        r"northwind/brand\.yaml:\d+:9: error: the SVG logo refers to 'file:///etc/passwd'",
    ),
    (
        "nul byte in a role file",
        lambda r: edit(r, COACH, "name: Coach", "name: Co\x00ach"),
        r"roles/coach\.yaml:6:9: error: the file holds the control character U\+0000 NULL, which YAML does not allow",
    ),
    (
        "markdown nested 500 levels deep",
        lambda r: edit(r, COACH, "  Works alongside", "  " + "- " * 500 + "Works alongside"),
        r"roles/coach\.yaml:7:14: error: Markdown nested 500 levels deep \(at most 20\) \(description\) — write it",
    ),
    (
        "brackets nested 500 levels deep",
        lambda r: edit(r, COACH, "  Works alongside", "  " + "[" * 500 + "Works" + "]" * 500 + " alongside"),
        r"roles/coach\.yaml:7:14: error: Markdown nested 500 levels deep \(at most 20\) \(description\)",
    ),
    (
        "look-alike letter in a code",
        lambda r: edit(r, C7, "code: C7", "code: \u04217"),
        r"c07-understand-context\.yaml:3:7: error: '\u04217' \(with U\+0421 CYRILLIC CAPITAL LETTER ES\) "
        r"is not allowed here \(code\)",
    ),
    (
        "look-alike letter in a reference",
        lambda r: edit(
            r, "profile_src/domains/d2-ongoing-improvement.yaml", "  - facilitation\n", "  - f\u0430cilitation\n"
        ),
        r"d2-ongoing-improvement\.yaml:\d+:5: error: unknown competency 'f\u0430cilitation' "
        r"\(with U\+0430 CYRILLIC SMALL LETTER A\)",
    ),
    (
        "low contrast brand",
        lambda r: edit(r, NORTHWIND, 'accent: "#0b5d4b"', 'accent: "#a0d8c0"'),
        r"northwind/brand\.yaml:\d+:11: error: accent #a0d8c0 on background #ffffff has a contrast of 1\.\d\d:1",
    ),
]


UNDRAWABLE_SVGS = {
    "a warning": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5qq" height="5"/></svg>',
    "a failure": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 a b"><rect width="5" height="5"/></svg>',
}


@pytest.mark.parametrize("svg", UNDRAWABLE_SVGS.values(), ids=UNDRAWABLE_SVGS.keys())
def test_an_svg_logo_the_pdf_renderer_cannot_draw(project, svg):
    """Refused, located, by a build that would make a PDF with it and by `check`; an HTML build, which
    browsers draw, is made (and never starts the PDF renderer)."""
    write(project, "brands/northwind/logo.svg", svg)
    expected = r"northwind/brand\.yaml:\d+:9: error: the SVG logo cannot be drawn in a PDF .*— save logo\.svg again"
    before = snapshot(project.parent / "out")
    for args in (("--only", "northwind/handbook.pdf"), ("check",)):
        code, out, err = run(project, *args)
        assert code == 1 and re.search(expected, err), (args, out, err)
        assert "Traceback" not in err
    assert snapshot(project.parent / "out") == before
    code, out, err = run(project, "--only", "northwind/handbook.html")
    assert code == 0, err
    assert "northwind/handbook.html" in snapshot(project.parent / "out")


@pytest.mark.parametrize("name,breaks,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly(project, name, breaks, message):
    before = snapshot(project.parent / "out")
    breaks(project)
    code, out, err = run(project, "--format", "html")
    assert code == 1, (name, out, err)
    assert re.search(message, err), err
    assert "Traceback" not in err and "internal error" not in err
    assert err.rstrip().endswith("nothing was written.")
    assert snapshot(project.parent / "out") == before


# --- text fields: escaped, or sanitised Markdown ---------------------------------------------------


def test_injection_in_text_fields_is_neutralised(tmp_path):
    """In the tiny profile's handbook (HTML) and its role's excerpt (HTML and PDF; the excerpt holds the competency
    with the hostile activity too). Profile text and a role's description reach every document through the same
    templates, escaping and Markdown sanitiser whatever the profile, so a small profile shows what the shipped one
    would; its PDF is a few pages."""
    source = tiny_with_activity(
        tmp_path, '  - "<script>alert(1)</script><img src=x onerror=alert(2)> [x](file:///etc/passwd)"'
    )
    edit(
        source,
        "roles/buddy.yaml",
        "description: A peer",
        'description: >-\n  <img src="file:///etc/passwd" alt=""> <a href="javascript:alert(3)" onclick="x()">a</a>'
        ' [b](../secret.txt) ![c](https://example.com/x.png) <link rel="attachment" href="fonts/README.md">'
        " *kept* [ok](https://example.org)\n  A peer",
    )
    edit(
        source,
        "build.yaml",
        "        roles: all\n        formats: [html]",
        "        roles: all\n        formats: [html, pdf]",
    )
    code, out, err = run(
        source,
        "--plan",
        str(source / "build.yaml"),
        "--only",
        "neutral/handbook.html",
        "--only",
        "neutral/roles/buddy.*",
        "--jobs",
        "1",
        project_root=ROOT,
    )
    assert code == 0, err
    out_dir = tmp_path / "out"
    handbook = (out_dir / "neutral/handbook.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in handbook and "onerror" not in handbook.replace("onerror=alert(2)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in handbook  # shown, as text
    buddy = (out_dir / "neutral/roles/buddy.html").read_text(encoding="utf-8")
    description = re.search(r'<p class="role-description">(.*?)</p>', buddy, re.S)[1]
    assert "<img" not in description and "onclick" not in description and "javascript:" not in description
    assert "file:" not in description and "../secret" not in description and "attachment" not in description
    assert "<em>kept</em>" in description and 'href="https://example.org"' in description
    manifest = __import__("json").loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    with fitz.open(out_dir / "neutral/roles/buddy.pdf") as pdf:  # the activity shown as text, not run
        assert "<script>alert(1)</script><img src=x" in "".join(page.get_text() for page in pdf)
    fetched = manifest["targets"]["neutral/roles/buddy.pdf"]["files"]
    assert fetched and all("fonts/atkinson-hyperlegible/" in f for f in fetched), fetched  # fonts only


# --- what the documents will not show as written is said: a warning, an error under --strict -----------


@pytest.mark.parametrize(
    "file,old,new,said",
    [
        (
            "roles/buddy.yaml",
            "description: A peer",
            "description: <script>alert(1)</script> A peer",
            r"roles/buddy\.yaml:3:14: {}: raw HTML <script> removed.* \(description\) — the documents show this text "
            r"without it",
        ),
        (
            "roles/buddy.yaml",
            "description: A peer",
            "description: See [a peer](javascript:alert(1)) or a peer",
            r"roles/buddy\.yaml:3:14: {}: link to 'javascript:alert\(1\)' removed .*\(description\)",
        ),
        (
            "competencies/active-listening.yaml",
            "name: Active listening",
            "name: Active \u202elistening",
            r"active-listening\.yaml:3:7: {}: bidirectional control character U\+202E RIGHT-TO-LEFT OVERRIDE: .*"
            r"\(name\) — remove it",
        ),
    ],
    ids=["raw html", "unsafe link", "bidi control"],
)
def test_what_the_documents_leave_out_is_said(tmp_path, file, old, new, said):
    """A plain build says it (exit 0); --strict fails on it before writing anything, and again once the
    plain build's outputs are up to date (the warning is recorded in the manifest)."""
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    edit(source, file, old, new)
    args = ("--plan", str(source / "build.yaml"), "--only", "neutral/roles/buddy.html", "--jobs", "1")
    code, out, err = run(source, *args, "--strict", project_root=ROOT)
    assert code == 1 and re.search(said.format("error"), err), err
    assert "(a warning; --strict makes it an error)" in err and not (tmp_path / "out/neutral").exists()
    code, out, err = run(source, *args, project_root=ROOT)
    assert code == 0 and re.search(said.format("warning"), err), err
    assert (tmp_path / "out/neutral/roles/buddy.html").is_file()
    before = snapshot(tmp_path / "out")
    code, out, err = run(source, *args, "--strict", project_root=ROOT)
    assert code == 1 and re.search(said.format("error"), err), err
    assert snapshot(tmp_path / "out") == before


def test_a_long_unbroken_token_wraps_inside_the_page(tmp_path, browser):
    """A 164-character URL in an activity: on the PDF's pages, every word ends inside the right margin and
    the whole token is there; in the HTML at phone width, the page does not scroll sideways."""
    import pymupdf
    from pypdf import PdfReader

    token = "https://example.org/" + "abcdefghijklmnopqrstuvwxyz0123456789" * 4
    assert len(token) == 164
    source = tiny_with_activity(tmp_path, f"  - Put the phone away, then read {token}")
    code, out, err = run(
        source, "--plan", str(source / "build.yaml"), "--only", "neutral/handbook.*", "--jobs", "1", project_root=ROOT
    )
    assert code == 0, err
    pdf = tmp_path / "out/neutral/handbook.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert token in re.sub(r"\s+", "", text)
    margin = 20 / 25.4 * 72  # the narrower of the two side margins, 20 mm
    with pymupdf.open(pdf) as document:
        for page in document:
            right = page.rect.width - margin
            beyond = [w[4] for w in page.get_text("words") if w[2] > right + 1]
            assert not beyond, f"page {page.number + 1}: text beyond the right margin: {beyond}"
    browser.viewport(320)
    browser.open(tmp_path / "out/neutral/handbook.html")
    page = browser.evaluate("document.documentElement.scrollWidth")  # a phone widens its window to a page too wide
    assert page <= 320, f"the handbook is {page} px wide at 320 px"


def test_unicode_renders_in_html_and_pdf(tmp_path):
    from pypdf import PdfReader

    texts = [
        "שלום עולם: הקשבה פעילה",
        "مرحبا بالعالم",
        "实施支持实践者的能力",
        "Teamwork 🤝 and ✅ done",
        "Cafe\u0301 con n\u0303 and Zoë",
    ]
    source = tiny_with_activity(tmp_path, "\n".join(f'  - "{t}"' for t in texts))
    code, out, err = run(
        source, "--plan", str(source / "build.yaml"), "--only", "neutral/handbook.*", "--jobs", "1", project_root=ROOT
    )
    assert code == 0, err
    html = (tmp_path / "out/neutral/handbook.html").read_text(encoding="utf-8")
    for text in texts:
        assert text in html
    assert html.count('dir="rtl"') == 2  # the Hebrew and the Arabic activities
    reader = PdfReader(tmp_path / "out/neutral/handbook.pdf")
    extracted = "\n".join(p.extract_text() for p in reader.pages)
    for text in texts:  # pypdf gives right-to-left text in visual order: look for its words
        assert all(word in extracted for word in text.replace(":", " ").split()), text
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for p in reader.pages
        for f in (p["/Resources"].get("/Font") or {}).values()
    }
    assert {"DejaVu-Sans", "Droid-Sans-Fallback", "Symbola-Semi-Condensed"} <= fonts  # real glyphs, no boxes


def test_very_large_inputs(tmp_path):
    source = tmp_path / "big"
    shutil.copytree(TINY, source)
    shutil.rmtree(source / "packets")
    shutil.rmtree(source / "roles")
    ids = [f"competency-{n}" for n in range(1, 121)]
    for n, cid in enumerate(ids, start=1):
        activities = "\n".join(f"  - Activity {a} of competency {n}, " + "with a long text " * 40 for a in range(1, 11))
        write(
            source,
            f"competencies/{cid}.yaml",
            f"id: {cid}\ncode: M{n}\nname: Competency number {n}\ndescription:\n  - It is number {n}.\n"
            f"activities:\n{activities}\n  - {'x' * 20000}\n",
        )
    for old in ("active-listening", "reflecting-back"):
        (source / f"competencies/{old}.yaml").unlink()
    write(
        source,
        "domains/listening.yaml",
        "id: listening\ncode: L1\nname: Listening\nsummary: Many.\n"
        "competencies:\n" + "\n".join(f"  - {cid}" for cid in ids) + "\n",
    )
    plan = source / "build.yaml"
    plan.write_text(
        "profile: .\nscale: california-cpm\neditions:\n  - brand: neutral\n    documents:\n"
        "      - kind: handbook\n        formats: [html]\n      - kind: worksheet\n"
        "        formats: [html]\n",
        encoding="utf-8",
    )
    code, out, err = run(source, "--plan", str(plan), "--jobs", "1", project_root=ROOT)
    assert code == 0, err
    html = (tmp_path / "out/neutral/handbook.html").read_text(encoding="utf-8")
    assert html.count('class="activity"') == 120 * 11 and "M120.11" in html


# --- faults --------------------------------------------------------------------------------------


def test_a_failing_disk_changes_nothing(project, monkeypatch):
    """Two outputs and the manifest written, the second file's write failing (HTML only: the writing is the
    same whatever a file holds)."""
    code, out, err = run(
        project,
        "--plan",
        str(project / "build.yaml"),
        "--only",
        "neutral/handbook.html",
        "--only",
        "neutral/worksheets/profile.html",
        "--jobs",
        "1",
    )
    assert code == 0, err
    out_dir = project.parent / "out"
    before = snapshot(out_dir)
    from profilepress import write as write_module

    real_fsync, calls = os.fsync, []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(write_module.os, "fsync", full_disk)
    edit(project, "profile_src/profile.yaml", "title: Implementation", "title: The Implementation")
    code, out, err = run(
        project,
        "--plan",
        str(project / "build.yaml"),
        "--only",
        "neutral/handbook.html",
        "--only",
        "neutral/worksheets/profile.html",
        "--jobs",
        "1",
    )
    assert code == 1
    assert "No space left on device" in err and "Traceback" not in err
    assert snapshot(out_dir) == before  # all or nothing: the first file was not replaced
    assert not [p for p in out_dir.rglob("*") if p.name.endswith(".tmp") or p.name == ".profilepress.lock"]


def test_an_unwritable_output_folder_is_a_clear_error(project, monkeypatch):
    from profilepress import write as write_module

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(write_module.tempfile, "mkstemp", denied)
    before = snapshot(project.parent / "out")
    code, out, err = run(project, "--only", "neutral/handbook.html", "--jobs", "1")
    assert code == 1 and "error: cannot write to" in err and "Permission denied" in err
    assert "Traceback" not in err
    assert snapshot(project.parent / "out") == before


def script(*args, cwd=ROOT):
    """build.py in a process group of its own, as a terminal starts it (Ctrl-C goes to the whole group)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def ctrl_c(process):
    """Ctrl-C as a terminal sends it: SIGINT to the build and every process it started."""
    os.killpg(process.pid, signal.SIGINT)


def wait_for(condition, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("after", [0.2, 1.0], ids=["while-workers-start", "mid-render"])
def test_ctrl_c_mid_render_keeps_the_previous_outputs(tmp_path, after):
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    out = tmp_path / "out"
    # the previous outputs (HTML, one job, in this process: quick; what is interrupted is the next build)
    code, _, err = run(source, "--plan", str(source / "build.yaml"), "-j", "1", "--format", "html", project_root=ROOT)
    assert code == 0, err
    before = snapshot(out)
    build = script("--plan", str(source / "build.yaml"), "-o", str(out), "--jobs", "2", "--force")
    assert wait_for(lambda: (out / ".profilepress.lock").exists())
    time.sleep(after)
    ctrl_c(build)
    stdout, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, (stdout, stderr)
    assert "interrupted; nothing was written" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert snapshot(out) == before
    assert not (out / ".profilepress.lock").exists()


def test_a_ctrl_c_a_library_swallows_still_stops_the_build(tmp_path, monkeypatch):
    """Some libraries catch every exception around an import or a probe (`except:`), Ctrl-C's included: one
    that lands there is lost to Python. The build records it when it comes, and stops before writing."""
    from profilepress import document

    render_target = document.render_target

    def swallowing(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, delivered here; and a library's bare except
            time.sleep(1)
        except BaseException:
            pass
        return render_target(*args, **kwargs)

    monkeypatch.setattr(document, "render_target", swallowing)
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    code, out, err = run(source, "--plan", str(source / "build.yaml"), "--format", "html", "-j", "1", project_root=ROOT)
    assert code == 130, (out, err)
    assert "interrupted; nothing was written, and the files already in the output folder are intact." in err
    assert not (tmp_path / "out").exists()
    monkeypatch.setattr(document, "render_target", render_target)
    code, out, err = run(source, "--plan", str(source / "build.yaml"), "--format", "html", "-j", "1", project_root=ROOT)
    assert code == 0, err  # the next command in the same process starts afresh


def test_a_build_stopped_while_staging_leaves_no_folder_behind(tmp_path, monkeypatch):
    """Ctrl-C after some files were staged into folders the build made (a new output folder): the staged files
    and those folders go, and the output folder is as it was: absent."""
    from profilepress.write import OutputFolder

    stage, calls = OutputFolder._stage, []

    def stopped_at_the_third(self, *args):
        calls.append(args[0])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return stage(self, *args)

    monkeypatch.setattr(OutputFolder, "_stage", stopped_at_the_third)
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    code, out, err = run(source, "--plan", str(source / "build.yaml"), "--format", "html", "-j", "1", project_root=ROOT)
    assert code == 130 and "interrupted; nothing was written" in err, (out, err)
    assert len({path.parent for path in calls}) > 1  # files were staged in more than one new folder
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_large_sources_load(tmp_path):
    """Ctrl-C to three builds of large, valid sources (360 competencies of 10 long activities, HTML only), run side
    by side: one half a second in, while it loads; one as it says it starts rendering, while its workers start; one
    as its first document is made, while the other renders. Each exits 130 and changes nothing. The moments are
    told by the build's own progress lines, so a faster machine cannot move them past the end."""
    source = tmp_path / "large"
    shutil.copytree(TINY, source)
    for folder in ("packets", "roles", "competencies"):
        shutil.rmtree(source / folder)
    ids = [f"competency-{n}" for n in range(1, 361)]
    for n, cid in enumerate(ids, start=1):
        activities = "".join(f"  - Activity {a} of competency {n}, {'with a long text ' * 40}\n" for a in range(1, 11))
        write(
            source,
            f"competencies/{cid}.yaml",
            f"id: {cid}\ncode: M{n}\nname: Number {n}\ndescription:\n  - It is number {n}.\nactivities:\n{activities}",
        )
    write(source, "domains/listening.yaml", "id: listening\ncode: L1\nname: Listening\nsummary: Many.\ncompetencies:\n")
    with (source / "domains/listening.yaml").open("a", encoding="utf-8") as domain:
        domain.writelines(f"  - {cid}\n" for cid in ids)
    write(
        source,
        "build.yaml",
        "profile: .\nscale: california-cpm\neditions:\n  - brand: neutral\n    documents:\n"
        "      - kind: handbook\n        formats: [html]\n"
        "      - kind: worksheet\n        scope: profile\n        formats: [html]\n",
    )
    moments = ("loading", "rendering: 2 to render", "rendered neutral/handbook.html")
    outs = [tmp_path / f"out-{n}" for n in range(len(moments))]
    for out in outs:
        previous_build(out, {"neutral/handbook.html": b"a previous build"})
    before = [{p: (sha, (out / p).stat().st_ino) for p, sha in snapshot(out).items()} for out in outs]
    started = time.monotonic()
    builds = [script("--plan", str(source / "build.yaml"), "-o", str(out), "--force") for out in outs]
    printed = []
    for build, moment in zip(builds, moments):
        lines = []
        if moment == "loading":
            time.sleep(max(0.0, started + 0.5 - time.monotonic()))
        else:
            for line in build.stdout:
                lines.append(line)
                if line.startswith(moment):
                    break
        assert build.poll() is None, f"the build ended before {moment!r}: make the sources larger\n{''.join(lines)}"
        ctrl_c(build)
        printed.append("".join(lines))
    for build, out, was, moment, earlier in zip(builds, outs, before, moments, printed):
        stdout, stderr = build.communicate(timeout=120)
        assert "error:" not in stderr, stderr  # the sources are valid: the build was stopped, not refused
        assert build.returncode == 130, (moment, earlier + stdout, stderr)
        assert "interrupted; nothing was written" in stderr
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr and "internal error" not in stderr
        assert {p: (sha, (out / p).stat().st_ino) for p, sha in snapshot(out).items()} == was, moment
        assert not [p for p in out.rglob("*") if p.name.endswith(".tmp") or p.name == ".profilepress.lock"]


def test_two_builds_at_once_into_one_folder(tmp_path):
    source = tmp_path / "tiny"
    shutil.copytree(TINY, source)
    out = tmp_path / "out"
    only = ("--only", "neutral/handbook.pdf", "--jobs", "1", "--force")
    first = script("--plan", str(source / "build.yaml"), "-o", str(out), *only)
    assert wait_for(lambda: (out / ".profilepress.lock").exists())
    os.killpg(first.pid, signal.SIGSTOP)  # held while it has the lock, however fast this machine renders
    try:
        second = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--plan", str(source / "build.yaml"), "-o", str(out), *only],
            capture_output=True,
            text=True,
        )
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    assert second.returncode == 1
    assert re.search(r"error: another build is writing to .*out \(process \d+\); wait for it to finish", second.stderr)
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    assert (out / "neutral/handbook.pdf").read_bytes().startswith(b"%PDF")


def test_render_time_limit(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "-o",
            str(tmp_path / "out"),
            "--only",
            "neutral/worksheets/profile.pdf",
            "--timeout",
            "1",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "neutral/worksheets/profile.pdf: error: took longer than 1 s to render" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
