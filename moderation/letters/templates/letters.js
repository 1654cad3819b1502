/* The handler's desk: letters by state and deadline; opening one claims it (others see who
   has it), shows the writer's contact details (a view on the audit log), the attachments, the
   history, and the actions the signed-in person may take in the letter's state. */
"use strict";
(function () {
  const B = window.Baosong;
  const $ = id => document.getElementById(id);
  const desk = $("desk");
  const centre = desk.dataset.centre === "true";
  const me = Number(desk.dataset.me);
  const unitOptions = () => $("unit-options").content.cloneNode(true);
  let openId = null;
  let renewTimer = null;

  function dayOf(iso) {
    if (!iso) return "";
    const [, m, d] = iso.split("-").map(Number);
    return `${m}月${d}日`;
  }

  function dueLine(l) {
    if (!l.due) return null;
    if (l.overdue) return B.el("span", { class: "overdue", text: `已超期（${dayOf(l.due)}到期）${l.escalated ? " · 督办" : ""}` });
    if (l.near) return B.el("span", { class: "near", text: `临近期限：${dayOf(l.due)}` });
    return B.el("span", { class: "muted", text: `期限 ${dayOf(l.due)}` });
  }

  async function loadList() {
    const query = new URLSearchParams();
    if ($("f-status").value) query.set("status", $("f-status").value);
    if ($("f-overdue").checked) query.set("overdue", "true");
    const data = await B.api(`/api/letters?${query}`);
    const list = $("letter-list");
    list.replaceChildren(...data.items.map(l => B.el("li", { class: `${l.overdue ? "is-overdue" : ""} ${l.id === openId ? "active" : ""}`, attrs: { "data-id": l.id, "data-code": l.code } },
      B.el("button", { type: "button", on: { click: () => open(l.id) } },
        B.el("div", { class: "line" }, B.el("span", { class: `badge st-${l.status}`, text: l.status_label }), B.el("strong", { text: `【${l.type_label}】${l.subject}` })),
        B.el("div", { class: "line small" }, B.el("span", { class: "muted", text: `${l.code}${l.unit_name ? " · " + l.unit_name : ""}` }), dueLine(l),
          l.blocked ? B.el("span", { class: "overdue", text: "含禁用词" }) : null,
          l.claimed_by && l.claimed_by !== me ? B.el("span", { class: "muted", text: `${l.claimed_by_name} 正在处理` }) : null)))));
    $("empty").hidden = data.items.length > 0;
    const labels = { received: "待受理", assigned: "办理中", paused: "挂起", answered: "待审核", replied: "待评价", closed: "已办结", declined: "不予受理" };
    $("desk-counts").textContent = Object.entries(data.counts).map(([k, v]) => `${labels[k] || k} ${v}`).join(" · ");
  }

  function form(title, fields, label, cls, submit) {
    const f = B.el("form", { attrs: { "aria-label": title } }, B.el("strong", { text: title }), ...fields, B.el("div", {}, B.el("button", { type: "submit", class: cls, text: label })));
    f.addEventListener("submit", async event => {
      event.preventDefault();
      try { await submit(new FormData(f)); B.toast(`${label}：已完成`); await refresh(); }
      catch (e) { B.toast(e.message, "error"); }
    });
    return f;
  }
  const area = (name, label) => [B.el("label", { text: label, attrs: { for: `a-${name}` } }), B.el("textarea", { name, id: `a-${name}`, attrs: { maxlength: 10000 } })];
  const select = (name, label) => { const s = B.el("select", { name, id: `a-${name}` }); s.append(unitOptions()); return [B.el("label", { text: label, attrs: { for: `a-${name}` } }), s]; };
  const post = (path, json) => B.api(`/api/letters/${openId}/${path}`, { method: "POST", json });

  function actions(l) {
    const box = $("d-actions");
    const forms = [];
    if (centre && l.status === "received") {
      forms.push(form("受理并转办", select("unit", "办理单位"), "转办", "primary", d => post("assign", { unit: d.get("unit") })));
      forms.push(form("不予受理", area("decline", "理由"), "不予受理", "reject", d => post("decline", { reason: d.get("decline") })));
    }
    if (!centre && l.status === "assigned") {
      forms.push(form("答复", area("reply", "答复内容（提交后由信息中心审核）"), "提交答复", "approve", d => post("reply", { text: d.get("reply") })));
      forms.push(form("退回：不属于本单位", [...area("sendback", "退回理由"), ...select("suggest", "建议办理单位")], "退回", "return", d => post("send-back", { reason: d.get("sendback"), suggest: d.get("suggest") })));
      forms.push(form("挂起：请来信人补充材料", area("question", "需要补充的内容"), "挂起", "", d => post("pause", { question: d.get("question") })));
    }
    if (!centre && ["assigned", "paused"].includes(l.status) && !l.extension_requested) {
      forms.push(form("申请延期", [B.el("label", { text: "延长工作日", attrs: { for: "a-days" } }), B.el("input", { type: "text", name: "days", id: "a-days", value: "5", attrs: { inputmode: "numeric" } }), ...area("extreason", "延期理由")],
        "申请延期", "", d => post("extension", { days: Number(d.get("days")), reason: d.get("extreason") })));
    }
    if (centre && l.extension_requested) {
      forms.push(form(`延期申请：${l.extension_requested} 个工作日（${l.extension_reason || ""}）`, [], "同意延期", "approve", () => post("extension/decision", { action: "grant" })));
    }
    if (centre && l.status === "answered") {
      forms.push(form("审核答复", [], "审核通过，答复来信人", "approve", () => post("review", { action: "approve", reason: "" })));
      forms.push(form("退回答复", area("reviewreturn", "退回理由"), "退回修改", "return", d => post("review", { action: "return", reason: d.get("reviewreturn") })));
    }
    if (centre && l.published) {
      forms.push(form("从网站撤下", area("retract", "撤下的理由"), "撤下", "reject", d => post("retract", { reason: d.get("retract") })));
    }
    box.replaceChildren(...(forms.length ? forms : [B.el("p", { class: "muted", text: "当前没有需要您办理的事项。" })]));
  }

  function render(l) {
    $("detail").hidden = false;
    $("d-subject").textContent = `【${l.type_label}】${l.subject}`;
    $("d-meta").replaceChildren(B.el("span", { class: `badge st-${l.status}`, text: l.status_label }), ` 查询码 ${l.code} · ${B.when(l.received)} 收到${l.unit_name ? " · " + l.unit_name : ""}${l.reopened ? " · 发回重办" : ""}${l.rating_label ? " · 评价：" + l.rating_label : ""}`);
    $("d-due").replaceChildren(dueLine(l) || "");
    $("d-claim").textContent = l.claimed_by && l.claimed_by !== me ? `${l.claimed_by_name} 正在处理这封来信` : "您已认领这封来信";
    const c = l.contact;
    $("d-contact").replaceChildren(B.el("dt", { text: "姓名" }), B.el("dd", { text: c.name }), B.el("dt", { text: "电话" }), B.el("dd", { text: c.phone }),
      B.el("dt", { text: "电子邮箱" }), B.el("dd", { text: c.email || "—" }), B.el("dt", { text: "企业" }), B.el("dd", { text: `${l.enterprise || "—"}${l.consent ? "（同意公开）" : "（不同意公开）"}` }));
    $("d-body").replaceChildren(B.highlight(l.body, (l.findings_list || []).filter(f => f.field === "body")));
    $("d-findings").replaceChildren(...(l.findings_list || []).map(f => B.el("li", { class: f.action === "block" ? "block" : "", text: `${B.findingLabel(f)}：${f.excerpt || f.match}` })));
    $("d-attachments-box").hidden = !l.attachments.length;
    $("d-attachments").replaceChildren(...l.attachments.map(a => B.el("li", {}, a.content_type.startsWith("image/")
      ? B.el("a", { href: a.url, attrs: { target: "_blank", rel: "noopener" } }, B.el("img", { src: a.url, alt: a.filename }))
      : B.el("a", { href: a.url, text: `${a.filename}（${B.bytes(a.bytes)}）`, attrs: { target: "_blank", rel: "noopener" } }))));
    const extra = [];
    if (l.suggested_unit && l.status === "received") extra.push(B.el("p", { class: "notice", text: `前一办理单位退回，建议由 ${l.suggested_unit} 办理` }));
    if (l.question) extra.push(B.el("p", { text: `请来信人补充：${l.question}` }));
    if (l.supplement) extra.push(B.el("p", { text: `来信人补充：${l.supplement}` }));
    $("d-extra").replaceChildren(...extra);
    $("d-extra").hidden = !extra.length;
    $("d-draft-box").hidden = !(l.draft_reply || l.reply);
    $("d-draft").textContent = l.reply || l.draft_reply || "";
    $("d-history").replaceChildren(...l.history.map(h => B.el("li", {}, B.el("span", { class: "muted small", text: `${B.when(h.at)} ${h.by} ` }), h.note || h.action)));
    actions(l);
  }

  async function refresh() {
    await loadList();
    if (openId == null) return;
    try { render(await B.api(`/api/letters/${openId}`)); }
    catch (e) { if (e.status === 404) { $("detail").hidden = true; openId = null; } else B.toast(e.message, "error"); }
  }

  async function open(id) {
    if (openId && openId !== id) B.api(`/api/letters/${openId}/claim`, { method: "DELETE" }).catch(() => {});
    openId = id;
    clearInterval(renewTimer);
    try { await B.api(`/api/letters/${id}/claim`, { method: "POST" }); }
    catch (e) { B.toast(e.message, "error"); }
    renewTimer = setInterval(() => B.api(`/api/letters/${id}/claim`, { method: "POST" }).catch(() => {}), Math.max(60, Number(desk.dataset.claimMinutes) * 30) * 1000);
    await refresh();
    $("d-subject").focus();
  }

  $("f-status").addEventListener("change", loadList);
  $("f-overdue").addEventListener("change", loadList);
  loadList().catch(e => B.toast(e.message, "error"));
})();
