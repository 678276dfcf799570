"""Bad sources get located, actionable errors: all at once, exit code 1, output untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from profilepress.errors import ProfileErrors
from profilepress.load import load_profile


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace text in a source file; returns the 1-based line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def errors_of(source: Path) -> list[str]:
    with pytest.raises(ProfileErrors) as info:
        load_profile(source)
    return [e.format(relative_to=source) for e in info.value.errors]


def one_error(source: Path) -> str:
    errors = errors_of(source)
    assert len(errors) == 1, errors
    return errors[0]


def test_shipped_sources_are_valid(run):
    result = run("check")
    assert result.code == 0, result.err
    assert "valid profile (6 principles, 3 domains, 15 competencies, 114 activities, 7 roles)" in result.out
    assert "the build plan, scales, brands and packets are valid too" in result.out


def test_three_problems_reported_in_one_run(run, profile_copy, tmp_path):
    """The issue's acceptance case: a misspelt field, a duplicate id and a tab, in one run."""
    typo_line = edit(profile_copy / "competencies/c02-brokering.yaml", "\nname: Brokering", "\nnmae: Brokering") + 1
    dup_line = edit(profile_copy / "competencies/c05-tailoring-support.yaml", "id: tailoring-support", "id: co-design")
    tab_line = edit(profile_copy / "principles.yaml", "    code: P2", "\tcode: P2")
    out = tmp_path / "out"
    out.mkdir()
    (out / "handbook.html").write_text("previous build", encoding="utf-8")

    result = run("check", "--source", str(profile_copy))
    assert result.code == 1
    lines = result.err.splitlines()
    assert any(
        f"c02-brokering.yaml:{typo_line}:1: error: unknown field 'nmae'" in l and "did you mean 'name'" in l
        for l in lines
    ), result.err
    assert any(
        f"c05-tailoring-support.yaml:{dup_line}:5: error: duplicate competency id 'co-design', "
        "also used at c04-co-design.yaml:2" in l
        for l in lines
    ), result.err
    # The renamed competency's old id is now a broken reference, reported in the same run.
    assert any(
        "d1-co-creation-and-engagement.yaml:22:5: error: unknown competency 'tailoring-support'" in l for l in lines
    ), result.err
    assert any(f"principles.yaml:{tab_line}:1: error: a tab character" in l for l in lines), result.err
    assert lines[-1] == "4 errors in 4 files; nothing was written."
    assert "Traceback" not in result.err

    build = run("--source", str(profile_copy), "--output", str(out))
    assert build.code == 1
    assert (out / "handbook.html").read_text(encoding="utf-8") == "previous build"
    assert sorted(p.name for p in out.iterdir()) == ["handbook.html"]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("no", "'no' is ambiguous: YAML 1.1 reads it as a boolean"),
        ("Yes", "'Yes' is ambiguous: YAML 1.1 reads it as a boolean"),
        ("1.10", "'1.10' is ambiguous: YAML reads it as a number"),
        ("4.0", "'4.0' is ambiguous: YAML reads it as a number"),
        ("0o17", "'0o17' is ambiguous: YAML reads it as a number"),
    ],
)
def test_yaml_11_surprises_are_errors(profile_copy, value, expected):
    line = edit(profile_copy / "profile.yaml", 'version: "4.0"', f"version: {value}")
    error = one_error(profile_copy)
    assert error.startswith(f"profile.yaml:{line}:10: error: {expected}")
    assert "(version)" in error and "quotes" in error


def test_duplicate_keys_are_errors(profile_copy):
    line = edit(profile_copy / "competencies/c01-co-learning.yaml", "code: C1\n", "code: C1\ncode: C99\n") + 1
    error = one_error(profile_copy)
    assert error.startswith(
        f"competencies/c01-co-learning.yaml:{line}:1: error: duplicate key 'code', first used at line {line - 1}"
    )


