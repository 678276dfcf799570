"""Adopting the engine: `build.py new DIR` makes a project of one's own that builds at once, in its own folder,
with none of the bundled profile's wording; a project's own scales and brands, beside its plan."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from profilepress.load import load_profile

from conftest import ROOT, SHIPPED, cli


def _text(path: Path) -> str:
    """A document's words as a reader sees them: no markup, styles or scripts."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _bundled_wording() -> list[str]:
    """The bundled profile's own names: every principle, domain and competency, its title and publisher."""
    profile = load_profile(SHIPPED)
    names = [p.name for p in profile.principles] + [d.name for d in profile.domains]
    names += [c.name for c in profile.competencies]
    return [*names, profile.title, profile.publisher, "Implementation Support", "Metz"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A new project, built (HTML) from its own folder as an adopter builds it: `cd x && build.py build`."""
    folder = tmp_path_factory.mktemp("adopter") / "x"
    made = cli("new", str(folder))
    assert made.code == 0, made.err
    engine_output = _tree(ROOT / "output") if (ROOT / "output").is_dir() else {}
    built = cli("build", "--format", "html", "--jobs", "1", cwd=folder)
    assert built.code == 0, built.err
    assert (_tree(ROOT / "output") if (ROOT / "output").is_dir() else {}) == engine_output  # the engine's untouched
    return folder


def test_new_makes_a_minimal_project_with_a_readme(project):
    files = sorted(_tree(project))
    sources = [f for f in files if not f.startswith("output/")]
    assert sources == [
        ".gitignore",
        "README.md",
        "build.yaml",
        "profile/competencies/first-competency.yaml",
        "profile/competencies/second-competency.yaml",
        "profile/domains/first-domain.yaml",
        "profile/principles.yaml",
        "profile/profile.yaml",
        "scales/example-scale.yaml",
    ]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "profilepress build" in readme and "replace" in readme


def test_a_new_project_builds_its_handbook_and_worksheets_in_its_own_folder(project):
    made = sorted(p.relative_to(project / "output").as_posix() for p in (project / "output").rglob("*.html"))
    assert made == [
        "neutral/handbook.html",
        "neutral/worksheets/c01-first-competency.html",
        "neutral/worksheets/c02-second-competency.html",
        "neutral/worksheets/profile.html",
    ]
    handbook = _text(project / "output/neutral/handbook.html")
    for words in ("C1 First competency (rename)", "C2 Second competency (rename)", "C1.3 Replace with an activity"):
        assert words in handbook
    worksheet = _text(project / "output/neutral/worksheets/profile.html")
    # the scale is the project's own (scales/ beside its plan), descriptors and all
    assert "Starting" in worksheet and "Replace with what this level means" in worksheet


def test_a_new_project_holds_no_wording_of_the_bundled_profile(project):
    wording = _bundled_wording()
    assert "Co-learning" in wording  # (the list is the bundled profile's)
    sources = "\n".join(p.read_text(encoding="utf-8") for p in project.rglob("*") if p.is_file())
    for path in [*project.rglob("*.html"), *project.rglob("*.yaml"), project / "README.md"]:
        text = _text(path) if path.suffix == ".html" else path.read_text(encoding="utf-8")
        found = [w for w in wording if w.lower() in text.lower()]
        assert found == [], f"{path.relative_to(project)}: {found}"
    assert sources.lower().count("replace") >= 20  # the placeholders say so


@pytest.mark.parametrize("what", ["a file in it", "a hidden file in it", "a file"])
def test_new_refuses_a_folder_that_is_not_empty_and_changes_nothing(tmp_path, what):
    folder = tmp_path / "mine"
    if what == "a file":
        folder.write_text("my notes\n", encoding="utf-8")
    else:
        folder.mkdir()
        (folder / ("notes.txt" if what == "a file in it" else ".git")).write_text("my notes\n", encoding="utf-8")
    before = _tree(tmp_path)
    result = cli("new", str(folder))
    assert result.code == 1, result.err
    assert "error:" in result.err and ("is not empty" in result.err or "is a file" in result.err)
    assert "Traceback" not in result.err
    assert _tree(tmp_path) == before


def test_new_makes_a_project_in_an_empty_folder_and_tells_what_to_do_next(tmp_path):
    (tmp_path / "x").mkdir()
    result = cli("new", str(tmp_path / "x"))
    assert result.code == 0, result.err
    assert "made a new project in" in result.out + result.err and " build" in result.out + result.err
    assert (tmp_path / "x" / "build.yaml").is_file()


def test_help_describes_new(capsys):
    from profilepress.cli import main

    for args in (["--help"], ["new", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(args, root=ROOT)
        assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "build.py new my-profile" in text  # an example in the commands' help
    assert "DIR" in text and "two competencies" in text and "nothing is ever overwritten" in text


def test_a_project_keeps_its_own_brand_and_scale_beside_its_plan(project, tmp_path):
    """A brand folder beside the plan is named in the plan like a shipped one; shipped brands stay available."""
    import shutil

    copy = tmp_path / "x"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output"))
    brand = copy / "brands" / "acme"
    brand.mkdir(parents=True)
    (brand / "brand.yaml").write_text('name: Acme Health Workers\ncolours:\n  accent: "#7a1d1d"\n', encoding="utf-8")
    plan = (copy / "build.yaml").read_text(encoding="utf-8")
    plan = plan.replace(
        "  - brand: neutral",
        "  - brand: acme\n    documents:\n      - kind: handbook\n        formats: [html]\n  - brand: northwind",
        1,
    )
    (copy / "build.yaml").write_text(plan, encoding="utf-8")
    result = cli("build", "--format", "html", "--only", "*/handbook.html", "--jobs", "1", cwd=copy)
    assert result.code == 0, result.err
    assert "Acme Health Workers" in _text(copy / "output/acme/handbook.html")
    assert (copy / "output/northwind/handbook.html").is_file()  # a shipped brand, named by the same plan
    assert not (ROOT / "output" / "acme").exists()
    # a mistake in the project's brand is located in the project's file
    (brand / "brand.yaml").write_text('name: Acme\ncolours:\n  accent: "#eeeeee"\n', encoding="utf-8")
    bad = cli("check", cwd=copy)
    assert bad.code == 1 and f"{Path('brands/acme/brand.yaml')}:3:" in bad.err.replace(str(copy) + "/", ""), bad.err


def test_a_projects_scale_may_copy_a_shipped_one_but_not_change_it_under_its_name(project, tmp_path):
    import shutil

    copy = tmp_path / "x"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("output"))
    shipped = (ROOT / "scales" / "california-cpm.yaml").read_text(encoding="utf-8")
    (copy / "scales" / "california-cpm.yaml").write_text(shipped, encoding="utf-8")
    assert cli("check", cwd=copy).code == 0  # the same scale twice is one scale
    (copy / "scales" / "california-cpm.yaml").write_text(shipped.replace("Emerging", "Beginning"), encoding="utf-8")
    result = cli("check", cwd=copy)
    assert result.code == 1
    assert re.search(r"scales/california-cpm\.yaml:\d+:\d+: error: duplicate scale id 'california-cpm'", result.err)
