"""Render stage: a document context → an HTML string. Pure: reads templates, writes nothing.

Jinja2 runs with autoescape (profile text can never inject markup) and
StrictUndefined (a misspelt variable is an error, never an empty string).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .errors import UserError
from .model import ItemList, Paragraph


def css_string(text: str) -> Markup:
    """Text made safe inside a double-quoted CSS string in a <style> element.

    Backslashes and quotes are escaped, line breaks become CSS escapes, and ``<``
    and ``>`` are escaped so that no text can close the style element.
    """
    out = []
    for char in str(text):
        if char in '\\"':
            out.append("\\" + char)
        elif char in "\n\r\f<>&" or ord(char) < 0x20:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup("".join(out))


class Renderer:
    """Renders documents from one templates folder."""

    def __init__(self, templates_dir: Path):
        if not templates_dir.is_dir():
            raise UserError(f"templates folder not found: {templates_dir}")
        self.templates_dir = templates_dir
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # Type tests let templates lay out description blocks without deciding anything.
        self.env.tests["paragraph"] = lambda block: isinstance(block, Paragraph)
        self.env.tests["item_list"] = lambda block: isinstance(block, ItemList)
        self.env.filters["css_string"] = css_string

    def render(self, template: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateNotFound as exc:
            raise UserError(f"template not found: {exc.name} (in {self.templates_dir})") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"{exc.filename}:{exc.lineno}: template syntax error: {exc.message}") from exc
        except jinja2.UndefinedError as exc:
            raise UserError(f"template {template}: {exc.message}") from exc
