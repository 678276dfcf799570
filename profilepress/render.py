"""Render stage: a document context → an HTML string. Pure: reads templates, writes nothing.

Jinja2 runs with autoescape (profile text can never inject markup) and
StrictUndefined (a misspelt variable is an error, never an empty string).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from . import usercache
from .deps import Recorder
from .errors import UserError
from .model import ItemList, Paragraph
from .text import direction, heading_label, inline_markdown
from .translation import derived, fallback, lang_of


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


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates, kept for the life of the process (shared by every Renderer: they all configure
    Jinja alike) and in the user's cache folder (:mod:`profilepress.usercache`), so a build does not compile
    them again: not ``tailor`` after a build in one process, not a worker, not the next build. A template is
    found by its name and file, and Jinja checks its source's checksum: an edited template is compiled anew."""

    _compiled: dict[str, bytes] = {}
    _on_disk: jinja2.FileSystemBytecodeCache | None = None
    _looked_for_disk = False

    @classmethod
    def _disk(cls) -> jinja2.FileSystemBytecodeCache | None:
        if not cls._looked_for_disk:
            cls._looked_for_disk = True
            folder = usercache.folder()
            cls._on_disk = jinja2.FileSystemBytecodeCache(str(folder)) if folder else None
        return cls._on_disk

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._compiled:
            bucket.bytecode_from_string(self._compiled[bucket.key])
            return
        disk = self._disk()
        if disk is not None:
            disk.load_bytecode(bucket)  # a stale or damaged file leaves the bucket empty: compiled anew
            if bucket.code is not None:
                self._compiled[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()
        disk = self._disk()
        if disk is not None:
            with contextlib.suppress(OSError):  # a full or read-only disk: compiled again next time
                disk.dump_bytecode(bucket)  # written aside and renamed: a reader never sees half a file


def _references(source: str, parse) -> set[str]:
    """The templates a template's source names literally (extends, include, import): found by parsing it,
    once per source (kept by the source's hash in memory and beside the compiled templates)."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    if digest in _REFERENCES:
        return _REFERENCES[digest]
    entry, found = f"references-{digest[:32]}.json", None
    stored = usercache.read(entry)
    if stored is not None:
        with contextlib.suppress(ValueError, TypeError):  # damaged: found again
            found = {str(name) for name in json.loads(stored)}
    if found is None:
        found = {c for c in jinja2.meta.find_referenced_templates(parse(source)) if c}
        usercache.write(entry, json.dumps(sorted(found)).encode("utf-8"))
    _REFERENCES[digest] = found
    return found


# The templates each template's source names literally (extends, include, import), by its source's hash.
_REFERENCES: dict[str, set[str]] = {}


def lang_attr(text: object) -> Markup:
    """`` lang="en-GB"`` for a text of a translated edition shown in the source's language; else nothing."""
    if fallback(text):
        return Markup(' lang="{}"').format(lang_of(text))
    return Markup("")


@jinja2.pass_context
def own_lang(context: Any, text: object) -> Markup:
    """The ``lang`` attribute of an element that holds one of the profile's texts: the source's language on a
    text of a translated edition shown untranslated (lang_attr), else the profile's when the interface's
    differs (``content_lang``), else nothing."""
    return lang_attr(text) if fallback(text) else Markup(context.get("content_lang", ""))


def marked(text: object, shown: object = None) -> object:
    """A text of a translated edition shown in the source's language, in an element that says so
    (``<span lang="en-GB">…</span>``), for a place that holds more than the text (a heading with its code, a
    sentence); any other text as it is (escaped where it is shown). ``shown``: what is shown for it, when that
    is not the text itself (its label as a heading: text.heading_label)."""
    shown = text if shown is None else shown
    if fallback(text):
        return Markup('<span lang="{}">{}</span>').format(lang_of(text), shown)
    return shown


def capitalised(words: str) -> str:
    """The words with a capital first letter, in their language (a text of a translated edition keeps it)."""
    return derived(words, words[:1].upper() + words[1:])


def phrase(message: str, *, heading: bool = False, **pieces: object) -> Markup:
    """A translated message (``_()`` already applied) with its pieces put in as HTML: a text shown in the
    source's language in a translated edition is marked with its language (:func:`marked`), the rest escaped.
    ``heading``: its first letter capitalised (the piece's, when the message starts with one)."""
    if heading and message.startswith("%("):
        first = message[2 : message.index(")")]
        value = pieces.get(first)
        if isinstance(value, str) and not isinstance(value, Markup):
            pieces[first] = capitalised(value)
    elif heading:
        message = message[:1].upper() + message[1:]
    return Markup(escape(message)) % {key: marked(value) for key, value in pieces.items()}


class Renderer:
    """Renders documents from one templates folder."""

    def __init__(self, templates_dir: Path):
        if not templates_dir.is_dir():
            raise UserError(f"templates folder not found: {templates_dir}")
        self.templates_dir = templates_dir
        self.env = RecordingEnvironment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
            bytecode_cache=_CompiledTemplates(),
        )
        # Type tests let templates lay out description blocks without deciding anything.
        self.env.tests["paragraph"] = lambda block: isinstance(block, Paragraph)
        self.env.tests["item_list"] = lambda block: isinstance(block, ItemList)
        self.env.filters["css_string"] = css_string
        self.env.filters["md"] = inline_markdown  # only for fields this edition writes, never the profile's text
        self.env.filters["dir"] = direction
        self.env.filters["label"] = heading_label  # a scale label that wraps only between words
        # Translated editions (see profilepress.translation): a text's language, whether it fell back to the
        # source, and the lang attribute a fallback needs (` lang="en-GB"`, or nothing).
        self.env.filters["lang_of"] = lang_of
        self.env.tests["fallback"] = fallback
        self.env.filters["lang_attr"] = lang_attr
        self.env.filters["marked"] = marked
        self.env.filters["own_lang"] = own_lang
        # The interface's words in the locale of the document being rendered. The callables are installed
        # once and look the locale up when called, because imported macro modules keep the globals they
        # were made with.
        from .messages import gettext_for

        self.locale: str | None = None
        # jinja2.ext.i18n adds this method to the environment when it loads; Environment does not declare it.
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            lambda message: gettext_for(self.locale)[0](message),
            lambda one, many, n: gettext_for(self.locale)[1](one, many, n),
            newstyle=True,
        )

    def render(self, template: str, context: dict[str, Any], recorder: Recorder | None = None) -> str:
        """``context["locale"]`` chooses the interface's words (see :mod:`profilepress.messages`)."""
        self.env.recorder = recorder
        self.locale = context.get("locale")
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateNotFound as exc:
            raise UserError(f"template not found: {exc.name} (in {self.templates_dir})") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise UserError(f"{exc.filename}:{exc.lineno}: template syntax error: {exc.message}") from exc
        except jinja2.UndefinedError as exc:
            raise UserError(f"template {template}: {exc.message}") from exc
        finally:
            self.env.recorder = None


class RecordingEnvironment(jinja2.Environment):
    """A Jinja2 environment that records every template a render uses (name → hash of its source).

    Templates are compiled once and cached as usual; the record is made each time
    a render asks for one (``extends``, ``include`` and ``import`` all do), so each
    document lists exactly the templates it was made from.
    """

    recorder: Recorder | None = None

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._hashes: dict[str, str] = {}
        self._static: dict[str, set[str]] = {}

    def get_template(self, name, parent=None, globals=None):
        template = super().get_template(name, parent, globals)
        if self.recorder is not None and isinstance(name, str):
            for used in self._with_static_references(name):
                self.recorder.templates[used] = self._hashes[used]
        return template

    def _with_static_references(self, name: str) -> set[str]:
        """The template and every template it names literally (imports are cached with the template,
        so a later render would not ask for them again)."""
        if name not in self._static:
            assert self.loader is not None  # the Renderer always gives its environment a loader
            source, _, _ = self.loader.get_source(self, name)
            self._hashes[name] = hashlib.sha256(source.encode("utf-8")).hexdigest()[:20]
            self._static[name] = {name}
            for child in _references(source, self.parse):
                self._static[name] |= self._with_static_references(child)
        return self._static[name]
