#!/usr/bin/env python3
"""Benchmark: our PDF handbook against a bare WeasyPrint render of the same HTML.

    .venv/bin/python scripts/bench_pdf.py [--runs N] [--instructions]

Three ways of making the PDF handbook are compared, in the same run:

* ours      what the build does: select + template + checks + the safe URL
            fetcher + PDF/UA-1 tagging + a content identifier
            (profilepress.document.render_target);
* bare      weasyprint.HTML(string=the same HTML).write_pdf(), default options;
* bare+opts the same bare render asked for the same output options as ours
            (PDF/UA-1, a file identifier): WeasyPrint's own work for the PDF we
            choose to make, so that its cost is told apart from our overhead.

Wall-clock mode (default): N rounds in one process; in each round ours and
bare+opts run back to back (each first in every other round), then bare. Prints
medians and the median of per-round ratios. The goal: ours / bare+opts < 1.10.

--instructions: counts the CPU instructions of one render of each with valgrind
(callgrind), as the difference between processes rendering once and twice, so
start-up is not counted. Instruction counts do not move with the machine's load,
unlike seconds on a shared 2-core VM. Takes a few minutes.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import weasyprint  # noqa: E402  (imported before timing: the import is not part of a render)

from profilepress import pdf as pdf_module  # noqa: E402
from profilepress.document import document_html, render_target  # noqa: E402
from profilepress.inputs import load_inputs  # noqa: E402
from profilepress.project import BuildOptions, Project, Target  # noqa: E402
from profilepress.render import Renderer  # noqa: E402

GOAL = 1.10


class Bench:
    """The three renders, set up once."""

    def __init__(self) -> None:
        self.project = Project(ROOT / "profile_src", ROOT / "templates", ROOT / "output", ROOT)
        self.options = BuildOptions()
        self.inputs = load_inputs(self.project, self.options, with_build_file=False, with_packets=False)
        self.profile = self.inputs.profile
        self.renderer = Renderer(self.project.templates_dir)
        self.target = Target("handbook.pdf", "handbook", "pdf")
        self.base = ROOT.as_uri() + "/"

    def html(self) -> str:
        """The handbook's print HTML, as a new string each time, as a build makes it
        (WeasyPrint is measurably faster on a string object it has seen before)."""
        return document_html(self.inputs, self.target, self.options, self.renderer)

    def run(self, name: str, html: str | None = None) -> bytes:
        if name == "ours":
            return render_target(self.renderer, self.project, self.inputs, self.target, self.options).data
        document = weasyprint.HTML(string=html or self.html(), base_url=self.base)
        if name == "bare":
            return document.write_pdf()
        return document.write_pdf(
            pdf_variant=pdf_module.PDF_VARIANT, pdf_identifier=b"0123456789abcdef0123456789abcdef"
        )


def wall_clock(bench: Bench, rounds: int) -> None:
    times: dict[str, list[float]] = {"ours": [], "bare": [], "bare+opts": []}
    for name in times:  # warm-up: fonts, caches
        bench.run(name)
    for round_ in range(rounds):
        pair = ["ours", "bare+opts"] if round_ % 2 == 0 else ["bare+opts", "ours"]
        for name in pair + ["bare"]:
            html = None if name == "ours" else bench.html()  # made before the clock starts
            gc.collect()
            start = time.perf_counter()
            bench.run(name, html)
            times[name].append(time.perf_counter() - start)

    overhead = statistics.median(o / b for o, b in zip(times["ours"], times["bare+opts"]))
    with_options = statistics.median(o / b for o, b in zip(times["ours"], times["bare"]))
    print(
        f"PDF handbook ({len(bench.profile.competencies)} competencies), {rounds} rounds, "
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}"
    )
    for name, values in times.items():
        print(f"  {name:9} median {statistics.median(values):6.3f} s   (min {min(values):.3f}, max {max(values):.3f})")
    print(
        f"  ours / bare+opts = {overhead:.3f}   our overhead over the same WeasyPrint work "
        f"({'within' if overhead < GOAL else 'OVER'} the {GOAL - 1:.0%} goal)"
    )
    print(f"  ours / bare      = {with_options:.3f}   also counting PDF/UA tagging and the file identifier")

    reps = 20
    start = time.perf_counter()
    for _ in range(reps):  # our own stages alone: select, template, checks, identifier, fetcher set-up
        html = bench.html()
        pdf_module._ATTACHMENT.search(html)
        pdf_module._identifier(html)
        pdf_module.make_fetcher(bench.project.asset_dirs, pdf_module.RenderLog())
    own = (time.perf_counter() - start) / reps
    print(
        f"  our own stages alone: {own * 1000:.1f} ms "
        f"= {own / statistics.median(times['bare+opts']):.1%} of a bare+opts render"
    )


def instructions() -> None:
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        procs = {}
        for name in ("ours", "bare+opts"):
            for count in (1, 2):
                out = Path(tmp) / f"{name}.{count}"
                procs[(name, count)] = (
                    out,
                    subprocess.Popen(
                        [
                            "valgrind",
                            "--tool=callgrind",
                            f"--callgrind-out-file={out}",
                            sys.executable,
                            __file__,
                            "--render-only",
                            name,
                            str(count),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
        for key, (out, proc) in procs.items():
            if proc.wait() != 0:
                sys.exit(f"callgrind run {key} failed")
            summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
            runs[key] = int(summary.split()[1])
    per_render = {name: runs[(name, 2)] - runs[(name, 1)] for name in ("ours", "bare+opts")}
    ratio = per_render["ours"] / per_render["bare+opts"]
    print("CPU instructions per PDF handbook render (callgrind, second render minus first):")
    for name, count in per_render.items():
        print(f"  {name:9} {count / 1e9:7.3f} billion")
    print(f"  ours / bare+opts = {ratio:.4f}   ({'within' if ratio < GOAL else 'OVER'} the {GOAL - 1:.0%} goal)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="wall-clock rounds (default: 10)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind instead")
    parser.add_argument("--render-only", nargs=2, metavar=("NAME", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_only:
        bench = Bench()
        for _ in range(int(args.render_only[1])):
            bench.run(args.render_only[0])
        return 0
    if args.instructions:
        instructions()
    else:
        wall_clock(Bench(), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
