"""JSON Schemas of the source files, generated from :mod:`profilepress.sources`.

Editors with YAML support (for example VS Code's YAML extension) read the
``# yaml-language-server: $schema=…`` line at the top of each source file and
check the file as it is typed. The schemas are committed; a test keeps them in
step with the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from .sources import SCHEMAS
from .write import OutputFolder


def schema_text(kind: str) -> str:
    """The JSON Schema of one kind of source file, as stable, pretty JSON."""
    model = SCHEMAS[kind]
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{kind}.schema.json",
        **model.model_json_schema(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def stale_files(folder: Path) -> list[str]:
    """Names of schema files that are missing or differ from the models."""
    stale = []
    for kind in SCHEMAS:
        path = folder / file_name(kind)
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(kind):
            stale.append(file_name(kind))
    return stale


def write_all(folder: Path) -> list[Path]:
    out = OutputFolder(folder)
    return [out.write(file_name(kind), schema_text(kind).encode("utf-8")) for kind in SCHEMAS]
