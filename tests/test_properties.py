"""Property tests (hypothesis): random valid profiles always build; random damage never crashes.

* A profile of random shape and random Unicode text, written as YAML the way any
  YAML library would, always validates and renders, and every piece of its text
  appears, escaped, in the HTML.
* Randomly damaged copies of the shipped sources either still validate or are
  refused with exit code 1 and located messages, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from profilepress.cli import main
from profilepress.document import document_html
from profilepress.inputs import Inputs
from profilepress.load import load_brands, load_profile, load_scales
from profilepress.project import BuildOptions, Target
from profilepress.render import Renderer

from conftest import ROOT, SHIPPED

# How many examples each property draws: "ci", the default, draws 20 (a few seconds each, so that `make test`
# stays under two minutes; every run draws new ones, so CI covers more ground run after run); "thorough" draws 200,
# for a change to the loaders, the model or the templates:
#     HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/test_properties.py
settings.register_profile("ci", max_examples=20)
settings.register_profile("thorough", max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# No shrinking: a failing example is reported as drawn (shrinking a whole profile can take many
# minutes of CI time); the failure message carries the files and the errors they raised.
SETTINGS = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people type it: any letters, marks, digits, punctuation, symbols and spaces of any script.
words = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=40)
text = words.map(lambda s: " ".join(s.split())).filter(bool)


class CarefulDumper(yaml.SafeDumper):
    """PyYAML's writer, taught every plain word some YAML reader takes for a boolean or a number.

    PyYAML writes ``y`` or ``1e3`` unquoted because it reads them back as text, but YAML 1.1 reads
    ``y`` as true and YAML 1.2 reads ``1e3`` as a float; the profile's reader refuses such words
    unquoted (see yamlread), so a careful writer quotes them, as this one does.
    """


CarefulDumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
CarefulDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?0[xob][0-9a-fA-F_]+$"),
    list("-+.0123456789"),
)


@st.composite
def profiles(draw):
    """A valid profile of random shape, as {relative path: data}."""
    n_domains = draw(st.integers(1, 3))
    files, domain_ids, n = {}, [], 0
    for d in range(1, n_domains + 1):
        ids = []
        for _ in range(draw(st.integers(1, 3))):
            n += 1
            cid = f"competency-{n}"
            ids.append(cid)
            activities = draw(
                st.lists(
                    st.one_of(
                        text, st.fixed_dictionaries({"text": text, "items": st.lists(text, min_size=1, max_size=3)})
                    ),
                    min_size=1,
                    max_size=4,
                )
            )
            files[f"competencies/{cid}.yaml"] = {
                "id": cid,
                "code": f"C{n}",
                "name": draw(text),
                "description": draw(
                    st.lists(
                        st.one_of(text, st.fixed_dictionaries({"items": st.lists(text, min_size=1, max_size=3)})),
                        min_size=1,
                        max_size=3,
                    )
                ),
                "activities": activities,
            }
        files[f"domains/d{d}.yaml"] = {
            "id": f"domain-{d}",
            "code": f"D{d}",
            "name": draw(text),
            "summary": draw(text),
            "competencies": ids,
        }
        domain_ids.append(f"domain-{d}")
    section = st.fixed_dictionaries({"heading": text, "body": st.lists(text, min_size=1, max_size=2)})
    files["profile.yaml"] = {
        "title": draw(text),
        "version": draw(text),
        "date": draw(text),
        "language": "en",
        "authors": draw(st.lists(text, min_size=1, max_size=3)),
        "publisher": draw(text),
        "citation": draw(text),
        "rights": {"licence": draw(st.one_of(st.none(), text)), "permission": None},
        "introduction": draw(section),
        "principles_section": draw(section),
        "domains_section": draw(section),
        "domains": domain_ids,
    }
    files["principles.yaml"] = {
        "principles": [
            {"id": f"principle-{i}", "code": f"P{i}", "name": draw(text), "text": draw(text)}
            for i in range(1, draw(st.integers(1, 3)) + 1)
        ]
    }
    return files


def texts_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("id", "code", "domains", "competencies", "language"):
                yield from texts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts_in(item)


@functools.cache
def engine():
    """What does not depend on the profile (the scales, the brands and the templates' renderer): made once, as a
    build makes them once for all its documents."""
    return load_scales([ROOT / "scales"]), load_brands(ROOT / "brands", ROOT), Renderer(ROOT / "templates")


@SETTINGS
@given(files=profiles())
def test_random_valid_profiles_always_build(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("random")
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.dump(data, Dumper=CarefulDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    profile = load_profile(folder)
    scales, brands, renderer = engine()
    inputs = Inputs(profile, scales, brands, {})
    handbook = document_html(inputs, Target("h.html", "handbook", "html"), BuildOptions(), renderer)
    worksheet = document_html(inputs, Target("w.html", "worksheet", "html"), BuildOptions(), renderer)
    for piece in texts_in({k: v for k, v in files.items() if not k.startswith("profile")}):
        assert str(escape(piece)) in handbook
    for c in profile.competencies:
        assert f'id="ws-{c.id}"' in worksheet
        assert all(f">{a.code}<" in worksheet for a in c.activities)


# --- damaged sources: a located message or a build, never a crash ---------------------------------

TARGETS = [
    "competencies/c09-facilitation.yaml",
    "domains/d1-co-creation-and-engagement.yaml",
    "profile.yaml",
    "principles.yaml",
    "roles/coach.yaml",
]
SIGNIFICANT = list(":-[]{}#&*!|>'\"%@`,?\t\n ") + ["  ", "- ", ": ", "no", "1.10", "~", "null", "é", "\ufeff"]


@st.composite
def damage(draw, text: str):
    """Apply 1 to 3 random edits: delete, insert YAML-significant characters, duplicate or move lines."""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "indent", "swap"]))
        lines = text.splitlines(keepends=True)
        if kind == "delete" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(1, 12)) :]
        elif kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(SIGNIFICANT)) + text[at:]
        elif kind == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            text = "".join(lines[: i + 1] + lines[i:])
        elif kind == "indent" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = draw(st.sampled_from([" ", "   ", "\t", ""])) + lines[i].lstrip(" ")
            text = "".join(lines)
        elif kind == "swap" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 2))
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
            text = "".join(lines)
    return text


LOCATED = re.compile(r"^\S.*?\.yaml(:\d+:\d+)?: error: .+")


@SETTINGS
@given(data=st.data())
def test_damaged_sources_never_crash(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("damaged") / "profile_src"
    shutil.copytree(SHIPPED, folder)
    relative = data.draw(st.sampled_from(TARGETS))
    path = folder / relative
    path.write_text(data.draw(damage(path.read_text(encoding="utf-8"))), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--source", str(folder)], root=ROOT)
    errors = err.getvalue()
    assert code in (0, 1), errors
    assert "Traceback" not in errors and "internal error" not in errors, errors
    if code == 1:
        lines = errors.strip().splitlines()
        assert lines[-1].endswith("nothing was written.")
        assert all(LOCATED.match(line) for line in lines[:-1]), lines
        named = []
        for line in lines[:-1]:
            match = re.match(r"^(.+?\.yaml)(?::(\d+):(\d+))?: error: ", line)
            assert match, line
            file = Path(match[1]) if Path(match[1]).is_absolute() else Path.cwd() / match[1]
            assert folder in file.resolve().parents, line  # a file of the damaged profile…
            if match[2]:  # …at a line it has
                assert 1 <= int(match[2]) <= max(1, len(file.read_text(encoding="utf-8").splitlines()) + 1), line
            named.append(file.resolve())
        try:  # YAML no longer readable: the damaged file itself is named
            readable = isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)
        except yaml.YAMLError:
            readable = False
        assert readable or path.resolve() in named, errors
