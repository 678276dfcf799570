"""What a change to a profile does: `python build.py diff OLD NEW`.

Three steps, each separate from the others:

- **compare** two loaded profiles (:func:`compare`): activities matched across
  the whole profile by their words, so that a reworded, renumbered or moved
  activity is recognised; coarser changes to the profile, its principles,
  domains, competencies and roles. Pure: models in, frozen dataclasses out.
- **changed_outputs**: each output of the plan rendered to the HTML it would
  print, for both sides, with the engine; the paths whose HTML differs, and the
  outputs one side's plan has and the other's not. No PDF is rendered: a PDF or
  fillable PDF changes exactly when the HTML it is printed from changes.
- **to_markdown** / **to_json**: the report, for people (a pull request comment,
  a CI job summary) and for programs.

OLD and NEW are folders (a project with build.yaml, or a profile folder with
profile.yaml) or git refs, read with ``git archive`` into a temporary folder
(:func:`open_side`).

The engine's loader, plan and document stage are imported only inside
:func:`_engine`: comparing two profiles needs none of them.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .errors import ProfileErrors, UserError
from .home import default_plan
from .model import Activity, Block, ItemList, Paragraph, Profile

if TYPE_CHECKING:  # pragma: no cover (the engine is imported only when a diff runs: see _engine)
    from .inputs import Inputs
    from .project import BuildOptions, Target

# Two activities whose words are at least this similar (difflib's ratio over their words, case and
# punctuation aside) are one activity reworded; below it, one was removed and another added. Distinct
# activities of the bundled profile are at most 0.67 alike (two that share a list of six nouns), the
# next pair 0.56 (tests/test_diff.py checks it); a reword of two words in six (0.67) or three in ten
# (0.7) stays one activity.
SIMILAR = 0.6

# Texts longer than this many words are shown in Markdown as their changes with 8 words either side.
LONG = 40

JSON_FORMAT = "profilepress-diff"
JSON_VERSION = 1

# --- the comparison: what changed in the profile ------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A run of words: ``equal`` in both, ``delete``d from OLD, ``insert``ed in NEW, or ``replace``d."""

    op: str
    old: str
    new: str


@dataclass(frozen=True)
class ActivityText:
    """An activity as one side has it: its code, its competency's code, and its words.

    ``text`` is the activity's text followed by each of its sub-items after " • ".
    """

    code: str
    competency: str
    text: str


@dataclass(frozen=True)
class ActivityChange:
    """One activity found on both sides whose words or code changed."""

    old: ActivityText
    new: ActivityText
    similarity: float  # 1.0 for the same words
    words: tuple[Segment, ...]

    @property
    def reworded(self) -> bool:
        return self.old.text != self.new.text

    @property
    def renumbered(self) -> bool:
        return self.old.code != self.new.code


@dataclass(frozen=True)
class CodeReuse:
    """An old code that now names another activity (``now``), or none (``now`` is None)."""

    code: str
    before: ActivityText
    now: ActivityText | None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str
    words: tuple[Segment, ...]


@dataclass(frozen=True)
class PartChange:
    """A change to the profile's front matter, a principle, domain, competency or role (matched by id)."""

    kind: str  # profile | principle | domain | competency | role
    id: str
    change: str  # added | removed | changed
    old_code: str | None
    new_code: str | None
    name: str  # NEW's name (OLD's for a removed part)
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class ProfileChanges:
    added: tuple[ActivityText, ...]  # in NEW's order
    removed: tuple[ActivityText, ...]  # in OLD's order
    changed: tuple[ActivityChange, ...]  # reworded or renumbered (or both), in NEW's order
    reused_codes: tuple[CodeReuse, ...]  # old codes that no longer name their activity
    parts: tuple[PartChange, ...]
    old_version: str = ""
    new_version: str = ""

    @property
    def reworded(self) -> tuple[ActivityChange, ...]:
        return tuple(c for c in self.changed if c.reworded)

    @property
    def renumbered(self) -> tuple[ActivityChange, ...]:
        return tuple(c for c in self.changed if c.renumbered)

    @property
    def recoded_parts(self) -> tuple[PartChange, ...]:
        """Competencies (and domains, principles) that kept their id but changed their code."""
        return tuple(p for p in self.parts if p.change == "changed" and p.old_code != p.new_code)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.parts)


