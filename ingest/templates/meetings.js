/* Registering attendees for a meeting from the desk: the names, one a line, to the API. */
"use strict";
(function () {
  const B = window.Baosong;
  document.querySelectorAll("form.register-form").forEach(form => {
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const names = form.elements.names.value.split(/\n+/).map(s => s.trim()).filter(Boolean);
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const result = await B.api(`/api/documents/${form.dataset.id}/registrations`, { method: "POST", json: { names } });
        const section = form.closest("section");
        let shown = section.querySelector(".registered");
        if (!shown) {
          shown = B.el("p", { class: "registered" }, "已报名：", B.el("span", { class: "names" }));
          form.before(shown);
        }
        shown.querySelector(".names").textContent = result.names.join("、");
        B.toast("报名已提交");
      } catch (e) {
        B.toast(e.message, "error");
      } finally {
        button.disabled = false;
      }
    });
  });
})();
