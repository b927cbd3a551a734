// The mock server's page: polls the control API every second and shows what the simulated
// provider did. Values from the log are inserted as text, never as markup.
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
// A control token, when the server needs one, comes in the address's fragment (/#token=...),
// which the browser never sends anywhere.
const TOKEN = new URLSearchParams(location.hash.slice(1)).get("token");
const FILTERS = ["event", "outcome", "subscription"];

let seen = 0;
const records = [];
let lastState = null;
let drawn = "";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === "") continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
const when = (iso) => iso ? iso.replace("T", " ").replace("Z", " UTC") : "—";
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
}
function headers(pairs) {
  return el("table", {class: "headers"},
    pairs.map(([name, value]) => el("tr", {}, el("th", {}, name + ":"), el("td", {}, value))));
}
function minutes(seconds) {
  const m = seconds / 60;
  return m >= 120 ? (m / 60).toFixed(1) + " h" : m.toFixed(1) + " min";
}
// An offset on a time axis: +0, +5 min, +1.4 h, +3 d.
function offset(seconds) {
  if (seconds < 1) return "+0";
  if (seconds < 60) return "+" + Math.round(seconds) + " s";
  if (seconds < 7200) return "+" + Number((seconds / 60).toFixed(1)) + " min";
  if (seconds < 172800) return "+" + Number((seconds / 3600).toFixed(1)) + " h";
  return "+" + Number((seconds / 86400).toFixed(1)) + " d";
}

// -- filters ---------------------------------------------------------------------------------

function filters() {
  const chosen = {};
  for (const name of FILTERS) chosen[name] = $("filter-" + name).value;
  return chosen;
}
function matches(d, chosen) {
  return (!chosen.event || d.event === chosen.event) &&
    (!chosen.outcome || d.outcome === chosen.outcome) &&
    (!chosen.subscription || d.subscription === chosen.subscription);
}
// The options of each filter: every value seen, and the one chosen (from the address) even if
// nothing has it yet.
function fillFilters() {
  for (const name of FILTERS) {
    const select = $("filter-" + name);
    const values = new Set(records.map((d) => d[name]));
    if (select.value) values.add(select.value);
    const have = new Set([...select.options].map((o) => o.value));
    for (const value of [...values].sort()) {
      if (!have.has(value)) select.append(el("option", {value: value}, value));
    }
  }
}
function applyFilters() {
  const chosen = filters();
  let shown = 0;
  for (const d of records) {
    const node = $("delivery-" + d.index);
    const visible = matches(d, chosen);
    if (node) node.hidden = !visible;
    if (visible) shown += 1;
  }
  const filtered = FILTERS.some((name) => chosen[name]);
  $("shown").textContent = filtered ? shown + " of " + records.length + " shown" : "";
  drawTimeline();
}
function readFiltersFromAddress() {
  const query = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const value = query.get(name);
    if (!value) continue;
    const select = $("filter-" + name);
    select.append(el("option", {value: value}, value));
    select.value = value;
  }
}
function writeFiltersToAddress() {
  const query = new URLSearchParams();
  const chosen = filters();
  for (const name of FILTERS) if (chosen[name]) query.set(name, chosen[name]);
  const search = query.toString();
  history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + location.hash);
}

// -- the time axis ---------------------------------------------------------------------------

// Rows: one per delivery chain, and one per subscription for its URL validations.
function rows(state, chosen) {
  const chains = new Map();
  for (const d of records) {
    const key = d.event === "endpoint.url_validation" ? "validation:" + d.subscription : d.chain;
    if (!chains.has(key)) chains.set(key, []);
    chains.get(key).push(d);
  }
  const found = [];
  for (const [key, attempts] of chains) {
    const first = attempts[0];
    const last = attempts[attempts.length - 1];
    const validation = key.startsWith("validation:");
    if (chosen.event && first.event !== chosen.event) continue;
    if (chosen.subscription && first.subscription !== chosen.subscription) continue;
    if (chosen.outcome && !attempts.some((d) => d.outcome === chosen.outcome)) continue;
    const due = [];
    for (const job of state ? state.pending : []) {
      if (job.subscription !== first.subscription) continue;
      if (validation && job.kind === "revalidation") due.push(job);
      if (!validation && job.kind === "retry" && last.retry_due !== null &&
          Math.abs(job.due - last.retry_due) < 1e-6) due.push(job);
    }
    found.push({key, validation, attempts, due, first, last});
  }
  return found;
}

