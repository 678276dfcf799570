"""The build engine: incremental, parallel, reproducible, observable, fit for CI.

Each test builds the tiny profile's project (tests/profiles/tiny) with the command line, in this process (as the
`run` fixture does: each run reads the manifest and the sources afresh) except where a process of its own is the
point (a no-op build that imports nothing heavy, a changed engine). Tests that only read a first build share one
(`built`, with PDFs: the tiny plan as the test run builds it once, conftest's tiny_build); tests about what a
later build redoes or removes, where a PDF would be decided the same way as the HTML and only take longer, use
the plan in HTML only (`tiny_html`); the tests where the PDF is the point (what an edit rebuilds, template
dependencies, the manifest's record of fonts, bytes with 1 and 2 jobs, verify, a failing fetch, --strict) build
PDFs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, TINY, cli, run_script

PLAN_FILES = ("build.yaml", "profile.yaml", "principles.yaml", "domains", "competencies", "roles", "packets")


@pytest.fixture
def tiny(tmp_path):
    """A writable copy of the tiny profile's project (its own plan, roles and packet)."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


@pytest.fixture
def tiny_html(tiny):
    """The tiny project with its plan in HTML only (6 targets)."""
    plan = tiny / "build.yaml"
    text = plan.read_text(encoding="utf-8")
    for formats in ("[html, pdf]", "[html, pdf, fillable-pdf]"):
        assert f"formats: {formats}\n" in text
        text = text.replace(f"formats: {formats}\n", "formats: [html]\n")
    plan.write_text(text, encoding="utf-8")
    return tiny


@pytest.fixture
def built(tiny_build):
    """The tiny project's whole plan (PDFs too) built once, with one job, for tests that only read it (conftest's
    tiny_build): (the project, its output folder, what the build printed)."""
    out, result = tiny_build
    return TINY, out, result


def build(tiny, *args, out=None):
    out = out or tiny.parent / "out"
    return cli("--plan", str(tiny / "build.yaml"), "-o", str(out), *args)


def snapshot(out):
    """Every output file → (bytes, modification time in ns)."""
    return {
        str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.rglob("*")) if p.is_file()
    }


def rendered(result):
    return sorted(line.split()[1] for line in result.out.splitlines() if line.startswith("rendered "))


def test_editing_one_competency_rebuilds_exactly_what_contains_it(tiny):
    """The tiny plan with one PDF (the handbook's): PDFs record what they read as HTML does."""
    plan = tiny / "build.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("formats: [html, pdf, fillable-pdf]\n", "formats: [html]\n"),
        encoding="utf-8",
    )
    first = build(tiny, "--jobs", "1")
    assert first.code == 0, first.err
    out = tiny.parent / "out"
    before = snapshot(out)

    path = tiny / "competencies/reflecting-back.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Summarise in the mentee's words", "Summarise in the mentee's own words"
        ),
        encoding="utf-8",
    )
    second = build(tiny, "--jobs", "1")
    assert second.code == 0, second.err
    # M2 is in the handbook, the whole-profile worksheets, its own worksheet, and the buddy's excerpt
    # (supporting). The packet (M1 only) lists M2's code and name in its map: unchanged, so not rebuilt.
    assert rendered(second) == sorted(
        [
            "neutral/handbook.html",
            "neutral/handbook.pdf",
            "neutral/roles/buddy.html",
            "neutral/worksheets/m02-reflecting-back.html",
            "neutral/worksheets/profile.html",
        ]
    )
    assert "built 5, up to date 2, removed 0, failed 0" in second.out
    after = snapshot(out)
    for untouched in ("neutral/worksheets/m01-active-listening.html", "neutral/packets/listening-hour.html"):
        assert after[untouched] == before[untouched]  # same bytes and same modification time
    assert after["neutral/handbook.html"][0] != before["neutral/handbook.html"][0]
    assert "mentee&#39;s own words" in after["neutral/handbook.html"][0].decode()


def test_template_and_asset_changes_are_dependencies(tiny_html, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    assert build(tiny_html, "--jobs", "1", "--templates", str(templates)).code == 0
    css = templates / "css/packet.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.prompt { margin-bottom: 1rem; }\n", encoding="utf-8")
    result = build(tiny_html, "--jobs", "1", "--templates", str(templates))
    assert rendered(result) == ["neutral/packets/listening-hour.html"]  # the only document using packet.css

    # A template edited between two builds in one process (templates are compiled once per process) is read anew.
    excerpt = templates / "excerpt.html.j2"
    old = '<p class="role-description">'
    excerpt.write_text(excerpt.read_text(encoding="utf-8").replace(old, old + "Edited. "), encoding="utf-8")
    result = build(tiny_html, "--jobs", "1", "--templates", str(templates))
    assert rendered(result) == ["neutral/roles/buddy.html"]
    assert "Edited. " in (tiny_html.parent / "out/neutral/roles/buddy.html").read_text(encoding="utf-8")


