"""Rating scales: one file each, shipped in scales/ or brought by a profile."""

from __future__ import annotations

from pathlib import Path

from .. import model, sources
from ..errors import ProfileErrors, SourceError
from .common import parse, yaml_files


def load_scales(folders: list[Path]) -> dict[str, model.RatingScale]:
    """Every rating scale in ``folders`` (later folders may add, never silently replace).

    The same scale twice (a project that keeps a copy of a shipped scale beside its plan) is one scale;
    two different scales with one id are an error."""
    errors: list[SourceError] = []
    scales: dict[str, model.RatingScale] = {}
    where: dict[str, Path] = {}
    for folder in folders:
        for path in yaml_files(folder):
            parsed = parse(path, sources.ScaleFile, "scale", errors)
            if parsed is None or parsed.data is None:
                continue
            scale = parsed.data
            if scale.id in scales:
                if scales[scale.id] != _rating_scale(scale):
                    errors.append(
                        parsed.error(
                            ("id",),
                            f"duplicate scale id '{scale.id}', also used in {where[scale.id]}",
                            hint="rename one of the two scales",
                        )
                    )
                continue
            level_ids = [level.id for level in scale.levels]
            for i, level_id in enumerate(level_ids):
                if level_ids.index(level_id) != i or level_id == "na":
                    errors.append(
                        parsed.error(
                            ("levels", i, "id"),
                            f"level id '{level_id}' is used twice or reserved",
                            hint="give each level its own id; 'na' is kept for N/A",
                        )
                    )
            where[scale.id] = path
            scales[scale.id] = _rating_scale(scale)
    if errors:
        raise ProfileErrors(errors)
    return scales


def _rating_scale(scale: sources.ScaleFile) -> model.RatingScale:
    return model.RatingScale(
        scale.id,
        scale.name,
        scale.source,
        scale.rated_unit,
        scale.evidence_column,
        scale.not_applicable,
        tuple(
            model.Level(level.id, level.label, level.descriptor, rank)
            for rank, level in enumerate(scale.levels, start=1)
        ),
        scale.language,
    )
