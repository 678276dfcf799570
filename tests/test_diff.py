"""`build.py diff OLD NEW`: what a change does to the profile and which outputs change, as a reviewer reads it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from profilepress import diff
from profilepress.cli import main
from profilepress.load import load_profile

from conftest import ROOT, SHIPPED, TINY, cli

# A short plan for the shipped profile, so that both sides render in a few seconds: the handbook, a
# worksheet per competency and the role excerpts.
SHORT_PLAN = """\
scale: nirn-practice-profile
editions:
  - brand: neutral
    documents:
      - kind: handbook
        formats: [html, pdf]
      - kind: worksheet
        scope: competency
        formats: [html, fillable-pdf]
      - kind: excerpt
        roles: all
        formats: [html]
"""

NEW_ACTIVITY = "Hold regular check-ins with stakeholders about what they are learning"
REMOVED_C2_7 = (
    "Promote opportunities for stakeholders and team members to engage with\n    others in the use of evidence and data"
)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def shipped_project(folder: Path) -> Path:
    """A project folder: the shipped profile and the short plan."""
    shutil.copytree(SHIPPED, folder / "profile_src", ignore=shutil.ignore_patterns("source"))
    (folder / "build.yaml").write_text(SHORT_PLAN, encoding="utf-8")
    return folder


def tiny_project(folder: Path) -> Path:
    """The tiny profile with its own plan (profile: ., its packets)."""
    shutil.copytree(TINY, folder)
    return folder


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> tuple[Path, Path]:
    """OLD: the shipped profile. NEW: C3.2 reworded, an activity inserted after C1.2, C2.7 removed."""
    base = tmp_path_factory.mktemp("diff")
    old, new = shipped_project(base / "old"), shipped_project(base / "new")
    competencies = new / "profile_src" / "competencies"
    edit(
        competencies / "c03-address-power-differentials.yaml",
        "  - >-\n    Identify the influence that",
        "  - >-\n    Map the influence that",
    )
    edit(
        competencies / "c01-co-learning.yaml",
        "  - Create spaces for new ideas to emerge\n",
        f"  - Create spaces for new ideas to emerge\n  - {NEW_ACTIVITY}\n",
    )
    edit(competencies / "c02-brokering.yaml", f"  - >-\n    {REMOVED_C2_7}\n", "")
    return old, new


@pytest.fixture(scope="module")
def compared(edited, tmp_path_factory) -> diff.Report:
    """`build.py diff OLD NEW` made once for the file: what the command prints in Markdown and in JSON is this
    report, formatted (the command itself, its options and exit codes, are the other tests')."""
    return diff.diff(
        str(edited[0]),
        str(edited[1]),
        repo=ROOT,
        root=ROOT,
        templates=ROOT / "templates",
        workdir=tmp_path_factory.mktemp("diff-work"),
    )


@pytest.fixture(scope="module")
def markdown(compared) -> str:
    return diff.to_markdown(compared)


@pytest.fixture(scope="module")
def report(compared) -> dict:
    return json.loads(diff.to_json(compared))


def section(markdown: str, heading: str) -> str:
    """The text under a '### heading' up to the next heading."""
    start = markdown.index(f"### {heading}")
    rest = markdown[start + 4 :]
    end = rest.find("\n### ")
    return rest if end < 0 else rest[:end]


# --- the profile's changes, in Markdown -----------------------------------------------------------


def test_title_and_summary_line_count_each_kind_of_change(markdown):
    lines = markdown.splitlines()
    assert lines[0].startswith("## Profile diff: ") and "→" in lines[0]
    assert lines[2].startswith("Activities: 1 reworded, 1 added, 1 removed, 5 renumbered.")


def test_renumbering_is_flagged_at_the_top_in_plain_words(markdown):
    warning = markdown.index("> [!WARNING]")
    assert warning < markdown.index("###"), "the warning comes before every section"
    block = markdown[warning : markdown.index("\n\n", warning)]
    assert "5 activities have a new code" in block
    assert (
        "Worksheets already filled in and people's notes use the old codes: where an old code now means "
        "another activity, or no longer exists, they break."
    ) in block
    # the example tells what an old code meant and what it means now
    assert "C1.3 is “Build trust and respect for all perspectives" in block
    assert "which is now C1.4; after it, C1.3 is “Hold regular check-ins" in block
    renumbered = section(markdown, "⚠️ Renumbered activities")
    rows = [line for line in renumbered.splitlines() if line.startswith("| C")]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| C1.3", "**C1.4**"],
        ["| C1.4", "**C1.5**"],
        ["| C1.5", "**C1.6**"],
        ["| C1.6", "**C1.7**"],
        ["| C1.7", "**C1.8**"],
    ]
    assert rows[0].endswith("| C1.3 Hold regular check-ins with stakeholders about… |")


