/* What the desk and the queue share: calling the API from a signed-in page, labels in Chinese,
   and findings highlighted at their spans. No framework: the pages are small and must load fast
   on a county office's connection. */
"use strict";
(function () {
  const meta = name => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";

  class ApiFailure extends Error {
    constructor(status, detail) { super(describe(detail)); this.status = status; this.detail = detail; }
  }

  /** A problem the server reported, as one readable line (422 lists become one sentence). */
  function describe(detail) {
    if (detail == null) return "请求失败 (request failed)";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map(d => (d && d.message) || JSON.stringify(d)).join("；");
    return JSON.stringify(detail);
  }

  /** fetch() for a page signed in by cookie: the CSRF header on every change, JSON both ways. */
  async function api(path, options = {}) {
    const method = (options.method || "GET").toUpperCase();
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    let body = options.body;
    if (options.json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(options.json); }
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = meta("csrf-token");
    const response = await fetch(path, { method, headers, body, credentials: "same-origin", keepalive: !!options.keepalive });
    if (response.status === 401 && !options.allow401) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      throw new ApiFailure(401, "登录已过期 (signed out)");
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text }; }
    if (!response.ok) throw new ApiFailure(response.status, data && data.detail);
    return data;
  }

  /** el("p", {class: "x", text: "…", attrs: {...}, on: {click: fn}}, child, …) */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "attrs") for (const [a, v] of Object.entries(value)) { if (v != null && v !== false) node.setAttribute(a, v === true ? "" : v); }
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node[key] = value;
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const STATUS = {
    received: "已接收", screening: "筛查中", flagged: "待人工审核", approved: "已通过",
    published: "已发布", rejected: "不予采用", returned: "退回修改", retracted: "已撤稿",
  };
  const KIND = { article: "文章", photo: "图片" };
  const CATEGORY = {
    advertising: "广告推广", fraud: "虚假票据", gambling: "赌博", pornography: "色情",
    rumour: "谣言", politics: "政治敏感", photo: "照片问题", duplicate: "重复稿件",
  };
  const PATTERN = {
    qq: "QQ 号", mobile: "手机号码", landline: "固定电话", wechat: "微信号", email: "电子邮箱",
    link: "网址链接", solicit: "招揽联系", hotline: "服务热线",
  };
  const PHOTO_LIMIT = {
    max_bytes: "文件过大", format: "格式不允许", integrity: "文件损坏", min_side: "尺寸过小",
    max_pixels: "像素过多", max_side: "边长过大", missing: "文件丢失",
  };

  function categoryLabel(category) { return CATEGORY[category] || category || "其他"; }

  function ruleLabel(f) {
    const rule = f.rule || "";
    if (rule === "lexicon") return `词库「${f.entry || f.match || ""}」`;
    if (rule.startsWith("pattern:")) return PATTERN[rule.slice(8)] || rule;
    if (rule.startsWith("photo:")) return PHOTO_LIMIT[rule.slice(6)] || rule;
    if (rule.startsWith("duplicate")) return "与已有稿件重复";
    return rule || "规则";
  }

  function findingLabel(f) {
    const action = f.action === "block" ? "（拦截）" : "";
    const disguised = f.normalised_only ? "（变形写法）" : "";
    return `${categoryLabel(f.category)} · ${ruleLabel(f)}${action}${disguised}`;
  }

  /** The text with every finding on it marked at its span. Offsets count Unicode code points
      (as the server does), so a character outside the BMP does not shift the marks. */
  function highlight(text, findings) {
    const chars = Array.from(text || "");
    const spans = (findings || []).filter(f => Number.isInteger(f.start) && Number.isInteger(f.end)
      && f.end > f.start && f.start >= 0 && f.end <= chars.length);
    const cuts = new Set([0, chars.length]);
    spans.forEach(f => { cuts.add(f.start); cuts.add(f.end); });
    const points = [...cuts].sort((a, b) => a - b);
    const fragment = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i++) {
      const [from, to] = [points[i], points[i + 1]];
      const piece = chars.slice(from, to).join("");
      const covering = spans.filter(f => f.start <= from && f.end >= to);
      if (!covering.length) { fragment.append(piece); continue; }
      const categories = [...new Set(covering.map(f => f.category || "other"))];
      fragment.append(el("mark", {
        class: `hit cat-${categories[0]}${covering.some(f => f.action === "block") ? " block" : ""}`,
        text: piece,
        attrs: { title: covering.map(findingLabel).join("；"), "data-findings": covering.map(f => spans.indexOf(f)).join(" "), tabindex: "-1" },
      }));
    }
    return fragment;
  }

  /** Findings of one field: "title", "body", "captions[2]" or the photos (by index). */
  function findingsOf(findings, field, photo) {
    return (findings || []).filter(f => photo === undefined ? (f.field || "body") === field
      : f.field === "photos" && f.photo === photo);
  }

  function waited(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return "不到 1 分钟";
    const m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d) return `${d} 天 ${h % 24} 小时`;
    if (h) return `${h} 小时 ${m % 60} 分`;
    return `${m} 分钟`;
  }

  const zone = meta("timezone") || undefined;
  function when(iso) {
    if (!iso) return "";
    // as an office writes it, 12月2日 11:25 (Chromium's zh-CN short form is "12/2 11:25")
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false }).formatToParts(new Date(iso));
    const get = type => (parts.find(p => p.type === type) || {}).value || "";
    return `${+get("month")}月${+get("day")}日 ${get("hour")}:${get("minute")}`;
  }
  function monthOf(date = new Date()) {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit" }).formatToParts(date);
    const get = type => parts.find(p => p.type === type).value;
    return `${get("year")}-${get("month")}`;
  }

  function bytes(n) {
    if (n == null) return "";
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  let toastTimer = null;
  function toast(message, kind = "ok") {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.className = `toast show ${kind}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.className = "toast"; }, 6000);
  }

  /** Whether a key press is meant for a text field rather than a page shortcut. */
  function typing(event) {
    const t = event.target;
    return event.ctrlKey || event.metaKey || event.altKey || (t && (t.isContentEditable
      || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)));
  }

  window.Baosong = { api, ApiFailure, describe, el, STATUS, KIND, CATEGORY, categoryLabel, ruleLabel, findingLabel, highlight, findingsOf, waited, when, monthOf, bytes, toast, typing, meta };
})();
