"""The engine as a package: `pip install .` into a fresh virtual environment, then, in an adopter's own folder,
`profilepress new x && cd x && profilepress build`. No network: the new environment sees this one's packages
(a .pth file) and is given the engine alone (--no-deps --no-build-isolation --no-index)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT

WHEEL_SOURCES = ("profilepress", "templates", "fonts", "locales", "scales", "brands", "pyproject.toml", "README.md")


def test_the_package_pins_what_requirements_txt_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert project["dependencies"] == pins
    assert all("==" in pin for pin in pins)
    assert project["scripts"] == {"profilepress": "profilepress.cli:console"}


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """A fresh virtual environment with the engine installed from a copy of this checkout: (its bin, env)."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"  # a copy: pip builds in the source folder (build/, *.egg-info), never in ours
    for name in WHEEL_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (site,) = venv.glob("lib/python3*/site-packages")
    (site / "outer-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet"]
    done = subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", "--no-index", str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin", env


def test_installed_profilepress_makes_and_builds_a_project_in_the_adopters_folder(installed, tmp_path):
    bin_dir, env = installed
    profilepress = str(bin_dir / "profilepress")

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([profilepress, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)

    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import profilepress.home as h; print(h.ENGINE_ROOT)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    engine = Path(where.stdout.strip())
    assert engine.name == "share" and bin_dir.parent in engine.parents, where.stdout + where.stderr
    engine_files = _files(engine)

    made = run("new", "x", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "cd x && profilepress build" in made.stdout + made.stderr
    built = run("build", "--only", "neutral/handbook.*", "--jobs", "1", cwd=tmp_path / "x")
    assert built.returncode == 0, built.stdout + built.stderr
    output = tmp_path / "x" / "output" / "neutral"
    assert sorted(p.name for p in output.iterdir()) == ["handbook.html", "handbook.pdf"]
    assert "First competency (rename)" in (output / "handbook.html").read_text(encoding="utf-8")
    # the PDF is set in the engine's vendored font, found in the installed package
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(output / "handbook.pdf").pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Atkinson-Hyperlegible" in name for name in fonts), fonts
    assert _files(engine) == engine_files  # nothing written into the engine's folder

    # the same command line: a plain `profilepress` brings the folder up to date too; --help names the command
    again = run("--only", "neutral/handbook.*", cwd=tmp_path / "x")
    assert again.returncode == 0 and "built 0" in again.stdout + again.stderr, again.stdout + again.stderr
    helped = run("--help", cwd=tmp_path)
    assert helped.stdout.startswith("usage: profilepress") and "profilepress new my-profile" in helped.stdout

    # outside a project: told where the plan should be, exit 2 (wrong usage), no traceback
    lost = run("build", cwd=tmp_path)
    assert lost.returncode == 2, lost.stderr
    assert "no build.yaml in" in lost.stderr and "profilepress new DIR" in lost.stderr
    assert "Traceback" not in lost.stderr
