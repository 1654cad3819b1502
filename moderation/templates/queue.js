/* The moderator's queue: flagged items oldest first, each finding marked where it is, a claim
   on the item that is open, decisions with reasons from shared templates, keyboard shortcuts and
   bulk decisions. Everything goes through the moderation API, so what the page may do is what
   the server allows. */
"use strict";
(function () {
  const B = window.Baosong;
  const { el, api } = B;
  const $ = id => document.getElementById(id);
  const root = $("queue");
  const me = +root.dataset.me;
  const claimMinutes = +root.dataset.claimMinutes || 15;
  const LONG_WAIT = 24 * 3600;
  const ACTION_LABEL = { approve: "通过", reject: "不予采用", return: "退回修改" };

  const state = {
    filters: { category: "", unit: "", kind: "", age: "", order: "oldest" },
    items: [], counts: {}, total: 0,
    current: null,      // the item open on the right (its full view)
    selected: new Set(),
    reasons: [],
    loadedAt: Date.now(),
  };
  let renewTimer = null, pollTimer = null;

  // --- the list ---------------------------------------------------------------------------------
  async function loadQueue() {
    const f = state.filters;
    const params = new URLSearchParams({ order: f.order, limit: 500 });
    if (f.category) params.set("category", f.category);
    if (f.unit) params.set("unit", f.unit);
    if (f.kind) params.set("kind", f.kind);
    if (f.age) params.set("older_than_hours", f.age);
    const data = await api(`/api/moderation/queue?${params}`);
    state.items = data.items;
    state.counts = data.counts;
    state.total = data.total;
    state.loadedAt = Date.now();
    const present = new Set(state.items.map(i => i.id));
    state.selected.forEach(id => { if (!present.has(id)) state.selected.delete(id); });
    renderChips();
    renderList();
  }

  function renderChips() {
    const box = $("categories");
    const chip = (value, label) => el("button", {
      type: "button", text: label, attrs: { "aria-pressed": String(state.filters.category === value), "data-category": value },
      on: { click: () => { state.filters.category = value; refresh(); } },
    });
    const chips = [chip("", "全部类别")];
    for (const [category, count] of Object.entries(state.counts).sort((a, b) => b[1] - a[1])) {
      chips.push(chip(category, `${B.categoryLabel(category)} ${count}`));
    }
    box.replaceChildren(...chips);
  }

  function waitedNow(item) {
    return item.waiting_seconds + (Date.now() - state.loadedAt) / 1000;
  }

  function tags(item) {
    const categories = [...new Set((item.findings || []).map(f => f.category))];
    const out = categories.map(c => el("span", { class: "badge cat", text: B.categoryLabel(c) }));
    if (item.recused) out.push(el("span", { class: "badge recusal", text: "回避：本单位或本人稿件" }));
    if (item.claimed_by) out.push(el("span", { class: `badge claimed${item.claimed_by === me ? " mine" : ""}`, text: item.claimed_by === me ? "我已认领" : `${item.claimed_by_name} 处理中` }));
    if (item.revision_of) out.push(el("span", { class: "badge cat", text: `修改稿（原稿 #${item.revision_of}）` }));
    if (item.duplicate_of) out.push(el("span", { class: "badge cat", text: `疑似重复 #${item.duplicate_of}` }));
    return out;
  }

  function renderList() {
    const list = $("items");
    // the list is redrawn as it refreshes: keep the keyboard where it was
    const active = document.activeElement;
    const focusRow = active && list.contains(active) ? active.closest("li").id : null;
    const focusBox = active && active.type === "checkbox";
    list.replaceChildren(...state.items.map(item => {
      const current = state.current && state.current.id === item.id;
      const wait = waitedNow(item);
      const box = el("input", {
        type: "checkbox", checked: state.selected.has(item.id),
        attrs: { "aria-label": `选择 #${item.id}「${item.title}」` },
        on: { change: e => { if (e.target.checked) state.selected.add(item.id); else state.selected.delete(item.id); bulkBar(); } },
      });
      return el("li", { class: `q-item${current ? " current" : ""}${item.recused ? " recused" : ""}`, id: `q-${item.id}`, attrs: { "aria-current": current ? "true" : null } },
        box,
        el("button", { type: "button", class: "q-open", text: item.title, on: { click: () => openItem(item.id) } }),
        el("span", { class: "q-meta" },
          `#${item.id} · ${item.unit_name} · ${B.KIND[item.kind] || item.kind} · `,
          el("span", { class: wait > LONG_WAIT ? "wait-long" : "", text: `已等待 ${B.waited(wait)}` })),
        el("span", { class: "q-tags" }, tags(item)));
    }));
    if (focusRow && $(focusRow)) $(focusRow).querySelector(focusBox ? "input" : ".q-open").focus();
    $("empty").hidden = state.items.length > 0;
    $("queue-total").textContent = `共 ${state.total} 份待审`;
    bulkBar();
  }

  function bulkBar() {
    const n = state.selected.size;
    $("selected-count").textContent = n ? `已选 ${n} 份` : "未选择";
    $("bulk-approve").disabled = !n;
    $("bulk-reject").disabled = !n;
    const all = $("select-all");
    all.checked = n > 0 && n === state.items.length;
    all.indeterminate = n > 0 && n < state.items.length;
  }

  async function refresh() {
    try { await loadQueue(); } catch (e) { B.toast(e.message, "error"); }
  }

  // --- one item -----------------------------------------------------------------------------
  async function openItem(id, { focus = true } = {}) {
    if (state.current && state.current.id !== id) releaseClaim(state.current);
    let item;
    try { item = await api(`/api/moderation/${id}`); } catch (e) { B.toast(e.message, "error"); return; }
    state.current = item;
    root.classList.add("show-detail");
    $("detail-placeholder").hidden = true;
    $("item").hidden = false;
    renderItem(item);
    renderList();
    const row = $(`q-${id}`);
    if (row) row.scrollIntoView({ block: "nearest" });
    if (focus) $("detail-title").focus({ preventScroll: false });
    await takeClaim(item);
    loadContext(item);
  }

  function claimLine(text, kind) {
    const line = $("claim-line");
    line.textContent = text;
    line.className = `claim-line ${kind}`;
  }

  function canDecide(item) {
    return item.state === "flagged" && !item.recused && (!item.claimed_by || item.claimed_by === me);
  }

  function decideButtons(item) {
    const allowed = canDecide(item);
    ["do-approve", "do-return", "do-reject"].forEach(id => { $(id).disabled = !allowed; });
  }

  async function takeClaim(item) {
    clearInterval(renewTimer);
    if (item.state !== "flagged") { claimLine(`该稿件已处理：${B.STATUS[item.state] || item.state}${item.decided_by_name ? `（${item.decided_by_name}）` : ""}`, "other"); decideButtons(item); return; }
    if (item.recused) { claimLine(`您需回避：${item.recused}`, "other"); decideButtons(item); return; }
    try {
      const claim = await api(`/api/moderation/${item.id}/claim`, { method: "POST" });
      item.claimed_by = claim.claimed_by; item.claimed_by_name = claim.claimed_by_name;
      claimLine(`已由您认领，至 ${B.when(claim.expires_at)}；其他审核员现在不能处理这份稿件。`, "mine");
      renewTimer = setInterval(() => renewClaim(item), claimMinutes * 60000 / 3);
      const row = state.items.find(i => i.id === item.id);
      if (row) { row.claimed_by = me; row.claimed_by_name = claim.claimed_by_name; renderList(); }
    } catch (e) {
      if (e.status === 409) {
        const fresh = await api(`/api/moderation/${item.id}`).catch(() => item);
        Object.assign(item, { claimed_by: fresh.claimed_by, claimed_by_name: fresh.claimed_by_name, state: fresh.state });
        claimLine(fresh.claimed_by ? `${fresh.claimed_by_name} 正在处理这份稿件（至 ${B.when(fresh.claim_expires_at)}），您只能查看。` : e.message, "other");
      } else {
        claimLine(e.message, "other");
      }
    }
    decideButtons(item);
  }

  async function renewClaim(item) {
    if (!state.current || state.current.id !== item.id || document.hidden) return;
    try {
      const claim = await api(`/api/moderation/${item.id}/claim`, { method: "POST" });
      claimLine(`已由您认领，至 ${B.when(claim.expires_at)}；其他审核员现在不能处理这份稿件。`, "mine");
    } catch (e) {
      claimLine(`认领已失效：${e.message}`, "other");
      clearInterval(renewTimer);
      decideButtons(Object.assign(item, { claimed_by: -1 }));
    }
  }

  function releaseClaim(item) {
    clearInterval(renewTimer);
    if (item && item.claimed_by === me && item.state === "flagged") {
      api(`/api/moderation/${item.id}/claim`, { method: "DELETE", keepalive: true }).catch(() => {});
      item.claimed_by = null;
      const row = state.items.find(i => i.id === item.id);
      if (row) { row.claimed_by = null; row.claimed_by_name = ""; }
    }
  }

  function renderItem(item) {
    $("detail-title").textContent = item.title;
    $("item-meta").textContent = [`#${item.id}`, item.unit_name, item.informant_name, B.KIND[item.kind] || item.kind,
      `送审 ${B.when(item.screened_at)}`, `已等待 ${B.waited(item.waiting_seconds)}`,
      item.lexicon_version ? `词库版本 ${item.lexicon_version}` : ""].filter(Boolean).join(" · ");
    const findings = item.findings || [];
    $("hits-count").textContent = `${findings.length} 处`;
    $("title-text").replaceChildren(B.highlight(item.title, B.findingsOf(findings, "title")));
    $("body-text").replaceChildren(B.highlight(item.body || "", B.findingsOf(findings, "body")));
    $("finding-list").replaceChildren(...findings.map(f => findingRow(f)));
    renderPhotos(item);
    $("revision-section").hidden = true;
    $("duplicate-section").hidden = true;
    decideButtons(item);
  }

  function findingRow(f) {
    const where = f.field === "photos" ? `照片 ${f.photo + 1}` : (f.field || "").startsWith("captions") ? `照片 ${+f.field.slice(9, -1) + 1} 的说明` : f.field === "title" ? "标题" : "正文";
    return el("li", { class: f.action === "block" ? "block" : "" },
      el("strong", { text: B.findingLabel(f) }), " ",
      el("span", { class: "muted small", text: `（${where}）` }), " ",
      f.match ? el("span", { text: `「${f.match}」` }) : null,
      f.message ? el("span", { text: ` ${f.message}` }) : null,
      f.duplicate_of ? el("span", { text: ` 与 #${f.duplicate_of} 相似${f.duplicate_distance != null ? `（距离 ${f.duplicate_distance}）` : ""}` }) : null,
      Number.isInteger(f.start) ? el("button", { type: "button", class: "link", text: "在文中标出", on: { click: () => locate(f) } }) : null);
  }

  function locate(f) {
    const container = f.field === "title" ? $("title-text") : (f.field || "").startsWith("captions") ? document.querySelector(`[data-caption="${f.field}"]`) : $("body-text");
    if (!container) return;
    const index = B.findingsOf(state.current.findings, f.field || "body").indexOf(f);
    const mark = [...container.querySelectorAll("mark")].find(m => m.dataset.findings.split(" ").includes(String(index)));
    if (!mark) return;
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
    mark.classList.add("flash");
    setTimeout(() => mark.classList.remove("flash"), 1600);
  }

  function renderPhotos(item) {
    const photos = item.photos || [];
    $("photos-section").hidden = !photos.length;
    $("photo-grid").replaceChildren(...photos.map((photo, index) => {
      const own = B.findingsOf(item.findings, "photos", index);
      const captionField = `captions[${index}]`;
      const captionFindings = B.findingsOf(item.findings, captionField);
      return el("figure", { class: `photo${own.length || captionFindings.length ? " has-findings" : ""}` },
        el("img", { src: photo.url, alt: photo.caption ? `照片 ${index + 1}：${photo.caption}` : `照片 ${index + 1}：${photo.filename || ""}`, loading: "lazy" }),
        el("figcaption", {},
          el("span", { class: "text-block", attrs: { "data-caption": captionField } }, B.highlight(photo.caption || "（无说明）", photo.caption ? captionFindings : [])),
          el("div", { class: "muted small", text: [photo.filename, photo.format, photo.width && `${photo.width}×${photo.height}`, B.bytes(photo.bytes)].filter(Boolean).join(" · ") }),
          own.length ? el("ul", { class: "findings" }, own.map(f => el("li", { class: f.action === "block" ? "block" : "" }, el("strong", { text: B.findingLabel(f) }), " ", f.message || ""))) : null));
    }));
  }

  async function loadContext(item) {
    if (item.revision_of) {
      try { renderRevision(await api(`/api/moderation/${item.id}/diff`)); } catch (e) { /* the original may predate screening */ }
    }
    if (item.duplicate_of) {
      try { renderDuplicate(item, await api(`/api/moderation/${item.duplicate_of}`)); } catch (e) { /* nothing to compare */ }
    }
  }

  function diffView(ops) {
    return el("div", { class: "text-block" }, ops.map(([tag, text]) =>
      tag === "insert" ? el("ins", { text, attrs: { title: "修改稿新增" } })
        : tag === "delete" ? el("del", { text, attrs: { title: "原稿删去" } }) : text));
  }

  function renderRevision(diff) {
    if (!state.current || state.current.id !== diff.id) return;
    const o = diff.original;
    $("revision-note").textContent = `原稿 #${diff.against}「${o.title}」${o.reason ? `被退回，理由：${o.reason}` : ""}${o.decided_by_name ? `（${o.decided_by_name}，${B.when(o.decided_at)}）` : ""}。删去 ${diff.changed.deleted} 字，新增 ${diff.changed.inserted} 字。`;
    const photoNotes = (diff.photos || []).map(p => p.change === "added" ? `照片 ${p.photo + 1} 是新加的` : p.change === "removed" ? `原稿照片 ${p.original + 1}（${p.filename}）已删去` : p.caption ? `照片 ${p.photo + 1} 沿用原图，说明有改动` : null).filter(Boolean);
    $("revision-diff").replaceChildren(
      el("h4", { text: "标题" }), diffView(diff.title),
      el("h4", { text: "正文" }), diffView(diff.body),
      photoNotes.length ? el("h4", { text: "照片" }) : null,
      photoNotes.length ? el("ul", {}, photoNotes.map(n => el("li", { text: n }))) : null);
    $("revision-section").hidden = false;
  }

  function sideView(label, item) {
    return [el("h4", { text: label }),
      el("p", { class: "muted small", text: [`#${item.id}`, item.unit_name, B.STATUS[item.state] || item.state || "", B.when(item.screened_at)].filter(Boolean).join(" · ") }),
      el("p", { class: "title-text", text: item.title }),
      el("div", { class: "text-block", text: item.body || "" }),
      (item.photos || []).length ? el("div", { class: "photo-grid" }, item.photos.map((p, i) => el("img", { src: p.url, alt: `#${item.id} 照片 ${i + 1}`, loading: "lazy" }))) : null];
  }

  function renderDuplicate(item, earlier) {
    if (!state.current || state.current.id !== item.id) return;
    $("dup-earlier").replaceChildren(...sideView("先前的稿件", earlier));
    $("dup-this").replaceChildren(...sideView("这份稿件", item));
    $("duplicate-section").hidden = false;
  }

  // --- decisions ----------------------------------------------------------------------------
  let pending = null;  // {action, ids}

  async function loadReasons() {
    try { state.reasons = (await api("/api/moderation/reasons")).reasons; } catch (e) { state.reasons = []; }
  }

  function openDecision(action, ids, { bulk = false } = {}) {
    if (!ids.length) return;
    pending = { action, ids, bulk };
    const dialog = $("decide-dialog");
    $("decide-title").textContent = `${ACTION_LABEL[action]}${bulk ? `（批量 ${ids.length} 份）` : ""}`;
    const names = ids.map(id => { const i = state.items.find(x => x.id === id) || state.current; return `#${id}「${i ? i.title : ""}」`; });
    $("decide-target").textContent = names.slice(0, 5).join("、") + (names.length > 5 ? ` 等 ${names.length} 份` : "");
    $("reason-label").textContent = action === "approve" ? "备注（可不填）" : "理由（稿件作者会看到）";
    $("reason").value = "";
    $("reason").required = action !== "approve";
    $("decide-error").hidden = true;
    const templates = state.reasons.filter(r => r.action === action);
    $("template-set").hidden = !templates.length;
    $("templates").replaceChildren(...templates.map(t => el("label", {},
      el("input", { type: "radio", name: "template", value: String(t.id), on: { change: () => { $("reason").value = t.text; } } }), t.text)));
    const confirm = $("decide-confirm");
    confirm.className = action;
    confirm.textContent = `确认${ACTION_LABEL[action]}`;
    dialog.showModal();
    (action === "approve" ? confirm : templates.length ? dialog.querySelector("input[name=template]") : $("reason")).focus();
  }

  async function confirmDecision() {
    if (!pending) return;
    const { action, ids, bulk } = pending;
    const reason = $("reason").value.trim();
    if (action !== "approve" && !reason) { showDecideError("请选择或填写理由：作者需要知道为什么。"); $("reason").focus(); return; }
    $("decide-confirm").disabled = true;
    try {
      if (!bulk) {
        const item = state.current && state.current.id === ids[0] ? state.current : state.items.find(i => i.id === ids[0]);
        await api(`/api/moderation/${ids[0]}/decision`, { method: "POST", json: { action, reason, content_hash: item ? item.content_hash : null } });
        B.toast(`已${ACTION_LABEL[action]} #${ids[0]}`);
        $("decide-dialog").close();
        afterDecision(ids);
      } else {
        const items = ids.map(id => { const i = state.items.find(x => x.id === id); return { id, content_hash: i ? i.content_hash : null }; });
        const result = await api("/api/moderation/decisions", { method: "POST", json: { action, reason, items } });
        const refused = result.results.filter(r => !r.ok);
        B.toast(`已${ACTION_LABEL[action]} ${result.decided} 份${refused.length ? `；${refused.length} 份未处理：${refused.map(r => `#${r.id} ${r.detail}`).join("；")}` : ""}`, refused.length ? "error" : "ok");
        $("decide-dialog").close();
        afterDecision(result.results.filter(r => r.ok).map(r => r.id));
      }
    } catch (e) {
      showDecideError(e.message);
      if (e.status === 409 || e.status === 403) refresh();
    } finally {
      $("decide-confirm").disabled = false;
    }
  }

  function showDecideError(message) {
    $("decide-error").textContent = message;
    $("decide-error").hidden = false;
  }

  async function afterDecision(done) {
    const doneSet = new Set(done);
    const order = state.items.map(i => i.id);
    const at = state.current ? order.indexOf(state.current.id) : -1;
    const next = order.slice(at + 1).concat(order.slice(0, Math.max(at, 0))).find(id => !doneSet.has(id));
    done.forEach(id => state.selected.delete(id));
    if (state.current && doneSet.has(state.current.id)) { clearInterval(renewTimer); state.current = null; }
    await refresh();
    if (!state.current) {
      if (next && state.items.some(i => i.id === next)) openItem(next);
      else { $("item").hidden = true; $("detail-placeholder").hidden = false; root.classList.remove("show-detail"); }
    }
  }

  $("decide-form").addEventListener("submit", e => { e.preventDefault(); confirmDecision(); });
  $("decide-cancel").addEventListener("click", () => $("decide-dialog").close());
  $("do-approve").addEventListener("click", () => state.current && openDecision("approve", [state.current.id]));
  $("do-return").addEventListener("click", () => state.current && openDecision("return", [state.current.id]));
  $("do-reject").addEventListener("click", () => state.current && openDecision("reject", [state.current.id]));
  $("bulk-approve").addEventListener("click", () => openDecision("approve", [...state.selected], { bulk: true }));
  $("bulk-reject").addEventListener("click", () => openDecision("reject", [...state.selected], { bulk: true }));
  $("select-all").addEventListener("change", e => {
    state.selected = new Set(e.target.checked ? state.items.filter(i => !i.recused).map(i => i.id) : []);
    renderList();
  });

  // --- reason templates ---------------------------------------------------------------------
  $("save-template").addEventListener("click", async () => {
    const text = $("reason").value.trim();
    if (!text || !pending) { showDecideError("先写好理由，再存为模板。"); return; }
    try {
      await api("/api/moderation/reasons", { method: "POST", json: { action: pending.action, text } });
      await loadReasons();
      B.toast("已存为模板");
    } catch (e) { showDecideError(e.message); }
  });

  function renderTemplateEditor() {
    const editor = $("template-editor");
    editor.replaceChildren(...state.reasons.map((t, n) => {
      const id = `template-${t.id}`;
      const input = el("input", { type: "text", id, value: t.text, maxLength: 500 });
      return el("div", { class: "template-row" },
        el("label", { attrs: { for: id }, text: `${ACTION_LABEL[t.action]} · 模板 ${n + 1}` }), input,
        el("button", { type: "button", text: "保存", attrs: { "aria-label": `保存模板 ${n + 1}` }, on: { click: async () => {
          try { await api(`/api/moderation/reasons/${t.id}`, { method: "PUT", json: { text: input.value } }); await loadReasons(); B.toast("模板已保存"); } catch (e) { B.toast(e.message, "error"); }
        } } }),
        el("button", { type: "button", text: "删除", attrs: { "aria-label": `删除模板 ${n + 1}` }, on: { click: async () => {
          try { await api(`/api/moderation/reasons/${t.id}`, { method: "DELETE" }); await loadReasons(); renderTemplateEditor(); B.toast("模板已删除"); } catch (e) { B.toast(e.message, "error"); }
        } } }));
    }));
  }

  $("manage-templates").addEventListener("click", () => { renderTemplateEditor(); $("templates-dialog").showModal(); });
  $("templates-close").addEventListener("click", () => $("templates-dialog").close());
  $("templates-dialog").addEventListener("close", () => {
    if (!pending || !$("decide-dialog").open) return;
    const reason = $("reason").value;
    $("decide-dialog").close();
    openDecision(pending.action, pending.ids, { bulk: pending.bulk });  // with the edited templates
    $("reason").value = reason;
  });
  $("template-add").addEventListener("submit", async e => {
    e.preventDefault();
    const text = $("new-template-text").value.trim();
    if (!text) return;
    try {
      await api("/api/moderation/reasons", { method: "POST", json: { action: $("new-template-action").value, text } });
      $("new-template-text").value = "";
      await loadReasons();
      renderTemplateEditor();
    } catch (err) { B.toast(err.message, "error"); }
  });

  // --- filters, keys, refresh -----------------------------------------------------------------
  const filterInputs = { "f-unit": "unit", "f-kind": "kind", "f-age": "age", "f-order": "order" };
  for (const [id, key] of Object.entries(filterInputs)) {
    $(id).addEventListener("change", e => { state.filters[key] = e.target.value; refresh(); });
  }
  $("back").addEventListener("click", () => { root.classList.remove("show-detail"); const row = state.current && $(`q-${state.current.id}`); if (row) row.querySelector(".q-open").focus(); });
  $("help-open").addEventListener("click", () => $("help-dialog").showModal());

  function move(by) {
    if (!state.items.length) return;
    const at = state.current ? state.items.findIndex(i => i.id === state.current.id) : -1;
    const to = at < 0 ? (by > 0 ? 0 : state.items.length - 1) : Math.min(state.items.length - 1, Math.max(0, at + by));
    if (!state.current || state.items[to].id !== state.current.id) openItem(state.items[to].id);
  }

  document.addEventListener("keydown", e => {
    if (B.typing(e) || document.querySelector("dialog[open]")) return;
    const current = state.current;
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": if (current && canDecide(current)) openDecision("approve", [current.id]); break;
      case "e": if (current && canDecide(current)) openDecision("return", [current.id]); break;
      case "r": if (current && canDecide(current)) openDecision("reject", [current.id]); break;
      case "x": if (current) { if (state.selected.has(current.id)) state.selected.delete(current.id); else state.selected.add(current.id); renderList(); } break;
      case "?": $("help-dialog").showModal(); break;
      default: return;
    }
    e.preventDefault();
  });

  window.addEventListener("pagehide", () => releaseClaim(state.current));
  pollTimer = setInterval(() => { if (!document.hidden && !document.querySelector("dialog[open]")) refresh(); }, 20000);
  setInterval(() => { if (!document.querySelector("dialog[open]")) renderList(); }, 60000);

  loadReasons();
  refresh().then(() => {
    const wanted = +new URLSearchParams(location.search).get("item");
    if (wanted && state.items.some(i => i.id === wanted)) openItem(wanted, { focus: false });
  });
})();
