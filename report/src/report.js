// The page of `extractor report`: reads the inlined JSON, draws the graph with
// sigma.js, wires filters, the evidence panel and the tables. Bundled by esbuild
// into extractor/assets/report.js (`make report-assets`); no request leaves the page.
//
// Loaded with `#selftest`, the page checks itself after drawing (canvas drawn, a
// filter changes the visible edges, a click on a node shows evidence) and writes
// the result as JSON into <pre id="selftest">, for the headless-Chromium tests.

import Graph from "graphology";
import Sigma from "sigma";
import forceAtlas2 from "graphology-layout-forceatlas2";

const T0 = performance.now();
const ERRORS = [];
window.addEventListener("error", (e) => ERRORS.push(String(e.message || e)));
window.addEventListener("unhandledrejection", (e) => ERRORS.push(String(e.reason)));
document.addEventListener("securitypolicyviolation", (e) => ERRORS.push(`CSP blocked ${e.blockedURI}`));
const consoleError = console.error.bind(console);
console.error = (...args) => { ERRORS.push(args.map(String).join(" ")); consoleError(...args); };

const NODE_COLORS = { COMPANY: "#2f6fdb", ORG: "#1f9e6e", PERSON: "#e8793a", LOCATION: "#8d6bd1", MISC: "#8a8f99" };
const PALETTE = ["#d6336c", "#f08c00", "#2b8a3e", "#1971c2", "#7048e8", "#0c8599", "#c2255c", "#5c940d",
  "#e67700", "#364fc7", "#a61e4d", "#087f5b", "#862e9c", "#495057"];
const DIM = "#e4e6eb";
const LAYOUT_MS = 1500; // ForceAtlas2 runs in the page for at most this long

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

const fmt = (n) => (n == null ? "–" : Number(n).toLocaleString("en"));
const span = (first, last) => (first ? (first === last ? first : `${first} – ${last}`) : "undated");

// ---------------------------------------------------------------------------
// Data and graph

const DATA = JSON.parse($("report-data").textContent);
const relColor = {};
DATA.relation_types.forEach((r, i) => { relColor[r.type] = PALETTE[i % PALETTE.length]; });
["insolvency", "layoffs"].forEach((t, i) => { relColor[t] = relColor[t] || PALETTE[(DATA.relation_types.length + i) % PALETTE.length]; });
const colorOf = (rel) => relColor[rel] || (relColor[rel] = PALETTE[Object.keys(relColor).length % PALETTE.length]);

const nodeById = new Map(DATA.nodes.map((n) => [n.id, n]));
const edgeById = new Map(DATA.edges.map((e) => [e.id, e]));
const incident = new Map(DATA.nodes.map((n) => [n.id, []]));
for (const e of DATA.edges) { incident.get(e.s).push(e); incident.get(e.t).push(e); }

function buildGraph() {
  const graph = new Graph({ multi: true, type: "directed", allowSelfLoops: false });
  const maxArticles = Math.max(1, ...DATA.nodes.map((n) => n.articles));
  const maxWeight = Math.max(1, ...DATA.edges.map((e) => e.w));
  for (const n of DATA.nodes) {
    graph.addNode(n.id, {
      label: n.label, color: NODE_COLORS[n.type] || NODE_COLORS.MISC,
      size: 3 + 13 * Math.sqrt(n.articles / maxArticles), x: 0, y: 0,
    });
  }
  for (const e of DATA.edges) {
    graph.addEdgeWithKey(e.id, e.s, e.t, {
      color: colorOf(e.rel), size: 1.5 + 3 * Math.sqrt(e.w / maxWeight), type: e.sym ? "line" : "arrow", weight: e.w,
    });
  }
  layout(graph);
  return graph;
}

