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

function sameAttributes(one, other) {
  if (one.attributes.length !== other.attributes.length) return false;
  for (var i = 0; i < one.attributes.length; i++) {
    if (other.getAttribute(one.attributes[i].name) !== one.attributes[i].value) return false;
  }
  return true;
}

// The new version of a part of the page put in place of the old: only what differs is replaced, so that the
// browser lays out again only that (a whole new page would take it longer than making it).
function patch(old, next) {
  if (!sameAttributes(old, next)) {
    Array.prototype.slice.call(old.attributes).forEach(function (a) { old.removeAttribute(a.name); });
    Array.prototype.slice.call(next.attributes).forEach(function (a) { old.setAttribute(a.name, a.value); });
  }
  var olds = Array.prototype.slice.call(old.childNodes), news = Array.prototype.slice.call(next.childNodes);
  if (olds.length !== news.length) {
    old.replaceChildren.apply(old, news.map(function (n) { return document.adoptNode(n); }));
    return;
  }
  for (var i = 0; i < olds.length; i++) {
    var a = olds[i], b = news[i];
    if (a.isEqualNode(b)) continue;
    if (a.nodeType === Node.ELEMENT_NODE && a.nodeName === b.nodeName && a.nodeName !== "SCRIPT") patch(a, b);
    else if (a.nodeType === b.nodeType && a.nodeType !== Node.ELEMENT_NODE) a.nodeValue = b.nodeValue;
    else old.replaceChild(document.adoptNode(b), a);
  }
}

// The page made again: what changed in its body put in place, where the reader is, when nothing else changed
// (the head: styles and fonts, which follow the page's characters; and the page has no script of its own,
// which would need to run again). Otherwise, and if anything fails, the page is reloaded whole.
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
    clearProblems();
    patch(document.body, next.body);
    window.scrollTo(x, y);
    requestAnimationFrame(function () { updated(version); });  // once the browser has the new page to paint
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
