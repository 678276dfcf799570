#!/usr/bin/env python3
"""Fill the whole-profile fillable worksheet for two made-up people, two rounds each, and collect them.

    .venv/bin/python scripts/sample_summary.py [OUTPUT_FOLDER]

A demonstration of the worksheet loop (and the source of the README's summary
image): the filled PDFs land in OUTPUT_FOLDER/filled/ (default output/sample/),
the summary and each person's report in OUTPUT_FOLDER/summary/. Ratings are
drawn from a fixed seed, so every run gives the same files. The worksheet is
filled as pypdf's documentation shows: a radio group's value is the chosen
level's id as a name (``/developmental``), a tick box's is ``/on``.
"""

from __future__ import annotations

import random
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader, PdfWriter  # noqa: E402

from profilepress.build import build  # noqa: E402
from profilepress.cli import main as cli  # noqa: E402
from profilepress.forms import NA  # noqa: E402
from profilepress.load import load_profile, load_scales  # noqa: E402
from profilepress.project import BuildOptions, Project, Target  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "output" / "sample"
    project = Project(ROOT / "profile_src", ROOT / "templates", out / "blank", ROOT)
    build(project, BuildOptions(plan=(Target("profile-fillable.pdf", "worksheet", "fillable-pdf"),)))
    blank = out / "blank" / "profile-fillable.pdf"
    profile = load_profile(project.source_dir)
    scale = load_scales([ROOT / "scales"])[BuildOptions().scale]
    choices = [level.id for level in scale.levels] + [NA]  # lowest level first; the last is N/A
    rng = random.Random(2020)
    filled = []
    for name, role in (("Ada Example", "Coach"), ("Ben Sample", "Technical assistance provider")):
        values = {
            "name": name,
            "role": role,
            "organisation": "Example Support Centre",
            "r1_date": "2026-01-12",
            "r2_date": "2026-04-20",
        }
        for activity in profile.activities:
            first = rng.choice([0, 0, 1, 1, 1, 2, 3])  # an index into choices; 3 is N/A
            values[activity.code.replace(".", "_") + "_r1"] = f"/{choices[first]}"
            second = min(first + rng.choice([0, 1, 1]), 2) if first < 3 else rng.choice([1, 3])
            values[activity.code.replace(".", "_") + "_r2"] = f"/{choices[second]}"
            if first == 0 and rng.random() < 0.3:
                values[activity.code.replace(".", "_") + "_priority"] = "/on"
        if name.startswith("Ada"):  # some writing, as a participant would type it
            values.update(
                {
                    "C1_6_evidence": "Ran two lunchtime sessions on the implementation frameworks for the "
                    "family support team; handouts shared on the team drive.",
                    "C1_7_evidence": "Mapped our new parenting programme against what the centre already offers.",
                    "C1_notes": "Ask for feedback after the next session. Plan the readiness talk with the "
                    "programme lead before March.",
                    "C1_reflection": "Most confident: running sessions. The biggest difference would come from "
                    "checking understanding more often.",
                }
            )
            # pypdf draws a field's text one line per line break, without wrapping: break it at the box's width.
            values.update(
                {
                    key: textwrap.fill(text, 88)
                    for key, text in values.items()
                    if key.endswith(("_evidence", "_notes", "_reflection"))
                }
            )
        writer = PdfWriter(clone_from=PdfReader(blank))
        writer.update_page_form_field_values(None, values, auto_regenerate=False)
        path = out / "filled" / f"{name.split()[0].lower()}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        writer.write(path)
        filled.append(str(path))
    return cli(["collect", *filled, "--into", str(out / "summary")], root=ROOT)


if __name__ == "__main__":
    sys.exit(main())
