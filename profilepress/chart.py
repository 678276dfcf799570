"""The summary's chart: average level per competency, first and second rating, as SVG.

Drawn by our own code (a few dozen shapes need no plotting library) and safe in
black and white: the rounds differ by marker shape (open circle, filled square),
never by colour alone, and the same figures are printed in a table beside it.
Each marker is its round's average over the people who rated the competency in
that round; the markers are not joined, because two rounds of different people
are no change (the tables give the change over the people rated in both).
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from .results import GroupResult

ROW, TOP, LEFT, RIGHT, WIDTH = 24, 46, 300, 40, 720
LABEL_CHARACTERS, LINE = 42, 14  # a competency's name wraps onto more lines, in full, never cut short


def label_lines(label: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """A competency's code and name in lines of at most ``width`` characters, broken between words (a word
    longer than a line has a line of its own)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def change_chart(groups: list[GroupResult], levels: int, title: str, gettext: Callable[[str], str] = str) -> str:
    """An SVG document: one row per competency, the scale's ranks 1..levels across; its words through
    ``gettext`` (the edition's, profilepress.messages)."""
    _ = gettext
    labels = [label_lines(f"{g.code} {g.name}") for g in groups]
    rows = [ROW + LINE * (len(lines) - 1) for lines in labels]  # each row as tall as its name
    bottom = TOP + sum(rows)
    height = bottom + 40
    plot = WIDTH - LEFT - RIGHT

    def x(rank: float) -> float:
        return LEFT + (rank - 1) / (levels - 1) * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="t d" font-family="Atkinson Hyperlegible, sans-serif">',
        f'<title id="t">{escape(title)}</title>',
        '<desc id="d">'
        + escape(
            _(
                "For each competency, the average level of its rated activities in each round, over the people who "
                "rated it in that round: an open circle for the first rating, a filled square for the second. "
                "Level 1 is the lowest."
            )
        )
        + "</desc>",
        '<rect width="100%" height="100%" fill="#fff"/>',
    ]
    for rank in range(1, levels + 1):
        parts.append(
            f'<line x1="{x(rank):.1f}" y1="{TOP - 8}" x2="{x(rank):.1f}" '
            f'y2="{bottom - 8}" stroke="#999" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x(rank):.1f}" y="{TOP - 14}" font-size="12" text-anchor="middle">{escape(_("Level %(rank)s") % {"rank": rank})}</text>'
        )
    for i, g in enumerate(groups):
        top = TOP + sum(rows[:i])
        y = top + 4 + LINE * (len(labels[i]) - 1) / 2  # the markers level with the middle of the name
        spans = "".join(
            f'<tspan x="8" y="{top + 8 + LINE * n}">{escape(line)}</tspan>' for n, line in enumerate(labels[i])
        )
        parts.append(f'<text font-size="12">{spans}</text>')
        first, second = g.rounds[1].average, g.rounds[2].average
        if first is not None:
            parts.append(f'<circle cx="{x(first):.1f}" cy="{y}" r="5.5" fill="#fff" stroke="#000" stroke-width="2"/>')
        if second is not None:
            parts.append(f'<rect x="{x(second) - 5:.1f}" y="{y - 5}" width="10" height="10" fill="#000"/>')
        if first is None and second is None:
            parts.append(f'<text x="{LEFT}" y="{y + 4}" font-size="11" fill="#444">{escape(_("not rated"))}</text>')
    legend_y = bottom + 14
    parts += [
        f'<circle cx="{LEFT + 6}" cy="{legend_y}" r="5.5" fill="#fff" stroke="#000" stroke-width="2"/>',
        f'<text x="{LEFT + 18}" y="{legend_y + 4}" font-size="12">{escape(_("First rating"))}</text>',
        f'<rect x="{LEFT + 131}" y="{legend_y - 5}" width="10" height="10" fill="#000"/>',
        f'<text x="{LEFT + 148}" y="{legend_y + 4}" font-size="12">{escape(_("Second rating"))}</text>',
        "</svg>",
    ]
    return "\n".join(parts)
