/* The public mailbox pages: writing a letter, and the writer's status page. */
"use strict";
(function () {
  const B = window.Baosong;
  const $ = id => document.getElementById(id);

  async function call(path, options = {}) {
    // public endpoints: a visitor with no session must never be sent to the login page
    return B.api(path, Object.assign({ allow401: true }, options));
  }

  function showError(box, error) {
    box.textContent = error.message || String(error);
    box.hidden = false;
  }

  const form = $("letter-form");
  if (form) {
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const error = $("form-error");
      error.hidden = true;
      const data = new FormData(form);
      for (const name of ["consent", "show_enterprise"]) data.set(name, $(name).checked ? "true" : "false");
      if (!$("attachments").files.length) data.delete("attachments");
      $("send").disabled = true;
      try {
        const answer = await call("/api/letters", { method: "POST", body: data });
        if (answer.merged) { showError(error, new Error(answer.message)); return; }
        $("receipt-code").textContent = answer.code;
        $("receipt-secret").textContent = answer.secret;
        $("receipt-link").href = `/mailbox/lookup?code=${encodeURIComponent(answer.code)}`;
        form.closest("section").hidden = true;
        $("receipt").hidden = false;
        $("receipt").scrollIntoView();
      } catch (e) {
        showError(error, e);
      } finally {
        $("send").disabled = false;
      }
    });
  }

  const lookup = $("lookup-form");
  if (!lookup) return;
  const params = new URLSearchParams(location.search);
  if (params.get("code")) $("code").value = params.get("code");
  let current = null;

  function dayOf(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return `${y}年${m}月${d}日`;
  }

  function render(letter) {
    current = letter;
    $("letter").hidden = false;
    $("letter-subject").textContent = `【${letter.type_label}】${letter.subject}`;
    const status = $("letter-status");
    status.textContent = letter.status_label;
    status.className = `badge st-${letter.status}`;
    const due = letter.due && ["assigned", "paused", "answered"].includes(letter.status) ? `，应于 ${dayOf(letter.due)}前答复` : "";
    $("letter-meta").textContent = `查询码 ${letter.code}，${B.when(letter.received)} 收到${due}`;
    $("letter-body").textContent = letter.body;
    $("question-box").hidden = !letter.question;
    $("question-text").textContent = letter.question || "";
    $("reply-box").hidden = !letter.reply;
    $("reply-text").textContent = letter.reply || "";
    $("rating-form").hidden = !letter.can_rate;
    $("rating-done").hidden = !letter.rating_label;
    $("rating-done").textContent = letter.rating_label ? `您的评价：${letter.rating_label}` : "";
    $("published").hidden = !letter.url;
    if (letter.url) $("published-link").href = letter.url;
    const history = $("history");
    history.replaceChildren(...letter.history.map(h => B.el("li", {}, B.el("span", { class: "muted small", text: `${B.when(h.at)} ` }), h.what)));
  }

  async function load() {
    const error = $("lookup-error");
    error.hidden = true;
    try {
      const query = new URLSearchParams({ code: $("code").value.trim(), secret: $("secret").value.trim() });
      render(await call(`/api/letters/lookup?${query}`));
    } catch (e) {
      $("letter").hidden = true;
      showError(error, e);
    }
  }

  lookup.addEventListener("submit", event => { event.preventDefault(); load(); });

  $("rating-form").addEventListener("submit", async event => {
    event.preventDefault();
    const choice = document.querySelector('input[name="rating"]:checked');
    if (!choice) { B.toast("请选择一项评价", "error"); return; }
    try {
      render(await call("/api/letters/lookup/rating", { method: "POST", json: { code: current.code, secret: $("secret").value.trim(), rating: choice.value } }));
      B.toast("感谢您的评价");
    } catch (e) { B.toast(e.message, "error"); }
  });

  $("supplement-form").addEventListener("submit", async event => {
    event.preventDefault();
    try {
      render(await call("/api/letters/lookup/supplement", { method: "POST", json: { code: current.code, secret: $("secret").value.trim(), text: $("supplement").value } }));
      B.toast("补充材料已提交");
    } catch (e) { B.toast(e.message, "error"); }
  });
})();
