/* The HTML deck: one slide at a time, fitted to the window. Next: →, ↓, Page Down, Space;
   back: ←, ↑, Page Up; Home and End; the address (#slide-3) follows, so a reload keeps the place. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) { return; }
  var deck = document.querySelector(".deck");
  var current = 0;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);
  var help = document.createElement("p");
  help.className = "deck-help";
  help.textContent = MESSAGES.help;
  document.body.appendChild(help);
  document.body.classList.add("deck-live");

  function fit() {
    var probe = slides[current].getBoundingClientRect();
    var screen = document.documentElement;  // the window's width and height, without any zoom a phone applies
    var scale = Math.min(screen.clientWidth / slides[current].offsetWidth, screen.clientHeight / slides[current].offsetHeight);
    document.documentElement.style.setProperty("--deck-scale", String(scale * 0.98));
    return probe;
  }
  function show(index, announce) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.hidden = i !== current; });
    fit();
    if (location.hash !== "#" + slides[current].id) { history.replaceState(null, "", "#" + slides[current].id); }
    if (announce) {
      var heading = slides[current].querySelector("h1, h2");
      var lang = document.documentElement.lang || undefined;  // numbers as the page's language writes them
      status.textContent = MESSAGES.slide.replace("%(number)s", (current + 1).toLocaleString(lang))
        .replace("%(count)s", slides.length.toLocaleString(lang)).replace("%(heading)s", heading ? heading.textContent : "");
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    help.hidden = true;
    var keys = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    if (event.key in keys) { show(current + keys[event.key], true); event.preventDefault(); }
    else if (event.key === "Home") { show(0, true); event.preventDefault(); }
    else if (event.key === "End") { show(slides.length - 1, true); event.preventDefault(); }
  });
  deck.addEventListener("click", function (event) {
    if (event.target.closest("a")) { return; }
    help.hidden = true;  // read once: a tap moves on, as a key does
    show(current + (event.clientX < window.innerWidth / 3 ? -1 : 1), true);
  });
  window.addEventListener("resize", fit);
  var start = slides.findIndex(function (slide) { return "#" + slide.id === location.hash; });
  show(start < 0 ? 0 : start, false);
})();
