"""Benchmark: reading 1,000 synthetic scans of the real printed worksheet (run by `make bench`).

The default plan's whole-profile printable worksheet (and, for the stray pages, a domain's worksheet) is
built into a temporary folder, its pages rasterised at 150, 200 and 300 dpi, and 1,000 pages are made from
them as people and scanners make them (tests/synthetic.py): ticks, crosses, circles and filled boxes in
varied pen widths and darkness; in some rows two ticks, a tick crossed out beside another, or a faint mark;
each page turned up to ±3°, shifted, scaled ±3 %, blurred, with Gaussian noise, half of them saved as JPEG at
quality 50. They are put into scan files of one person each (multi-page TIFF and PDF, and single PNG and JPEG
pages), in mixed order, one page of each multi-page file upside down, and one page from another worksheet in
every tenth file. The files are then read as `collect` reads them (profilepress.scan.read_file), by two
processes, and every row read is compared with what was drawn.

Goals (the issue's): 100 % of clear marks read correctly; every ambiguous row flagged, 0 answers silently
wrong; at least 5 pages a second on 2 cores. Exit 1 when a goal is missed.

    .venv/bin/python scripts/bench_scans.py [--pages 1000] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
import synthetic  # noqa: E402
from PIL import Image  # noqa: E402

from profilepress import marks, scan  # noqa: E402
from profilepress.cli import main  # noqa: E402

DPIS = (150, 200, 300)
PER_FILE = 10
LAYOUTS: dict[tuple, list[marks.PageLayout]] = {}  # by the worksheet a page code names (inherited by the workers)


def build(folder: Path) -> tuple[Path, Path]:
    """The printable whole-profile worksheet and one competency's, built as `python build.py` builds them."""
    code = main(
        [
            "-o",
            str(folder),
            "--jobs",
            "2",
            "--only",
            "neutral/worksheets/profile.pdf",
            "--only",
            "neutral/worksheets/d02-*[a-z].pdf",
        ],
        root=ROOT,
    )
    assert code == 0, "the build failed"
    sheets = folder / "neutral" / "worksheets"
    return sheets / "profile.pdf", next(p for p in sheets.glob("d02-*.pdf") if not p.stem.endswith("-fillable"))


def layout_for(code: marks.PageCode) -> tuple[marks.PageLayout, str]:
    pages = LAYOUTS[code.worksheet]
    return pages[code.page - 1], f"the worksheet for {code.scope}"


def make_file(job: tuple) -> dict:
    """One person's scan file: its pages marked and distorted; what was drawn, by page in the file."""
    index, folder, numbers, dpi, kind, stray, seed = job
    pen, scanner = np.random.default_rng(seed), np.random.default_rng(seed + 10**6)
    rasters = RASTERS[dpi]
    images, truth = [], []
    upside = int(pen.integers(len(numbers))) if len(numbers) > 1 else -1
    for position, number in enumerate(numbers):
        image = rasters["main"][number - 1].copy()
        code = scan.locate(image).code
        drawn = synthetic.mark_page(image, LAYOUTS[code.worksheet][number - 1], pen, dpi)
        images.append(synthetic.distort(image, scanner, dpi, upside_down=position == upside))
        truth.append({"page": position + 1, "drawn": drawn})
    if stray:
        where = int(pen.integers(len(images) + 1))
        images.insert(where, synthetic.distort(rasters["other"][0].copy(), scanner, dpi))
        truth.insert(where, {"page": 0, "stray": True})
        for n, item in enumerate(truth, start=1):
            item["page"] = n
    path = Path(folder) / f"person-{index:03d}.{kind}"
    pictures = [Image.fromarray(i) for i in images]
    if kind == "tiff":
        pictures[0].save(path, save_all=True, append_images=pictures[1:], compression="tiff_deflate")
    elif kind == "pdf":
        pictures[0].save(path, save_all=True, append_images=pictures[1:], resolution=dpi)
    elif kind == "jpg":
        pictures[0].save(path, quality=85)
    else:
        pictures[0].save(path)
    return {"file": str(path), "dpi": dpi, "pages": truth}


RASTERS: dict[int, dict[str, list]] = {}


def read(path: str) -> tuple[str, list, list[str], float]:
    started = time.perf_counter()
    errors: list = []
    found = scan.read_file(Path(path), layout_for, errors)
    pages = [
        {"page": p.number, "fields": p.fields, "ambiguous": {a.field: a.reason for a in p.ambiguous}}
        for w in found
        for p in w.pages
    ]
    return path, pages, [e.message for e in errors], time.perf_counter() - started