function random(seed) { // mulberry32: the same page gives the same picture
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ForceAtlas2 over the connected part, within LAYOUT_MS; entities without
// relations go on a spiral around it, so they neither clutter nor stretch it.
function layout(graph) {
  const rand = random(42);
  const connected = graph.copy();
  const lonely = [];
  connected.forEachNode((n) => { if (connected.degree(n) === 0) { lonely.push(n); connected.dropNode(n); } });
  const spread = 10 * Math.sqrt(connected.order + 1);
  connected.forEachNode((n) => connected.mergeNodeAttributes(n, { x: (rand() - 0.5) * spread, y: (rand() - 0.5) * spread }));
  if (connected.order > 1) {
    // inferSettings' gravity suits one big component; news graphs are many small ones, which it scatters
    const settings = { ...forceAtlas2.inferSettings(connected), barnesHutOptimize: connected.order > 400, gravity: 1, scalingRatio: 30 };
    const start = performance.now();
    for (let done = 0; done < 600 && performance.now() - start < LAYOUT_MS; done += 20) {
      forceAtlas2.assign(connected, { iterations: 20, settings, getEdgeWeight: "weight" });
    }
  }
  let cx = 0, cy = 0, radius = 1;
  connected.forEachNode((n, a) => { cx += a.x / connected.order; cy += a.y / connected.order; });
  connected.forEachNode((n, a) => { radius = Math.max(radius, Math.hypot(a.x - cx, a.y - cy)); graph.mergeNodeAttributes(n, { x: a.x, y: a.y }); });
  lonely.forEach((n, i) => {
    const angle = i * 2.39996; // golden angle
    const r = radius * (1.15 + 0.5 * Math.sqrt((i + 1) / lonely.length));
    graph.mergeNodeAttributes(n, { x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) });
  });
}

// ---------------------------------------------------------------------------
// Filters

const months = monthRange();
const state = {
  rel: new Set(DATA.relation_types.map((r) => r.type)),
  ent: new Set(Object.keys(NODE_COLORS)),
  from: 0, to: Math.max(0, months.length - 1), unconnected: false,
  hovered: null, neighbours: new Set(), selected: null,
};
let visibleNodes = new Set();
let visibleEdges = new Set();

function monthRange() {
  const seen = [];
  for (const item of [...DATA.edges, ...DATA.nodes]) if (item.first) seen.push(item.first.slice(0, 7), item.last.slice(0, 7));
  if (!seen.length) return [];
  seen.sort();
  const out = [];
  let [y, m] = seen[0].split("-").map(Number);
  const last = seen[seen.length - 1];
  for (let key = seen[0]; key <= last; ) {
    out.push(key);
    m += 1; if (m > 12) { m = 1; y += 1; }
    key = `${y}-${String(m).padStart(2, "0")}`;
  }
  return out;
}

function inTime(item) {
  if (!months.length || (state.from === 0 && state.to === months.length - 1)) return true;
  if (!item.first) return false;
  return item.first.slice(0, 7) <= months[state.to] && item.last.slice(0, 7) >= months[state.from];
}

function applyFilters() {
  visibleEdges = new Set();
  const degree = new Map();
  for (const e of DATA.edges) {
    if (!state.rel.has(e.rel) || !inTime(e)) continue;
    if (!state.ent.has(nodeById.get(e.s).type) || !state.ent.has(nodeById.get(e.t).type)) continue;
    visibleEdges.add(e.id);
    degree.set(e.s, (degree.get(e.s) || 0) + 1);
    degree.set(e.t, (degree.get(e.t) || 0) + 1);
  }
  visibleNodes = new Set();
  for (const n of DATA.nodes) {
    if (!state.ent.has(n.type)) continue;
    const events = Object.keys(n.events).length > 0;
    if (degree.get(n.id) || ((state.unconnected || events) && inTime(n))) visibleNodes.add(n.id);
  }
  $("shown").textContent = `showing ${fmt(visibleNodes.size)} entities, ${fmt(visibleEdges.size)} relations`;
  if (renderer) { frame(); renderer.refresh({ skipIndexation: true }); }
}

