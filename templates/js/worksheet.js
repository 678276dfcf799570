/* Worksheet in the browser: answers are kept in this browser as you type (and offered back when you
   return), saved to a file and loaded from one, and counted on the summary sheet.
   No server and no network: answers stay on this computer until you send the file. */
(function () {
  "use strict";
  var form = document.getElementById("worksheet");
  var status = document.getElementById("status");
  var identity = JSON.parse(document.querySelector('meta[name="profilepress-worksheet"]').content);
  var FORMAT = "profilepress-worksheet-answers", VERSION = 1;
  var KEY = "profilepress-worksheet:" + (form.getAttribute("data-scope") || "") + ":" + identity.fingerprint;
  var changedSinceFile = false;   // answers typed since they were last saved to (or loaded from) a file

  function say(text) { status.textContent = text; }

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
      else if (el.type === "checkbox") { if (el.checked) out[el.name] = "on"; }
      else if (el.type !== "file" && el.value) { out[el.name] = el.value; }
    });
    return out;
  }

  function fill(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file") return;
      var value = Object.prototype.hasOwnProperty.call(values, el.name) ? String(values[el.name]) : "";
      if (el.type === "radio") el.checked = (el.value === value);
      else if (el.type === "checkbox") el.checked = (value === "on");
      else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") el.value = value;
    });
    count();
  }

  // worksheet-<scope>-<person>-<date>.json, e.g. worksheet-c01-co-learning-ada-example-2026-05-04.json
  function slug(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function fileName() {
    var person = slug(form.elements.name && form.elements.name.value) || "answers";
    return ["worksheet", slug(form.getAttribute("data-scope")) || "answers", person, today()].join("-") + ".json";
  }

  function answers() {
    return { format: FORMAT, format_version: VERSION, worksheet: identity, fields: fields() };
  }

  // Checks a parsed answers file and fills the form from it; returns what to tell the user.
  function load(data, fileName) {
    if (!data || data.format !== FORMAT || typeof data.fields !== "object") {
      return MESSAGES.notAnswers.replace("%(file)s", fileName);
    }
    var w = data.worksheet || {};
    if (w.fingerprint !== identity.fingerprint || w.scale !== identity.scale) {
      return MESSAGES.otherWorksheet.replace("%(file)s", fileName);
    }
    fill(data.fields);
    keep();
    changedSinceFile = false;
    return MESSAGES.loaded.replace("%(file)s", fileName);
  }

  // --- kept in this browser -------------------------------------------------------------------
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }   // blocked in some private windows
  }
  function kept() {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function keep() {
    var store = storage(), values = fields();
    if (!store) return;
    try {
      if (Object.keys(values).length) store.setItem(KEY, JSON.stringify({ saved: new Date().toISOString(), fields: values }));
      else store.removeItem(KEY);
    } catch (e) { /* storage full: the file is still there to save to */ }
  }
  var timer = null;
  function changed(event) {
    if (event && event.target && event.target.type === "file") return;   // choosing a file to load
    changedSinceFile = true;
    clearTimeout(timer);
    timer = setTimeout(keep, 300);
    count();
  }

  function offerRestore() {
    var previous = kept(), box = document.getElementById("restore");
    if (!previous || !previous.fields || !Object.keys(previous.fields).length || !box) return;
    var when = new Date(previous.saved);
    document.getElementById("restore-text").textContent =
      MESSAGES.kept.replace("%(when)s", when.toLocaleString(document.documentElement.lang || undefined))
        .replace("%(count)s", String(Object.keys(previous.fields).length));
    box.hidden = false;
    document.getElementById("restore-yes").addEventListener("click", function () {
      fill(previous.fields);
      box.hidden = true;
      changedSinceFile = true;
      say(MESSAGES.restored);
    });
    document.getElementById("restore-no").addEventListener("click", function () {
      var store = storage();
      if (store) store.removeItem(KEY);
      box.hidden = true;
      say(MESSAGES.afresh);
    });
  }

  // For tests and for other pages that embed this worksheet.
  window.profilepressWorksheet = { answers: answers, load: load, fileName: fileName, storageKey: KEY };

  document.getElementById("save-answers").addEventListener("click", function () {
    var data = answers();
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName();
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    changedSinceFile = false;
    say(MESSAGES.saved.replace("%(file)s", link.download));
  });

  document.getElementById("load-answers").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () {
      var data = null;
      try { data = JSON.parse(reader.result); } catch (e) { /* reported by load() */ }
      say(load(data, file.name));
    };
    reader.readAsText(file);
    event.target.value = "";
  });

  document.getElementById("print-page").addEventListener("click", function () { window.print(); });

  // Closing the page with answers not yet saved to a file: the browser asks first.
  window.addEventListener("beforeunload", function (event) {
    if (!changedSinceFile) return;
    keep();
    event.preventDefault();
    event.returnValue = "";
  });

  // The summary sheet counts ticks as you go.
  function count() {
    var values = fields();
    Array.prototype.forEach.call(document.querySelectorAll("tr[data-competency]"), function (row) {
      var base = row.getAttribute("data-competency") + "_";
      Array.prototype.forEach.call(row.querySelectorAll("td[data-round]"), function (cell) {
        var suffix = "_r" + cell.getAttribute("data-round"), wanted = cell.getAttribute("data-value"), n = 0;
        Object.keys(values).forEach(function (key) {
          if (key.indexOf(base) === 0 && key.slice(-suffix.length) === suffix && values[key] === wanted) n++;
        });
        cell.textContent = String(n);
      });
      var priorities = 0;
      Object.keys(values).forEach(function (key) {
        if (key.indexOf(base) === 0 && /_priority$/.test(key)) priorities++;
      });
      row.querySelector("td[data-priority]").textContent = String(priorities);
    });
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  count();
  offerRestore();
})();
