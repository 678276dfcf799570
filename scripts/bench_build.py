#!/usr/bin/env python3
"""Benchmark the build engine: a full build, a no-op rebuild and a one-competency edit.

    .venv/bin/python scripts/bench_build.py [--jobs N]

Works on a copy of the project in a temporary folder (output/ is not touched).

* baseline   every PDF of the default plan rendered with bare WeasyPrint
             (HTML(string=…).write_pdf(), default options), one after another, in
             this process: the serial sum a build without this engine would pay;
* full       `python build.py --force` (a new process, parallel workers);
* no-op      `python build.py` again, nothing changed (best of three);
* edit       one activity of C3 reworded, then `python build.py`: which outputs
             were rebuilt, against those that contain C3 in full.

Goals on a 2-core machine: full ≤ 0.6 × baseline; no-op < 0.5 s; the edit rebuilds
only outputs containing that competency; peak memory per worker < 250 MB.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COPY = ("profile_src", "templates", "fonts", "scales", "brands", "packets", "build.yaml", "build.py", "profilepress")
EDITED = "C3"


def run(project: Path, *args: str) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(project / "build.py"), *args], cwd=project, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"build.py {' '.join(args)} failed:\n{result.stderr}")
    return seconds, result.stdout


def baseline(project: Path) -> tuple[float, int]:
    """Serial bare WeasyPrint renders of every PDF the default plan makes."""
    import weasyprint

    from profilepress import plan
    from profilepress.document import document_html
    from profilepress.inputs import load_inputs, options_from_plan, project_from_plan, read_plan
    from profilepress.render import Renderer

    parsed = read_plan(project / "build.yaml")
    proj = project_from_plan(parsed, project, source=None, templates=project / "templates", output=None)
    options = options_from_plan(parsed)
    inputs = load_inputs(proj, options, build_file=parsed)
    renderer = Renderer(proj.templates_dir)
    total, count = 0.0, 0
    for target in plan.targets(inputs, options):
        if target.format == "html":
            continue
        html = document_html(inputs, target, options, renderer)
        started = time.monotonic()
        weasyprint.HTML(string=html, base_url=project.as_uri() + "/").write_pdf()
        total += time.monotonic() - started
        count += 1
    return total, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", default=None, help="worker processes for the builds (default: one per CPU)")
    args = parser.parse_args()
    jobs = ["--jobs", args.jobs] if args.jobs else []

    with tempfile.TemporaryDirectory(prefix="profilepress-bench-") as tmp:
        project = Path(tmp)
        for name in COPY:
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)

        print("baseline: bare WeasyPrint renders of every PDF, one after another …", flush=True)
        bare, pdfs = baseline(project)
        full, out = run(project, "--force", *jobs)
        memory = re.search(r"peak (\d+) MB per worker", out)
        noops = [run(project, *jobs)[0] for _ in range(3)]
        noop = min(noops)

        path = next((project / "profile_src/competencies").glob("c03-*.yaml"))
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace(
                "Identify the influence that different stakeholders",
                "Identify the influence that the different stakeholders",
                1,
            ),
            encoding="utf-8",
        )
        edit, out = run(project, *jobs)
        rebuilt = sorted(line.split()[1] for line in out.splitlines() if line.startswith("rendered "))

    expected = _containing(EDITED)
    print(f"\nBuild engine, default plan ({pdfs} PDFs and the HTML), Python {sys.version.split()[0]}")
    print(f"  baseline, serial bare renders  {bare:6.1f} s")
    ratio = full / bare
    print(
        f"  full build                     {full:6.1f} s   = {ratio:.2f} × baseline "
        f"({'within' if ratio <= 0.6 else 'OVER'} the 0.6 goal)"
    )
    print(
        f"  no-op rebuild                  {noop:6.2f} s   (best of {len(noops)}; "
        f"{'within' if noop < 0.5 else 'OVER'} the 0.5 s goal)"
    )
    print(f"  edit of one activity of {EDITED}   {edit:6.1f} s   rebuilt {len(rebuilt)} outputs:")
    for path in rebuilt:
        print(f"    {path}")
    exact = set(rebuilt) == set(expected)
    print(
        f"  {'only' if exact else 'NOT only'} the outputs that contain {EDITED} in full were rebuilt"
        + ("" if exact else f" (expected {sorted(expected)})")
    )
    if memory:
        peak = int(memory[1])
        print(f"  peak memory per worker         {peak:6d} MB  ({'within' if peak < 250 else 'OVER'} the 250 MB goal)")
    return 0


def _containing(code: str) -> list[str]:
    """The default plan's outputs that show a competency in full (its activities), by what they are."""
    from profilepress import plan
    from profilepress.inputs import load_inputs, options_from_plan, project_from_plan, read_plan

    parsed = read_plan(ROOT / "build.yaml")
    project = project_from_plan(parsed, ROOT, source=None, templates=ROOT / "templates", output=None)
    options = options_from_plan(parsed)
    inputs = load_inputs(project, options, build_file=parsed)
    domain = next(d.code for d in inputs.profile.domains if any(c.code == code for c in d.competencies))
    roles = {r.id for r in inputs.profile.roles if any(c.code == code for c in r.competencies)}
    packets = {p.id for p in inputs.packets.values() if any(c.code == code for c in p.competencies)}
    return [
        t.path
        for t in plan.targets(inputs, options)
        if t.kind == "handbook"
        or (t.kind == "worksheet" and (t.scope.kind == "profile" or t.scope.code in (domain, code)))
        or (t.kind == "excerpt" and t.role in roles)
        or (t.kind == "packet" and t.packet in packets)
    ]


if __name__ == "__main__":
    sys.exit(main())