def test_no_op_rebuild_decides_from_the_manifest_without_weasyprint(built):
    tiny, out, _ = built
    before = snapshot(out)
    code = (
        "import sys; from pathlib import Path; from profilepress.cli import main; "
        f"rc = main(['--plan', {str(tiny / 'build.yaml')!r}, '-o', {str(out)!r}], root=Path({str(ROOT)!r})); "
        "print('weasyprint' in sys.modules, 'pydantic' in sys.modules, 'jinja2' in sys.modules); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "built 0, up to date 9, removed 0, failed 0" in result.stdout
    assert "(decided from the manifest)" in result.stdout
    assert result.stdout.splitlines()[-1] == "False False False"
    assert snapshot(out) == before  # nothing written


def test_an_html_build_never_starts_the_pdf_renderer(tiny_html):
    """Not to check the brands' SVG logos either (a PDF build draws those its PDFs use): HTML builds stay fast."""
    out = tiny_html.parent / "out"
    code = (
        "import sys; from pathlib import Path; from profilepress.cli import main; "
        f"rc = main(['--plan', {str(tiny_html / 'build.yaml')!r}, '-o', {str(out)!r}, '-j', '1'], "
        f"root=Path({str(ROOT)!r})); print('weasyprint' in sys.modules); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "built 6, up to date 0" in result.stdout
    assert result.stdout.splitlines()[-1] == "False"
    assert (ROOT / "brands/northwind/logo.svg").is_file()  # a brand with an SVG logo was loaded


def test_removed_targets_are_deleted_but_never_a_users_file(tiny_html):
    tiny = tiny_html
    assert build(tiny, "--jobs", "1").code == 0
    out = tiny.parent / "out"
    (out / "neutral/my-notes.txt").write_text("mine", encoding="utf-8")
    plan = tiny / "build.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "      - kind: excerpt\n        roles: all\n        formats: [html]\n", ""
        ),
        encoding="utf-8",
    )
    result = build(tiny, "--jobs", "1")
    assert result.code == 0, result.err
    assert "removed 1" in result.out
    assert not (out / "neutral/roles").exists()
    assert (out / "neutral/my-notes.txt").read_text(encoding="utf-8") == "mine"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "neutral/roles/buddy.html" not in manifest["targets"]


def test_tailored_outputs_survive_the_next_plain_build(tiny):
    """`tailor` makes documents on request; a later build of the plan keeps them (and still knows they are ours)."""
    assert build(tiny, "--jobs", "1", "--format", "html").code == 0
    out = tiny.parent / "out"
    tailored = build(tiny, "tailor", "--competency", "M1", "--format", "html")
    assert tailored.code == 0, tailored.err
    made = sorted(p.relative_to(out).as_posix() for p in (out / "neutral/tailored").iterdir())
    assert made and all(p.endswith(".html") for p in made)
    again = build(tiny, "--jobs", "1", "--format", "html")
    assert again.code == 0, again.err
    assert "removed 0" in again.out, again.out
    assert sorted(p.relative_to(out).as_posix() for p in (out / "neutral/tailored").iterdir()) == made
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(manifest["targets"][p]["requested"] for p in made)


def test_an_output_changed_by_hand_is_rebuilt_and_force_rebuilds_all(tiny_html):
    tiny = tiny_html
    assert build(tiny, "--jobs", "1").code == 0
    out = tiny.parent / "out"
    (out / "neutral/handbook.html").write_text("tampered", encoding="utf-8")
    result = build(tiny, "--jobs", "1")
    assert rendered(result) == ["neutral/handbook.html"]
    assert "tampered" not in (out / "neutral/handbook.html").read_text(encoding="utf-8")
    assert len(rendered(build(tiny, "--jobs", "1", "--force"))) == 6  # the whole plan


