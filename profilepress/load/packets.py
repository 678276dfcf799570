"""Workshop packet recipes: one file each in packets/, checked against the profile and the scales."""

from __future__ import annotations

import difflib
from pathlib import Path

from .. import model, sources
from ..errors import ProfileErrors, SourceError
from .common import Parsed, check_references, parse, yaml_files


def load_packets(packets_dir: Path, profile: model.Profile | None, scale_ids: set[str]) -> dict[str, model.Packet]:
    """Every packet recipe, its role, competencies and scale resolved (with "did you mean").

    ``profile`` None (the profile has errors of its own): each recipe is still checked, all but its references
    to the profile's roles, domains and competencies, so that its errors are reported with the profile's."""
    errors: list[SourceError] = []
    packets: dict[str, model.Packet] = {}
    roles = {r.id: r for r in profile.roles} if profile else {}
    by_code = {c.code: c for c in profile.competencies} if profile else {}
    by_domain = {d.code: d for d in profile.domains} if profile else {}
    for path in yaml_files(packets_dir):
        parsed = parse(path, sources.PacketFile, "packet", errors)
        if parsed is None or parsed.data is None:
            continue
        data, before = parsed.data, len(errors)
        if data.id in packets:
            errors.append(parsed.error(("id",), f"duplicate packet id '{data.id}'", hint="rename one of them"))
        if data.role is None and not data.domains and not data.competencies:
            errors.append(
                parsed.error(
                    (),
                    "the recipe chooses no competencies",
                    hint="add 'role', 'domains' or 'competencies' (or several of them)",
                )
            )
        if data.role is not None and data.role not in roles and profile:
            close = difflib.get_close_matches(data.role, sorted(roles), n=1, cutoff=0.6)
            errors.append(
                parsed.error(
                    ("role",),
                    f"unknown role '{data.role}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"roles: {', '.join(sorted(roles))}",
                )
            )
        if profile:
            errors += check_references(parsed, ("domains",), data.domains, set(by_domain), "domain code", "a domain")
            errors += check_references(
                parsed, ("competencies",), data.competencies, set(by_code), "competency code", "a competency"
            )
        if data.scale is not None and data.scale not in scale_ids:
            close = difflib.get_close_matches(data.scale, sorted(scale_ids), n=1)
            errors.append(
                parsed.error(
                    ("scale",),
                    f"unknown rating scale '{data.scale}'",
                    hint=f"did you mean '{close[0]}'?" if close else f"available: {', '.join(sorted(scale_ids))}",
                )
            )
        for i, section in enumerate(data.sections):
            if data.sections.index(section) != i:
                errors.append(
                    parsed.error(("sections", i), f"section '{section}' is listed twice", hint="list each section once")
                )
        errors += _check_agenda(parsed, data)
        if len(errors) > before or profile is None:
            continue
        chosen = {c.code for c in roles[data.role].competencies} if data.role else set()
        chosen |= {c.code for code in data.domains for c in by_domain[code].competencies}
        chosen |= set(data.competencies)
        packets[data.id] = model.Packet(
            data.id,
            data.title,
            data.event,
            data.date,
            data.venue,
            data.facilitator,
            data.audience,
            data.welcome,
            tuple(data.objectives),
            tuple(data.pre_work),
            data.print_pre_work,
            tuple(
                model.Slot(
                    s.time,
                    s.minutes,
                    s.item,
                    s.lead or data.facilitator,
                    model.Guide(
                        s.guide.purpose,
                        tuple(model.Step(step.minutes, step.do) for step in s.guide.steps),
                        tuple(s.guide.key_messages),
                        tuple(s.guide.debrief),
                        tuple(s.guide.materials),
                        tuple(s.guide.handouts),
                        s.guide.if_short,
                    ),
                )
                for s in data.agenda
            ),
            roles.get(data.role) if data.role else None,
            tuple(c for c in profile.competencies if c.code in chosen),
            data.scale,
            data.paper,
            data.duplex,
            tuple(data.sections),
            tuple(model.Case(c.title, c.text, c.example) for c in data.cases),
            tuple(data.discussion),
            data.notes_pages,
            model.TrainerPart(tuple(data.trainer.materials), tuple(data.trainer.before), tuple(data.trainer.follow_up)),
        )
    if errors:
        raise ProfileErrors(errors)
    return packets


def _check_agenda(parsed: Parsed, data: sources.PacketFile) -> list[SourceError]:
    """Each block starts when the one before ends, its steps fill its minutes, and the handouts it uses are
    in the packet; cases are printed only where there is a discussion guide."""
    errors = []
    for i, slot in enumerate(data.agenda):
        total = sum(step.minutes for step in slot.guide.steps)
        if total != slot.minutes:
            errors.append(
                parsed.error(
                    ("agenda", i, "guide", "steps"),
                    f"the steps of '{slot.item}' take {total} minutes, the block {slot.minutes}",
                    hint="make the steps' minutes add up to the block's",
                )
            )
        for j, handout in enumerate(slot.guide.handouts):
            if handout not in data.sections:
                errors.append(
                    parsed.error(
                        ("agenda", i, "guide", "handouts", j),
                        f"handout '{handout}' is not one of the packet's sections",
                        hint=f"add '{handout}' to 'sections', or remove it here",
                    )
                )
    clock = None
    for i, slot in enumerate(data.agenda):
        start = model.clock_minutes(slot.time)
        if start is None:
            clock = None
            continue
        if clock is not None and start != clock:
            errors.append(
                parsed.error(
                    ("agenda", i, "time"),
                    f"'{slot.item}' starts at {slot.time}, but the block before it ends at {model.clock_time(clock)}",
                    hint="make each block start when the one before it ends (add a break block for a gap)",
                )
            )
        clock = start + slot.minutes
    if data.cases and "discussion-guide" not in data.sections:
        errors.append(
            parsed.error(
                ("cases",),
                "the recipe has cases but no 'discussion-guide' section to print them",
                hint="add 'discussion-guide' to 'sections'",
            )
        )
    return errors
