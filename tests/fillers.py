"""Filling a fillable worksheet with real PDF programs, each the way its own documentation shows.

Every filler takes the answers as the README documents them: a field name and a
level id (``"developmental"``, ``"na"``) for a rating, True/False for a tick box,
text for the others. None of them knows anything about how the PDF was made.

* pypdf:   PdfWriter.update_page_form_field_values(None, {name: value}); a button's value is its
           state name, "/developmental".
* PyMuPDF: for each page.widgets(): a radio button is turned on with field_value = True on the
           widget whose on_state() is the level; a check box with field_value = True; text with
           field_value = "..."; then widget.update().
* pikepdf: pikepdf.form.Form(pdf, ExtendedAppearanceStreamGenerator); form[name].value = Name("/level")
           for a radio group, .checked for a check box, .value = "..." for text.
* pdftk:   pdftk in.pdf fill_form answers.xfdf output out.pdf (XFDF carries UTF-8).
* pdf-lib: form.getRadioGroup(name).select(level), getCheckBox(name).check(), getTextField(name)
           .setText(text); text drawn with an embedded font (pdf-lib's own Helvetica writes only
           WinAnsi), then pdfDoc.save()  (tests/js/fill-pdf-lib.mjs).
* pdf.js:  what Firefox's viewer stores for each widget, then saveDocument()  (tests/js/fill-pdfjs.mjs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
JS = Path(__file__).resolve().parent / "js"
FONT = ROOT / "fonts" / "atkinson-hyperlegible" / "AtkinsonHyperlegible-Regular.ttf"
PROGRAMS = ("pypdf", "pymupdf", "pikepdf", "pdftk", "pdf-lib", "pdf.js")


def fill(program: str, source: Path, target: Path, answers: dict[str, object]) -> None:
    """Fill ``source`` with ``answers`` using ``program``; write ``target``."""
    fill_rounds(program, source, [(target, answers)])


def fill_rounds(program: str, source: Path, rounds: list[tuple[Path, dict[str, object]]]) -> None:
    """Fill ``source`` with each round's answers in turn, each round saving its file and the next reopening
    it: (target, answers) for each. The Node.js programs do every round in one start of Node.js."""
    if program in NODE:
        NODE[program](Path(source), [(Path(target), answers) for target, answers in rounds])
        return
    for target, answers in rounds:
        FILLERS[program](Path(source), Path(target), answers)
        source = target


def with_pypdf(source: Path, target: Path, answers: dict[str, object]) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    buttons = {name for name, f in writer.get_fields().items() if f.get("/FT") == "/Btn"}
    values = {}
    for name, value in answers.items():
        if value is True:
            value = "/on"
        elif value is False:
            value = "/Off"
        elif name in buttons:
            value = f"/{value}"
        values[name] = value
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(target)


def with_pymupdf(source: Path, target: Path, answers: dict[str, object]) -> None:
    import pymupdf

    document = pymupdf.open(source)
    for page in document:
        for widget in page.widgets():
            if widget.field_name not in answers:
                continue
            value = answers[widget.field_name]
            if widget.field_type == pymupdf.PDF_WIDGET_TYPE_RADIOBUTTON:
                if widget.on_state() == value:
                    widget.field_value = True
                    widget.update()
            elif widget.field_type == pymupdf.PDF_WIDGET_TYPE_CHECKBOX:
                widget.field_value = bool(value)
                widget.update()
            else:
                widget.field_value = value
                widget.update()
    document.save(target)


def with_pikepdf(source: Path, target: Path, answers: dict[str, object]) -> None:
    import pikepdf
    from pikepdf.form import CheckboxField, ExtendedAppearanceStreamGenerator, Form, RadioButtonGroup

    with pikepdf.open(source) as pdf:
        form = Form(pdf, ExtendedAppearanceStreamGenerator)
        for name, value in answers.items():
            field = form[name]
            if isinstance(field, RadioButtonGroup):
                field.value = pikepdf.Name(f"/{value}")
            elif isinstance(field, CheckboxField):
                field.checked = bool(value)
            else:
                field.value = value
        pdf.save(target)


def xfdf(answers: dict[str, object]) -> str:
    """Answers as XFDF, the form data format pdftk reads (UTF-8)."""
    rows = []
    for name, value in answers.items():
        text = "on" if value is True else "Off" if value is False else str(value)
        rows.append(f"<field name={quoteattr(name)}><value>{escape(text)}</value></field>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xfdf xmlns="http://ns.adobe.com/xfdf/" xml:space="preserve">'
        f"<fields>{''.join(rows)}</fields></xfdf>\n"
    )


def with_pdftk(source: Path, target: Path, answers: dict[str, object]) -> None:
    pdftk = shutil.which("pdftk")
    assert pdftk, "pdftk is not installed: run `make` (scripts/install-system-deps.sh installs it)"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "answers.xfdf"
        data.write_text(xfdf(answers), encoding="utf-8")
        _run([pdftk, str(source), "fill_form", str(data), "output", str(target)], java=True)


def _node(script: str, *args: str) -> str:
    node = shutil.which("node")
    assert node, "Node.js is not installed: run `make`"
    assert (ROOT / "node_modules" / "pdf-lib").is_dir(), "pdf-lib is not installed: run `make` (npm ci)"
    return _run([node, str(JS / script), *args])


def _rounds(tmp: str, rounds: list[tuple[Path, dict[str, object]]]) -> list[str]:
    """Each round as the Node.js scripts take it: the file to write, and a JSON file of its answers."""
    args = []
    for number, (target, answers) in enumerate(rounds):
        data = Path(tmp) / f"answers-{number}.json"
        data.write_text(json.dumps(answers), encoding="utf-8")
        args += [str(target), str(data)]
    return args


def with_pdf_lib(source: Path, rounds: list[tuple[Path, dict[str, object]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _node("fill-pdf-lib.mjs", str(FONT), str(source), *_rounds(tmp, rounds))


def with_pdfjs(source: Path, rounds: list[tuple[Path, dict[str, object]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _node("fill-pdfjs.mjs", str(source), *_rounds(tmp, rounds))


def pdfjs_shows(*paths: Path) -> dict[Path, dict[str, object]]:
    """What Firefox's PDF viewer shows in each field of each file: its value, a level id, or True (one Node.js
    process reads them all, each file opened on its own)."""
    shown = json.loads(_node("fill-pdfjs.mjs", "--read", *(str(path) for path in paths)))
    return {path: shown[str(path)] for path in paths}


def pdftk_values(path: Path) -> dict[str, str]:
    """The value of each field, as pdftk reads it (dump_data_fields_utf8)."""
    out = _run([shutil.which("pdftk") or "pdftk", str(path), "dump_data_fields_utf8"], java=True)
    values, name = {}, None
    for line in out.splitlines():
        if line.startswith("FieldName: "):
            name = line[len("FieldName: ") :]
        elif line.startswith("FieldValue: ") and name is not None:
            values.setdefault(name, line[len("FieldValue: ") :])  # the field's own value comes first
    return values


# pdftk is a Java program: for a run of a second or less, the JVM's quick compiler alone and its simplest
# collector start it in half the time (the program's work is the same).
JAVA_QUICK_START = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"


def _run(command: list[str], java: bool = False) -> str:
    env = {**os.environ, "JAVA_TOOL_OPTIONS": JAVA_QUICK_START} if java else None
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
    assert result.returncode == 0, f"{' '.join(command[:2])}: {result.stderr[-2000:]}"
    return result.stdout


FILLERS = {
    "pypdf": with_pypdf,
    "pymupdf": with_pymupdf,
    "pikepdf": with_pikepdf,
    "pdftk": with_pdftk,
}
NODE = {"pdf-lib": with_pdf_lib, "pdf.js": with_pdfjs}  # each takes every round at once (one Node.js start)
assert set(FILLERS) | set(NODE) == set(PROGRAMS)