def test_manifest_records_every_output(built):
    _, out, _ = built
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["targets"]) == 9
    import hashlib

    for path, entry in manifest["targets"].items():
        data = (out / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
        assert entry["templates"] and entry["fields"]
    pdf = manifest["targets"]["neutral/handbook.pdf"]
    assert pdf["pages"] > 3 and any(f.startswith("fonts/atkinson-hyperlegible/") for f in pdf["files"])
    assert "competency:M2#activities" in pdf["fields"] and "handbook.html.j2" in pdf["templates"]


def test_output_bytes_do_not_depend_on_jobs(built, tmp_path):
    tiny, one, _ = built  # built with one job
    two = tmp_path / "two"
    assert build(tiny, "--jobs", "2", out=two).code == 0
    files = {k: v[0] for k, v in snapshot(one).items() if k != "manifest.json"}
    assert files == {k: v[0] for k, v in snapshot(two).items() if k != "manifest.json"}


def test_verify_passes_on_a_clean_build_and_names_a_tampered_file(built, tiny_html):
    """Passing on every HTML document of the plan and a PDF made again byte for byte (the other PDFs' bytes:
    test_output_bytes_do_not_depend_on_jobs, and the handbook's across processes); a file changed unnoticeably,
    in the plan in HTML (verify compares bytes, whatever they are)."""
    tiny, out, _ = built
    before = snapshot(out)
    only = ("--only", "*.html", "--only", "neutral/worksheets/profile-fillable.pdf")
    ok = cli("verify", "--plan", str(tiny / "build.yaml"), "-o", str(out), "--jobs", "1", *only)
    assert ok.code == 0, ok.err
    assert "verify: ok" in ok.out
    assert snapshot(out) == before  # verify builds elsewhere
    assert build(tiny_html, "--jobs", "1").code == 0
    page = tiny_html.parent / "out/neutral/worksheets/profile.html"
    page.write_bytes(page.read_bytes() + b"<!-- tampered -->\n")  # a browser would not even notice
    bad = cli("verify", "--plan", str(tiny_html / "build.yaml"), "-o", str(tiny_html.parent / "out"), "--jobs", "1")
    assert bad.code == 1
    assert "neutral/worksheets/profile.html: the file in the output folder differs from the manifest" in bad.err


def test_failures_are_all_reported_and_nothing_is_written(tiny, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    page = templates / "_parts.html.j2"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            '<header class="cover">', '<header class="cover"><img src="http://example.com/x.png" alt="x">'
        ),
        encoding="utf-8",
    )
    # the handbook (whose PDF fails) and the whole-profile worksheet (whose PDF does not), in a pool of two
    result = build(
        tiny, "--jobs", "2", "--templates", str(templates), "--only", "*/handbook.*", "--only", "*/profile.*"
    )
    assert result.code == 1
    lines = [l for l in result.err.splitlines() if ": error: resource refused: http://example.com/x.png" in l]
    assert sorted(l.split(":")[0] for l in lines) == ["neutral/handbook.pdf"]
    assert "1 target failed; nothing was written." in result.err
    assert not (tiny.parent / "out").exists()


def test_strict_makes_warnings_fatal(tiny, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    css = templates / "css/print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { colour: red; }\n", encoding="utf-8")
    lenient = build(tiny, "--jobs", "1", "--templates", str(templates), "--only", "neutral/handbook.pdf")
    assert lenient.code == 0 and "warning: neutral/handbook.pdf: Ignored `colour: red`" in lenient.err
    strict = build(
        tiny,
        "--jobs",
        "1",
        "--templates",
        str(templates),
        "--only",
        "neutral/handbook.pdf",
        "--strict",
        "--force",
        out=tmp_path / "strict",
    )
    assert strict.code == 1
    assert "neutral/handbook.pdf: error: warning (--strict): Ignored `colour: red`" in strict.err


def test_shards_are_disjoint_and_cover_the_plan(run):
    """Listed in this process (a listing starts no worker and writes nothing), from the tiny project's plan."""
    listed = lambda *a: [
        l.split()[-1] for l in run("--plan", str(TINY / "build.yaml"), "-o", "out", "--list", *a).out.splitlines()[:-1]
    ]
    everything = listed()
    shards = [listed("--shard", f"{i}/3") for i in (1, 2, 3)]
    assert sorted(sum(shards, [])) == sorted(everything)
    assert all(not set(a) & set(b) for i, a in enumerate(shards) for b in shards[i + 1 :])
    bad = run_script("--shard", "4/3", "--list")
    assert bad.code == 2 and "is not a shard like 1/3" in bad.err


def test_plain_progress_when_not_a_terminal_and_quiet(built, tiny_html):
    result = built[2]  # the first build of the whole plan, its output read from a pipe
    assert result.out.splitlines()[0] == "rendering: 9 to render"
    assert len(rendered(result)) == 9
    assert result.out.splitlines()[-1].startswith("built 9, up to date 0, removed 0, failed 0 in ")
    assert build(tiny_html, "--jobs", "1").code == 0
    quiet = build(tiny_html, "--jobs", "1", "--force", "--quiet")
    assert quiet.out == "" and quiet.code == 0


def test_a_change_to_the_engine_makes_every_output_stale(tiny, tmp_path):
    """Editing a string in the engine's own code rebuilds: the cache key is the engine's fingerprint, not a version."""
    engine = tmp_path / "engine"
    for name in ("profilepress", "templates", "fonts", "scales", "brands", "locales"):
        shutil.copytree(ROOT / name, engine / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", engine / "build.py")
    out = tmp_path / "out"

    def engine_build():
        proc = subprocess.run(
            [
                sys.executable,
                str(engine / "build.py"),
                "--plan",
                str(tiny / "build.yaml"),
                "-o",
                str(out),
                "--format",
                "html",
                "--jobs",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        return proc.returncode, proc.stdout + proc.stderr

    code, text = engine_build()
    assert code == 0, text
    code, text = engine_build()
    assert code == 0 and "built 0" in text and "decided from the manifest" in text, text
    select = engine / "profilepress/select.py"
    source = select.read_text(encoding="utf-8")
    assert '_("All competencies")' in source
    select.write_text(
        source.replace('_("All competencies")', '_("Every competency")'),
        encoding="utf-8",
    )
    code, text = engine_build()
    assert code == 0, text
    assert "up to date 0" in text and "decided from the manifest" not in text, text
    assert "<title>Self-assessment worksheet: Every competency</title>" in (
        out / "neutral/worksheets/profile.html"
    ).read_text(encoding="utf-8")
