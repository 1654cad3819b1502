/* Publishing a document from the admin page: the form as it is, to the documents API; a
   repeal asks for its reason first. */
"use strict";
(function () {
  const B = window.Baosong;
  const form = document.getElementById("document-form");
  const notice = document.getElementById("notice-fields");
  const kind = () => form.elements.kind.value;
  const toggle = () => { notice.hidden = kind() !== "notice"; };
  form.querySelectorAll("input[name=kind]").forEach(r => r.addEventListener("change", toggle));
  toggle();

  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) {  // leave out what was not filled in
      if (value === "" || (value instanceof File && !value.name)) data.delete(name);
    }
    if (kind() !== "notice") ["starts", "place", "attendees", "register_by", "units"].forEach(n => data.delete(n));
    const result = document.getElementById("form-result");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const answer = await B.api("/api/documents", { method: "POST", body: data });
      result.textContent = `已提交（编号 ${answer.id}），筛查后发布`;
      B.toast("已提交，筛查后发布");
      setTimeout(() => location.reload(), 1500);
    } catch (e) {
      result.textContent = e.message;
      B.toast(e.message, "error");
    } finally {
      button.disabled = false;
    }
  });

  document.querySelectorAll("button.repeal").forEach(button => {
    button.addEventListener("click", async () => {
      const reason = prompt("废止原因（将显示在文件页面上）", "");
      if (reason === null) return;
      try {
        await B.api(`/api/documents/${button.dataset.id}/repeal`, { method: "POST", json: { reason } });
        button.closest("tr").querySelector(".doc-state").textContent = "已发布（已废止）";
        button.remove();
        B.toast("已废止：文件仍在网上，标注已废止");
      } catch (e) {
        B.toast(e.message, "error");
      }
    });
  });
})();
