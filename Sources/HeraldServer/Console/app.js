// Herald console: pages over the same API as everyone else. Every value is put in the page as text (textContent),
// never as HTML; the API key stays in this tab's sessionStorage and goes in the Authorization header only.
"use strict";

const state = { key: sessionStorage.getItem("herald.key"), role: null, name: null, templates: null };
const STATUSES = ["queued", "deferred", "retry", "disabled", "sending", "sent", "delivered", "failed", "expired", "cancelled"];
const WAITING = new Set(["queued", "deferred", "retry", "disabled"]);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Authorization": "Bearer " + state.key, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { json = null; }
  if (!response.ok) {
    const error = new Error((json && (json.detail || json.title)) || text || response.statusText);
    error.status = response.status;
    throw error;
  }
  return json;
}

function problem(view, error) {
  view.replaceChildren(el("p", { class: "error", role: "alert", text: error.message }));
}

// Sign in and out.

async function signIn(key) {
  state.key = key;
  const me = await api("GET", "/v1/me");
  if (!["admin", "author", "staff"].includes(me.role)) {
    throw new Error(`a ${me.role} key cannot open the console: use an author, staff or admin key`);
  }
  state.role = me.role;
  state.name = me.name;
  state.studioWrites = Boolean(me.studioWrites);
  sessionStorage.setItem("herald.key", key);
}

function signOut() {
  sessionStorage.removeItem("herald.key");
  state.key = null;
  state.role = null;
  location.hash = "";
  show();
}

async function show() {
  const form = document.getElementById("signin");
  const nav = document.getElementById("nav");
  const out = document.getElementById("signout");
  if (state.key && !state.role) {
    try { await signIn(state.key); } catch (_) { sessionStorage.removeItem("herald.key"); state.key = null; }
  }
  const signedIn = Boolean(state.role);
  form.hidden = signedIn;
  nav.hidden = !signedIn;
  out.hidden = !signedIn;
  document.getElementById("who").textContent = signedIn ? `${state.name} (${state.role})` : "";
  if (signedIn) route(); else document.getElementById("view").replaceChildren();
}

// Pages by address: #studio, #messages, #messages/ID, #people, #people/ID, #stats.

function route() {
  const [page, ...rest] = (location.hash.slice(1) || "studio").split("/");
  const arg = rest.length ? decodeURIComponent(rest.join("/")) : null;
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.view === page);
  const view = document.getElementById("view");
  view.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
  const pages = { studio, messages, people, stats };
  (pages[page] || studio)(view, arg).catch((error) => problem(view, error));
}

// The template studio: everything shown comes from POST /v1/templates/{id}/preview.

