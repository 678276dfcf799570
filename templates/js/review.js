/* The review page: count what is left to decide, and save the choices as the file collect reads. */
(function () {
  "use strict";
  var form = document.getElementById("review");
  var items = form.querySelectorAll(".review-item");
  function chosen() {
    var answers = {};
    items.forEach(function (item) {
      var picked = item.querySelector("input:checked");
      if (picked) { answers[item.getAttribute("data-key")] = picked.value; }
    });
    return answers;
  }
  function count() {
    var done = Object.keys(chosen()).length;
    document.getElementById("left").textContent = MESSAGES.left
      .replace("%(count)s", String(items.length - done)).replace("%(total)s", String(items.length));
  }
  form.addEventListener("change", count);
  document.getElementById("save-review").addEventListener("click", function () {
    var data = JSON.parse(form.getAttribute("data-format"));
    data.answers = chosen();
    var blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = ANSWERS_FILE;
    document.body.appendChild(link);
    link.click();
    link.remove();
    document.getElementById("saved").textContent = MESSAGES.saved.replace("%(file)s", ANSWERS_FILE);
  });
  count();
})();