def test_the_reworded_activity_is_named_by_its_code_with_the_exact_words_changed(markdown):
    reworded = section(markdown, "Reworded activities").strip().splitlines()[1:]
    assert [line for line in reworded if line] == [
        "- **C3.2** ~~Identify~~ **Map** the influence that different stakeholders may have on implementation"
    ]


def test_added_and_removed_activities_are_listed_with_their_codes(markdown):
    assert f"- **C1.3** {NEW_ACTIVITY}" in section(markdown, "Added activities")
    removed = section(markdown, "Removed activities")
    assert (
        "- **C2.7** ~~Promote opportunities for stakeholders and team members to engage with others in "
        "the use of evidence and data~~"
    ) in removed
    # nothing that merely moved is reported as added or removed
    assert "C1.4" not in section(markdown, "Added activities") and "C1.3" not in removed


def test_outputs_that_change_and_not_those_that_do_not(markdown):
    changed = section(markdown, "Outputs that change")
    for path in (
        "neutral/handbook.html",
        "neutral/handbook.pdf",
        "neutral/worksheets/c01-co-learning.html",
        "neutral/worksheets/c01-co-learning-fillable.pdf",
        "neutral/worksheets/c02-brokering.html",
        "neutral/worksheets/c03-address-power-differentials.html",
        "neutral/roles/mentor.html",
        "neutral/roles/facilitator.html",
    ):
        assert f"`{path}`" in changed
    # C5's worksheet and a role without C1, C2 or C3 read nothing that changed
    for path in ("c05-tailoring-support", "c04-co-design", "implementation-specialist", "improvement-advisor"):
        assert path not in changed
    assert "### Outputs that change (" + str(changed.count("`") // 2) + ")" in markdown
    assert "Outputs added by the plan" not in markdown and "Outputs no longer made" not in markdown


# --- JSON --------------------------------------------------------------------------------------------


def test_json_has_stable_keys_counts_and_word_segments(report):
    assert list(report) == [
        "format",
        "version",
        "old",
        "new",
        "summary",
        "warnings",
        "renumbered",
        "reworded",
        "added",
        "removed",
        "other_changes",
        "outputs",
    ]
    assert report["format"] == "profilepress-diff" and report["version"] == 1
    assert report["summary"] == {
        "reworded": 1,
        "added": 1,
        "removed": 1,
        "renumbered": 5,
        "other_changes": 0,
        "outputs_changed": len(report["outputs"]["changed"]),
        "outputs_added": 0,
        "outputs_removed": 0,
        "outputs_unchanged": len(report["outputs"]["unchanged"]),
    }
    assert len(report["warnings"]) == 1 and "C1.3" in report["warnings"][0]
    assert [(r["old_code"], r["new_code"]) for r in report["renumbered"]] == [
        ("C1.3", "C1.4"),
        ("C1.4", "C1.5"),
        ("C1.5", "C1.6"),
        ("C1.6", "C1.7"),
        ("C1.7", "C1.8"),
    ]
    assert report["renumbered"][0]["old_code_now"] == {"code": "C1.3", "competency": "C1", "text": NEW_ACTIVITY}
    [reword] = report["reworded"]
    assert (reword["old_code"], reword["new_code"]) == ("C3.2", "C3.2")
    assert reword["words"] == [
        {"op": "replace", "old": "Identify", "new": "Map"},
        {
            "op": "equal",
            "old": "the influence that different stakeholders may have on implementation",
            "new": "the influence that different stakeholders may have on implementation",
        },
    ]
    assert report["added"] == [{"code": "C1.3", "competency": "C1", "text": NEW_ACTIVITY}]
    assert [a["code"] for a in report["removed"]] == ["C2.7"]
    changed = {o["path"] for o in report["outputs"]["changed"]}
    assert "neutral/worksheets/c01-co-learning-fillable.pdf" in changed
    assert "neutral/worksheets/c05-tailoring-support.html" in report["outputs"]["unchanged"]
    assert set(report["outputs"]["changed"][0]) == {"path", "document", "format", "brand"}
    assert len(changed) + len(report["outputs"]["unchanged"]) == 2 + 15 * 2 + 7


# --- the comparison itself ---------------------------------------------------------------------------


def test_an_activity_moved_to_another_competency_is_renumbered_not_removed_and_added(tmp_path):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    edit(new / "competencies" / "active-listening.yaml", "  - Put the phone away\n", "")
    edit(
        new / "competencies" / "reflecting-back.yaml",
        "  - Summarise in the mentee's words\n",
        "  - Summarise in the mentee's words\n  - Put the phone away\n",
    )
    changes = diff.compare(load_profile(old), load_profile(new))
    assert not changes.added and not changes.removed and not changes.reworded
    # in NEW's order
    assert [(c.old.code, c.new.code) for c in changes.renumbered] == [("M1.2", "M1.1"), ("M1.1", "M2.2")]
    assert changes.renumbered[1].new.competency == "M2"
    assert [(r.code, r.now and r.now.code) for r in changes.reused_codes] == [("M1.1", "M1.1"), ("M1.2", None)]
    [warning] = diff.warnings(changes)
    assert warning.startswith("2 activities have a new code.")
    assert (
        "on a worksheet filled in before this change M1.1 is “Put the phone away”, which is now M2.2; after "
        "it, M1.1 is “Ask open questions • What happened next? • How did that…”."
    ) in warning


def test_a_moved_activity_whose_old_code_is_left_unused_says_so(tmp_path):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    block = "  - text: Ask open questions\n    items:\n      - What happened next?\n      - How did that feel?\n"
    edit(new / "competencies" / "active-listening.yaml", block, "")
    edit(
        new / "competencies" / "reflecting-back.yaml",
        "  - Summarise in the mentee's words\n",
        "  - Summarise in the mentee's words\n" + block,
    )
    [warning] = diff.warnings(diff.compare(load_profile(old), load_profile(new)))
    assert warning.startswith("1 activity has a new code.")
    assert (
        "M1.2 is “Ask open questions • What happened next? • How did that…”, which is now M2.2; after it, "
        "M1.2 no longer exists."
    ) in warning


@pytest.mark.parametrize(
    "new_text, same_activity",
    [
        ("Put the phone down", True),  # 3 words of 4 kept: 0.75
        ("Put your phone away, face down", True),  # 0.6
        ("Put the kettle on for both of you", False),  # 2 words in common: 0.36
    ],
)
def test_similar_words_are_a_reword_and_different_words_a_new_activity(tmp_path, new_text, same_activity):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    edit(new / "competencies" / "active-listening.yaml", "Put the phone away", new_text)
    changes = diff.compare(load_profile(old), load_profile(new))
    assert bool(changes.reworded) is same_activity
    assert bool(changes.added) is bool(changes.removed) is (not same_activity)
    assert (diff.similarity("Put the phone away", new_text) >= diff.SIMILAR) is same_activity


def test_the_threshold_keeps_the_shipped_profiles_distinct_activities_apart(shipped_profile):
    texts = [diff.activity_words(a) for a in shipped_profile.activities]
    pairs = sorted(
        ((diff.similarity(a, b), i, j) for i, a in enumerate(texts) for j, b in enumerate(texts) if i < j), reverse=True
    )
    assert pairs[0][0] < 0.7
    # only one pair (C4.3 and C11.1, a shared list of six nouns) reaches the threshold at all
    assert [
        (shipped_profile.activities[i].code, shipped_profile.activities[j].code)
        for ratio, i, j in pairs
        if ratio >= diff.SIMILAR
    ] == [("C4.3", "C11.1")]


def test_names_descriptions_and_added_competencies_are_reported_and_new_outputs_listed(tmp_path):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    edit(new / "competencies" / "reflecting-back.yaml", "name: Reflecting back", "name: Reflecting and summarising")
    edit(new / "principles.yaml", "text: give people time.", "text: give people plenty of time.")
    long = " ".join(f"word{n}" for n in range(50))
    for side, last in ((old, "end."), (new, "finish.")):
        edit(side / "competencies" / "active-listening.yaml", "Mentors give their full attention.", f"{long} {last}")
    edit(new / "domains" / "listening.yaml", "  - reflecting-back\n", "  - reflecting-back\n  - asking\n")
    (new / "competencies" / "asking.yaml").write_text(
        "id: asking\ncode: M3\nname: Asking\ndescription:\n  - Mentors ask.\nactivities:\n  - Ask what would help\n",
        encoding="utf-8",
    )
    result = cli("diff", str(old), str(new))
    assert result.code == 0, result.err
    other = section(result.out, "Other changes to the profile")
    assert "- Principle **G1** Be Patient: text: give people **plenty of** time." in other
    assert "- Domain **L1** Listening: competencies: M1 M2 **M3**" in other
    assert "- Competency **M2** Reflecting and summarising: name: Reflecting ~~back~~ **and summarising**" in other
    assert "- Competency **M3** Asking: added" in other
    # a long text: its changes, with eight words either side
    assert (
        "- Competency **M1** Active listening: description: … word42 word43 word44 word45 word46 word47 "
        "word48 word49 ~~end.~~ **finish.**"
    ) in other
    assert "- **M3.1** Ask what would help" in section(result.out, "Added activities")
    added = section(result.out, "Outputs added by the plan")
    assert "`neutral/worksheets/m03-asking.html`" in added
    assert "`neutral/worksheets/m02-reflecting-back.html`" in section(result.out, "Outputs that change")
    assert "Outputs no longer made" not in result.out
    assert "[!WARNING]" not in result.out, "nothing was renumbered"


def test_a_competency_with_a_new_code_is_flagged_and_its_files_renamed(tmp_path):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    edit(new / "competencies" / "reflecting-back.yaml", "code: M2", "code: M5")
    edit(new / "roles" / "buddy.yaml", "supporting: [M2]", "supporting: [M5]")
    result = cli("diff", str(old), str(new), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [(r["old_code"], r["new_code"]) for r in report["renumbered"]] == [("M2.1", "M5.1")]
    assert report["warnings"][1] == (
        "Competency M2 Reflecting back is now M5. Worksheets, answers and notes that "
        "say M2 meant it, and the codes and worksheet form fields of its activities "
        "change with it."
    )
    assert [o["path"] for o in report["outputs"]["removed"]] == ["neutral/worksheets/m02-reflecting-back.html"]
    assert [o["path"] for o in report["outputs"]["added"]] == ["neutral/worksheets/m05-reflecting-back.html"]


def test_no_changes_says_so_and_exits_0(tmp_path):
    result = cli("diff", str(TINY), str(tiny_project(tmp_path / "copy")))
    assert result.code == 0, result.err
    assert "No changes to the profile's text." in result.out
    assert "No output of the plan changes (9 compared)." in result.out
    assert "###" not in result.out and "WARNING" not in result.out


def test_markdown_special_characters_in_the_text_are_shown_as_typed(tmp_path):
    old, new = tiny_project(tmp_path / "old"), tiny_project(tmp_path / "new")
    edit(
        new / "competencies" / "reflecting-back.yaml",
        "Summarise in the mentee's words",
        "Summarise in the mentee's *own* words | <b>x</b>",
    )
    result = cli("diff", str(old), str(new))
    assert r"- **M2.1** Summarise in the mentee's **\*own\*** words **\| \<b\>x\</b\>**" in result.out


# --- git refs ----------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository holding the tiny project: one commit, then a second that rewords and inserts."""
    folder = tiny_project(tmp_path / "repo")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "profile")
    edit(
        folder / "competencies" / "active-listening.yaml",
        "  - Put the phone away\n",
        "  - Put the phone away\n  - Nod now and then\n",
    )
    edit(folder / "competencies" / "reflecting-back.yaml", "in the mentee's words", "in the mentee's own words")
    git(folder, "commit", "-q", "-am", "change")
    return folder


def test_git_refs_of_the_repository_it_runs_in(repo):
    result = cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert result.code == 0, result.err
    assert result.out.startswith("## Profile diff: `HEAD~1` → `HEAD`")
    assert "- **M1.2** Nod now and then" in section(result.out, "Added activities")
    assert "- **M2.1** Summarise in the mentee's **own** words" in section(result.out, "Reworded activities")
    assert "| M1.2 | **M1.3** |" in result.out
    assert "`neutral/worksheets/m01-active-listening.html`" in section(result.out, "Outputs that change")
    # the working folder is untouched, and a ref and a folder mix
    assert git(repo, "status", "--porcelain") == ""
    mixed = cli("diff", "main~1", str(repo), "--format", "json", "--repo", str(repo))
    assert mixed.code == 0, mixed.err
    assert json.loads(mixed.out)["summary"]["added"] == 1


def test_validation_errors_in_a_ref_name_the_file_in_that_ref(repo):
    edit(repo / "competencies" / "reflecting-back.yaml", "code: M2", "code: [M2")
    git(repo, "commit", "-q", "-am", "broken")
    result = cli("diff", "HEAD~1", "HEAD", "--repo", str(repo))
    assert result.code == 1
    assert "HEAD:competencies/reflecting-back.yaml:3:" in result.err
    assert "Traceback" not in result.err and result.out == ""


@pytest.mark.parametrize(
    "old, message",
    [
        (
            "no-such-branch",
            "'no-such-branch' is neither a folder nor a git ref: there is no such folder, and the git "
            "repository in {repo} has no such branch, tag, commit or folder",
        ),
        ("--upload-pack=x", "'--upload-pack=x' is neither a folder nor a git ref"),
    ],
)
def test_an_unknown_ref_or_folder_is_a_clear_error(repo, old, message):
    result = cli("diff", "--repo", str(repo), "--", old, "HEAD")
    assert result.code == 1
    assert result.err.startswith("error: " + message.format(repo=repo))
    assert "Traceback" not in result.err and result.out == ""


def test_a_ref_outside_any_repository_or_a_folder_of_neither_kind(tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("diff", "HEAD~1", "HEAD", cwd=tmp_path)
    assert result.code == 1
    assert "is not in a git repository to read refs from" in result.err
    result = cli("diff", str(tmp_path / "empty"), str(TINY))
    assert result.code == 1
    assert "holds neither build.yaml (a project) nor profile.yaml (a profile folder)" in result.err


@pytest.mark.parametrize(
    "args", [["diff", "HEAD"], ["diff", "a", "b", "--format", "pdf"], ["diff", "--help"], ["--help"]]
)
def test_usage_errors_exit_2_and_help_shows_an_example(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        main(args, root=ROOT)
    out, err = capsys.readouterr()
    if "--help" not in args:
        assert exit_info.value.code == 2 and "usage: build.py diff" in err
    elif args[0] == "diff":
        assert exit_info.value.code == 0 and "OLD and NEW: a project folder" in out
    else:
        assert exit_info.value.code == 0 and "python build.py diff main HEAD" in out