// Sigma frames all nodes, hidden ones too: without the entities that have no
// relations (on the spiral around the rest), frame only the connected part.
let framed = null;
function frame() {
  if (framed === state.unconnected) return;
  framed = state.unconnected;
  const graph = renderer.getGraph();
  const xs = [], ys = [];
  graph.forEachNode((n, a) => { if (state.unconnected || graph.degree(n) > 0 || Object.keys(nodeById.get(n).events).length) { xs.push(a.x); ys.push(a.y); } });
  renderer.setCustomBBox(xs.length ? { x: [Math.min(...xs), Math.max(...xs)], y: [Math.min(...ys), Math.max(...ys)] } : null);
}

function checkbox(container, key, label, count, color, set, shape) {
  const input = el("input", { type: "checkbox" });
  input.checked = set.has(key);
  input.dataset.key = key;
  input.addEventListener("change", () => { (input.checked ? set.add(key) : set.delete(key)); applyFilters(); });
  container.append(el("label", count ? {} : { class: "empty" }, input,
    el("span", { class: `swatch ${shape || ""}`, style: `background:${color}` }), label, el("span", { class: "n", text: fmt(count) })));
}

function buildFilters() {
  const byType = {};
  for (const n of DATA.nodes) byType[n.type] = (byType[n.type] || 0) + 1;
  for (const type of Object.keys(NODE_COLORS)) checkbox($("entity-types"), type, type, byType[type] || 0, NODE_COLORS[type], state.ent);
  const shown = {};
  for (const e of DATA.edges) shown[e.rel] = (shown[e.rel] || 0) + 1;
  for (const r of DATA.relation_types) checkbox($("relation-types"), r.type, r.type.replace(/_/g, " "), shown[r.type] || 0, colorOf(r.type), state.rel, "line");
  $("unconnected").addEventListener("change", (e) => { state.unconnected = e.target.checked; applyFilters(); });
  buildTimeline();
  const names = $("names");
  for (const n of [...DATA.nodes].sort((a, b) => b.articles - a.articles).slice(0, 3000)) names.append(el("option", { value: n.label }));
  $("search").addEventListener("change", (e) => search(e.target.value));
  $("search").addEventListener("keydown", (e) => { if (e.key === "Enter") search(e.target.value); });
}