def main_bench() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the scans in this folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profilepress-bench-scans-"))
    try:
        started = time.perf_counter()
        main_pdf, other_pdf = build(work / "out")
        print(f"built the printed worksheets in {time.perf_counter() - started:.0f} s")
        for dpi in DPIS:
            RASTERS[dpi] = {
                "main": synthetic.rasterise(main_pdf, dpi),
                "other": synthetic.rasterise(other_pdf, dpi, [2]),
            }
        for key in ("main", "other"):
            code = scan.locate(RASTERS[150][key][0]).code
            from profilepress import usercache

            kept = usercache.read(marks.cache_name(code))
            assert kept is not None, "the build did not keep the layout record (is the user cache off?)"
            LAYOUTS[code.worksheet] = marks.from_record(kept) or []
        total = len(RASTERS[150]["main"])
        rng = np.random.default_rng(2026)
        jobs, pages, index = [], 0, 0
        kinds = ("tiff", "tiff", "tiff", "pdf", "pdf", "png", "jpg")
        scans = args.keep or work / "scans"
        scans.mkdir(parents=True, exist_ok=True)
        while pages < args.pages:
            kind = kinds[index % len(kinds)]
            count = 1 if kind in ("png", "jpg") else min(PER_FILE, args.pages - pages)
            stray = kind in ("tiff", "pdf") and index % 10 == 0 and count > 1
            count -= stray
            numbers = [int(n) for n in rng.choice(np.arange(1, total + 1), count, replace=False)]
            jobs.append((index, str(scans), numbers, int(rng.choice(DPIS)), kind, stray, 1000 + index))
            pages += count + stray
            index += 1
        started = time.perf_counter()
        made = pooled(make_file, jobs, args.jobs)
        print(f"made {pages} synthetic scan pages in {len(made)} files in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        results = pooled(read, [m["file"] for m in made], args.jobs)
        wall = time.perf_counter() - started
        return report(made, results, wall, args.jobs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pooled(function, items: list, jobs: int) -> list:
    """``function`` over ``items`` in ``jobs`` forked processes, closed (not terminated) at the end."""
    pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        return pool.map(function, items, chunksize=1)
    finally:
        pool.close()
        pool.join()


def report(made: list[dict], results: list, wall: float, jobs: int) -> int:
    by_file = {path: (pages, errors) for path, pages, errors, _ in results}
    counts = dict.fromkeys(
        ("pages", "clear", "clear_ok", "clear_flagged", "ambiguous", "flagged", "blank", "blank_ok", "wrong"), 0
    )
    refused_ok = refused_wrongly = stray_total = 0
    per_dpi: dict[int, list[int]] = {}
    for item in made:
        read_pages, errors = by_file[item["file"]]
        by_page = {p["page"]: p for p in read_pages}
        for page in item["pages"]:
            counts["pages"] += 1
            if page.get("stray"):
                stray_total += 1
                refused_ok += any(e.startswith(f"page {page['page']}: is a page of another worksheet") for e in errors)
                continue
            got = by_page.get(page["page"])
            if got is None:
                refused_wrongly += 1
                print(f"  not read: {item['file']} page {page['page']}: {errors}")
                continue
            tally = per_dpi.setdefault(item["dpi"], [0, 0])
            for field, value in page["drawn"].items():
                read_value, flagged = got["fields"].get(field), field in got["ambiguous"]
                if value == "?":
                    counts["ambiguous"] += 1
                    counts["flagged"] += flagged
                    counts["wrong"] += not flagged
                    if not flagged:
                        why = "read as " + repr(read_value)
                        print(f"  ambiguous row {field} in {Path(item['file']).name} page {page['page']}: {why}")
                elif value is None:
                    counts["blank"] += 1
                    counts["blank_ok"] += read_value is None and not flagged
                    counts["wrong"] += read_value is not None
                    if read_value is not None or flagged:
                        why = got["ambiguous"].get(field, "read as " + repr(read_value))
                        print(f"  blank row {field} in {Path(item['file']).name} page {page['page']}: {why}")
                else:
                    counts["clear"] += 1
                    counts["clear_ok"] += read_value == value
                    counts["clear_flagged"] += flagged
                    counts["wrong"] += not flagged and read_value != value
                    if read_value != value:
                        why = got["ambiguous"].get(field, "read as " + repr(read_value))
                        print(f"  clear mark {field}={value} in {Path(item['file']).name} page {page['page']}: {why}")
                    tally[0] += 1
                    tally[1] += read_value == value
    rate = counts["pages"] / wall
    clear_share = counts["clear_ok"] / max(1, counts["clear"])
    flagged_share = counts["flagged"] / max(1, counts["ambiguous"])
    print(
        f"\nread {counts['pages']} pages in {len(made)} files with {jobs} processes in {wall:.1f} s: {rate:.1f} pages/s"
    )
    print(f"clear marks read correctly: {counts['clear_ok']} of {counts['clear']} ({clear_share:.2%})")
    for dpi, (n, ok) in sorted(per_dpi.items()):
        print(f"  at {dpi} dpi: {ok} of {n}")
    print(f"clear marks sent to review instead: {counts['clear_flagged']}")
    print(f"ambiguous rows flagged for review: {counts['flagged']} of {counts['ambiguous']} ({flagged_share:.2%})")
    print(f"blank rows read as blank: {counts['blank_ok']} of {counts['blank']}")
    print(f"answers silently wrong: {counts['wrong']}")
    print(f"pages from another worksheet refused by file and page: {refused_ok} of {stray_total}")
    print(f"pages of the worksheet not read: {refused_wrongly}")
    goals = [
        ("100 % of clear marks read correctly", counts["clear_ok"] == counts["clear"]),
        ("every ambiguous row flagged", counts["flagged"] == counts["ambiguous"]),
        ("0 answers silently wrong", counts["wrong"] == 0),
        (f"at least 5 pages a second on {jobs} processes", rate >= 5),
        ("every stray page refused, every other page read", refused_ok == stray_total and refused_wrongly == 0),
    ]
    print()
    for goal, met in goals:
        print(f"{'met   ' if met else 'MISSED'}  {goal}")
    print(f"(cores: {os.cpu_count()}; the machine may be shared, so the rate is noisy)")
    return 0 if all(met for _, met in goals) else 1


if __name__ == "__main__":
    sys.exit(main_bench())