async function studio(view) {
  if (!state.templates) state.templates = (await api("GET", "/v1/templates")).templates;
  const templates = state.templates;
  const locales = [...new Set(templates.flatMap((t) => t.locales))].sort();
  const template = el("select", { id: "template" }, templates.map((t) => el("option", { value: t.template.id, text: t.template.id })));
  const locale = el("select", { id: "locale" },
    locales.map((l) => el("option", { value: l, text: l })), el("option", { value: "", text: "all, side by side" }));
  locale.value = locales.includes("fr") ? "fr" : locales[0];
  const zone = el("input", { id: "timezone", value: "Africa/Tunis", size: 18 });
  const params = el("div", { id: "params", class: "row" });
  const draft = el("textarea", { id: "draft", spellcheck: "false", "aria-label": "message text" });
  const reset = el("button", { id: "reset", type: "button", class: "quiet", text: "Back to the catalog's text" });
  const draftBox = el("div", { class: "card" },
    el("h2", { text: "Message text (ICU MessageFormat), a draft: the files in Locales/ stay the source" }), draft,
    el("div", { class: "row" }, reset));
  const description = el("p", { class: "muted" });
  const out = el("div", { id: "previews", class: "grid" });
  view.replaceChildren(
    el("div", { class: "card" }, el("h1", { text: "Template studio" }), description,
      el("div", { class: "row" }, el("label", {}, "Template", template), el("label", {}, "Locale", locale),
        el("label", {}, "Recipient's time zone", zone)),
      el("h3", { text: "Parameters" }), params),
    draftBox, out);

  let sequence = 0;
  let timer = null;
  let edited = false;
  const values = {};
  async function preview({ fresh = false } = {}) {
    const mine = ++sequence;
    const body = { timeZone: zone.value.trim() || "UTC" };
    if (locale.value) body.locale = locale.value;
    if (!fresh) body.params = { ...values };
    if (locale.value && edited) body.text = draft.value;
    let answer;
    try {
      answer = await api("POST", `/v1/templates/${encodeURIComponent(template.value)}/preview`, body);
    } catch (error) {
      if (mine === sequence) out.replaceChildren(el("p", { class: "error", role: "alert", text: error.message }));
      return;
    }
    if (mine !== sequence) return;
    description.textContent = `${answer.description || ""} Budget: ${answer.budget} segment${answer.budget === 1 ? "" : "s"}.`;
    if (fresh) {
      for (const k of Object.keys(values)) delete values[k];
      for (const p of answer.parameters) values[p.name] = p.value;
      params.replaceChildren(...answer.parameters.map((p) => parameterField(p, values, schedule)));
    }
    draftBox.hidden = !locale.value;
    if (!edited && answer.locales.length === 1) draft.value = answer.locales[0].source || "";
    out.replaceChildren(...answer.locales.map((l) => localePreview({ ...l, template: answer.template })));
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(() => preview(), 200); }
  template.addEventListener("change", () => { edited = false; preview({ fresh: true }); });
  locale.addEventListener("change", () => { edited = false; preview(); });
  zone.addEventListener("change", () => preview({ fresh: true }));
  draft.addEventListener("input", () => { edited = true; schedule(); });
  reset.addEventListener("click", () => { edited = false; preview(); });
  await preview({ fresh: true });
}

function parameterField(p, values, changed) {
  const hint = [p.type, p.currency, p.max !== undefined ? `max ${p.max}` : null,
    p.maxLength !== undefined ? `up to ${p.maxLength} characters` : null].filter(Boolean).join(", ");
  let input;
  if (p.values) {
    input = el("select", { name: p.name }, p.values.map((v) => el("option", { value: v, text: v })));
  } else {
    input = el("input", { name: p.name, size: p.type === "datetime" ? 26 : 16 });
  }
  input.value = p.value;
  input.addEventListener("input", () => { values[p.name] = input.value; changed(); });
  return el("label", { title: p.description || "" }, `${p.name} (${hint})`, input);
}

