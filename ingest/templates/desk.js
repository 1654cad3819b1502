/* The informant's desk: send an article or photos, see every submission of the unit with its
   true status, revise a returned one, and the month at a glance. The page checks what it can
   before uploading, as a courtesy; the server stays the judge of every upload. */
"use strict";
(function () {
  const B = window.Baosong;
  const { el, api } = B;
  const $ = id => document.getElementById(id);
  const root = $("desk");
  const limits = {
    photoBytes: +root.dataset.maxPhotoBytes, photos: +root.dataset.maxPhotos,
    title: +root.dataset.maxTitle, body: +root.dataset.maxBody,
    caption: +root.dataset.maxCaption, minSide: +root.dataset.minSide,
  };
  const me = { unit: root.dataset.unit, kind: root.dataset.unitKind, informant: +root.dataset.informant };
  const PAGE = 20;
  const UNSETTLED = new Set(["received", "screening", "flagged", "approved"]);

  // --- the month at a glance ----------------------------------------------------------------
  function meter(id, have, need) {
    const box = $(id);
    const bar = box.querySelector("progress");
    const value = box.querySelector(".meter-value");
    if (!need) { bar.max = 1; bar.value = 1; value.textContent = `${have}（无要求）`; box.classList.add("met"); return; }
    bar.max = need; bar.value = Math.min(have, need);
    value.textContent = `${have} / ${need}${have >= need ? " 已完成" : ""}`;
    box.classList.toggle("met", have >= need);
  }

  const BOARD_NAMES = { county: "县区", enterprise: "企业", department: "部门" };

  function topicId(topic) { return String(topic.id ?? topic.slug ?? topic.topic ?? ""); }

  function openTopics(payload) {
    const list = Array.isArray(payload) ? payload : (payload && (payload.topics || payload.items)) || [];
    const now = Date.now();
    return list.filter(t => {
      // the API names each invited unit as an object ({unit, name, status}); older answers a slug
      const units = (t.units || []).map(u => (typeof u === "string" ? u : u && u.unit));
      const mine = !units.length || units.includes(me.unit);
      const open = !t.deadline || new Date(t.deadline).getTime() >= now - 86400000;
      return mine && open && !t.closed;
    });
  }

  function showTopics(topics) {
    const list = $("topic-list");
    const select = $("topic");
    list.replaceChildren();
    select.querySelectorAll("option:not([value=''])").forEach(o => o.remove());
    for (const topic of topics) {
      const id = topicId(topic);
      const due = topic.deadline ? new Date(topic.deadline) : null;
      const days = due ? Math.ceil((due.getTime() - Date.now()) / 86400000) : null;
      list.append(el("li", {},
        el("strong", { text: topic.title || id }),
        due ? el("span", { class: days <= 3 ? "due-soon" : "muted", text: `截止 ${B.when(topic.deadline)}${days >= 0 ? `（还有 ${days} 天）` : ""}` }) : null,
        el("button", { type: "button", text: "按此约稿报送", attrs: { "aria-label": `按约稿“${topic.title || id}”报送` }, on: { click: () => { select.value = id; $("title").focus(); } } })));
      select.append(el("option", { value: id, text: topic.title || id }));
    }
    $("topics").hidden = !topics.length;
    $("topic-field").hidden = !topics.length;
  }

  async function loadGlance() {
    const month = B.monthOf();
    $("glance-month").textContent = month;
    // the unit is ranked on its own board (counties apart from enterprises), as the 通报 does
    const [quotas, scores, board, topics] = await Promise.allSettled([
      api(`/api/quotas?month=${month}`), api(`/api/scores?period=${month}`),
      api(`/api/scores?period=${month}&kind=${encodeURIComponent(me.kind)}`),
      api("/api/topics", { allow401: true }),
    ]);
    if (quotas.status === "fulfilled") {
      const mine = (quotas.value.units || []).find(u => u.unit === me.unit);
      if (mine) {
        meter("quota-articles", mine.articles, (mine.required || {}).articles || 0);
        meter("quota-photos", mine.counted_photos ?? mine.photos, (mine.required || {}).photos || 0);
      }
      $("days-left").textContent = quotas.value.days_left ?? "–";
    }
    if (board.status === "fulfilled") {
      const units = board.value.units || [];
      const unit = units.find(u => u.unit === me.unit);
      const boardName = BOARD_NAMES[me.kind] || "单位";
      if (unit) { $("unit-points").textContent = unit.points; $("unit-rank").textContent = `单位积分 · ${boardName}第 ${unit.rank} 名（共 ${units.length}）`; }
    }
    if (scores.status === "fulfilled") {
      const people = scores.value.informants || [];
      const person = people.find(i => i.informant === me.informant);
      if (person) { $("my-points").textContent = person.points; $("my-rank").textContent = `我的积分 · 第 ${person.rank} 名`; }
    }
    // 约稿 topics come from the scoring component; a server without them answers 404: show nothing
    showTopics(topics.status === "fulfilled" ? openTopics(topics.value) : []);
    const failed = [quotas, scores, board].filter(r => r.status === "rejected");
    $("glance-note").hidden = !failed.length;
    $("glance-note").textContent = failed.length ? `部分数据暂时无法读取：${failed.map(f => f.reason.message).join("；")}` : "";
  }

  // --- photos chosen for the form -------------------------------------------------------------
  let photos = [];  // {file, caption, url, width, height, warning}
  const FORMATS = { jpeg: "JPEG", png: "PNG", webp: "WebP" };

  async function sniff(file) {
    const head = new Uint8Array(await file.slice(0, 12).arrayBuffer());
    if (head[0] === 0xFF && head[1] === 0xD8 && head[2] === 0xFF) return "jpeg";
    if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4E && head[3] === 0x47) return "png";
    const text = String.fromCharCode(...head);
    if (text.startsWith("RIFF") && text.slice(8, 12) === "WEBP") return "webp";
    return null;
  }

  function dimensions(url) {
    return new Promise(resolve => {
      const img = new Image();
      img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
      img.onerror = () => resolve(null);
      img.src = url;
    });
  }

  async function addFiles(files, captions = []) {
    const problems = [];
    for (const [index, file] of files.entries()) {
      if (photos.length >= limits.photos) { problems.push(`最多 ${limits.photos} 张照片，${file.name} 未加入`); continue; }
      if (photos.some(p => p.file.name === file.name && p.file.size === file.size && p.file.lastModified === file.lastModified)) continue;
      if (!file.size) { problems.push(`${file.name} 是空文件`); continue; }
      if (file.size > limits.photoBytes) { problems.push(`${file.name} 有 ${B.bytes(file.size)}，超过每张 ${B.bytes(limits.photoBytes)} 的上限`); continue; }
      const format = await sniff(file);
      if (!format) { problems.push(`${file.name} 不是 JPEG、PNG 或 WebP 图片`); continue; }
      const url = URL.createObjectURL(file);
      const size = await dimensions(url);
      if (!size) { URL.revokeObjectURL(url); problems.push(`${file.name} 无法打开，文件可能已损坏`); continue; }
      const short = Math.min(size.width, size.height);
      const warning = short < limits.minSide ? `短边 ${short} 像素，不足 ${limits.minSide}，审核时会被标出` : "";
      photos.push({ file, caption: captions[index] || "", url, format: FORMATS[format], ...size, warning });
    }
    showProblems(problems);
    renderPhotos();
    draftChanged();
  }

  function movePhoto(index, by) {
    const to = index + by;
    if (to < 0 || to >= photos.length) return;
    [photos[index], photos[to]] = [photos[to], photos[index]];
    renderPhotos();
    draftChanged();
    const buttons = $("photo-list").children[to].querySelectorAll(".tools button");
    (by < 0 ? buttons[0] : buttons[1]).focus();
  }

  function renderPhotos() {
    const list = $("photo-list");
    list.replaceChildren(...photos.map((photo, index) => {
      const captionId = `caption-${index}`;
      const caption = el("input", {
        id: captionId, type: "text", value: photo.caption, maxLength: limits.caption, autocomplete: "off",
        attrs: { placeholder: "例如：会议现场" },
        on: { input: e => { photo.caption = e.target.value; draftChanged(); } },
      });
      return el("li", { class: "photo-card" },
        el("img", { src: photo.url, alt: `照片预览：${photo.file.name}` }),
        el("span", { class: "file", text: `${index + 1}. ${photo.file.name} · ${photo.format} · ${photo.width}×${photo.height} · ${B.bytes(photo.file.size)}` }),
        photo.warning ? el("span", { class: "warn", text: photo.warning }) : null,
        el("label", { attrs: { for: captionId }, text: `照片 ${index + 1} 说明` }), caption,
        el("div", { class: "tools" },
          el("button", { type: "button", text: "上移", disabled: index === 0, attrs: { "aria-label": `上移照片 ${index + 1}` }, on: { click: () => movePhoto(index, -1) } }),
          el("button", { type: "button", text: "下移", disabled: index === photos.length - 1, attrs: { "aria-label": `下移照片 ${index + 1}` }, on: { click: () => movePhoto(index, 1) } }),
          el("button", { type: "button", text: "移除", attrs: { "aria-label": `移除照片 ${index + 1}：${photo.file.name}` }, on: { click: () => { URL.revokeObjectURL(photo.url); photos.splice(index, 1); renderPhotos(); draftChanged(); $("pick-photos").focus(); } } })));
    }));
  }

  const dropzone = $("dropzone");
  $("pick-photos").addEventListener("click", () => $("photo-input").click());
  $("photo-input").addEventListener("change", e => { addFiles([...e.target.files]); e.target.value = ""; });
  ["dragenter", "dragover"].forEach(type => dropzone.addEventListener(type, e => { e.preventDefault(); dropzone.classList.add("over"); }));
  ["dragleave", "dragend"].forEach(type => dropzone.addEventListener(type, () => dropzone.classList.remove("over")));
  dropzone.addEventListener("drop", e => {
    e.preventDefault();
    dropzone.classList.remove("over");
    addFiles([...(e.dataTransfer ? e.dataTransfer.files : [])]);
  });

  // --- the form --------------------------------------------------------------------------------
  const form = $("submit-form");
  let idempotencyKey = null;  // one per draft: a retry of the same draft reuses it
  let revising = null;  // the returned item being revised
  let inFlight = null;

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map(x => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** Any change to the draft makes it a new request: the next send gets a new key. */
  function draftChanged() {
    if (inFlight) return;
    idempotencyKey = null;
    $("retry").hidden = true;
  }

  function kind() { return form.querySelector("input[name=kind]:checked").value; }

  function counters() {
    for (const [id, max] of [["title", limits.title], ["body", limits.body]]) {
      const n = Array.from($(id).value).length;
      const counter = $(`${id}-count`);
      counter.textContent = `${n} / ${max} 字`;
      counter.classList.toggle("over", n > max);
    }
    $("body-label").textContent = kind() === "article" ? "正文" : "图片说明文字（可选）";
  }

  function showProblems(problems, fields = []) {
    $("form-problems").replaceChildren(...problems.map(p => el("li", { text: p })));
    form.querySelectorAll("[aria-invalid]").forEach(f => f.removeAttribute("aria-invalid"));
    fields.forEach(f => f.setAttribute("aria-invalid", "true"));
    if (fields.length) fields[0].focus();
  }

  function check() {
    const problems = [], fields = [];
    const title = $("title").value.trim(), body = $("body").value.trim();
    if (!title) { problems.push("标题不能为空"); fields.push($("title")); }
    if (Array.from(title).length > limits.title) { problems.push(`标题不能超过 ${limits.title} 字`); fields.push($("title")); }
    if (kind() === "article" && !body) { problems.push("文章正文不能为空"); fields.push($("body")); }
    if (Array.from(body).length > limits.body) { problems.push(`正文不能超过 ${limits.body} 字`); fields.push($("body")); }
    if (kind() === "photo" && !photos.length) { problems.push("图片稿至少要有一张照片"); fields.push($("pick-photos")); }
    photos.forEach((p, i) => { if (Array.from(p.caption).length > limits.caption) { problems.push(`照片 ${i + 1} 的说明不能超过 ${limits.caption} 字`); fields.push($(`caption-${i}`)); } });
    showProblems(problems, fields);
    return !problems.length;
  }

  function formData() {
    const data = new FormData();
    data.append("kind", kind());
    data.append("title", $("title").value.trim());
    if ($("body").value.trim()) data.append("body", $("body").value.trim());
    if ($("column").value) data.append("column", $("column").value);
    if ($("topic").value) data.append("topic", $("topic").value);
    for (const photo of photos) data.append("photos", photo.file, photo.file.name);
    for (const photo of photos) data.append("captions", photo.caption.trim());
    return data;
  }

  function result(message, kindOfMessage = "") {
    const box = $("send-result");
    box.replaceChildren(...(Array.isArray(message) ? message : [message]));
    box.className = `send-result ${kindOfMessage}`;
  }

  function busy(on) {
    $("send").disabled = on;
    $("abort").hidden = !on;
    if (on) $("progress-box").hidden = false;  // stays after the upload, showing how far it got
    form.setAttribute("aria-busy", on ? "true" : "false");
  }

  function send() {
    if (inFlight) return;
    if (!check()) return;
    if (!idempotencyKey) idempotencyKey = newKey();
    const path = revising ? `/api/submissions/${revising.id}/revision` : "/api/submissions";
    const xhr = new XMLHttpRequest();
    inFlight = xhr;
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", B.meta("csrf-token"));
    xhr.setRequestHeader("Idempotency-Key", idempotencyKey);
    xhr.upload.addEventListener("progress", e => {
      if (!e.lengthComputable) return;
      const percent = Math.round(e.loaded / e.total * 100);
      $("progress").value = percent;
      $("progress-text").textContent = `已上传 ${B.bytes(e.loaded)} / ${B.bytes(e.total)}（${percent}%）`;
    });
    xhr.addEventListener("load", () => finished(xhr));
    xhr.addEventListener("error", () => failed("网络连接中断"));
    xhr.addEventListener("timeout", () => failed("网络超时"));
    xhr.addEventListener("abort", () => failed("上传已取消"));
    $("progress").value = 0;
    $("progress-text").textContent = "正在上传…";
    result("");
    $("retry").hidden = true;
    busy(true);
    xhr.send(formData());
  }

  function failed(why) {
    inFlight = null;
    busy(false);
    $("retry").hidden = false;
    result(`${why}，稿件可能没有送达。点“重试”会用同一个报送编号再发一次：如果上次其实已经送达，也不会产生第二份稿件。`, "error");
    $("retry").focus();
  }

  function finished(xhr) {
    inFlight = null;
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    const status = xhr.status;
    if (status === 202 || status === 200) {
      const replayed = xhr.getResponseHeader("Idempotent-Replayed") === "true";
      busy(false);
      const id = body && body.id;
      result(replayed ? `稿件 #${id} 此前已经送达，这次重试没有产生第二份稿件。` : `已提交，稿件编号 #${id}，正在自动筛查，结果会显示在“本单位稿件”中。`, "ok");
      resetForm();
      loadItems({ fresh: id });
      return;
    }
    busy(false);
    const detail = B.describe(body && body.detail);
    if (status === 401) {
      $("retry").hidden = false;
      result([`登录已过期。请 `, el("a", { href: "/login", target: "_blank", text: "在新窗口重新登录" }), `，然后回到这里点“重试”，已填写的内容不会丢失。`], "error");
      return;
    }
    if (status === 0 || status >= 500 || status === 408 || status === 429) {
      failed(status ? `服务器暂时无法处理（${status}）` : "网络连接中断");
      return;
    }
    result(`未能提交：${detail}`, "error");  // the server's verdict: change the draft, then send again
  }

  function resetForm() {
    form.reset();
    photos.forEach(p => URL.revokeObjectURL(p.url));
    photos = [];
    renderPhotos();
    idempotencyKey = null;
    setRevising(null);
    counters();
  }

  form.addEventListener("submit", e => { e.preventDefault(); send(); });
  form.addEventListener("input", e => { if (!e.target.id.startsWith("caption-")) draftChanged(); counters(); });
  form.addEventListener("change", () => { draftChanged(); counters(); });
  $("retry").addEventListener("click", () => send());
  $("abort").addEventListener("click", () => { if (inFlight) inFlight.abort(); });

  // --- revising a returned item ----------------------------------------------------------------
  function setRevising(item) {
    revising = item;
    $("revising").hidden = !item;
    form.querySelectorAll("input[name=kind]").forEach(r => { r.disabled = !!item && r.value !== item.kind; });
    $("send").textContent = item ? "提交修改稿" : "提交报送";
    if (item) {
      $("revising-id").textContent = `#${item.id}「${item.title}」`;
      $("revising-reason").textContent = item.reason ? `退回理由：${item.reason}` : "";
    }
  }

  async function revise(item) {
    resetForm();
    setRevising(item);
    form.querySelector(`input[name=kind][value=${item.kind}]`).checked = true;
    $("title").value = item.title;
    $("body").value = item.body || "";
    $("column").value = item.column || "";
    if (item.topic) $("topic").value = item.topic;
    counters();
    $("compose").scrollIntoView({ behavior: "smooth", block: "start" });
    $("title").focus();
    const files = await Promise.all(item.photos.map(async (p, index) => {
      const response = await fetch(`/api/submissions/${item.id}/photos/${index}`, { credentials: "same-origin" });
      if (!response.ok) return null;
      const blob = await response.blob();
      return { file: new File([blob], p.filename || `photo-${index}.jpg`, { type: blob.type }), caption: p.caption || "" };
    }));
    const kept = files.filter(Boolean);
    await addFiles(kept.map(f => f.file), kept.map(f => f.caption));
    if (kept.length < item.photos.length) showProblems([`有 ${item.photos.length - kept.length} 张原照片未能取回，请重新选择`]);
  }

  $("revising-cancel").addEventListener("click", () => { resetForm(); $("title").focus(); });

  // --- the unit's submissions -----------------------------------------------------------------
  let offset = 0;
  let pollTimer = null;

  function field(label, text, findings) {
    return el("div", { class: "field-view" },
      el("h4", { class: "small muted", text: label }),
      el("div", { class: "text-block" }, B.highlight(text, findings)));
  }

  function findingsView(item) {
    const f = item.findings || [];
    return el("details", {},
      el("summary", { text: `筛查发现 ${f.length} 处（查看在文中标出的位置）` }),
      field("标题", item.title, B.findingsOf(f, "title")),
      item.body ? field("正文", item.body, B.findingsOf(f, "body")) : null,
      el("ul", { class: "findings" }, f.map(x => el("li", { class: x.action === "block" ? "block" : "" },
        el("strong", { text: B.findingLabel(x) }), " ",
        x.match ? el("span", { text: `「${x.match}」` }) : null,
        x.message ? el("span", { text: ` ${x.message}` }) : null,
        x.field && x.field.startsWith("captions") ? el("span", { class: "muted", text: `（照片 ${+x.field.slice(9, -1) + 1} 的说明）` }) : null))));
  }

  function itemView(item, fresh) {
    const status = item.status;
    const actions = el("div", { class: "actions" });
    if (status === "published" && item.url) actions.append(el("a", { href: item.url, text: "查看已发布页面", attrs: { target: "_blank", rel: "noopener" } }));
    if (status === "returned" && !(item.revisions || []).length) {
      actions.append(el("button", { type: "button", class: "return", text: "修改后重新提交", attrs: { "aria-label": `修改后重新提交：${item.title}` }, on: { click: () => revise(item) } }));
    }
    const links = [];
    if (item.revision_of) links.push(`修改稿（原稿 #${item.revision_of}）`);
    if ((item.revisions || []).length) links.push(`已重新提交为 #${item.revisions.join("、#")}`);
    return el("li", { class: `item ${status}${fresh ? " fresh" : ""}`, id: `item-${item.id}`, attrs: { "data-status": status } },
      el("div", { class: "item-head" },
        el("h3", { class: "item-title", text: item.title }),
        el("span", { class: `badge st-${status}`, text: B.STATUS[status] || status })),
      el("p", { class: "meta muted small", text: [`#${item.id}`, B.KIND[item.kind] || item.kind, item.informant_name, B.when(item.created_at), ...links, item.photos.length ? `${item.photos.length} 张照片` : ""].filter(Boolean).join(" · ") }),
      (status === "returned" || status === "rejected" || status === "retracted") && item.reason
        ? el("p", { class: "reason" }, el("strong", { text: status === "returned" ? "退回理由：" : status === "retracted" ? "撤稿理由：" : "不予采用理由：" }), item.reason) : null,
      status === "flagged" ? el("p", { class: "small muted", text: "自动筛查发现需要人工确认的内容，正在等待审核员处理。" }) : null,
      (item.findings || []).length ? findingsView(item) : null,
      actions.childNodes.length ? actions : null);
  }

  async function loadItems({ more = false, fresh = null } = {}) {
    if (!more) offset = 0;
    const status = $("status-filter").value;
    const params = new URLSearchParams({ limit: PAGE, offset });
    if (status) params.set("status", status);
    const data = await api(`/api/submissions?${params}`);
    const list = $("my-items");
    const views = data.items.map(item => itemView(item, item.id === fresh));
    if (more) list.append(...views); else list.replaceChildren(...views);
    offset += data.items.length;
    $("more").hidden = offset >= data.total;
    $("mine-total").textContent = `共 ${data.total} 份`;
    const unsettled = [...list.children].some(li => UNSETTLED.has(li.dataset.status));
    clearTimeout(pollTimer);
    if (unsettled) pollTimer = setTimeout(() => { if (!document.hidden) loadItems().catch(() => {}); else pollTimer = null; }, 5000);
  }

  $("status-filter").addEventListener("change", () => loadItems());
  $("refresh").addEventListener("click", () => { loadItems(); loadGlance(); });
  $("more").addEventListener("click", () => loadItems({ more: true }));
  document.addEventListener("visibilitychange", () => { if (!document.hidden && !pollTimer) loadItems().catch(() => {}); });

  counters();
  loadGlance().catch(e => B.toast(e.message, "error"));
  loadItems().catch(e => B.toast(e.message, "error"));
})();
