// The answering page's helpers; the form works without them.
// - a question asked only after a given earlier answer is hidden until that answer is given
// - unsent answers are kept in this browser (never the ballot code) and put back on reload
// - the submit button works once: a double click sends one ballot
(function () {
  "use strict";
  var done = document.querySelector("[data-survey-done]");
  if (done) {
    try { localStorage.removeItem("baosong-survey-" + done.getAttribute("data-survey-done")); } catch (e) { /* private mode */ }
    return;
  }
  var box = document.querySelector("[data-survey]");
  var form = document.querySelector("form.survey-form");
  if (!box || !form) { return; }
  var storeKey = "baosong-survey-" + box.getAttribute("data-survey");
  var kept = ["key", "code", "website"];

  function valuesOf(name) {
    var out = [];
    var fields = form.elements.namedItem(name);
    if (!fields) { return out; }
    var list = fields.length !== undefined && !fields.tagName ? fields : [fields];
    for (var i = 0; i < list.length; i++) {
      var f = list[i];
      if ((f.type === "radio" || f.type === "checkbox") ? f.checked : f.value !== "") { out.push(f.value); }
    }
    return out;
  }

  function refresh() {
    var boxes = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < boxes.length; i++) {
      var q = boxes[i];
      var parent = document.getElementById("box-" + q.getAttribute("data-show-if"));
      var asked = (!parent || !parent.hidden) &&
        valuesOf(q.getAttribute("data-show-if")).indexOf(q.getAttribute("data-show-if-answer")) >= 0;
      q.hidden = !asked;
      var inputs = q.querySelectorAll("input, textarea");
      for (var j = 0; j < inputs.length; j++) { inputs[j].disabled = !asked; }
    }
  }

  function save() {
    var data = {};
    for (var i = 0; i < form.elements.length; i++) {
      var f = form.elements[i];
      if (!f.name || kept.indexOf(f.name) >= 0) { continue; }
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) { continue; }
      (data[f.name] = data[f.name] || []).push(f.value);
    }
    try { localStorage.setItem(storeKey, JSON.stringify(data)); } catch (e) { /* full or private */ }
  }

  function restore() {
    if (document.getElementById("problem")) { return; } // the server sent the answers back
    var data;
    try { data = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { data = null; }
    if (!data) { return; }
    for (var i = 0; i < form.elements.length; i++) {
      var f = form.elements[i];
      var given = data[f.name];
      if (!given || kept.indexOf(f.name) >= 0) { continue; }
      if (f.type === "radio" || f.type === "checkbox") { f.checked = given.indexOf(f.value) >= 0; }
      else { f.value = given[0]; }
    }
  }

  restore();
  refresh();
  form.addEventListener("change", function () { refresh(); save(); });
  form.addEventListener("input", save);
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = "正在提交…"; }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the thank-you page: the form may be sent again
      form.removeAttribute("data-sent");
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = false; button.textContent = "提交答卷"; }
    }
  });
})();
