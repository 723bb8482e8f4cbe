#include "mirror/service/status_page.h"

namespace mirror::service {

namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mirror</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
  header { background: #1b1f24; color: #fff; padding: 10px 20px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header span { color: #c9d1d9; }
  main { padding: 12px 20px; }
  .flow { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 0 0 14px; padding: 10px 14px; }
  .flow h2 { font-size: 16px; margin: 0 8px 6px 0; display: inline-block; }
  .facts { color: #57606a; margin-bottom: 8px; }
  .facts b { color: #1b1f24; font-weight: 600; }
  .badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; margin-right: 6px; }
  .ok { background: #dafbe1; color: #116329; } .warn { background: #fff8c5; color: #7d4e00; }
  .bad { background: #ffebe9; color: #a40e26; } .info { background: #ddf4ff; color: #0a3069; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
  th { color: #57606a; font-weight: 600; font-size: 12px; }
  td.n { text-align: right; }
  .error { color: #a40e26; margin: 4px 0 8px; white-space: pre-wrap; }
  #problem { display: none; background: #ffebe9; color: #a40e26; padding: 8px 20px; }
</style>
</head>
<body>
<header><h1>mirror</h1><span id="zone">node zone: …</span><span id="config"></span><span id="updated"></span></header>
<div id="problem"></div>
<main id="flows"><p>Loading /flows …</p></main>
<script>
"use strict";
const last = new Map();  // "flow/topic/partition" -> [time ms, replicated]
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
function badge(text, kind) { return el("span", {class: "badge " + kind, "data-badge": text}, text); }
const stateKind = s => s === "running" ? "ok" : (s === "failed" || s === "stalled") ? "bad" : "warn";
const modeKind = m => m === "follower" ? "ok" : m === "leader-fallback" ? "warn" : "info";
function fact(label, value) { return [label + " ", el("b", {}, value), "  "]; }
function render(doc, now) {
  document.getElementById("zone").textContent = "node zone: " + (doc.availability_zone || "unknown") +
      (doc.availability_zone_source ? " (" + doc.availability_zone_source + ")" : "");
  if (doc.config && doc.config.hash) {
    document.getElementById("config").textContent = "config " + String(doc.config.hash).slice(0, 12) +
        (doc.config.last_reload_error ? " (last reload refused)" : "");
  }
  document.getElementById("updated").textContent = "updated " + new Date(now).toLocaleTimeString();
  const main = document.getElementById("flows");
  const cards = [];
  for (const f of doc.flows) {
    const card = el("section", {class: "flow", "data-flow": f.name});
    card.append(el("h2", {}, f.name), badge(f.state, stateKind(f.state)),
                badge(f.fetch_mode, modeKind(f.fetch_mode)));
    if (f.fetch_paused) card.append(badge("fetch paused", "warn"));
    card.append(el("div", {class: "facts"},
        ...fact("from", f.source), ...fact("to", f.target),
        ...fact("client.rack", f.client_rack || "none"),
        ...fact("in flight", f.in_flight_records + " records"), ...fact("restarts", f.restarts)));
    if (f.last_error) card.append(el("div", {class: "error"}, f.last_error));
    const head = el("tr", {}, ...["topic", "partition", "target topic", "leader", "read from",
        "its rack", "", "lag", "records/s", "replicated"].map(h => el("th", {}, h)));
    const body = el("tbody");
    for (const p of f.partitions) {
      const key = f.name + "/" + p.topic + "/" + p.partition;
      const before = last.get(key);
      let rate = "…";
      if (before && now > before[0]) rate = Math.max(0, Math.round((p.replicated - before[1]) * 1000 / (now - before[0])));
      last.set(key, [now, p.replicated]);
      const known = p.fetch_broker >= 0;
      const here = f.client_rack || doc.availability_zone;  // the node's rack id, else its zone
      const zone = !known || !here ? badge("unknown", "info")
          : p.fetch_broker_rack && p.fetch_broker_rack === here ? badge("same zone", "ok")
          : p.fetch_broker_rack ? badge("cross zone", "warn") : badge("no rack", "info");
      body.append(el("tr", {"data-partition": p.topic + "-" + p.partition},
          el("td", {}, p.topic), el("td", {class: "n"}, p.partition), el("td", {}, p.target_topic),
          el("td", {class: "n"}, p.leader), el("td", {class: "n", "data-fetch-broker": ""},
              known ? p.fetch_broker + (p.from_follower ? " (follower)" : " (leader)") : "…"),
          el("td", {}, p.fetch_broker_rack || "-"), el("td", {}, zone),
          el("td", {class: "n"}, p.lag < 0 ? "…" : p.lag), el("td", {class: "n"}, rate),
          el("td", {class: "n"}, p.replicated)));
    }
    card.append(el("table", {}, el("thead", {}, head), body));
    cards.push(card);
  }
  if (!cards.length) cards.push(el("p", {}, "No flows."));
  main.replaceChildren(...cards);
}
async function poll() {
  const problem = document.getElementById("problem");
  try {
    const r = await fetch("flows", {cache: "no-store"});
    if (!r.ok) throw new Error("/flows answered " + r.status);
    render(await r.json(), Date.now());
    problem.style.display = "none";
  } catch (e) {
    problem.textContent = "Cannot read /flows: " + e.message;
    problem.style.display = "block";
  }
  setTimeout(poll, 2000);
}
poll();
</script>
</body>
</html>
)html";

}  // namespace

std::string_view status_page_html() {
  return kPage;
}

}  // namespace mirror::service
