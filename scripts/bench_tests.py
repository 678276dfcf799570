#!/usr/bin/env python3
"""Benchmark the test command: how long `make test` takes, against its goal of 2 minutes on 2 cores.

    .venv/bin/python scripts/bench_tests.py [--runs N] [--files K]

Runs what `make test` runs, in its order, each step timed on its own:

* lint     ruff (lint and format) and mypy, from a cold cache (as on a clean clone);
* build    `python build.py`: output/ brought up to date (nothing to do after `make`);
* pytest   the whole suite, as `make test` starts it (one process per core).

pytest is run N times (default 3): the median is reported, with the spread, since a
shared machine's speed varies from minute to minute. The CPU time of every process the
suite starts (Chromium, Node.js, pdftk, builds) is counted too: it moves less than the
clock, and says how much of the two cores the suite keeps busy. With --files K, the K
test files that took longest (summed over their tests, one run) are listed.

Run it after `make`, on a machine doing nothing else.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
GOAL = 120.0  # seconds: `make test` on the 2-core machine


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command and all it started, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return wall, cpu, result.stdout


def lint() -> float:
    """ruff and mypy as `make lint` runs them, mypy with an empty cache of its own."""
    with tempfile.TemporaryDirectory(prefix="bench-mypy-") as cache:
        started = time.monotonic()
        timed([str(VENV / "ruff"), "check", "."])
        timed([str(VENV / "ruff"), "format", "--check", "."])
        timed([str(VENV / "mypy"), "--cache-dir", cache])
        return time.monotonic() - started


def slowest_files(durations: str, count: int) -> list[tuple[str, float]]:
    """The test files that took longest, from pytest's --durations=0 lines ("1.23s call tests/x.py::y")."""
    files: dict[str, float] = {}
    for seconds, path in re.findall(r"^([\d.]+)s (?:setup|call|teardown)\s+(tests/[^:\s]+)", durations, re.M):
        files[path] = files.get(path, 0.0) + float(seconds)
    return sorted(files.items(), key=lambda item: -item[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to run pytest (default 3)")
    parser.add_argument("--files", type=int, default=0, metavar="K", help="list the K slowest test files")
    args = parser.parse_args()
    if not (VENV / "python").exists() or not shutil.which("make"):
        sys.exit("run `make` first: the virtual environment is missing")

    print(f"{os.cpu_count()} cores; goal: `make test` under {GOAL:.0f} s", flush=True)
    lint_seconds = lint()
    print(f"lint     {lint_seconds:6.1f} s  (ruff, and mypy from an empty cache)")
    build_seconds, _, said = timed([str(VENV / "python"), "build.py"])
    print(f"build    {build_seconds:6.1f} s  ({said.strip().splitlines()[-1] if said.strip() else 'no output'})")

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}  # as the Makefile runs pytest
    walls, cpus, durations = [], [], ""
    for run in range(args.runs):
        extra = ["--durations=0"] if run == 0 and args.files else []
        wall, cpu, out = timed([str(VENV / "python"), "-m", "pytest", "-q", *extra], env=env)
        passed = re.search(r"(\d+) passed", out)
        print(
            f"pytest   {wall:6.1f} s  CPU {cpu:6.1f} s ({cpu / wall:.2f} cores busy), {passed[1] if passed else '?'} passed"
        )
        walls.append(wall)
        cpus.append(cpu)
        durations = durations or out
    median = statistics.median(walls)
    total = lint_seconds + build_seconds + median
    print(
        f"\nmake test  {total:.1f} s  (lint {lint_seconds:.1f} + build {build_seconds:.1f} + pytest median {median:.1f}, "
        f"from {min(walls):.1f} to {max(walls):.1f} over {len(walls)} runs; CPU median {statistics.median(cpus):.1f} s)"
    )
    print(f"goal       under {GOAL:.0f} s: {'met' if total < GOAL else 'MISSED'}")
    if args.files:
        print("\nslowest test files (one run, seconds summed over their tests):")
        for path, seconds in slowest_files(durations, args.files):
            print(f"  {seconds:6.1f} s  {path}")


if __name__ == "__main__":
    main()