function drawRow(row, now) {
  const width = 760, left = 14, right = 60, base = 16;
  const start = row.first.sent_at;
  let end = Math.max(row.last.sent_at, ...row.due.map((job) => job.due));
  if (end - start < 60) end = start + 300;  // a single point sits at the start of 5 minutes
  const x = (t) => (left + (t - start) / (end - start) * (width - left - right)).toFixed(1);
  const chart = svg("svg", {class: "axis", viewBox: "0 0 " + width + " 46",
                            role: "img", "aria-label": "attempts on provider time"});
  chart.append(svg("line", {class: "base", x1: left, y1: base, x2: width - right, y2: base}));
  for (const job of row.due) {
    chart.append(svg("line", {class: "wait", x1: x(row.last.sent_at), y1: base,
                              x2: x(job.due), y2: base}));
    const mark = svg("circle", {class: "due " + job.kind, cx: x(job.due), cy: base, r: 6,
                                "data-kind": job.kind, "data-at": Math.round(job.due - start)});
    mark.append(svg("title", {}, job.description + " due " + when(job.due_iso)));
    chart.append(mark);
    chart.append(svg("text", {class: "mark", x: x(job.due), y: base + 24},
                     offset(job.due - start) + " due"));
  }
  for (const d of row.attempts) {
    const verdict = d.acknowledged ? "ok" : "fail";
    const mark = svg("circle", {class: "attempt " + verdict, cx: x(d.sent_at), cy: base, r: 6,
                                "data-index": d.index, "data-attempt": d.attempt,
                                "data-outcome": d.outcome,
                                "data-at": Math.round(d.sent_at - start)});
    mark.append(svg("title", {}, "#" + d.index + " attempt " + d.attempt + ": " + d.outcome +
                    (d.status === null ? "" : " " + d.status) + " at " + when(d.sent_at_iso)));
    chart.append(mark);
    chart.append(svg("text", {class: "mark", x: x(d.sent_at), y: base + 24},
                     offset(d.sent_at - start)));
  }
  if (now >= start && now <= end) {
    chart.append(svg("line", {class: "now", x1: x(now), y1: 4, x2: x(now), y2: base + 10}));
  }
  const outcome = row.last.acknowledged ? "acknowledged"
    : row.due.length ? (row.validation ? "re-validation due" : "retry due")
    : row.last.dropped ? "dropped" : row.last.outcome;
  const title = row.validation
    ? "URL validations of " + row.first.subscription
    : row.first.event + " → " + row.first.subscription;
  return el("div", {class: "chain", "data-chain": row.key, "data-event": row.first.event,
                    "data-subscription": row.first.subscription, "data-state": outcome},
    el("div", {class: "chain-title"}, el("span", {class: "event"}, title), " · ",
       row.attempts.length + (row.attempts.length === 1 ? " attempt" : " attempts") +
       " from " + when(row.first.sent_at_iso) + " · ",
       el("span", {class: row.last.acknowledged ? "ok" : "fail"}, outcome)),
    chart);
}

function drawTimeline() {
  const chosen = filters();
  const key = JSON.stringify([records.length, lastState && lastState.pending,
                              lastState && lastState.now, chosen]);
  if (key === drawn) return;
  drawn = key;
  const now = lastState ? lastState.now : 0;
  const found = rows(lastState, chosen);
  $("timeline").replaceChildren(...found.map((row) => drawRow(row, now)));
  if (!found.length) $("timeline").append(el("p", {class: "muted"}, "nothing to draw"));
}

// -- the log and the state -------------------------------------------------------------------

function renderDelivery(d) {
  const verdict = d.acknowledged ? "ok" : "fail";
  const status = d.status === null ? "no response" : String(d.status);
  const summary = el("summary", {},
    el("span", {class: "muted"}, "#" + d.index + " "),
    el("span", {class: "event"}, d.event), " → ", el("span", {class: "target"}, d.target), " · ",
    el("span", {class: "status " + verdict}, status), " ",
    el("span", {class: "outcome " + verdict}, d.outcome), " · ",
    el("span", {class: "timing"}, d.elapsed_ms.toFixed(1) + " ms"), " · ",
    el("span", {class: "attempt"}, "attempt " + d.attempt),
    d.next_step ? el("span", {class: "next"}, " · next: " + d.next_step) : "");
  const response = d.response
    ? [el("h4", {}, "Response: " + d.response.status + " " + d.response.reason),
       headers(d.response.headers),
       el("pre", {}, pretty(d.response.body) || "(empty body)")]
    : [el("h4", {class: "fail"}, "No response")];
  return el("details", {class: "delivery " + verdict, id: "delivery-" + d.index,
                        "data-event": d.event, "data-outcome": d.outcome,
                        "data-subscription": d.subscription},
    summary,
    el("p", {class: "muted"}, "Sent " + when(d.sent_at_iso) + " (provider time) to " +
       d.subscription + " · deadline " + d.deadline_s + " s · chain " + d.chain),
    d.error ? el("pre", {class: "fail"}, d.error) : "",
    d.notes.map((note) => el("p", {class: "fail"}, note)),
    el("h4", {}, "Request: " + d.request.method + " " + d.request.url),
    headers(d.request.headers),
    el("pre", {}, pretty(d.request.body)),
    response);
}

function renderProvider(name) {
  // The page knows no provider: its name comes from the state.
  if (document.body.dataset.provider === name) return;
  document.body.dataset.provider = name;
  document.title = "hookmock · mock " + name + " server";
  document.querySelector("h1").textContent = document.title;
}

