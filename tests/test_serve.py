"""`build.py serve`, the live preview: one server for the module, on a copy of the tiny profile, HTML only.

It is started as a user starts it (a process of its own, on a free port, its temporary folder in a folder of the
test's), and read as a browser reads it: the pages over HTTP, and the event stream a page listens to, with
urllib. Each edit is undone before the next test."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, TINY, TINY_PLAN, cli

COMPETENCY = "competencies/active-listening.yaml"


class Served:
    def __init__(self, project: Path, temp: Path):
        self.project, self.temp = project, temp
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--plan", str(project / "build.yaml"), "--port", "0"],
            cwd=project,
            env={**os.environ, "TMPDIR": str(temp)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            assert line, f"serve stopped: {self.process.stderr.read()}"
            self.lines.append(line)
            if line.startswith("serving at "):
                self.url = line.split()[2]
                self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])
                return
        raise AssertionError("serve did not start in a minute")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
            return response.read().decode("utf-8")

    def events(self, page: str):
        """The event stream a page listens to: (event, data) pairs as they come."""
        response = urllib.request.urlopen(f"{self.url}_preview/events?page={page}", timeout=10)
        event = None
        for raw in response:
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                yield event, json.loads(line[6:])

    def edit(self, old: str, new: str) -> None:
        path = self.project / COMPETENCY
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def wait_for(events, wanted: str):
    for event, data in events:
        if event == wanted:
            return data
    raise AssertionError(f"no {wanted} event")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    project, temp = folder / "tiny", folder / "tmp"
    shutil.copytree(TINY, project)
    temp.mkdir()
    (project / "output").mkdir()
    (project / "output" / "mine.txt").write_text("the user's own file", encoding="utf-8")
    server = Served(project, temp)
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


def test_the_list_of_documents_and_each_document_with_its_script(served):
    index = served.get("/")
    assert 'href="/neutral/handbook.html"' in index and 'href="/_preview/pdf/neutral/handbook.pdf"' in index
    handbook = served.get("/neutral/handbook.html")
    assert "Active listening" in handbook and "new EventSource(" in handbook
    assert "<script src" not in handbook  # the reload script is inline: no request leaves the page
    # Nothing outside the served folder, however the path climbs: sent as written (http.client does not
    # tidy a path), to a file that exists on every machine (the folder is a temporary one, deep under /).
    climb = "/.." * 12
    for probe in (f"{climb}/etc/passwd", f"{climb.replace('..', '%2e%2e')}/etc/passwd", "/%2e%2e%2fetc%2fpasswd"):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", probe)
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
        assert answer.status == 404 and b"root:" not in body, (probe, answer.status)


def test_an_edit_is_served_and_the_open_page_reloads(served):
    events = served.events("neutral/handbook.html")
    assert next(events)[0] == "state"
    served.edit("full attention", "undivided attention")
    try:
        assert wait_for(events, "reload")["version"] >= 2
        assert "undivided attention" in served.get("/neutral/handbook.html")
    finally:
        served.edit("undivided attention", "full attention")
        wait_for(events, "reload")


def test_a_broken_file_shows_where_and_what_to_do_then_clears(served):
    events = served.events("neutral/handbook.html")
    next(events)
    served.edit("id: active-listening", "id: [active-listening")
    try:
        problems = wait_for(events, "errors")
        assert problems[0]["where"].endswith(f"{COMPETENCY}:2:5"), problems
        assert problems[0]["hint"] and problems[0]["message"].startswith("YAML syntax error")
        assert "Active listening" in served.get("/neutral/handbook.html")  # the last good page meanwhile
        assert served.process.poll() is None
    finally:
        served.edit("id: [active-listening", "id: active-listening")
    wait_for(events, "ok")


def until(browser, expression: str, limit: float = 20.0):
    deadline = time.monotonic() + limit
    while not (value := browser.evaluate(expression)):
        assert time.monotonic() < deadline, f"waited {limit:.0f} s for {expression}"
        time.sleep(0.02)
    return value


def test_in_a_browser_the_page_takes_the_edit_where_the_reader_is_and_shows_a_problem(served, browser):
    browser.viewport(320, 400)
    browser.open(served.url + "neutral/handbook.html")
    version = int(browser.evaluate("document.documentElement.dataset.previewVersion"))
    browser.evaluate("window.scrollTo(0, 600); 0")
    served.edit("full attention", "undivided attention")
    try:
        until(browser, f"Number(document.documentElement.dataset.previewVersion) > {version}")
        assert browser.evaluate("document.body.textContent.includes('undivided attention')")
        assert browser.evaluate("window.scrollY") == 600
        served.edit("id: active-listening", "id: [active-listening")
        shown = until(browser, "document.getElementById('profilepress-preview-problems')?.textContent")
        assert "This page could not be updated" in shown and f"{COMPETENCY}:2:5" in shown
    finally:
        served.edit("id: [active-listening", "id: active-listening")
        served.edit("undivided attention", "full attention")
    until(browser, "!document.getElementById('profilepress-preview-problems')")


def test_it_listens_on_loopback_only_and_leaves_the_output_folder_alone(served):
    port = f"{served.port:04X}"
    listening = [
        line.split()[1]
        for name in ("/proc/net/tcp", "/proc/net/tcp6")
        if Path(name).is_file()
        for line in Path(name).read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port}") and line.split()[3] == "0A"
    ]
    assert listening == [f"0100007F:{port}"]
    assert sorted(p.name for p in (served.project / "output").iterdir()) == ["mine.txt"]


def test_a_port_in_use_is_named_with_what_to_do(served):
    result = cli("serve", "--plan", str(served.project / "build.yaml"), "--port", str(served.port))
    assert result.code == 1
    assert f"error: port {served.port} is in use" in result.err and "--port" in result.err
    assert "Traceback" not in result.err


def test_ctrl_c_stops_it_quietly_and_leaves_nothing_behind(served):
    served.process.send_signal(signal.SIGINT)
    out, err = served.process.communicate(timeout=30)
    assert served.process.returncode == 130
    assert "Traceback" not in err and "the preview stopped" in err
    assert list(served.temp.iterdir()) == []


def test_the_previews_own_words_are_in_the_editions_language(monkeypatch):
    """The list of documents, a PDF's page and what the script says, through the catalogues (in this process:
    the sources loaded, nothing built)."""
    from profilepress import load as load_module
    from profilepress.progress import Reporter
    from profilepress.serve import Preview

    load_brands = load_module.load_brands
    monkeypatch.setattr(
        load_module,
        "load_brands",
        lambda folder, root: {k: dataclasses.replace(b, locale="es") for k, b in load_brands(folder, root).items()},
    )
    preview = Preview(TINY_PLAN, ROOT, None, TEMPLATES, build=lambda *a, **k: None, reporter=Reporter(quiet=True))
    try:
        preview.load()
        index = preview.page().decode("utf-8")
        pdf = preview.page("neutral/handbook.pdf").decode("utf-8")
    finally:
        shutil.rmtree(preview.folder)
    assert 'lang="es"' in index and "Vista previa" in index and "al guardar sus archivos" in index
    assert "No se pudo actualizar esta página" in index and "Corríjalo y guárdelo" in index  # the script's words
    assert "Todos los documentos" in pdf and "Descargar el PDF" in pdf and "Actualizando el PDF…" in pdf
