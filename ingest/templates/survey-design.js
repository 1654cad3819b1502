/* Designing a survey or an evaluation in the browser: the form becomes the JSON the API takes
   (POST /api/surveys), then codes are issued through POST /api/surveys/{id}/codes. Every
   problem is shown next to its field, the server's included ("第3题…" goes to question 3). */
"use strict";
(function () {
  const B = window.Baosong;
  const form = document.getElementById("design");
  const list = document.getElementById("questions");
  if (!form || !list) return;
  const TYPES = [["single", "单选"], ["multiple", "多选"], ["scale5", "满意度（五级）"],
                 ["number", "数字"], ["text", "短文本"], ["long", "长文本"]];
  let surveyId = null;

  function setError(id, message) {
    const slot = document.getElementById(id);
    if (!slot) return false;
    slot.textContent = message || "";
    const field = slot.parentElement && slot.parentElement.querySelector("input, textarea, select");
    if (field && field.id) field.setAttribute("aria-invalid", message ? "true" : "false");
    return true;
  }

  function clearErrors(root) {
    root.querySelectorAll(".field-error").forEach(p => { if (p.id) setError(p.id, ""); });
    root.querySelectorAll("[role=alert]").forEach(p => { p.hidden = true; p.textContent = ""; });
  }

  function problem(id, message) {
    const box = document.getElementById(id);
    box.textContent = message;
    box.hidden = false;
  }

  function field(n, key, label, input) {
    input.id = `q${n}-${key}`;
    input.setAttribute("aria-describedby", `err-q${n}-${key}`);
    return B.el("div", { class: `field q-${key}` }, B.el("label", { attrs: { for: input.id }, text: label }), input,
      B.el("p", { class: "field-error", attrs: { id: `err-q${n}-${key}`, "aria-live": "polite" } }));
  }

  function renumber() {
    [...list.children].forEach((item, i) => {
      const n = i + 1;
      item.dataset.n = n;
      item.querySelector("legend").textContent = `第${n}题（q${n}）`;
      item.querySelectorAll("[id]").forEach(node => { node.id = node.id.replace(/^(err-)?q\d+-/, `$1q${n}-`); });
      item.querySelectorAll("[for]").forEach(node => node.setAttribute("for", node.getAttribute("for").replace(/^q\d+-/, `q${n}-`)));
      item.querySelectorAll("[aria-describedby]").forEach(node => node.setAttribute("aria-describedby", node.getAttribute("aria-describedby").replace(/^err-q\d+-/, `err-q${n}-`)));
      const show = item.querySelector("select.show-if");
      const kept = show.value;
      show.replaceChildren(B.el("option", { value: "", text: "总是显示" }),
        ...Array.from({ length: i }, (_, k) => B.el("option", { value: `q${k + 1}`, text: `第${k + 1}题答了…` })));
      show.value = kept && Number(kept.slice(1)) < n ? kept : "";
      refreshItem(item);
    });
  }

  function refreshItem(item) {
    const type = item.querySelector("select.type").value;
    item.querySelector(".q-options").hidden = !(type === "single" || type === "multiple");
    item.querySelector(".q-choose").hidden = type !== "multiple";
    item.querySelector(".q-min").hidden = type !== "number";
    item.querySelector(".q-max").hidden = type !== "number";
    item.querySelector(".q-answer").hidden = !item.querySelector("select.show-if").value;
  }

  function addQuestion() {
    const n = list.children.length + 1;
    const type = B.el("select", { class: "type" }, TYPES.map(([v, t]) => B.el("option", { value: v, text: t })));
    const item = B.el("li", { class: "design-question" }, B.el("fieldset", {},
      B.el("legend", { text: `第${n}题` }),
      field(n, "type", "题型", type),
      field(n, "text", "题目", B.el("input", { class: "text", attrs: { maxlength: 500 } })),
      B.el("label", {}, B.el("input", { class: "required", attrs: { type: "checkbox", id: `q${n}-required` } }), " 必答"),
      field(n, "options", "选项（每行一个）", B.el("textarea", { class: "options", attrs: { rows: 3 } })),
      field(n, "choose", "最多可选几项（可不填）", B.el("input", { class: "choose", attrs: { type: "number", min: 1, step: 1 } })),
      field(n, "min", "最小值（可不填）", B.el("input", { class: "min", attrs: { type: "number", step: "any" } })),
      field(n, "max", "最大值（可不填）", B.el("input", { class: "max", attrs: { type: "number", step: "any" } })),
      field(n, "show", "显示条件", B.el("select", { class: "show-if" })),
      field(n, "answer", "当该题的答案为（选项文字，满意度填 5 到 0）", B.el("input", { class: "answer" })),
      B.el("p", { class: "field-error", attrs: { id: `err-q${n}-all`, "aria-live": "polite" } }),
      B.el("button", { attrs: { type: "button" }, class: "remove", text: "删除此题",
                       on: { click: () => { item.remove(); renumber(); } } })));
    item.addEventListener("change", () => refreshItem(item));
    list.append(item);
    renumber();
    return item;
  }

  const number = input => (input.value.trim() === "" ? null : Number(input.value));

  /** The form as the API's SurveyIn, and the problems found before sending. */
  function collect() {
    const errors = {};
    const data = form.elements;
    const kind = data.kind.value;
    const body = { title: data.title.value.trim(), description: data.description.value.trim(), kind,
                   access: kind === "evaluation" ? "codes" : data.access.value,
                   anonymous: data.anonymous.checked, opens: data.opens.value || null,
                   closes: data.closes.value || null, units: [], questions: [] };
    if (!body.title) errors["err-title"] = "请填写标题";
    if (kind === "evaluation") {
      body.units = [...form.querySelectorAll("input[name=units]:checked")].map(i => i.value);
      if (!body.units.length) errors["err-units"] = "评议须选择被评议的单位";
    }
    if (body.opens && body.closes && body.closes <= body.opens) errors["err-closes"] = "结束时间须晚于开始时间";
    const byId = {};
    [...list.children].forEach((item, i) => {
      const n = i + 1, id = `q${n}`, q = item.querySelector.bind(item);
      let type = q("select.type").value;
      const question = { id, type: type === "long" ? "text" : type, text: q("input.text").value.trim(),
                         required: q("input.required").checked };
      if (type === "long") question.long = true;
      if (!question.text) errors[`err-q${n}-text`] = "请填写题目";
      if (type === "single" || type === "multiple") {
        question.options = q("textarea.options").value.split("\n").map(s => s.trim()).filter(Boolean);
        if (question.options.length < 2) errors[`err-q${n}-options`] = "选择题至少需要两个选项";
        else if (new Set(question.options).size !== question.options.length) errors[`err-q${n}-options`] = "选项重复";
      }
      if (type === "multiple" && number(q("input.choose")) !== null) {
        question.max = number(q("input.choose"));
        if (!Number.isInteger(question.max) || question.max < 1 || question.max > (question.options || []).length)
          errors[`err-q${n}-choose`] = "须在 1 到选项数之间";
      }
      if (type === "number") {
        const lo = number(q("input.min")), hi = number(q("input.max"));
        if (lo !== null) question.min = lo;
        if (hi !== null) question.max = hi;
        if (lo !== null && hi !== null && lo > hi) errors[`err-q${n}-max`] = "最大值不能小于最小值";
      }
      const on = q("select.show-if").value;
      if (on) {
        const earlier = byId[on], answer = q("input.answer").value.trim();
        if (!answer) errors[`err-q${n}-answer`] = "请填写触发显示的答案";
        else if (earlier.type === "scale5") {
          if (!/^[0-5]$/.test(answer)) errors[`err-q${n}-answer`] = "满意度的答案为 5（非常满意）到 0（不了解）";
          question.show_if = { question: on, answer: Number(answer) };
        } else if (earlier.options) {
          if (!earlier.options.includes(answer)) errors[`err-q${n}-answer`] = `须为第${on.slice(1)}题的选项之一`;
          question.show_if = { question: on, answer };
        } else errors[`err-q${n}-show`] = "只能按选择题或满意度题的答案显示";
      }
      byId[id] = question;
      body.questions.push(question);
    });
    if (!body.questions.length) errors["design-problem"] = "至少需要一道题";
    return { body, errors };
  }

  /** A refusal from the server, put next to the field it is about. */
  function placeServerError(failure) {
    const detail = failure.detail;
    if (Array.isArray(detail)) {
      let placed = false;
      detail.forEach(d => {
        const m = /^questions\.(\d+)\.(\w+)/.exec(d.field || "");
        const key = m && { options: "options", text: "text", min: "min", max: "max", show_if: "answer" }[m[2]];
        if (m && setError(`err-q${Number(m[1]) + 1}-${key || "all"}`, d.message)) placed = true;
        else if (d.field && setError(`err-${d.field.split(".")[0]}`, d.message)) placed = true;
      });
      if (!placed) problem("design-problem", failure.message);
      return;
    }
    const text = failure.message;
    const m = /^第(\d+)题/.exec(text);
    if (m && setError(`err-q${m[1]}-all`, text)) return;
    if (/标题/.test(text) && setError("err-title", text)) return;
    if (/单位/.test(text) && setError("err-units", text)) return;
    if (/时间/.test(text) && setError("err-closes", text)) return;
    problem("design-problem", text);
  }

  function focusFirstError(root) {
    const slot = [...root.querySelectorAll(".field-error")].find(p => p.textContent);
    const target = slot && slot.parentElement.querySelector("input, textarea, select");
    if (target) target.focus();
  }

  form.addEventListener("change", event => {
    if (event.target.name === "kind") {
      const evaluation = form.elements.kind.value === "evaluation";
      document.getElementById("units-box").hidden = !evaluation;
      form.querySelectorAll("input[name=access]").forEach(i => { i.disabled = evaluation; });
      if (evaluation) form.querySelector("input[name=access][value=codes]").checked = true;
    }
  });
  document.getElementById("add-question").addEventListener("click", () => addQuestion().querySelector("input.text").focus());

  form.addEventListener("submit", async event => {
    event.preventDefault();
    clearErrors(form);
    const { body, errors } = collect();
    if (Object.keys(errors).length) {
      for (const [id, message] of Object.entries(errors)) {
        if (id === "design-problem") problem(id, message); else setError(id, message);
      }
      focusFirstError(form);
      return;
    }
    const button = document.getElementById("create");
    button.disabled = true;
    try {
      const created = await B.api("/api/surveys", { method: "POST", json: body });
      surveyId = created.id;
      form.querySelectorAll("input, textarea, select, button").forEach(n => { n.disabled = true; });
      const note = document.getElementById("created");
      note.replaceChildren(`已创建（编号 ${created.id}）。答卷地址：`, B.el("a", { attrs: { href: created.url }, text: location.origin + created.url }));
      if (body.access === "codes") document.getElementById("codes-box").hidden = false;
      B.toast("已创建");
    } catch (e) {
      placeServerError(e);
      focusFirstError(form);
      button.disabled = false;
    }
  });

  // --- ballot codes --------------------------------------------------------------------------
  const codes = document.getElementById("codes");
  codes.addEventListener("change", () => {
    const how = codes.elements.how.value;
    codes.querySelectorAll("[data-how]").forEach(box => { box.hidden = box.dataset.how !== how; });
  });

  function codesBody() {
    const how = codes.elements.how.value;
    if (how === "count") {
      const count = number(codes.elements.count);
      if (!Number.isInteger(count) || count < 1) return { error: ["err-count", "请填写要发放的数量（正整数）"] };
      return { body: { count } };
    }
    if (how === "units") {
      const units = [...codes.querySelectorAll("input[name=code-units]:checked")].map(i => i.value);
      if (!units.length) return { error: ["err-code-units", "请选择答卷单位"] };
      return { body: { units } };
    }
    const sample = number(codes.elements.sample);
    if (!Number.isInteger(sample) || sample < 1) return { error: ["err-sample", "请填写抽取的单位数（正整数）"] };
    const kind = codes.elements["unit-kind"].value;
    return { body: kind ? { sample, kind } : { sample } };
  }

  function codesError(message) {
    const how = codes.elements.how.value;
    if (!setError({ count: "err-count", units: "err-code-units", sample: "err-sample" }[how], message)) problem("codes-problem", message);
  }

  function showIssued(respondents) {
    const table = document.getElementById("issued-codes");
    const body = table.querySelector("tbody");
    const start = body.children.length;
    respondents.forEach((r, i) => body.append(B.el("tr", {}, B.el("td", { text: start + i + 1 }),
      B.el("td", { text: r.name || "" }), B.el("td", { class: "code", text: r.code }))));
    table.hidden = false;
    document.getElementById("issued").textContent = `已发放 ${body.children.length} 个投票码（本次 ${respondents.length} 个），每码限用一次。`;
  }

  async function issue(asFile) {
    clearErrors(codes);
    const { body, error } = codesBody();
    if (error) { setError(...error); focusFirstError(codes); return; }
    codes.querySelectorAll("button").forEach(b => { b.disabled = true; });
    try {
      if (!asFile) {
        showIssued((await B.api(`/api/surveys/${surveyId}/codes`, { method: "POST", json: body })).respondents);
        return;
      }
      const response = await fetch(`/api/surveys/${surveyId}/codes?format=xlsx`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRF-Token": B.meta("csrf-token") } });
      if (!response.ok) {
        let detail = null;
        try { detail = (await response.json()).detail; } catch (e) { /* not JSON */ }
        throw new B.ApiFailure(response.status, detail);
      }
      const link = B.el("a", { attrs: { href: URL.createObjectURL(await response.blob()), download: `survey-${surveyId}-codes.xlsx` } });
      document.body.append(link);
      link.click();
      link.remove();
      document.getElementById("issued").textContent = "投票码清单已下载，请打印后分发。";
    } catch (e) {
      codesError(e.message);
    } finally {
      codes.querySelectorAll("button").forEach(b => { b.disabled = false; });
    }
  }

  codes.addEventListener("submit", event => { event.preventDefault(); issue(false); });
  document.getElementById("issue-xlsx").addEventListener("click", () => issue(true));
  addQuestion();
})();