@pytest.mark.parametrize(
    "snippet,message",
    [
        (
            "name: !!python/object/apply:os.system [echo hi]",
            "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        ),
        ("name: !custom Co-learning", "YAML tag '!custom' is not allowed"),
        ("name: &n Co-learning\nextra: *n", "YAML anchor '&n' is not allowed"),
    ],
)
def test_unsafe_yaml_is_refused(profile_copy, snippet, message):
    edit(profile_copy / "competencies/c01-co-learning.yaml", "name: Co-learning", snippet)
    errors = errors_of(profile_copy)
    assert any(message in e for e in errors), errors


def test_alias_is_refused_without_expanding(profile_copy):
    path = profile_copy / "competencies/c01-co-learning.yaml"
    bomb = "\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    )
    path.write_text(path.read_text(encoding="utf-8") + bomb + "\n", encoding="utf-8")
    errors = errors_of(profile_copy)
    assert any("YAML alias '*a0' is not allowed" in e for e in errors)


def test_missing_and_mistyped_fields(profile_copy):
    path = profile_copy / "competencies/c03-address-power-differentials.yaml"
    edit(path, "code: C3\n", "")
    line = edit(path, "name: Address power differentials", "name: [Address power differentials]")
    errors = errors_of(profile_copy)
    assert any(
        "c03-address-power-differentials.yaml:2:1: error: missing required field 'code'" in e and "add 'code:'" in e
        for e in errors
    ), errors
    assert any(
        f"c03-address-power-differentials.yaml:{line}:7: error: must be text, not a list (name)" in e for e in errors
    ), errors


def test_nested_field_error_points_at_the_item(profile_copy):
    path = profile_copy / "competencies/c10-communication.yaml"
    line = edit(
        path,
        "    items:\n      - >-\n        Support effective communication and feedback loops among practice",
        "    itmes:\n      - >-\n        Support effective communication and feedback loops among practice",
    )
    errors = errors_of(profile_copy)
    assert any(
        f"c10-communication.yaml:{line}:5: error: unknown field 'itmes' (activities#4.itmes)" in e
        and "did you mean 'items'" in e
        for e in errors
    ), errors


def test_text_with_colon_read_as_field(profile_copy):
    line = edit(
        profile_copy / "competencies/c12-grow-and-sustain-relationships.yaml",
        "  - Show kindness and vulnerability",
        "  - Show kindness: and vulnerability",
    )
    error = one_error(profile_copy)
    assert error.startswith(
        f"competencies/c12-grow-and-sustain-relationships.yaml:{line}:5: error: text was read as a field name"
    )
    assert "must be quoted" in error


def test_bad_id_and_code(profile_copy):
    path = profile_copy / "competencies/c01-co-learning.yaml"
    edit(path, "id: co-learning", "id: ../co-learning")
    edit(path, "code: C1", "code: C1.1")
    errors = errors_of(profile_copy)
    assert any("'../co-learning' is not allowed here (id)" in e and "lower-case letters" in e for e in errors)
    assert any("'C1.1' is not allowed here (code)" in e for e in errors)


def test_broken_references_suggest_a_fix(profile_copy):
    line = edit(profile_copy / "domains/d2-ongoing-improvement.yaml", "  - facilitation", "  - facilitaton")
    errors = errors_of(profile_copy)
    assert any(
        f"domains/d2-ongoing-improvement.yaml:{line}:5: error: unknown competency 'facilitaton'" in e
        and "did you mean 'facilitation'" in e
        for e in errors
    ), errors
    assert any(
        "c09-facilitation.yaml:2:5: error: competency 'facilitation' is not listed in any domain" in e for e in errors
    ), errors


def test_unlisted_domain_and_duplicate_codes(profile_copy):
    edit(profile_copy / "profile.yaml", "  - sustaining-change\n", "")
    edit(profile_copy / "competencies/c02-brokering.yaml", "code: C2", "code: C1")
    errors = errors_of(profile_copy)
    assert any(
        "d3-sustaining-change.yaml:2:5: error: domain 'sustaining-change' is not listed in profile.yaml" in e
        for e in errors
    ), errors
    assert any(
        "c02-brokering.yaml:3:7: error: duplicate code 'C1', also used at c01-co-learning.yaml:3" in e for e in errors
    ), errors


def test_yaml_syntax_error_is_located(profile_copy):
    line = edit(
        profile_copy / "competencies/c07-understand-context.yaml",
        "name: Understand context",
        'name: "Understand context',
    )
    error = errors_of(profile_copy)[0]
    assert re.match(r"competencies/c07-understand-context\.yaml:\d+:\d+: error: YAML syntax error", error)
    assert int(error.split(":")[1]) >= line


def test_empty_missing_and_undecodable_files(profile_copy):
    (profile_copy / "competencies/c16-empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (profile_copy / "competencies/c17-latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (profile_copy / "principles.yaml").unlink()
    errors = errors_of(profile_copy)
    assert any("c16-empty.yaml:1:1: error: the file is empty" in e for e in errors), errors
    assert any("c17-latin1.yaml:1:1: error: the file is not valid UTF-8" in e for e in errors), errors
    assert any("principles.yaml: error: principles.yaml is missing" in e for e in errors), errors


def test_missing_profile_folder(run, tmp_path):
    result = run("check", "--source", str(tmp_path / "nowhere"))
    assert result.code == 1
    assert "the profile folder does not exist" in result.err


def test_every_layer_reports_its_errors_in_one_run(tmp_path):
    """A mistake in the plan does not hide the profile's, and a packet is checked even while the profile has
    errors: the plan, a competency and a packet recipe each have one, and one run names all three."""
    import shutil

    from conftest import TINY, cli

    project = tmp_path / "tiny"
    shutil.copytree(TINY, project)
    plan_line = edit(project / "build.yaml", "        scope: competency", "        scope: competence")
    competency_line = edit(project / "competencies/active-listening.yaml", "\nname:", "\nnmae:") + 1
    edit(project / "packets/listening-hour.yaml", "{minutes: 40,", "{minutes: 45,")
    out = tmp_path / "out"

    result = cli("--plan", str(project / "build.yaml"), "-o", str(out))
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert any(
        f"build.yaml:{plan_line}:16: error: input should be 'profile', 'domain' or 'competency'" in line
        for line in lines
    ), result.err
    assert any(f"active-listening.yaml:{competency_line}:1: error: unknown field 'nmae'" in line for line in lines), (
        result.err
    )
    assert any(
        "listening-hour.yaml:" in line and "the steps of 'Listening in pairs' take 65 minutes, the block 60" in line
        for line in lines
    ), result.err
    assert lines[-1] == "3 errors in 3 files; nothing was written."
    assert not out.exists()


def test_the_plans_scale_is_checked_with_the_profile_and_an_unreadable_plan_adds_no_false_error(tmp_path):
    import shutil

    from conftest import TINY, cli

    project = tmp_path / "tiny"
    shutil.copytree(TINY, project)
    scale_line = edit(project / "build.yaml", "scale: california-cpm", "scale: californa-cpm")
    edit(project / "competencies/active-listening.yaml", "\nname:", "\nnmae:")
    result = cli("--plan", str(project / "build.yaml"), "-o", str(tmp_path / "out"))
    assert result.code == 1
    assert (
        f"build.yaml:{scale_line}:8: error: unknown rating scale 'californa-cpm' (scale) — did you mean" in result.err
    )
    assert "unknown field 'nmae'" in result.err

    edit(project / "build.yaml", "formats: [html, pdf]", "formats: [html, pdf")  # the plan no longer reads
    result = cli("--plan", str(project / "build.yaml"), "-o", str(tmp_path / "out"))
    assert result.code == 1
    assert "build.yaml:" in result.err and "YAML syntax error" in result.err
    assert "does not exist" not in result.err, result.err  # its folders are unknown: nothing guessed
    assert result.err.splitlines()[-1] == "1 error in 1 file; nothing was written."
