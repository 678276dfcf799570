"""Render stage: a document context → an HTML string. Pure: reads templates, writes nothing.

Jinja2 runs with autoescape (profile text can never inject markup) and
StrictUndefined (a misspelt variable is an error, never an empty string).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from .errors import UserError
from .model import ItemList, Paragraph


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

    def render(self, template: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateNotFound as exc:
            raise UserError(f"template not found: {exc.name} (in {self.templates_dir})") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"{exc.filename}:{exc.lineno}: template syntax error: {exc.message}") from exc
        except jinja2.UndefinedError as exc:
            raise UserError(f"template {template}: {exc.message}") from exc