def compare(old: Profile, new: Profile) -> ProfileChanges:
    """What changed from ``old`` to ``new``: activities matched by their words across the whole profile."""
    before, after = _activity_texts(old), _activity_texts(new)
    pairs = _match(before, after)
    changed = sorted(
        (
            ActivityChange(before[i], after[j], ratio, word_diff(before[i].text, after[j].text))
            for i, j, ratio in pairs
            if before[i] != after[j]
        ),
        key=lambda c: after.index(c.new),
    )
    matched_old, matched_new = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    partner = {i: after[j] for i, j, _ in pairs}
    now_by_code = {a.code: a for a in after}
    # An old code that no longer names its activity: the activity moved to another code, or was removed
    # and another activity took its code.
    reused = tuple(
        CodeReuse(a.code, a, now_by_code.get(a.code))
        for i, a in enumerate(before)
        if (i in partner and partner[i].code != a.code) or (i not in partner and a.code in now_by_code)
    )
    return ProfileChanges(
        added=tuple(a for j, a in enumerate(after) if j not in matched_new),
        removed=tuple(a for i, a in enumerate(before) if i not in matched_old),
        changed=tuple(changed),
        reused_codes=reused,
        parts=_compare_parts(old, new),
        old_version=old.version,
        new_version=new.version,
    )


def _activity_texts(profile: Profile) -> list[ActivityText]:
    return [ActivityText(a.code, c.code, activity_words(a)) for c in profile.competencies for a in c.activities]


def activity_words(activity: Activity) -> str:
    """An activity's text, then each of its sub-items after " • "."""
    return " • ".join((activity.text, *activity.items))


def _normal(text: str) -> list[str]:
    """The words that count for similarity: lower case, punctuation aside."""
    return re.findall(r"\w+", text.lower())


def similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 to 1: difflib's ratio over their words."""
    return difflib.SequenceMatcher(None, _normal(a), _normal(b), autojunk=False).ratio()