function buildTimeline() {
  const box = $("timeline");
  if (months.length < 2) { box.append(el("div", { id: "range-label", text: months[0] || "no dates" })); return; }
  const counts = months.map(() => 0);
  const index = new Map(months.map((m, i) => [m, i]));
  for (const e of DATA.edges) if (e.first) counts[index.get(e.first.slice(0, 7))] += 1;
  const max = Math.max(1, ...counts);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${months.length} 40`);
  svg.setAttribute("preserveAspectRatio", "none");
  const bars = counts.map((c, i) => {
    const rect = document.createElementNS(ns, "rect");
    const h = c ? 2 + (38 * c) / max : 0;
    rect.setAttribute("x", i + 0.1); rect.setAttribute("width", 0.8); rect.setAttribute("y", 40 - h); rect.setAttribute("height", h);
    svg.append(rect);
    return rect;
  });
  const from = el("input", { type: "range", min: 0, max: months.length - 1, value: 0, "aria-label": "from month" });
  const to = el("input", { type: "range", min: 0, max: months.length - 1, value: months.length - 1, "aria-label": "to month" });
  const label = el("div", { id: "range-label" });
  const update = () => {
    state.from = Math.min(+from.value, +to.value);
    state.to = Math.max(+from.value, +to.value);
    label.textContent = `${months[state.from]} – ${months[state.to]} (first/last seen)`;
    bars.forEach((b, i) => b.setAttribute("fill", i >= state.from && i <= state.to ? "#2f6fdb" : "#cfd5df"));
    applyFilters();
  };
  from.addEventListener("input", update);
  to.addEventListener("input", update);
  box.append(svg, from, to, label);
  state.update = update;
  bars.forEach((b) => b.setAttribute("fill", "#2f6fdb"));
  label.textContent = `${months[0]} – ${months[months.length - 1]} (first/last seen)`;
}

function search(text) {
  const query = text.trim().toLowerCase();
  if (!query) return;
  const ranked = [...DATA.nodes].sort((a, b) => b.articles - a.articles);
  const hit = ranked.find((n) => n.label.toLowerCase() === query) || ranked.find((n) => n.label.toLowerCase().includes(query));
  if (hit) focusNode(hit.id);
}

function focusNode(id, zoom = true) {
  if (!visibleNodes.has(id)) { // make it visible: a search must find what it names
    const n = nodeById.get(id);
    state.ent.add(n.type);
    document.querySelectorAll("#entity-types input").forEach((i) => { if (i.dataset.key === n.type) i.checked = true; });
    if (!incident.get(id).some((e) => visibleEdges.has(e.id))) { state.unconnected = true; $("unconnected").checked = true; }
    applyFilters();
  }
  showNode(id);
  const pos = renderer.getNodeDisplayData(id);
  if (pos && zoom) renderer.getCamera().animate({ x: pos.x, y: pos.y, ratio: 0.35 }, { duration: 400 });
}

// ---------------------------------------------------------------------------
// Rendering

let renderer = null;

function nodeReducer(node, attrs) {
  if (!visibleNodes.has(node)) return { ...attrs, hidden: true };
  const out = { ...attrs };
  if (state.hovered && node !== state.hovered && !state.neighbours.has(node)) { out.color = DIM; out.label = ""; out.zIndex = 0; }
  else if (state.hovered) { out.zIndex = 1; out.forceLabel = true; }
  if (node === state.selected) { out.highlighted = true; out.forceLabel = true; }
  return out;
}

function edgeReducer(edge, attrs) {
  if (!visibleEdges.has(edge)) return { ...attrs, hidden: true };
  if (state.selected === edge) return { ...attrs, size: attrs.size + 2, zIndex: 2 };
  if (state.hovered) {
    const e = edgeById.get(edge);
    if (e.s !== state.hovered && e.t !== state.hovered) return { ...attrs, color: DIM, zIndex: 0 };
    return { ...attrs, zIndex: 1 };
  }
  return attrs;
}

function hover(node) {
  state.hovered = node;
  state.neighbours = new Set();
  if (node) for (const e of incident.get(node)) if (visibleEdges.has(e.id)) state.neighbours.add(e.s === node ? e.t : e.s);
  renderer.refresh({ skipIndexation: true });
}

function draw(graph) {
  renderer = new Sigma(graph, $("graph"), {
    nodeReducer, edgeReducer, enableEdgeEvents: true, zIndex: true,
    labelRenderedSizeThreshold: graph.order < 150 ? 0 : 7, labelDensity: graph.order < 150 ? 1 : 0.6, labelFont: "system-ui, DejaVu Sans, sans-serif",
    defaultEdgeType: "line", minEdgeThickness: 0.8,
  });
  frame();
  renderer.refresh();
  renderer.on("enterNode", ({ node }) => hover(node));
  renderer.on("leaveNode", () => hover(null));
  renderer.on("clickNode", ({ node }) => showNode(node));
  renderer.on("clickEdge", ({ edge }) => showEdge(edge));
  renderer.on("clickStage", () => closePanel());
}

// ---------------------------------------------------------------------------
// Side panel

function select(id) {
  state.selected = id;
  if (renderer) renderer.refresh({ skipIndexation: true });
}

function closePanel() { $("panel").hidden = true; select(null); }

function openPanel(...children) {
  const panel = $("panel");
  panel.replaceChildren(el("button", { class: "close", title: "close", text: "×", onclick: closePanel }), ...children.filter((c) => c != null));
  panel.hidden = false;
  panel.scrollTop = 0;
}

const plural = (n, word) => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;

// `known`: attributes already shown for the whole edge, not repeated per sentence
function evidenceList(items, known = {}) {
  if (!items.length) return el("div", { class: "facts", text: "no evidence kept" });
  const box = el("div");
  for (const item of items) {
    const article = DATA.articles[item.a] || [String(item.a), "", "", ""];
    const [id, title, url, date] = article;
    const source = el("div", { class: "src" }, date ? `${date} · ` : "",
      url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: title || url }) : (title || ""),
      title || url ? " · " : "", el("code", { text: id }));
    const chips = Object.entries(item.attrs || {}).filter(([k, v]) => String(known[k]) !== String(v)).map(([k, v]) => el("span", { class: "chip", text: `${k}: ${v}` }));
    if (item.conf != null) chips.push(el("span", { class: "chip", text: `confidence ${item.conf}` }));
    box.append(el("div", { class: "ev" }, el("q", { class: "evidence", text: item.text || "(no sentence)" }), el("div", {}, ...chips), source));
  }
  return box;
}

function edgeTitle(e, from) {
  const s = nodeById.get(e.s).label, t = nodeById.get(e.t).label;
  const arrow = e.sym ? "—" : "→";
  if (from === e.s) return `${e.rel.replace(/_/g, " ")} ${arrow} ${t}`;
  if (from === e.t) return `${s} ${arrow} ${e.rel.replace(/_/g, " ")}${e.sym ? "" : " (of this)"}`;
  return `${s} ${arrow} ${e.rel.replace(/_/g, " ")} ${arrow} ${t}`;
}

function relationBlock(e, from) {
  const attrs = Object.entries(e.attrs).map(([k, v]) => el("span", { class: "chip", text: `${k}: ${v}` }));
  return el("div", { class: "rel" },
    el("div", { class: "rel-head", onclick: () => showEdge(e.id) },
      el("span", { class: "swatch line", style: `background:${colorOf(e.rel)};display:inline-block;margin-right:5px` }),
      edgeTitle(e, from), el("span", { class: "w", text: ` · ${plural(e.w, "article")} · ${span(e.first, e.last)}` })),
    attrs.length ? el("div", {}, ...attrs) : null,
    evidenceList(e.evidence, e.attrs));
}

function showNode(id) {
  const n = nodeById.get(id);
  if (!n) return;
  select(id);
  const edges = [...incident.get(id)].sort((a, b) => b.w - a.w);
  const events = Object.entries(n.events).map(([rtype, ev]) => el("div", { class: "rel" },
    el("div", { class: "rel-head" }, el("span", { class: "swatch line", style: `background:${colorOf(rtype)};display:inline-block;margin-right:5px` }),
      rtype, el("span", { class: "w", text: ` · ${plural(ev.articles, "article")} · ${span(ev.first, ev.last)}` })),
    el("div", {}, ...Object.entries(ev.attrs).map(([k, v]) => el("span", { class: "chip", text: `${k}: ${v}` }))),
    evidenceList(ev.evidence, ev.attrs)));
  openPanel(
    el("h3", { text: n.label }),
    el("div", {}, el("span", { class: "badge", style: `background:${NODE_COLORS[n.type] || NODE_COLORS.MISC}`, text: n.type }),
      n.kb ? el("code", { text: `  kb: ${n.kb}` }) : null),
    el("div", { class: "facts", text: `${plural(n.articles, "article")} · ${plural(n.mentions, "mention")} · ${span(n.first, n.last)}` }),
    events.length ? el("h2", { text: "Events" }) : null, ...events,
    el("h2", { text: `Relations (${edges.length})` }), ...edges.map((e) => relationBlock(e, id)));
}

function showEdge(id) {
  const e = edgeById.get(id);
  if (!e) return;
  select(id);
  openPanel(el("h3", { text: edgeTitle(e) }), relationBlock(e, null));
}

// ---------------------------------------------------------------------------
// Tables

function table(target, head, rows) {
  const t = $(target);
  t.replaceChildren(el("tr", {}, ...head.map((h) => el("th", { text: h }))));
  for (const row of rows) t.append(el("tr", {}, ...row.map((cell) => (cell instanceof Node ? el("td", {}, cell) : el("td", { text: cell })))));
}

function buildTables() {
  table("companies", ["company", "partners", "relations", "events", "articles"], DATA.top_companies.map((c) => [
    nodeById.has(c.id) ? el("a", { text: c.label, onclick: () => focusNode(c.id) }) : c.label,
    fmt(c.partners), fmt(c.relations), fmt(c.events), fmt(c.articles)]));
  buildMonths();
  const s = DATA.summary;
  const reasons = (by) => Object.entries(by || {}).map(([k, v]) => `${k}: ${v}`).join(", ");
  const rows = [
    ["records", fmt(s.records)], ["processed", fmt(s.processed)], ["duplicates", fmt(s.duplicates)],
    ["skipped", fmt(s.skipped) + (s.skipped ? ` (${reasons(s.skipped_by_reason)})` : "")],
    ["failed", fmt(s.failed)],
    ["rejected", s.rejected == null ? "unknown (no summary file)" : fmt(s.rejected) + (s.rejected ? ` (${reasons(s.rejected_by_reason)})` : "")],
    ["entities", fmt(s.entities)], ["relations", fmt(s.relations)],
    ["graph nodes", fmt(s.nodes)], ["graph edges", fmt(s.edges)],
  ];
  if (s.bad_result_lines) rows.push(["unreadable result lines", fmt(s.bad_result_lines)]);
  table("summary", ["", ""], rows);
  $("summary").firstChild.remove();
}

function buildMonths() {
  const types = [...new Set(DATA.months.map((r) => r[0]))];
  const dated = [...new Set(DATA.months.map((r) => r[1]).filter(Boolean))].sort();
  const cols = dated.concat(DATA.months.some((r) => !r[1]) ? [""] : []);
  const count = new Map(DATA.months.map(([t, m, c]) => [`${t}|${m}`, c]));
  table("months", ["month", ...types.map((t) => t.replace(/_/g, " ")), "all"], cols.map((m) => {
    const cells = types.map((t) => count.get(`${t}|${m}`) || 0);
    return [m || "undated", ...cells.map((c) => (c ? fmt(c) : "")), fmt(cells.reduce((a, b) => a + b, 0))];
  }));
  $("legend").replaceChildren(...types.map((t) => el("span", {}, el("span", { class: "swatch", style: `background:${colorOf(t)}` }), t.replace(/_/g, " "))));
  if (!dated.length) return;
  const totals = dated.map((m) => types.reduce((a, t) => a + (count.get(`${t}|${m}`) || 0), 0));
  const max = Math.max(1, ...totals);
  const ns = "http://www.w3.org/2000/svg";
  const W = Math.max(dated.length * 24, 200), H = 110;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 14}`);
  const bw = W / dated.length;
  dated.forEach((m, i) => {
    let y = H;
    for (const t of types) {
      const c = count.get(`${t}|${m}`) || 0;
      if (!c) continue;
      const h = (H - 4) * c / max;
      y -= h;
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", i * bw + bw * 0.12); rect.setAttribute("width", bw * 0.76);
      rect.setAttribute("y", y); rect.setAttribute("height", h); rect.setAttribute("fill", colorOf(t));
      const tip = document.createElementNS(ns, "title"); tip.textContent = `${m} ${t}: ${c}`; rect.append(tip);
      svg.append(rect);
    }
    if (dated.length <= 24 || i % Math.ceil(dated.length / 12) === 0) {
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", i * bw + bw / 2); label.setAttribute("y", H + 11); label.setAttribute("font-size", "8");
      label.setAttribute("text-anchor", "middle"); label.setAttribute("fill", "#667085"); label.textContent = m;
      svg.append(label);
    }
  });
  $("chart").replaceChildren(svg);
}

