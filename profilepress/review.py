"""The review of scanned answers a machine must not decide: the review page, and the answers it saves.

:mod:`profilepress.scan` never guesses a rating it cannot read for certain
(two boxes ticked, a tick crossed out, a faint mark). ``collect`` writes every
such rating into ``review.html`` beside its reports: the picture of the row's
boxes, with a choice under each box and "no answer". The page saves the
choices to a file (``review-answers.json``), which ``collect`` takes with the
scans: each answer is matched to its rating by the scan file's content hash,
the page and the field, so an answer never lands on another scan.

The file::

    {"format": "profilepress-scan-review", "format_version": 1,
     "answers": {"<scan hash>:<page>:<field>": "<level id>" | "na" | "on" | ""}}

("" is "no answer"; "on" ticks a priority).
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ProfileErrors, SourceError

FORMAT = "profilepress-scan-review"
FORMAT_VERSION = 1
PAGE = "review.html"
ANSWERS_FILE = "review-answers.json"


def is_review(path: Path) -> bool:
    """A review's saved answers (a .json file whose format says so)."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def read_answers(paths: list[Path]) -> dict[str, tuple[str, Path]]:
    """Every reviewed answer, by its key: (the answer, the file it is in); a file that is not a review's answers
    is refused by name."""
    answers: dict[str, tuple[str, Path]] = {}
    errors = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        chosen = data.get("answers")
        if data.get("format_version") != FORMAT_VERSION:
            errors.append(
                SourceError(
                    path, 0, 0, f"review answers of format version {data.get('format_version')!r}, not {FORMAT_VERSION}"
                )
            )
        elif not isinstance(chosen, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()
        ):
            errors.append(
                SourceError(
                    path, 0, 0, "the review answers file has no valid 'answers'", hint="save it again from review.html"
                )
            )
        else:
            answers.update({key: (value, path) for key, value in chosen.items()})
    if errors:
        raise ProfileErrors(errors)
    return answers
