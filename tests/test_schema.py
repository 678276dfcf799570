"""The JSON Schemas in schema/ match the models and accept the shipped sources."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from profilepress import schema
from profilepress.sources import SCHEMAS

from conftest import ROOT, SHIPPED, TINY


def test_committed_schemas_are_up_to_date(run):
    assert schema.stale_files(ROOT / "schema") == [], "run: python build.py schema"
    result = run("schema", "--check")
    assert result.code == 0


def test_schema_check_reports_a_stale_file(tmp_path, monkeypatch):
    (tmp_path / "profile.schema.json").write_text("{}", encoding="utf-8")
    assert "profile.schema.json" in schema.stale_files(tmp_path)
    assert "competency.schema.json" in schema.stale_files(tmp_path)  # missing counts as stale


KIND_OF_FOLDER = {
    "domains": "domain",
    "competencies": "competency",
    "roles": "role",
    "packets": "packet",
    "scales": "scale",
}


def _kind_of(path):
    if path.name == "brand.yaml":
        return "brand"
    return KIND_OF_FOLDER.get(path.parent.name, path.stem)


def shipped_yaml():
    """Every YAML file the project ships: profile, roles, scales, brands, packets, the build plan."""
    return [
        *SHIPPED.glob("*.yaml"),
        *SHIPPED.glob("*/*.yaml"),
        *(ROOT / "scales").glob("*.yaml"),
        *(ROOT / "brands").glob("*/brand.yaml"),
        *(ROOT / "packets").glob("*.yaml"),
        ROOT / "build.yaml",
    ]


@pytest.mark.parametrize(
    "files", [shipped_yaml(), [*TINY.glob("*.yaml"), *TINY.glob("*/*.yaml")]], ids=["shipped", "tiny"]
)
def test_sources_validate_against_the_json_schema(files):
    assert len(files) > 5
    for path in files:
        document = json.loads((ROOT / "schema" / schema.file_name(_kind_of(path))).read_text(encoding="utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), document)


def test_schema_rejects_what_the_loader_rejects():
    document = json.loads((ROOT / "schema" / "competency.schema.json").read_text(encoding="utf-8"))
    good = {"id": "x", "code": "C1", "name": "X", "description": ["d"], "activities": ["a"]}
    jsonschema.validate(good, document)
    for bad in (
        {**good, "nmae": "X"},
        {**good, "id": "../x"},
        {**good, "activities": []},
        {k: v for k, v in good.items() if k != "code"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, document)


def test_every_source_file_names_its_schema():
    for path in shipped_yaml():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(
            schema.file_name(_kind_of(path))
        ), path
        assert _kind_of(path) in SCHEMAS