function buildHeader() {
  $("files").textContent = DATA.meta.files.join(", ");
  $("generated").textContent = `extractor ${DATA.meta.extractor} · ${DATA.meta.generated}`;
  const b = DATA.budget;
  if (b.truncated) {
    const parts = [];
    if (b.edges_shown < b.edges_total) parts.push(`the ${fmt(b.edges_shown)} strongest of ${fmt(b.edges_total)} relations${b.min_weight > 1 ? ` (${fmt(b.min_weight)}+ articles each)` : ""}`);
    if (b.nodes_shown < b.nodes_total) parts.push(`${fmt(b.nodes_shown)} of ${fmt(b.nodes_total)} entities`);
    $("budget").textContent = `Large run: the graph shows ${parts.join(" and ")} (budget ${fmt(b.max_nodes)} entities / ${fmt(b.max_edges)} relations; \`--max-nodes\`, \`--max-edges\`). Tables count everything.`;
    $("budget").hidden = false;
  }
}

// ---------------------------------------------------------------------------
// Self-test (#selftest): what the headless-browser tests assert on

function drawnPixels(canvas) {
  const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
  if (!gl) return -1;
  const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
  const pixels = new Uint8Array(w * h * 4);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  let count = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) count += 1;
  return count;
}

function shownEdges() {
  let count = 0;
  renderer.getGraph().forEachEdge((e) => { const d = renderer.getEdgeDisplayData(e); if (d && !d.hidden) count += 1; });
  return count;
}

