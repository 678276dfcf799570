// The live preview's script (python build.py serve), added by the preview server to the pages it serves;
// never part of a built document. PREVIEW: this page (its path, its version, its kind, where the events
// are); MESSAGES: the words it shows, in the page's language.
var scrollKey = "profilepress-preview-scroll:" + PREVIEW.page;
var overlay = null;

function restoreScroll() {
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(scrollKey)); } catch (e) { saved = null; }
  if (saved) {
    sessionStorage.removeItem(scrollKey);
    window.scrollTo(saved[0], saved[1]);
  }
}

function reload() {
  try { sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) {}
  location.reload();
}

function updated(version) {
  PREVIEW.version = version;
  document.documentElement.setAttribute("data-preview-version", String(version));
  document.dispatchEvent(new CustomEvent("profilepress-preview:updated", {detail: {version: version}}));
}

// The page made again: its new body put in place of the old one, where the reader is, when nothing else
// changed (the head: styles and fonts, which follow the page's characters; and the page has no script of its
// own, which would need to run again). Otherwise, and if anything fails, the page is reloaded.
function refresh(version) {
  if (PREVIEW.kind !== "html" || document.querySelectorAll("script").length > 1) return reload();
  fetch(PREVIEW.file, {cache: "no-store"}).then(function (response) {
    if (!response.ok) throw new Error(response.status);
    return response.text();
  }).then(function (html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var same = next.head.innerHTML === document.head.innerHTML &&
      next.documentElement.getAttribute("lang") === document.documentElement.getAttribute("lang") &&
      next.querySelectorAll("script").length === 1;
    if (!same) return reload();
    var x = window.scrollX, y = window.scrollY;
    overlay = null;
    document.body.replaceWith(document.adoptNode(next.body));
    window.scrollTo(x, y);
    updated(version);
  }).catch(reload);
}

function element(tag, text, style) {
  var made = document.createElement(tag);
  if (text) made.textContent = text;
  if (style) made.setAttribute("style", style);
  return made;
}

function showProblems(problems) {
  clearProblems();
  overlay = element("div", "", "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.88);" +
    "padding:1rem;font:16px/1.45 system-ui,sans-serif;");
  overlay.id = "profilepress-preview-problems";
  overlay.setAttribute("role", "alert");
  var box = element("div", "", "max-width:50rem;margin:2rem auto;background:#fff;color:#111;padding:1rem 1.25rem;" +
    "border-left:.5rem solid #b00020;border-radius:4px;overflow-wrap:anywhere;");
  box.appendChild(element("h2", MESSAGES.heading, "margin:0 0 .5rem;font-size:1.25rem;color:#8a0018;"));
  box.appendChild(element("p", MESSAGES.intro, "margin:0 0 .75rem;"));
  var list = element("ul", "", "margin:0;padding-left:1.1rem;");
  problems.forEach(function (problem) {
    var item = element("li", "", "margin:.5rem 0;");
    if (problem.where) {
      item.appendChild(element("code", problem.where, "font-weight:700;font-family:ui-monospace,monospace;"));
      item.appendChild(document.createTextNode(": "));
    }
    item.appendChild(document.createTextNode(problem.message + (problem.field ? " (" + problem.field + ")" : "")));
    if (problem.hint) item.appendChild(element("div", problem.hint, "margin-top:.2rem;color:#333;"));
    list.appendChild(item);
  });
  box.appendChild(list);
  overlay.appendChild(box);
  document.body.appendChild(overlay);
}

function clearProblems() {
  if (overlay) overlay.remove();
  overlay = null;
}

function showPdf(state) {
  var status = document.getElementById("preview-pdf-status");
  var frame = document.getElementById("preview-pdf-frame");
  if (!status || !frame) return;
  if (state.state === "updating") {
    status.textContent = MESSAGES.updating;
    status.hidden = false;
  } else if (state.state === "failed") {
    status.textContent = MESSAGES.failed + " " + state.reason;
    status.hidden = false;
  } else if (state.state === "ready") {
    status.hidden = true;
    status.textContent = "";
    var wanted = PREVIEW.file + "?v=" + state.version;
    if (frame.getAttribute("src") !== wanted) frame.setAttribute("src", wanted);
    document.documentElement.setAttribute("data-pdf-version", String(state.version));
  }
}

window.addEventListener("load", restoreScroll);
restoreScroll();
document.documentElement.setAttribute("data-preview-version", String(PREVIEW.version));
var events = new EventSource(PREVIEW.events + "?page=" + encodeURIComponent(PREVIEW.page));
events.addEventListener("state", function (event) {
  var state = JSON.parse(event.data);
  if (PREVIEW.kind === "html" && state.version !== PREVIEW.version) return refresh(state.version);  // made again meanwhile
  if (state.errors.length) showProblems(state.errors); else clearProblems();
});
events.addEventListener("reload", function (event) { refresh(JSON.parse(event.data).version); });
events.addEventListener("errors", function (event) { showProblems(JSON.parse(event.data)); });
events.addEventListener("ok", clearProblems);
events.addEventListener("pdf", function (event) { showPdf(JSON.parse(event.data)); });