def _match(before: list[ActivityText], after: list[ActivityText]) -> list[tuple[int, int, float]]:
    """Pairs (old index, new index, similarity): the same activity on both sides.

    First the same words at the same code, then the same words anywhere (renumbered or moved), then
    the most similar words (reworded), best first, each activity in one pair at most.
    """
    pairs: list[tuple[int, int, float]] = []
    free_old, free_new = set(range(len(before))), set(range(len(after)))

    def take(i: int, j: int, ratio: float) -> None:
        pairs.append((i, j, ratio))
        free_old.discard(i)
        free_new.discard(j)

    old_at = {a.code: i for i, a in enumerate(before)}
    for j, a in enumerate(after):
        i = old_at.get(a.code)
        if i is not None and before[i].text == a.text:
            take(i, j, 1.0)
    for j in sorted(free_new):
        same = [i for i in sorted(free_old) if before[i].text == after[j].text]
        if same:
            take(min(same, key=lambda i: abs(i - j)), j, 1.0)
    words_old = {i: _normal(before[i].text) for i in free_old}
    candidates = []
    for j in sorted(free_new):
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(_normal(after[j].text))
        for i in sorted(free_old):
            matcher.set_seq1(words_old[i])
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    candidates.append((-ratio, before[i].code != after[j].code, abs(i - j), i, j, ratio))
    for *_, i, j, ratio in sorted(candidates):
        if i in free_old and j in free_new:
            take(i, j, ratio)
    return pairs


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Word by word: what stayed, what was removed, what was added."""
    a, b = old.split(), new.split()
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return tuple(Segment(op, " ".join(a[i1:i2]), " ".join(b[j1:j2])) for op, i1, i2, j1, j2 in ops)


def _blocks_text(blocks: Iterable[Block]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, ItemList):
            parts.append(" ".join(f"• {item}" for item in block.items))
    return " ¶ ".join(parts)


def _codes(items) -> str:
    return " ".join(item.code for item in items)  # spaces only: a word diff then shows codes, not "M2,"


# What is compared for each kind of part, besides activities: field name → how to read it as text.
_PART_FIELDS: dict[str, dict[str, Callable]] = {
    "profile": {
        "title": lambda p: p.title,
        "subtitle": lambda p: p.subtitle or "",
        "short title": lambda p: p.short_title,
        "version": lambda p: p.version,
        "date": lambda p: p.date,
        "language": lambda p: p.language,
        "authors": lambda p: "; ".join(p.authors),
        "publisher": lambda p: p.publisher,
        "partners": lambda p: "; ".join(p.partners),
        "citation": lambda p: p.citation,
        "licence": lambda p: p.rights.licence or "",
        "permission": lambda p: p.rights.permission or "",
        "introduction": lambda p: f"{p.introduction.heading} ¶ {_blocks_text(p.introduction.body)}",
        "principles section": lambda p: f"{p.principles_section.heading} ¶ {_blocks_text(p.principles_section.body)}",
        "domains section": lambda p: f"{p.domains_section.heading} ¶ {_blocks_text(p.domains_section.body)}",
    },
    "principle": {"code": lambda x: x.code, "name": lambda x: x.name, "text": lambda x: x.text},
    "domain": {
        "code": lambda d: d.code,
        "name": lambda d: d.name,
        "overview": lambda d: d.overview,
        "summary": lambda d: d.summary,
        "competencies": lambda d: _codes(d.competencies),
    },
    "competency": {
        "code": lambda c: c.code,
        "name": lambda c: c.name,
        "description": lambda c: _blocks_text(c.description),
    },
    "role": {
        "name": lambda r: r.name,
        "description": lambda r: r.description,
        "primary competencies": lambda r: _codes(r.primary),
        "supporting competencies": lambda r: _codes(r.supporting),
    },
}


def _compare_parts(old: Profile, new: Profile) -> tuple[PartChange, ...]:
    changes: list[PartChange] = []
    groups = (
        ("profile", (old,), (new,)),
        ("principle", old.principles, new.principles),
        ("domain", old.domains, new.domains),
        ("competency", old.competencies, new.competencies),
        ("role", old.roles, new.roles),
    )
    for kind, before, after in groups:
        fields = _PART_FIELDS[kind]
        ident = (lambda p: "profile") if kind == "profile" else (lambda p: p.id)
        old_by_id = {ident(p): p for p in before}
        new_ids = {ident(p) for p in after}
        for part in after:
            was = old_by_id.get(ident(part))
            if was is None:
                changes.append(PartChange(kind, ident(part), "added", None, _code(part), _name(part)))
                continue
            differences = tuple(
                FieldChange(name, read(was), read(part), word_diff(read(was), read(part)))
                for name, read in fields.items()
                if read(was) != read(part)
            )
            if differences:
                changes.append(
                    PartChange(kind, ident(part), "changed", _code(was), _code(part), _name(part), differences)
                )
        for part in before:
            if ident(part) not in new_ids:
                changes.append(PartChange(kind, ident(part), "removed", _code(part), None, _name(part)))
    return tuple(changes)


def _code(part) -> str | None:
    return getattr(part, "code", None)


def _name(part) -> str:
    return getattr(part, "name", "") or getattr(part, "title", "")


# --- the outputs: which files a build of NEW makes differently ------------------------------------


@dataclass(frozen=True)
class Output:
    path: str  # in the output folder
    document: str  # the plan's label: "Worksheet: C1 Co-learning"
    format: str  # html | pdf | fillable-pdf
    brand: str


@dataclass(frozen=True)
class OutputChanges:
    changed: tuple[Output, ...]  # planned on both sides, different HTML
    added: tuple[Output, ...]  # planned for NEW only
    removed: tuple[Output, ...]  # planned for OLD only
    unchanged: tuple[Output, ...]

    @property
    def compared(self) -> int:
        return len(self.changed) + len(self.unchanged)


def _engine() -> SimpleNamespace:
    """What this module uses of the engine: the loader, the plan and the document stage, in one place.

    (Imported when a diff runs, not with this module, so that comparing profiles needs none of it.)
    """
    from . import plan
    from .document import document_html
    from .inputs import load_inputs, options_from_plan, project_from_plan, read_plan
    from .render import Renderer

    return SimpleNamespace(
        document_html=document_html,
        load_inputs=load_inputs,
        plan=plan.targets,
        project_from_plan=project_from_plan,
        read_plan=read_plan,
        options_from_plan=options_from_plan,
        Renderer=Renderer,
    )


@dataclass(frozen=True)
class Loaded:
    """One side, loaded and validated: its inputs, options and planned targets."""

    side: Side
    inputs: Inputs
    options: BuildOptions
    targets: tuple[Target, ...]  # in the plan's order


def load_side(side: Side, root: Path, templates: Path) -> Loaded:
    """Load a side's profile, packets and plan with this checkout's engine, templates, brands and scales.

    Validation errors name the files as the side has them (``main:profile_src/…`` for a git ref).
    """
    engine = _engine()
    try:
        parsed = engine.read_plan(side.plan_file)
        project = engine.project_from_plan(
            parsed, root, source=side.source_dir, templates=templates, output=side.folder / ".profilepress-diff-unused"
        )
        options = engine.options_from_plan(parsed)
        inputs = engine.load_inputs(project, options, build_file=parsed)
        targets = tuple(engine.plan(inputs, options))
    except ProfileErrors as exc:
        raise ProfileErrors([replace(e, file=side.shown(e.file)) for e in exc.errors]) from None
    return Loaded(side, inputs, options, targets)


def changed_outputs(old: Loaded, new: Loaded, root: Path, templates: Path) -> OutputChanges:
    """Render each planned output's HTML (the HTML a PDF is printed from) for both sides and compare."""
    engine = _engine()
    old_targets = {t.path: t for t in old.targets}
    new_targets = {t.path: t for t in new.targets}
    same_inputs = (
        old.options == new.options
        and old.inputs.profile == new.inputs.profile
        and old.inputs.packets == new.inputs.packets
        and old.inputs.scales == new.inputs.scales
        and old.inputs.brands == new.inputs.brands
    )
    renderer = engine.Renderer(templates)
    changed: list[Output] = []
    unchanged: list[Output] = []
    for path, target in new_targets.items():
        before = old_targets.get(path)
        if before is None:
            continue
        if before == target and same_inputs:  # everything a document reads is the same
            unchanged.append(_output(target))
            continue
        old_html = engine.document_html(old.inputs, before, old.options, renderer, root=root)
        new_html = engine.document_html(new.inputs, target, new.options, renderer, root=root)
        (changed if old_html != new_html else unchanged).append(_output(target))
    return OutputChanges(
        tuple(changed),
        tuple(_output(t) for p, t in new_targets.items() if p not in old_targets),
        tuple(_output(t) for p, t in old_targets.items() if p not in new_targets),
        tuple(unchanged),
    )