function localePreview(l) {
  const card = el("article", { class: "card locale", "data-locale": l.locale });
  const head = el("h2", {}, `${l.locale}`, l.messageLocale && l.messageLocale !== l.locale ? ` (falls back to ${l.messageLocale})` : "");
  card.append(head);
  if (l.rendered) {
    const r = l.rendered;
    const next = r.segments + 1;
    card.append(el("p", {},
      el("span", { class: `badge ${r.encoding}`, id: `encoding-${l.locale}`, text: r.encoding }), " ",
      el("span", { class: "segments", text: `${r.segments} segment${r.segments === 1 ? "" : "s"}` }),
      `, ${r.units} ${r.unitName}; ${r.room} more before segment ${next}`));
    card.append(el("h3", { text: "What the phone receives" }));
    for (const part of r.parts) {
      card.append(el("div", { class: "part" },
        r.parts.length > 1 ? el("div", { class: "label", text: `part ${part.index} · ${part.units} ${r.unitName}` }) : null,
        el("div", { class: "sms", text: part.text })));
    }
    if (r.characters.length) {
      card.append(el("h3", { text: `Characters outside GSM-7 (the text as written would be ${r.rawEncoding}, ${r.rawSegments} segment${r.rawSegments === 1 ? "" : "s"})` }));
      const codePoint = (text) => `U+${text.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      // A space or an invisible character is shown by its code point, so it can be seen.
      const visible = (text) => (/^[\p{White_Space}\p{Cf}]+$/u.test(text) ? `⟨${codePoint(text)}⟩` : text);
      card.append(el("div", { class: "sms raw" }, r.raw.map((run) => run.ucs2
        ? el("mark", { class: "ucs2", title: codePoint(run.text), "data-char": run.text, text: visible(run.text) })
        : run.text)));
      card.append(el("table", { class: "characters" },
        el("tr", {}, el("th", { text: "character" }), el("th", { text: "code point" }), el("th", { text: "times" }),
          el("th", { text: "GSM-7 stand-in (used when it makes the whole message GSM-7)" })),
        r.characters.map((c) => el("tr", {},
          el("td", { class: "char", "data-char": c.character, text: visible(c.character) }), el("td", { text: c.codePoint }), el("td", { text: c.count }),
          el("td", { class: c.replacement === undefined ? "warning" : "" },
            c.replacement === undefined ? "none: the message goes as UCS-2"
              : c.replacement === "" ? "(removed)" : c.replacement === " " ? "a space" : el("code", { text: c.replacement }))))));
    }
    for (const w of r.warnings) card.append(el("p", { class: "warning", text: w }));
  } else if (l.error) {
    card.append(el("p", { class: "error", role: "alert", text: l.error }));
  }
  if (l.worstCase) {
    const w = l.worstCase;
    const over = w.segments > w.budget;
    card.append(el("p", {}, "Worst case: ",
      el("span", { class: `badge ${over ? "over" : ""}`, text: `${w.segments} of ${w.budget} segments` }),
      ` (${w.encoding}, ${w.units} units; ${w.segmentsIfUCS2} if a value brings a character outside GSM-7)`));
  }
  if (l.diagnostics.length) {
    card.append(el("h3", { text: "Catalog check" }));
    card.append(el("ul", { class: "diagnostics" }, l.diagnostics.map((d) => el("li", { class: d.severity },
      `${l.draft && d.file === l.file ? "draft" : d.file}${d.line ? `:${d.line}` : ""}${d.column ? `:${d.column}` : ""}: ${d.severity}: ${d.message}`))));
  }
  if (l.yaml) {
    card.append(el("h3", { text: `To keep it, paste this into ${l.file} under messages:` }));
    card.append(el("pre", { class: "yaml", text: l.yaml }));
    if (state.studioWrites) {
      const result = el("p", { class: "write-result", role: "status" });
      const write = el("button", { type: "button", class: "write", text: `Write it into ${l.file}` });
      write.addEventListener("click", async () => {
        try {
          const done = await api("PUT", `/v1/templates/${encodeURIComponent(l.template)}/messages/${encodeURIComponent(l.locale)}`,
            { text: l.source });
          result.className = "write-result good";
          result.textContent = `Written to ${done.file}; ${done.note}.`;
        } catch (error) {
          result.className = "write-result error";
          result.textContent = error.message;
        }
      });
      card.append(el("div", { class: "row" }, write), result);
    }
  }
  return card;
}

// Messages: the log with filters, and one message's whole story.

async function messages(view, id) {
  if (id) return story(view, id);
  const status = el("select", { id: "status" }, el("option", { value: "", text: "any" }), STATUSES.map((s) => el("option", { value: s, text: s })));
  const template = el("input", { id: "f-template", placeholder: "template" });
  const contact = el("input", { id: "f-contact", placeholder: "person id" });
  const since = el("input", { id: "f-since", placeholder: "24h, 7d or a date", size: 14 });
  const table = el("div");
  const form = el("form", { class: "row" },
    el("label", {}, "Status", status), el("label", {}, "Template", template), el("label", {}, "Person", contact),
    el("label", {}, "Since", since), el("button", { type: "submit", text: "Show" }));
  async function load() {
    const q = new URLSearchParams({ limit: "100" });
    if (status.value) q.set("status", status.value);
    if (template.value.trim()) q.set("template", template.value.trim());
    if (contact.value.trim()) q.set("contact", contact.value.trim());
    if (since.value.trim()) q.set("since", since.value.trim());
    try {
      const list = (await api("GET", `/v1/messages?${q}`)).messages;
      table.replaceChildren(messageTable(list));
    } catch (error) { problem(table, error); }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  view.replaceChildren(el("div", { class: "card" }, el("h1", { text: "Messages" }), form, table));
  await load();
}

function messageTable(list) {
  if (!list.length) return el("p", { class: "muted", text: "No message matches." });
  return el("table", { id: "message-list" },
    el("tr", {}, ["id", "created", "status", "template", "person", "locale", "cost", "text"].map((h) => el("th", { text: h }))),
    list.map((m) => el("tr", { class: "clickable", "data-id": m.id, onclick: () => { location.hash = `messages/${m.id}`; } },
      el("td", { text: m.id }), el("td", { text: m.createdAt }), el("td", { text: m.status }), el("td", { text: m.template }),
      el("td", { text: m.contact }), el("td", { text: m.locale }), el("td", { text: `${m.encoding}, ${m.segments}` }),
      el("td", { text: m.text.length > 80 ? m.text.slice(0, 80) + "…" : m.text }))));
}

async function story(view, id) {
  const { message: m, attempts, reports } = await api("GET", `/v1/messages/${encodeURIComponent(id)}`);
  const explained = await api("GET", `/v1/events/${encodeURIComponent(m.event)}`).catch(() => null);
  const decision = explained && explained.decisions.find((d) => d.messageID === m.id);
  const facts = [["status", m.status + (m.reason ? ` (${m.reason})` : "")], ["template", m.template], ["person", m.contact],
    ["phone", m.phone], ["locale", `${m.locale}, ${m.timeZone}`], ["cost", `${m.encoding}, ${m.segments} segment(s), ${m.units} units`],
    ["event", m.event], ["created", m.createdAt], ["due", m.dueAt], ["worth sending until", m.expiresAt],
    ["sent", m.sentAt], ["provider id", m.providerID], ["last error", m.lastError]].filter(([, v]) => v !== undefined && v !== null);
  view.replaceChildren(
    el("div", { class: "card", id: "story" },
      el("h1", { text: `Message ${m.id}` }),
      el("p", {}, el("a", { href: "#messages", text: "← all messages" })),
      el("div", { class: "sms", text: m.text }),
      el("table", {}, facts.map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v })))),
      el("h3", { text: "Why: the rules and the policy" }),
      explained && explained.rules ? el("table", { class: "rules" },
        el("tr", {}, el("th", { text: "rule" }), el("th", { text: "matched" }), el("th", { text: "how" })),
        explained.rules.map((r) => el("tr", {}, el("td", { text: r.template }),
          el("td", { class: r.matched ? "good" : "muted", text: r.matched ? "yes" : "no" }), el("td", { text: r.notes.join("; ") }))))
        : null,
      decision ? el("p", {}, `Decision: ${decision.action}${decision.reason ? ` (${decision.reason})` : ""} — ${decision.detail || ""}`) : el("p", { class: "muted", text: "No decision found for this message." }),
      decision ? traceTable(decision.trace) : null,
      el("h3", { text: "Attempts" }),
      attempts.length ? el("table", {},
        el("tr", {}, ["#", "started", "sender", "outcome", "HTTP", "latency", "result", "note"].map((h) => el("th", { text: h }))),
        attempts.map((a) => el("tr", {}, el("td", { text: a.number }), el("td", { text: a.startedAt }), el("td", { text: a.sender }),
          el("td", { text: a.outcome }), el("td", { text: a.httpStatus ?? "" }), el("td", { text: `${a.latencyMs} ms` }),
          el("td", { text: a.result }), el("td", { text: a.error || a.providerID || "" }))))
        : el("p", { class: "muted", text: "Not handed to a provider yet." }),
      el("h3", { text: "Delivery reports" }),
      (reports || []).length ? el("table", { class: "reports" },
        el("tr", {}, ["received", "status", "error code", "reference"].map((h) => el("th", { text: h }))),
        reports.map((r) => el("tr", {}, el("td", { text: r.receivedAt }), el("td", { text: r.status }),
          el("td", { text: r.errorCode || "" }), el("td", { text: r.reference }))))
        : el("p", { class: "muted", text: "No delivery report yet." })));
}

function traceTable(trace) {
  return el("table", { class: "trace" }, trace.map((t) => el("tr", {},
    el("td", { text: t.check }), el("td", { class: t.outcome === "fail" ? "error" : t.outcome === "pass" ? "good" : "muted", text: t.outcome }),
    el("td", { text: t.detail }))));
}

// People: preferences, what Herald decided for their recent events and why, their waiting messages.

async function people(view, id) {
  const input = el("input", { id: "person", placeholder: "person id, e.g. crm-1042", value: id || "" });
  const form = el("form", { class: "row" }, el("label", {}, "Person", input), el("button", { type: "submit", text: "Open" }));
  form.addEventListener("submit", (e) => { e.preventDefault(); location.hash = `people/${encodeURIComponent(input.value.trim())}`; });
  const body = el("div");
  view.replaceChildren(el("div", { class: "card" }, el("h1", { text: "People" }), form), body);
  if (!id) return;
  const [prefs, history, waiting] = await Promise.all([
    api("GET", `/v1/contacts/${encodeURIComponent(id)}/preferences`),
    api("GET", `/v1/contacts/${encodeURIComponent(id)}/history?since=30d`),
    api("GET", `/v1/messages?contact=${encodeURIComponent(id)}&limit=100`),
  ]);
  body.replaceChildren(preferencesForm(id, prefs, view), historyCard(history),
    el("div", { class: "card" }, el("h2", { text: "Waiting messages" }),
      messageTable(waiting.messages.filter((m) => WAITING.has(m.status)))));
}

function preferencesForm(id, p, view) {
  const all = el("input", { type: "checkbox", id: "opt-out-all", checked: p.optedOutAll });
  const categories = p.categories.map((c) => el("label", {}, c,
    el("input", { type: "checkbox", name: "category", value: c, checked: p.optedOutCategories.includes(c) })));
  const language = el("input", { id: "language", value: p.language || "", size: 6 });
  const zone = el("input", { id: "pref-timezone", value: p.timeZone || "", size: 18 });
  const quiet = el("input", { id: "quiet-hours", value: p.quietHours || "", size: 12, placeholder: "21:00-08:00 or off" });
  const result = el("p", { id: "saved", role: "status" });
  const form = el("form", { class: "card", id: "preferences" },
    el("h2", { text: `Preferences of ${p.contact}` }),
    el("div", { class: "row" }, el("label", {}, "Opted out of everything", all)),
    el("div", { class: "row" }, el("span", { class: "muted", text: "Opted out of: " }), categories),
    el("div", { class: "row" },
      el("label", {}, `Language (${p.languageSource})`, language), el("label", {}, `Time zone (${p.timeZoneSource})`, zone),
      el("label", {}, `Quiet hours (${p.quietHoursSource})`, quiet), el("button", { type: "submit", text: "Save" })),
    result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const change = {
      optedOutAll: all.checked,
      optedOutCategories: [...form.querySelectorAll("input[name=category]:checked")].map((c) => c.value),
    };
    if (language.value.trim()) change.language = language.value.trim();
    if (zone.value.trim()) change.timeZone = zone.value.trim();
    if (quiet.value.trim()) change.quietHours = quiet.value.trim();
    try {
      const answer = await api("PUT", `/v1/contacts/${encodeURIComponent(id)}/preferences`, change);
      const cancelled = (answer.changes && answer.changes.cancelled) || 0;
      await people(view, id);
      document.getElementById("saved").textContent = `Saved.${cancelled ? ` ${cancelled} waiting message(s) cancelled.` : ""}`;
    } catch (error) {
      result.className = "error";
      result.textContent = error.message;
    }
  });
  return form;
}

function historyCard(h) {
  const events = h.events || [];
  return el("div", { class: "card", id: "history" }, el("h2", { text: "Recent events and what Herald decided" }),
    events.length ? events.map((e) => el("div", {},
      el("h3", { text: e.event }),
      e.decisions.map((d) => el("div", {},
        el("p", {}, `${d.template}: ${d.action}${d.reason ? ` (${d.reason})` : ""} — ${d.detail || ""}`),
        traceTable(d.trace || [])))))
      : el("p", { class: "muted", text: "No event for this person in the last 30 days." }));
}

// Statistics: charts drawn here as SVG from GET /v1/stats.

async function stats(view) {
  const since = el("select", { id: "stats-since" }, ["24h", "7d", "30d", "365d"].map((s) => el("option", { value: s, text: `last ${s}` })));
  since.value = "30d";
  const body = el("div", { class: "grid" });
  async function load() {
    try {
      const s = await api("GET", `/v1/stats?since=${since.value}`);
      body.replaceChildren(
        stackedCard("Messages by day (UTC) and status", s.byDay, true),
        chartCard("Segments by day (UTC)", Object.entries(s.segmentsByDay || {}), true),
        chartCard("Messages by status", Object.entries(s.byStatus)),
        stackedCard("Messages by template and status", s.byTemplate),
        stackedCard("Messages by locale and status", s.byLocale),
        chartCard("Attempts by outcome", [["accepted", s.attempts.accepted], ["transient", s.attempts.transient], ["permanent", s.attempts.permanent]]),
        el("div", { class: "card" }, el("h2", { text: "In short" }), el("table", {},
          [["messages", s.messages], ["segments", s.segments], ["handed over", s.handedOver],
            ["failed or expired", s.failedOrExpired], ["success rate", `${Math.round((s.successRate || 0) * 1000) / 10} %`]]
            .map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v }))))));
    } catch (error) { problem(body, error); }
  }
  since.addEventListener("change", load);
  view.replaceChildren(el("div", { class: "card" }, el("h1", { text: "Statistics" }), el("label", {}, "Period", since)), body);
  await load();
}

const COLORS = { sent: "#1e7b34", delivered: "#0b5cad", queued: "#7a8799", deferred: "#b38600", retry: "#d17a00",
  disabled: "#9aa5b1", sending: "#5b8fd1", failed: "#b3261e", expired: "#7d2a8c", cancelled: "#444b55" };

function svg(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Bars of several statuses each, one row a key (a day, a template, a locale), with the statuses' legend.
function stackedCard(title, by, chronological = false) {
  const rows = Object.entries(by || {}).map(([k, v]) => [k, v, Object.values(v).reduce((a, b) => a + b, 0)]);
  rows.sort(chronological ? (a, b) => (a[0] < b[0] ? -1 : 1) : (a, b) => b[2] - a[2]);
  const statuses = STATUSES.filter((st) => rows.some(([, v]) => v[st]));
  const max = Math.max(1, ...rows.map((r) => r[2]));
  const height = 22 * rows.length + 30;
  const chart = svg("svg", { class: "chart", width: "100%", viewBox: `0 0 420 ${height}`, role: "img", "aria-label": title });
  rows.forEach(([label, counts, total], i) => {
    const y = 5 + i * 22;
    chart.append(svg("text", { x: 0, y: y + 14 }, label));
    let x = 150;
    for (const st of statuses) {
      const w = ((counts[st] || 0) * 220) / max;
      if (w > 0) {
        const rect = svg("rect", { x, y, width: w, height: 16, fill: COLORS[st] || "#333" });
        rect.append(svg("title", {}, `${label}: ${counts[st]} ${st}`));
        chart.append(rect);
      }
      x += w;
    }
    chart.append(svg("text", { x: x + 5, y: y + 14 }, String(total)));
  });
  let lx = 0;
  for (const st of statuses) {
    chart.append(svg("rect", { x: lx, y: height - 18, width: 10, height: 10, fill: COLORS[st] || "#333" }));
    chart.append(svg("text", { x: lx + 14, y: height - 9 }, st));
    lx += 24 + st.length * 7;
  }
  return el("div", { class: "card" }, el("h2", { text: title }), rows.length ? chart : el("p", { class: "muted", text: "Nothing yet." }));
}

function chartCard(title, rows, chronological = false) {
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const height = 22 * rows.length + 10;
  const chart = svg("svg", { class: "chart", width: "100%", viewBox: `0 0 420 ${height}`, role: "img", "aria-label": title });
  rows.sort(chronological ? (a, b) => (a[0] < b[0] ? -1 : 1) : (a, b) => b[1] - a[1]).forEach(([label, value], i) => {
    const y = 5 + i * 22;
    chart.append(svg("text", { x: 0, y: y + 14 }, label));
    chart.append(svg("rect", { x: 150, y, width: Math.max(1, (220 * value) / max), height: 16, fill: "#0b5cad" }));
    chart.append(svg("text", { x: 155 + (220 * value) / max, y: y + 14 }, String(value)));
  });
  return el("div", { class: "card" }, el("h2", { text: title }), rows.length ? chart : el("p", { class: "muted", text: "Nothing yet." }));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = document.getElementById("signin-error");
    error.textContent = "";
    try {
      await signIn(document.getElementById("key").value.trim());
      document.getElementById("key").value = "";
      show();
    } catch (failure) {
      state.key = null;
      error.textContent = failure.message;
    }
  });
  document.getElementById("signout").addEventListener("click", signOut);
  window.addEventListener("hashchange", () => { if (state.role) route(); });
  show();
});
