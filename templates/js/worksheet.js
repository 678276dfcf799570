/* Worksheet in the browser: save the answers to a file, load them back, count ticks.
   No server and no network: answers stay on this computer until you send the file. */
(function () {
  "use strict";
  var form = document.getElementById("worksheet");
  var status = document.getElementById("status");
  var identity = JSON.parse(document.querySelector('meta[name="profilepress-worksheet"]').content);
  var FORMAT = "profilepress-worksheet-answers", VERSION = 1;

  function say(text) { status.textContent = text; }

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
      else if (el.type === "checkbox") { if (el.checked) out[el.name] = "on"; }
      else if (el.value) { out[el.name] = el.value; }
    });
    return out;
  }

  function fill(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      var value = Object.prototype.hasOwnProperty.call(values, el.name) ? String(values[el.name]) : "";
      if (el.type === "radio") el.checked = (el.value === value);
      else if (el.type === "checkbox") el.checked = (value === "on");
      else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") el.value = value;
    });
    count();
  }

  function fileName() {
    var name = (form.elements.name && form.elements.name.value || "answers").trim().replace(/[^A-Za-z0-9]+/g, "-");
    return "worksheet-" + identity.scale + "-" + (name || "answers").toLowerCase() + ".json";
  }

  function answers() {
    return { format: FORMAT, format_version: VERSION, worksheet: identity, fields: fields() };
  }

  // Checks a parsed answers file and fills the form from it; returns what to tell the user.
  function load(data, fileName) {
    if (!data || data.format !== FORMAT || typeof data.fields !== "object") {
      return fileName + " is not a saved answers file.";
    }
    var w = data.worksheet || {};
    if (w.fingerprint !== identity.fingerprint || w.scale !== identity.scale) {
      return fileName + " was saved from a different worksheet (another version of the profile or another " +
             "rating scale), so it was not loaded.";
    }
    fill(data.fields);
    return "Loaded the answers from " + fileName + ".";
  }

  // For tests and for other pages that embed this worksheet.
  window.profilepressWorksheet = { answers: answers, load: load };

  document.getElementById("save-answers").addEventListener("click", function () {
    var data = answers();
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName();
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    say("Saved as " + link.download + ". Keep this file: load it here to carry on, or give it to your coach.");
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
        cell.textContent = n ? String(n) : "";
      });
      var priorities = 0;
      Object.keys(values).forEach(function (key) {
        if (key.indexOf(base) === 0 && /_priority$/.test(key)) priorities++;
      });
      row.querySelector("td[data-priority]").textContent = priorities ? String(priorities) : "";
    });
  }
  form.addEventListener("change", count);
  count();
})();
