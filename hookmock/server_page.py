"""The mock server's page at ``/``: subscriptions, scheduled retries and the delivery log of the
simulated Zoom, updating as events are sent, for a person debugging a receiver.

Plain HTML and a little JavaScript that polls the control API every second; no build step.
Values from the log are inserted as text, never as markup.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .server_state import ServerState

__all__ = ["PAGE", "page"]

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hookmock · mock Zoom server</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1d232a; }
  h1 { font-size: 1.3rem; margin: 1rem 0 .2rem; }
  h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; border-bottom: 1px solid #d8dde3; }
  h4 { margin: .6rem 0 .2rem; }
  table { border-collapse: collapse; }
  th, td { text-align: left; padding: .15rem .6rem .15rem 0; vertical-align: top; }
  table.headers th { font-weight: 500; color: #56606b; white-space: nowrap; }
  pre { background: #f4f6f8; padding: .5rem; overflow-x: auto; white-space: pre-wrap;
        word-break: break-all; margin: .2rem 0; max-height: 24rem; }
  .ok { color: #116329; } .fail { color: #a40e26; } .muted { color: #67707a; }
  details.delivery { border: 1px solid #d8dde3; border-left: 4px solid #116329;
                     border-radius: 4px; margin: .35rem 0; padding: .3rem .6rem; }
  details.delivery.fail { border-left-color: #a40e26; }
  summary { cursor: pointer; }
  .event, .status { font-weight: 600; }
  form, .controls { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: .4rem 0; }
  input { font: inherit; padding: .2rem .35rem; }
  #overrides { width: 22rem; }
  #message { min-height: 1.2rem; }
</style>
</head>
<body>
<header>
  <h1>hookmock · mock Zoom server</h1>
  <p id="summary" class="muted">Loading…</p>
  <p id="connection" class="fail" role="alert"></p>
</header>
<section aria-labelledby="send-title">
  <h2 id="send-title">Send an event</h2>
  <form id="trigger-form">
    <label>Event<br><input id="event" list="event-names" value="meeting.started" required></label>
    <label>Overrides (dotted paths, JSON)<br>
      <input id="overrides" placeholder='{"payload.object.topic": "Q3 review"}'></label>
    <button type="submit">Send to subscriptions</button>
  </form>
  <datalist id="event-names"></datalist>
  <div class="controls">
    <span>Provider time: <strong id="now">…</strong></span>
    <button type="button" data-advance="300">+5 min</button>
    <button type="button" data-advance="1200">+20 min</button>
    <button type="button" data-advance="3600">+60 min</button>
    <button type="button" data-advance="259200">+72 h</button>
    <button type="button" id="idle">Run until idle</button>
    <button type="button" id="reset">Reset</button>
  </div>
  <p id="message" role="status"></p>
</section>
<section aria-labelledby="subscriptions-title">
  <h2 id="subscriptions-title">Subscriptions</h2>
  <table id="subscriptions">
    <thead><tr><th>Name</th><th>URL</th><th>Events</th><th>Status</th><th>Validated</th>
      <th>ID</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="no-subscriptions" class="muted">None yet. A receiver subscribes with
    POST /v2/marketplace/app/event_subscription (after POST /oauth/token); Zoom first sends
    it a signed endpoint.url_validation challenge.</p>
</section>
<section aria-labelledby="pending-title">
  <h2 id="pending-title">Scheduled retries and re-validations</h2>
  <ul id="pending"></ul>
</section>
<section aria-labelledby="notices-title">
  <h2 id="notices-title">Notices to the app's owner</h2>
  <ul id="notices"></ul>
</section>
<section aria-labelledby="deliveries-title">
  <h2 id="deliveries-title">Deliveries <span id="delivery-count" class="muted"></span></h2>
  <p id="no-deliveries" class="muted">No delivery yet.</p>
  <div id="deliveries"></div>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let seen = 0;

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
                        "data-event": d.event, "data-outcome": d.outcome},
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

function renderState(state) {
  $("summary").textContent = "Serving " + state.server_url + " · seed " + state.seed +
    " · OAuth client id " + state.oauth.client_id + " at " + state.oauth.token_url +
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
  $("notices").replaceChildren(...state.notices.map((n) => el("li", {},
    when(n.at_iso) + " · " + n.subscription + ": " + n.message)));
  if (!state.notices.length) $("notices").append(el("li", {class: "muted"}, "none"));
  $("delivery-count").textContent = "(" + state.deliveries + ")";
  $("no-deliveries").hidden = state.deliveries > 0;
}

async function call(url, options) {
  const answer = await fetch(url, options);
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.message || answer.statusText);
  return body;
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const state = await call("/_hookmock/state");
    if (state.deliveries < seen) { seen = 0; $("deliveries").replaceChildren(); }
    renderState(state);
    if (state.deliveries > seen) {
      const list = await call("/_hookmock/deliveries?since=" + seen);
      for (const delivery of list.deliveries) $("deliveries").prepend(renderDelivery(delivery));
      seen += list.deliveries.length;
      const newest = $("deliveries").firstElementChild;
      if (newest) newest.open = true;
    }
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
call("/_hookmock/events").then((r) => $("event-names").replaceChildren(
  ...r.events.map((name) => el("option", {value: name})))).catch(() => {});
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
"""


def page(state: ServerState, request: Request) -> Response:
    return Response(
        PAGE,
        content_type="text/html; charset=utf-8",
        headers={
            # The page is the only script that runs; nothing is loaded from elsewhere.
            "Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
            "style-src 'unsafe-inline'",
            "Cache-Control": "no-store",
        },
    )