def _output(target) -> Output:
    return Output(target.path, target.label, target.format, target.brand)


# --- the two sides: folders or git refs -----------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """Where one side's sources are. ``ref`` is set for a git ref, read into ``folder``."""

    label: str  # as given on the command line
    folder: Path  # the folder given, or the ref's extracted tree
    source_dir: Path | None  # the profile folder; None: the plan's
    plan_file: Path
    ref: str | None = None

    def shown(self, path: Path) -> Path:
        """A file as the person knows it: ``main:profile_src/x.yaml`` for a file of a git ref's tree."""
        if self.ref is None:
            return path
        try:
            return Path(f"{self.ref}:{Path(path).resolve().relative_to(self.folder.resolve()).as_posix()}")
        except ValueError:
            return path


def open_side(spec: str, repo: Path, workdir: Path, root: Path) -> Side:
    """OLD or NEW as given: an existing folder, else a git ref of ``repo`` extracted into ``workdir``.

    A folder holding build.yaml is a project (its plan names the profile and packets); a folder
    holding profile.yaml is a profile, planned with the working folder's build.yaml (or this checkout's).
    """
    folder = Path(spec)
    if folder.is_dir():
        return _side_in(folder.resolve(), spec, root, None)
    tree = _resolve_ref(spec, repo)
    workdir.mkdir(parents=True, exist_ok=True)
    _extract(tree, repo, workdir)
    return _side_in(workdir, spec, root, spec)