function clickAt(node) {
  const pos = renderer.graphToViewport(renderer.getGraph().getNodeAttributes(node));
  const target = renderer.getCanvases().mouse;
  const box = target.getBoundingClientRect();
  const init = { bubbles: true, cancelable: true, clientX: box.left + pos.x, clientY: box.top + pos.y, button: 0 };
  target.dispatchEvent(new MouseEvent("mousemove", init));
  const hovered = state.hovered;
  target.dispatchEvent(new MouseEvent("mousedown", init));
  target.dispatchEvent(new MouseEvent("mouseup", init));
  target.dispatchEvent(new MouseEvent("click", init));
  return { hovered };
}

function selfTest(timing) {
  const status = { ...timing, errors: ERRORS, nodes: DATA.nodes.length, edges: DATA.edges.length,
    budget_note: $("budget").hidden ? "" : $("budget").textContent };
  try {
    renderer.refresh();
    const canvases = renderer.getCanvases();
    status.edge_pixels = drawnPixels(canvases.edges);
    status.node_pixels = drawnPixels(canvases.nodes);
    status.visible_edges = shownEdges();
    // filter: switch off the relation type with the most visible edges
    const counts = {};
    for (const id of visibleEdges) { const r = edgeById.get(id).rel; counts[r] = (counts[r] || 0) + 1; }
    const top = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
    const box = [...document.querySelectorAll("#relation-types input")].find((i) => i.dataset.key === top);
    if (box) {
      box.click();
      renderer.refresh();
      status.filter = { type: top, before: status.visible_edges, after: shownEdges() };
      box.click();
      renderer.refresh();
      status.filter.restored = shownEdges();
    }
    // click: the visible node with the most evidence behind its edges
    const weight = (id) => incident.get(id).reduce((a, e) => a + e.evidence.length, 0);
    const target = [...visibleNodes].sort((a, b) => weight(b) - weight(a))[0];
    if (target) {
      const { hovered } = clickAt(target);
      const panel = $("panel");
      status.click = {
        node: target, hovered, neighbours: state.neighbours.size, panel_open: !panel.hidden,
        selected: state.selected, title: panel.querySelector("h3")?.textContent || "",
        evidence: [...panel.querySelectorAll(".evidence")].slice(0, 3).map((q) => q.textContent),
      };
      renderer.getCanvases().mouse.dispatchEvent(new MouseEvent("mouseleave", { bubbles: true }));
    }
  } catch (err) {
    ERRORS.push(`selftest: ${err && err.stack ? err.stack : err}`);
  }
  status.total_ms = Math.round(performance.now());
  $("selftest").textContent = JSON.stringify(status);
}

// ---------------------------------------------------------------------------

function main() {
  const parsed = performance.now();
  buildHeader();
  buildFilters();
  buildTables();
  const graph = buildGraph();
  const laidOut = performance.now();
  applyFilters();
  draw(graph);
  const drawn = performance.now();
  const timing = {
    parse_ms: Math.round(parsed - T0), layout_ms: Math.round(laidOut - parsed),
    draw_ms: Math.round(drawn - laidOut), ready_ms: Math.round(drawn),
  };
  window.reportTiming = timing;
  const hash = location.hash.slice(1);
  if (hash === "selftest") selfTest(timing);
  else if (hash.startsWith("node=")) focusNode(decodeURIComponent(hash.slice(5)), false);
}

main();
