"""Dependencies, recorded where they are read.

A document depends on the parts of the model it reads, the templates it is
rendered from and the files its PDF fetches. None of them is listed by hand:

* model objects reach the select stage and the templates wrapped in
  :class:`Tracked` proxies, which record every field read as
  ``(object key, field) → hash of the value``;
* the template loader records every template it hands to Jinja2;
* the PDF URL fetcher records every file it serves (see :mod:`profilepress.pdf`).

A field's value is hashed in its *own* form: other model objects inside it
count by their keys, not their content, so that a document listing the names of
all competencies does not depend on their activities. To tell whether an output
is stale, the recorded fields are looked up again in the new model
(:func:`current_hash`) and compared.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, overload

from . import model


@overload
def key_of(obj: model.Profile | model.Principle | model.Domain | model.Competency | model.Activity) -> str: ...
@overload
def key_of(obj: object) -> str | None: ...
def key_of(obj: object) -> str | None:
    """The stable key of a model object, or None for plain values."""
    if isinstance(obj, model.Profile):
        return "profile"
    if isinstance(obj, (model.Principle, model.Domain, model.Competency, model.Activity)):
        return f"{type(obj).__name__.lower()}:{obj.code}"
    if isinstance(obj, (model.Role, model.Brand, model.Packet, model.RatingScale)):
        return f"{type(obj).__name__.lower()}:{obj.id}" if obj.id else None
    return None


def _own(value: Any) -> Any:
    """A value with model objects inside it replaced by their keys."""
    if isinstance(value, Tracked):
        value = value._obj
    key = key_of(value)
    if key is not None:
        return ("@", key)
    if isinstance(value, (tuple, list)):
        return tuple(_own(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _own(v)) for k, v in value.items()))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(_own(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, bytes):
        return ("bytes", hashlib.sha256(value).hexdigest())
    return value


def value_hash(value: Any) -> str:
    return hashlib.sha256(repr(_own(value)).encode("utf-8")).hexdigest()[:20]


class Recorder:
    """What one document read: model fields, templates, fetched files."""

    def __init__(self, prefix: str = "") -> None:
        self.fields: dict[str, str] = {}  # "key#field" → hash
        self.templates: dict[str, str] = {}  # template name → sha256 of its source
        # A translated edition's model has the source's keys: its fields are recorded as "es/competency:C1#name",
        # and looked up again in the translated model (see index).
        self.prefix = prefix

    def read(self, key: str, name: str, value: Any) -> None:
        slot = f"{self.prefix}{key}#{name}"
        if slot not in self.fields:
            self.fields[slot] = value_hash(value)


class Tracked:
    """A read-only view of a model object that records every field read through it."""

    __slots__ = ("_obj", "_key", "_recorder")

    def __init__(self, obj: Any, recorder: Recorder):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_key", key_of(obj))
        object.__setattr__(self, "_recorder", recorder)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        if callable(value) and not isinstance(value, type):
            return value  # methods: their results are plain values
        self._recorder.read(self._key, name, value)
        return track(value, self._recorder)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("tracked model objects are read-only")

    def __eq__(self, other: Any) -> bool:
        return self._obj == (other._obj if isinstance(other, Tracked) else other)

    def __hash__(self) -> int:
        return hash(self._key) if self._key else id(self._obj)

    def __repr__(self) -> str:
        return f"Tracked({self._key})"


def track(value: Any, recorder: Recorder) -> Any:
    """Wrap model objects (also inside tuples and lists) so that reading them is recorded."""
    if isinstance(value, Tracked):
        return value
    if key_of(value) is not None:
        return Tracked(value, recorder)
    if isinstance(value, tuple) and any(key_of(v) is not None for v in value):
        return tuple(track(v, recorder) for v in value)
    if isinstance(value, list) and any(key_of(v) is not None for v in value):
        return [track(v, recorder) for v in value]
    return value


def index(profile: model.Profile, brands: dict, packets: dict, scales: dict, prefix: str = "") -> dict[str, Any]:
    """Every keyed object of a build's inputs, by key, to look recorded fields up again (``prefix``: those
    of a translated edition, ``es/``, recorded so by a :class:`Recorder` with that prefix)."""
    objects: dict[str, Any] = {f"{prefix}profile": profile}
    for p in profile.principles:
        objects[prefix + key_of(p)] = p
    for d in profile.domains:
        objects[prefix + key_of(d)] = d
        for c in d.competencies:
            objects[prefix + key_of(c)] = c
            for a in c.activities:
                objects[prefix + key_of(a)] = a
    for group in (profile.roles, brands.values(), packets.values(), scales.values()):
        for item in group:
            key = key_of(item)
            if key:
                objects[prefix + key] = item
    return objects


_MISSING = object()


def current_hash(objects: dict[str, Any], slot: str) -> str | None:
    """The hash a recorded field has in the current model, or None if the object or field is gone."""
    key, _, name = slot.partition("#")
    obj = objects.get(key)
    if obj is None:
        return None
    value = getattr(obj, name, _MISSING)
    return None if value is _MISSING else value_hash(value)