def _side_in(folder: Path, label: str, root: Path, ref: str | None) -> Side:
    if (folder / "build.yaml").is_file():
        return Side(label, folder, None, folder / "build.yaml", ref)
    if (folder / "profile.yaml").is_file():
        return Side(label, folder, folder, default_plan(root), ref)
    what = f"the tree of git ref '{ref}'" if ref else f"the folder {label}"
    raise UserError(
        f"{what} holds neither build.yaml (a project) nor profile.yaml (a profile folder); "
        "give a project folder, a profile folder or a git ref"
    )


def _git(repo: Path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    git = shutil.which("git")
    if git is None:
        raise FileNotFoundError("git")
    return subprocess.run([git, "-C", str(repo), *args], stdout=stdout, stderr=subprocess.PIPE, check=False)


def _resolve_ref(spec: str, repo: Path) -> str:
    """The tree a git ref names (a commit, a branch, a tag, ``REF:folder``), or a UserError saying why not."""
    neither = f"'{spec}' is neither a folder nor a git ref"
    if not spec or spec.startswith("-"):
        raise UserError(f"{neither}; give a project folder, a profile folder or a git ref such as main or HEAD~1")
    try:
        found = _git(repo, "rev-parse", "--verify", "--quiet", f"{spec}^{{tree}}")
    except FileNotFoundError:
        raise UserError(f"{neither} (git is not installed, so refs cannot be read)") from None
    if found.returncode != 0 and ":" in spec:  # REF:folder names a tree already
        found = _git(repo, "rev-parse", "--verify", "--quiet", spec)
        if found.returncode == 0 and _git(repo, "cat-file", "-t", found.stdout.decode().strip()).stdout != b"tree\n":
            found.returncode = 1
    if found.returncode != 0:
        inside = _git(repo, "rev-parse", "--git-dir")
        if inside.returncode != 0:
            raise UserError(
                f"{neither}: there is no such folder, and {repo} is not in a git repository "
                "to read refs from (see --repo)"
            )
        raise UserError(
            f"{neither}: there is no such folder, and the git repository in {repo} has no "
            "such branch, tag, commit or folder"
        )
    return found.stdout.decode().strip()


def _extract(tree: str, repo: Path, into: Path) -> None:
    """``git archive TREE | tar -x`` into ``into``, read by Python's tarfile with its safe 'data' filter."""
    with subprocess.Popen(
        [shutil.which("git") or "git", "-C", str(repo), "archive", "--format=tar", tree],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
                archive.extractall(into, filter="data")
            problem = None
        except tarfile.TarError as exc:
            problem = exc
        assert process.stderr is not None  # stderr=subprocess.PIPE
        error = process.stderr.read().decode(errors="replace").strip()
    if process.returncode != 0 or problem is not None:
        raise UserError(f"could not read git tree {tree}: {error or problem}")


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    old: str  # the sides as given on the command line
    new: str
    profile: ProfileChanges
    outputs: OutputChanges


def warnings(changes: ProfileChanges) -> list[str]:
    """Plain words about what breaks: codes that now mean something else. One string per warning."""
    return [" ".join((headline, *points)) for headline, points in _warnings(changes)]


def _warnings(changes: ProfileChanges) -> list[tuple[str, list[str]]]:
    """Each warning as a headline and its points (Markdown shows the points as a list)."""
    found = []
    n = len(changes.renumbered)
    if n:
        found.append(
            (
                f"{n} {'activity has' if n == 1 else 'activities have'} a new code. Worksheets already filled in and "
                "people's notes use the old codes: where an old code now means another activity, or no longer "
                "exists, they break.",
                [
                    _example(changes),
                    "When worksheets filled in before this change are collected, answers under an old code that now "
                    "means another activity, or nothing, are left out (with --accept-changed, those under a code that "
                    "now means another activity would be counted for it).",
                    "If you can, add new activities at the end of their competency, and leave a removed activity's "
                    "code unused.",
                ],
            )
        )
    for part in changes.recoded_parts:
        found.append(
            (
                f"{part.kind.capitalize()} {part.old_code} {part.name} is now {part.new_code}.",
                [
                    f"Worksheets, answers and notes that say {part.old_code} meant it, and the codes and "
                    "worksheet form fields of its activities change with it."
                ],
            )
        )
    return found


def _example(changes: ProfileChanges) -> str:
    """One code's story: what it meant, where that went, what it means now."""
    moved = {c.old.code: c.new.code for c in changes.renumbered}
    reuse = next((r for r in changes.reused_codes if r.now is not None), None) or changes.reused_codes[0]
    went = f"is now {moved[reuse.code]}" if reuse.code in moved else "was removed"
    now = f"{reuse.code} is “{_short(reuse.now.text, 60)}”" if reuse.now else f"{reuse.code} no longer exists"
    return (
        f"For example, on a worksheet filled in before this change {reuse.code} is "
        f"“{_short(reuse.before.text, 60)}”, which {went}; after it, {now}."
    )


def summary_line(report: Report) -> str:
    """One line of counts: activities, other changes, outputs."""
    p, o = report.profile, report.outputs
    counts = [
        (len(p.reworded), "reworded"),
        (len(p.added), "added"),
        (len(p.removed), "removed"),
        (len(p.renumbered), "renumbered"),
    ]
    shown = [f"{n} {word}" for n, word in counts if n]
    text = f"Activities: {', '.join(shown)}." if shown else "No activity changed."
    if p.parts:
        text += f" {_count(len(p.parts), 'other change')} to the profile."
    text += f" {len(o.changed)} of {o.compared} outputs change"
    by_plan = [f"{len(o.added)} added"] * bool(o.added) + [f"{len(o.removed)} no longer made"] * bool(o.removed)
    return text + (f"; {', '.join(by_plan)}." if by_plan else ".")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def to_markdown(report: Report) -> str:
    """The report for people: a pull request comment or a CI job summary (GitHub-flavoured Markdown)."""
    p, o = report.profile, report.outputs
    title = f"## Profile diff: `{_code_span(report.old)}` → `{_code_span(report.new)}`"
    lines = [title, "", summary_line(report), ""]
    if p.old_version != p.new_version:
        lines[2] = f"Version {_md(p.old_version)} → {_md(p.new_version)}. " + lines[2]
    alerts = _warnings(p)
    if alerts:
        lines += ["> [!WARNING]"]
        for headline, points in alerts:
            first, stop, rest = headline.partition(". ")
            shown = f"**{_md(first)}.** {_md(rest)}" if stop else f"**{_md(headline)}**"
            lines += [f"> {shown}", ">"] + [f"> - {_md(point)}" for point in points] + [">"]
        lines[-1:] = [""]
    if p.empty:
        lines += ["No changes to the profile's text.", ""]
    if p.renumbered:
        lines += [
            "### ⚠️ Renumbered activities",
            "",
            "| was | now | activity | the old code now means |",
            "|---|---|---|---|",
        ]
        reuse = {r.code: r for r in p.reused_codes}
        for c in p.renumbered:
            now = reuse.get(c.old.code)
            meaning = f"{now.now.code} {_short(now.now.text, 50)}" if now and now.now else "nothing (no longer used)"
            note = " (also reworded)" if c.reworded else ""
            lines.append(f"| {c.old.code} | **{c.new.code}** | {_md(_short(c.new.text, 70))}{note} | {_md(meaning)} |")
        lines.append("")
    if p.reworded:
        lines += ["### Reworded activities", ""]
        for c in p.reworded:
            code = f"**{c.new.code}**" if not c.renumbered else f"**{c.new.code}** (was {c.old.code})"
            long = len(c.old.text.split()) + len(c.new.text.split()) > 2 * LONG
            lines.append(f"- {code} {_words_md(c.words, 8 if long else None)}")
        lines.append("")
    if p.added:
        lines += ["### Added activities", ""] + [f"- **{a.code}** {_md(a.text)}" for a in p.added] + [""]
    if p.removed:
        lines += ["### Removed activities", ""] + [f"- **{a.code}** ~~{_md(a.text)}~~" for a in p.removed] + [""]
    if p.parts:
        lines += ["### Other changes to the profile", ""]
        for part in p.parts:
            lines.append(_part_md(part))
        lines.append("")
    lines += _outputs_md(o)
    return "\n".join(lines).rstrip() + "\n"


def _part_md(part: PartChange) -> str:
    code = part.new_code or part.old_code
    title = f"{part.kind.capitalize()} " + (f"**{code}** " if code else "") + _md(part.name)
    if part.change != "changed":
        return f"- {title}: {part.change}"
    described = []
    for f in part.fields:
        context = 8 if len(f.old.split()) + len(f.new.split()) > 2 * LONG else None
        described.append(f"{f.field}: {_words_md(f.words, context)}")
    return f"- {title}: " + "; ".join(described)


def _outputs_md(o: OutputChanges) -> list[str]:
    lines = []
    for outputs, heading in (
        (o.changed, "Outputs that change"),
        (o.added, "Outputs added by the plan"),
        (o.removed, "Outputs no longer made"),
    ):
        if not outputs:
            continue
        groups: dict[tuple[str, str], list[str]] = {}
        for out in outputs:
            groups.setdefault((out.brand, out.document), []).append(out.path)
        items = [
            f"- {_md(document)} ({brand}): " + ", ".join(f"`{path}`" for path in paths)
            for (brand, document), paths in groups.items()
        ]
        lines += [f"### {heading} ({len(outputs)})", ""]
        if len(items) > 12:
            lines += ["<details><summary>" + f"{len(outputs)} files, {len(items)} documents" + "</summary>", ""]
            lines += items + ["", "</details>"]
        else:
            lines += items
        lines.append("")
    if o.unchanged:
        lines.append(
            f"{len(o.unchanged)} other output{'s' if len(o.unchanged) != 1 else ''} of the plan "
            f"{'do' if len(o.unchanged) != 1 else 'does'} not change."
            if o.changed
            else f"No output of the plan changes ({len(o.unchanged)} compared)."
        )
    return lines


def _words_md(words: tuple[Segment, ...], context: int | None = None) -> str:
    """~~removed~~ **added**, equal words as they are (or shortened to ``context`` words either side)."""
    out = []
    for k, s in enumerate(words):
        if s.op == "equal":
            text = s.old.split()
            if context is not None and len(text) > 2 * context + 1:
                head = text[:context] if k > 0 else []
                tail = text[-context:] if k < len(words) - 1 else []
                out.append(" ".join([_md(" ".join(head))] * bool(head) + ["…"] + [_md(" ".join(tail))] * bool(tail)))
            else:
                out.append(_md(s.old))
            continue
        if s.old:
            out.append(f"~~{_md(s.old)}~~")
        if s.new:
            out.append(f"**{_md(s.new)}**")
    return " ".join(out) if out else "(emptied)"


_MD_SPECIAL = re.compile(r"([\\`*_~\[\]<>#|])")


def _md(text: str) -> str:
    """Text shown as itself in Markdown: its special characters escaped; one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _code_span(text: str) -> str:
    return text.replace("`", "'")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def to_json(report: Report) -> str:
    """The report for programs. Keys are stable (see the README, "Reviewing a change: build.py diff")."""
    p, o = report.profile, report.outputs

    def activity(a: ActivityText) -> dict:
        return {"code": a.code, "competency": a.competency, "text": a.text}

    def segments(words: tuple[Segment, ...]) -> list[dict]:
        return [{"op": s.op, "old": s.old, "new": s.new} for s in words]

    reuse = {r.code: r for r in p.reused_codes}
    data: dict[str, Any] = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "old": report.old,
        "new": report.new,
        "summary": {
            "reworded": len(p.reworded),
            "added": len(p.added),
            "removed": len(p.removed),
            "renumbered": len(p.renumbered),
            "other_changes": len(p.parts),
            "outputs_changed": len(o.changed),
            "outputs_added": len(o.added),
            "outputs_removed": len(o.removed),
            "outputs_unchanged": len(o.unchanged),
        },
        "warnings": warnings(p),
        "renumbered": [
            {
                "old_code": c.old.code,
                "new_code": c.new.code,
                "text": c.new.text,
                "reworded": c.reworded,
                "old_code_now": (activity(now) if c.old.code in reuse and (now := reuse[c.old.code].now) else None),
            }
            for c in p.renumbered
        ],
        "reworded": [
            {
                "old_code": c.old.code,
                "new_code": c.new.code,
                "old_text": c.old.text,
                "new_text": c.new.text,
                "similarity": round(c.similarity, 3),
                "words": segments(c.words),
            }
            for c in p.reworded
        ],
        "added": [activity(a) for a in p.added],
        "removed": [activity(a) for a in p.removed],
        "other_changes": [
            {
                "kind": x.kind,
                "id": x.id,
                "change": x.change,
                "old_code": x.old_code,
                "new_code": x.new_code,
                "name": x.name,
                "fields": [
                    {"field": f.field, "old": f.old, "new": f.new, "words": segments(f.words)} for f in x.fields
                ],
            }
            for x in p.parts
        ],
        "outputs": {
            key: [
                {"path": out.path, "document": out.document, "format": out.format, "brand": out.brand}
                for out in outputs
            ]
            for key, outputs in (("changed", o.changed), ("added", o.added), ("removed", o.removed))
        },
    }
    data["outputs"]["unchanged"] = [out.path for out in o.unchanged]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def diff(old_spec: str, new_spec: str, *, repo: Path, root: Path, templates: Path, workdir: Path) -> Report:
    """Compare OLD and NEW (folders or git refs of ``repo``): the profile, then every output of the plan.

    Git refs are extracted under ``workdir`` (the caller removes it).
    """
    sides = [open_side(spec, repo, workdir / name, root) for spec, name in ((old_spec, "old"), (new_spec, "new"))]
    loaded, errors = [], []
    for side in sides:
        try:
            loaded.append(load_side(side, root, templates))
        except ProfileErrors as exc:
            errors += exc.errors
    if errors:
        raise ProfileErrors(errors)
    old, new = loaded
    return Report(
        old_spec, new_spec, compare(old.inputs.profile, new.inputs.profile), changed_outputs(old, new, root, templates)
    )