function renderState(state) {
  renderProvider(state.provider);
  $("summary").textContent = "Serving " + state.server_url + " · " + state.provider +
    " · seed " + state.seed +
    (state.oauth ? " · OAuth client id " + state.oauth.client_id + " at " +
                   state.oauth.token_url : "") +
    " · deadline " + state.deadline_s + " s";
  $("now").textContent = when(state.now_iso);
  $("subscriptions").tBodies[0].replaceChildren(...state.subscriptions.map((s) => el("tr", {},
    el("td", {}, s.name), el("td", {}, s.url),
    el("td", {}, s.events === null ? "every event" : s.events.join(", ")),
    el("td", {class: s.active ? "ok" : "fail"},
       s.active ? "active" : "disabled", s.failures ? " (" + s.failures + " failed)" : ""),
    el("td", {}, when(s.validated_at_iso)), el("td", {class: "muted"}, s.id))));
  $("no-subscriptions").hidden = state.subscriptions.length > 0;
  $("pending").replaceChildren(...state.pending.map((job) => el("li", {},
    when(job.due_iso) + " (in " + minutes(job.in_seconds) + "): " + job.description)));
  if (!state.pending.length) $("pending").append(el("li", {class: "muted"}, "nothing scheduled"));
  $("faults").replaceChildren(...state.faults.map((f) => el("li", {},
    f.kind + " · the next attempt to " + (f.subscription === null ? "any subscription"
                                          : f.subscription))));
  if (!state.faults.length) $("faults").append(el("li", {class: "muted"}, "none"));
  $("notices").replaceChildren(...state.notices.map((n) => el("li", {},
    when(n.at_iso) + " · " + n.subscription + ": " + n.message)));
  if (!state.notices.length) $("notices").append(el("li", {class: "muted"}, "none"));
  $("delivery-count").textContent = "(" + state.deliveries + ")";
  $("no-deliveries").hidden = state.deliveries > 0;
}

async function call(url, options) {
  const sent = Object.assign({}, options || {});
  sent.headers = Object.assign({}, sent.headers || {});
  if (TOKEN) sent.headers["X-Hookmock-Control-Token"] = TOKEN;
  const answer = await fetch(url, sent);
  const body = await answer.json();
  if (answer.status === 401) {
    throw new Error(body.message + " (this page reads the token from its address: " +
                    location.origin + "/#token=<token>)");
  }
  if (!answer.ok) throw new Error(body.message || answer.statusText);
  return body;
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const state = await call("/_hookmock/state");
    if (state.deliveries < seen) {
      seen = 0;
      records.length = 0;
      $("deliveries").replaceChildren();
    }
    lastState = state;
    renderState(state);
    if (state.deliveries > seen) {
      const list = await call("/_hookmock/deliveries?since=" + seen);
      const chosen = filters();
      for (const delivery of list.deliveries) {
        records.push(delivery);
        const node = renderDelivery(delivery);
        node.hidden = !matches(delivery, chosen);
        $("deliveries").prepend(node);
      }
      // Numbered by the server: past its max_deliveries, the first ones are no longer listed.
      if (list.deliveries.length) seen = list.deliveries[list.deliveries.length - 1].index;
      const newest = [...$("deliveries").children].find((node) => !node.hidden);
      if (newest) newest.open = true;
      fillFilters();
    }
    applyFilters();
    $("connection").textContent = "";
  } catch (error) {
    $("connection").textContent = "Cannot read the server's state: " + error.message;
  } finally {
    refreshing = false;
  }
}

async function act(url, body, done) {
  try {
    const result = await call(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify(body || {})});
    $("message").className = "ok";
    $("message").textContent = done(result);
  } catch (error) {
    $("message").className = "fail";
    $("message").textContent = error.message;
  }
  refresh();
}

$("trigger-form").addEventListener("submit", (e) => {
  e.preventDefault();
  let overrides = {};
  try { overrides = JSON.parse($("overrides").value.trim() || "{}"); } catch (error) {
    $("message").className = "fail";
    $("message").textContent = "The overrides are not JSON: " + error.message;
    return;
  }
  act("/_hookmock/trigger", {event: $("event").value.trim(), overrides},
      (r) => "Sent " + r.event + ": " + r.deliveries.map((d) => d.outcome).join(", "));
});
for (const button of document.querySelectorAll("[data-advance]")) {
  button.addEventListener("click", () => act("/_hookmock/clock/advance",
    {seconds: Number(button.dataset.advance)},
    (r) => "Provider time is " + when(r.now_iso) + "; " + r.deliveries.length + " deliveries"));
}
$("idle").addEventListener("click", () => act("/_hookmock/run-until-idle", {},
  (r) => "Idle at " + when(r.now_iso) + "; " + r.deliveries.length + " deliveries"));
$("reset").addEventListener("click", () => act("/_hookmock/reset", {}, () => "Reset"));
$("filters").addEventListener("change", () => { writeFiltersToAddress(); applyFilters(); });
$("filters").addEventListener("submit", (e) => e.preventDefault());
readFiltersFromAddress();
call("/_hookmock/events").then((r) => {
  $("event-names").replaceChildren(...r.events.map((name) => el("option", {value: name})));
  // The page starts on the provider's first event.
  if (r.events.length && !r.events.includes($("event").value)) $("event").value = r.events[0];
}).catch(() => {});
refresh();
setInterval(refresh, 1000);
