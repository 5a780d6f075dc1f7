"""`extractor report`: one self-contained HTML page over a run's results.

The page is the graph (sigma.js + graphology, bundled at development time into
`assets/report.js` by `make report-assets`), filters, the evidence behind each
edge, and a few tables. Everything it needs is inlined: it opens from a file,
offline, and a Content-Security-Policy forbids any request, so it cannot reach
the network even by accident.

Aggregation is `GraphBuilder`'s (the same nodes, edges, weights and dates as
the GEXF); this module only adds what a reader of the page needs on top: the
evidence sentences per edge (capped, to bound the page), article titles and
urls, counts per month, the run's summary, and a node/edge budget so that a
large run stays drawable: past it the strongest edges are kept and the page
says what was left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import networkx as nx
import orjson

from . import __version__
from .graph import GraphBuilder, edge_key, node_key
from .io import AtomicWriter, iter_json_objects, output_paths
from .relation_types import RELATION_TYPES, SYMMETRIC_TYPES, UNARY_TYPES
from .summary import RunSummary

ASSETS = Path(__file__).parent / "assets"
MAX_NODES = 2000
MAX_EDGES = 5000
EVIDENCE_PER_EDGE = 20
EVIDENCE_CHARS = 400
TOP_COMPANIES = 20
_MONTH_RE = re.compile(r"^\d{4}-\d{2}")
_PLACEHOLDER_RE = re.compile(r"\{\{(DATA|SCRIPT|TITLE)\}\}")

EdgeKey = Tuple[str, str, str]


@dataclass
class _Evidence:
    """Evidence items per raw (unresolved) edge or node-event key, capped."""

    limit: int
    items: Dict[Any, List[Dict[str, Any]]] = field(default_factory=dict)
    seen: Dict[Any, set] = field(default_factory=dict)

    def add(self, key: Any, item: Dict[str, Any]) -> None:
        marks = self.seen.setdefault(key, set())
        mark = (item["a"], item["text"])
        if mark in marks or len(marks) >= self.limit:
            return
        marks.add(mark)
        self.items.setdefault(key, []).append(item)

    def resolved(self, resolve: Callable[[Any], Any]) -> Dict[Any, List[Dict[str, Any]]]:
        """The lists under the keys the graph uses, merged where keys merge."""
        out: Dict[Any, List[Dict[str, Any]]] = {}
        for key, items in self.items.items():
            merged = out.setdefault(resolve(key), [])
            merged.extend(items[: max(0, self.limit - len(merged))])
        return out


class ReportBuilder:
    """Streams result records into a GraphBuilder plus what the page shows on top."""

    def __init__(self, evidence_per_edge: int = EVIDENCE_PER_EDGE) -> None:
        self.graph = GraphBuilder()
        self.summary = RunSummary()
        self.edge_evidence = _Evidence(evidence_per_edge)
        self.event_evidence = _Evidence(evidence_per_edge)
        self.articles: Dict[str, int] = {}  # article id -> index into article_rows
        self.article_rows: List[List[Any]] = []
        self.months: Counter[Tuple[str, str]] = Counter()  # (relation type, YYYY-MM or "")
        self.bad_lines = 0
        self.rejected: Optional[Counter[str]] = None  # from the runs' summary files, when found
        self.files: List[str] = []

    def add_file(self, path: str, report_bad: Callable[[str], None]) -> None:
        """All records of one results file; bad lines go to `report_bad` as FILE:LINE: reason."""
        self.files.append(path)
        self._read_run_summary(path)
        for line, value in iter_json_objects(path):
            if isinstance(value, str):
                self.bad_lines += 1
                report_bad(f"{path}:{line}: {value}")
            else:
                self.add(value)

    def _read_run_summary(self, path: str) -> None:
        """Rejected input lines never reach the results: their count is in OUT.summary.json."""
        summary = Path(output_paths(path)["summary"])
        try:
            data = orjson.loads(summary.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return
        if isinstance(data, dict) and isinstance(data.get("rejected_by_reason"), dict):
            self.rejected = self.rejected if self.rejected is not None else Counter()
            self.rejected.update({str(k): int(v) for k, v in data["rejected_by_reason"].items()})

    def add(self, record: Dict[str, Any]) -> None:
        """One output record. What GraphBuilder leaves out (skipped, repeated ids)
        adds no evidence either, so the two never disagree."""
        self.summary.add_output(record)
        before = self.graph.records
        self.graph.add(record)
        if self.graph.records == before:
            return
        copy = bool(record.get("duplicate_of"))
        keys = {str(e.get("id")): node_key(e) for e in record.get("entities") or []}
        article = self._article(record)
        date = str(record.get("date") or "")[:10]
        for relation in record.get("relations") or []:
            self._add_relation(relation, keys, article, date, copy)

    def _article(self, record: Dict[str, Any]) -> int:
        story = str(record.get("duplicate_of") or record.get("id", ""))
        if story not in self.articles:
            self.articles[story] = len(self.article_rows)
            self.article_rows.append([story, record.get("title") or "", record.get("url") or "",
                                      str(record.get("date") or "")[:10]])
        return self.articles[story]

    def _add_relation(self, relation: Dict[str, Any], keys: Dict[str, str], article: int, date: str,
                      copy: bool) -> None:
        rtype = str(relation.get("type") or "")
        subj = keys.get(str(relation.get("subject")))
        obj_id = relation.get("object")
        obj = keys.get(str(obj_id)) if obj_id is not None else None
        if not rtype or subj is None or (obj_id is not None and obj is None):
            return  # GraphBuilder counts it as unresolved
        if not copy:  # a copy is the same story again, not another month's news
            self.months[(rtype, date[:7] if _MONTH_RE.match(date) else "")] += 1
        item = _evidence_item(relation, article)
        if obj is None:
            self.event_evidence.add((subj, rtype), item)
        elif subj != obj:
            self.edge_evidence.add(edge_key(subj, rtype, obj), item)

    # -- the page's data

    def data(self, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES) -> Dict[str, Any]:
        """Everything the page shows, as one JSON-ready dict."""
        graph = self.graph.to_graph()
        resolve = self.graph.resolve
        edge_ev = self.edge_evidence.resolved(lambda k: edge_key(resolve(k[0]), k[1], resolve(k[2])))
        event_ev = self.event_evidence.resolved(lambda k: (resolve(k[0]), k[1]))
        nodes, edges, budget = apply_budget(graph, max_nodes, max_edges)
        used: Dict[int, None] = {}
        node_rows = [_node_row(graph, key, event_ev, used) for key in nodes]
        edge_rows = [_edge_row(graph, u, v, k, edge_ev, used) for u, v, k in edges]
        return {
            "meta": {"files": self.files, "extractor": __version__,
                     "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")},
            "summary": self._summary(graph),
            "budget": budget,
            "relation_types": _relation_types(graph),
            "nodes": node_rows,
            "edges": edge_rows,
            "articles": self._article_table(used),
            "top_companies": top_companies(graph),
            "months": _month_rows(self.months),
        }

    def _summary(self, graph: nx.MultiDiGraph) -> Dict[str, Any]:
        summary = self.summary
        return {
            "records": summary.processed + summary.duplicates + summary.n_skipped + summary.n_failed,
            "processed": summary.processed,
            "duplicates": summary.duplicates,
            "skipped": summary.n_skipped,
            "skipped_by_reason": dict(summary.skipped),
            "failed": summary.n_failed,
            "rejected": None if self.rejected is None else sum(self.rejected.values()),
            "rejected_by_reason": dict(self.rejected or {}),
            "bad_result_lines": self.bad_lines,
            "entities": sum(summary.entities.values()),
            "relations": sum(summary.relations.values()),
            "relations_by_type": dict(summary.relations.most_common()),
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "unresolved_relations": self.graph.unresolved_relations,
        }

    def _article_table(self, used: Dict[int, None]) -> Dict[str, List[Any]]:
        """Only the articles some shown evidence cites: the page's size follows the budget."""
        return {str(index): self.article_rows[index] for index in used}


def _evidence_item(relation: Dict[str, Any], article: int) -> Dict[str, Any]:
    evidence = relation.get("evidence") or {}
    text = " ".join(str(evidence.get("text") or "").split())
    if len(text) > EVIDENCE_CHARS:
        text = text[: EVIDENCE_CHARS - 1] + "…"
    item: Dict[str, Any] = {"a": article, "text": text}
    attributes = {k: v for k, v in (relation.get("attributes") or {}).items() if v not in (None, "", [])}
    if attributes:
        item["attrs"] = attributes
    if isinstance(relation.get("confidence"), (int, float)):
        item["conf"] = round(float(relation["confidence"]), 3)
    return item


# ---------------------------------------------------------------------------
# Budget


def apply_budget(graph: nx.MultiDiGraph, max_nodes: int, max_edges: int
                 ) -> Tuple[List[str], List[Tuple[str, str, str]], Dict[str, Any]]:
    """The nodes and edges to draw. Past the budget the strongest edges stay
    (most articles, then confidence), then the nodes they touch, strongest first;
    unconnected nodes fill what is left of the node budget, by articles. Where
    the node budget cuts strong edges, weaker ones among the kept nodes take
    their place, so the edge budget is used."""
    ranked = [(u, v, k) for u, v, k, _ in sorted(graph.edges(keys=True, data=True), key=_edge_strength)]
    strength: Counter[str] = Counter()
    for u, v, k in ranked[:max_edges]:
        weight = graph.edges[u, v, k].get("weight", 1)
        strength[u] += weight
        strength[v] += weight
    connected = sorted(strength, key=lambda n: (-strength[n], -graph.nodes[n].get("articles", 0), n))
    kept = set(connected[:max_nodes])
    edges = [(u, v, k) for u, v, k in ranked if u in kept and v in kept][:max_edges]
    rest = sorted((n for n in graph.nodes if n not in strength),
                  key=lambda n: (-graph.nodes[n].get("articles", 0), n))
    nodes = connected[:max_nodes] + rest[: max(0, max_nodes - len(kept))]
    budget = {
        "max_nodes": max_nodes, "max_edges": max_edges,
        "nodes_total": graph.number_of_nodes(), "edges_total": graph.number_of_edges(),
        "nodes_shown": len(nodes), "edges_shown": len(edges),
        "min_weight": min((graph.edges[e].get("weight", 1) for e in edges), default=0),
    }
    budget["truncated"] = budget["nodes_shown"] < budget["nodes_total"] or budget["edges_shown"] < budget["edges_total"]
    return nodes, edges, budget


def _edge_strength(item: Tuple[str, str, str, Dict[str, Any]]) -> Tuple[float, float, str]:
    u, v, k, data = item
    return (-data.get("weight", 1), -float(data.get("confidence") or 0.0), str(k))


# ---------------------------------------------------------------------------
# Rows


_NODE_SKIP = ("label", "type", "kb_id", "mentions", "articles", "first_seen", "last_seen")


def _node_row(graph: nx.MultiDiGraph, key: str, evidence: Dict[Any, List[Dict[str, Any]]],
              used: Dict[int, None]) -> Dict[str, Any]:
    data = graph.nodes[key]
    events = {}
    for rtype in sorted(UNARY_TYPES):
        if not data.get(rtype):
            continue
        items = evidence.get((key, rtype), [])
        used.update((item["a"], None) for item in items)
        prefix = f"{rtype}_"
        events[rtype] = {
            "articles": data[rtype], "first": data.get(f"{prefix}first_seen", ""),
            "last": data.get(f"{prefix}last_seen", ""), "evidence": items,
            "attrs": {name[len(prefix):]: value for name, value in data.items()
                      if name.startswith(prefix) and value not in ("", 0)
                      and name[len(prefix):] not in ("first_seen", "last_seen", "articles")},
        }
    return {"id": key, "label": data.get("label", key), "type": data.get("type", "MISC"),
            "kb": data.get("kb_id", ""), "articles": data.get("articles", 0), "mentions": data.get("mentions", 0),
            "first": data.get("first_seen", ""), "last": data.get("last_seen", ""), "events": events}


_EDGE_SKIP = frozenset({"relation", "label", "weight", "first_seen", "last_seen", "articles", "confidence"})


def _edge_row(graph: nx.MultiDiGraph, u: str, v: str, k: str, evidence: Dict[Any, List[Dict[str, Any]]],
              used: Dict[int, None]) -> Dict[str, Any]:
    data = graph.edges[u, v, k]
    rtype = data.get("relation", "")
    items = evidence.get((u, rtype, v), [])
    used.update((item["a"], None) for item in items)
    return {"id": k, "s": u, "t": v, "rel": rtype, "w": data.get("weight", 1),
            "first": data.get("first_seen", ""), "last": data.get("last_seen", ""),
            "conf": data.get("confidence") or None, "sym": rtype in SYMMETRIC_TYPES,
            "attrs": {n: val for n, val in data.items() if n not in _EDGE_SKIP and val not in ("", 0, 0.0)},
            "evidence": items}


def _relation_types(graph: nx.MultiDiGraph) -> List[Dict[str, Any]]:
    """Every binary relation type of the registry (a fixed order keeps colours stable), with counts."""
    counts = Counter(data.get("relation") for _, _, data in graph.edges(data=True))
    known = [name for name, rt in RELATION_TYPES.items() if not rt.unary]
    extra = sorted(name for name in counts if name not in known)
    return [{"type": name, "edges": counts.get(name, 0), "symmetric": name in SYMMETRIC_TYPES}
            for name in known + extra]


def top_companies(graph: nx.MultiDiGraph, limit: int = TOP_COMPANIES) -> List[Dict[str, Any]]:
    """Companies by distinct partners over the whole graph (not only the drawn part)."""
    rows = []
    for key, data in graph.nodes(data=True):
        if data.get("type") != "COMPANY":
            continue
        partners = set(graph.predecessors(key)) | set(graph.successors(key))
        relations = graph.in_degree(key) + graph.out_degree(key)
        events = sum(int(data.get(rtype) or 0) for rtype in UNARY_TYPES)
        if partners or events:
            rows.append({"id": key, "label": data.get("label", key), "partners": len(partners),
                         "relations": relations, "events": events, "articles": data.get("articles", 0)})
    rows.sort(key=lambda r: (-r["partners"], -r["relations"], -r["events"], -r["articles"], r["label"]))
    return rows[:limit]


def _month_rows(months: Counter) -> List[List[Any]]:
    """[type, month, count] sorted by month then type; undated relations have month ""."""
    return [[rtype, month, count] for (rtype, month), count in sorted(months.items(), key=lambda i: (i[0][1], i[0][0]))]


# ---------------------------------------------------------------------------
# The page


def render_html(data: Dict[str, Any], script: Optional[str] = None, template: Optional[str] = None) -> str:
    """The page: template with the bundle and the data inlined.

    The data sits in a `<script type="application/json">`; every "<" in it is
    written as \\u003c (JSON allows it, and "<" occurs only inside strings), so
    no article text can close the tag or open a comment."""
    script = script if script is not None else (ASSETS / "report.js").read_text(encoding="utf-8")
    template = template if template is not None else (ASSETS / "report.html").read_text(encoding="utf-8")
    payload = orjson.dumps(data).decode("utf-8").replace("<", "\\u003c")
    script = re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)
    title = _html_escape(_title(data))
    values = {"DATA": payload, "SCRIPT": script, "TITLE": title}
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template)


def _title(data: Dict[str, Any]) -> str:
    files = [Path(f).name for f in data.get("meta", {}).get("files", [])]
    shown = ", ".join(files[:3]) + (f" (+{len(files) - 3})" if len(files) > 3 else "")
    return f"extractor report: {shown}" if shown else "extractor report"


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def build_report(paths: Iterable[str], report_bad: Callable[[str], None] = lambda message: None,
                 max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES,
                 evidence_per_edge: int = EVIDENCE_PER_EDGE) -> Tuple[Dict[str, Any], ReportBuilder]:
    """The page's data for the given results files (streamed, one record at a time)."""
    builder = ReportBuilder(evidence_per_edge)
    for path in paths:
        builder.add_file(path, report_bad)
    return builder.data(max_nodes, max_edges), builder


def write_report(data: Dict[str, Any], path: str) -> None:
    """Written atomically, as every output: a reader never sees half a page."""
    with AtomicWriter(path) as writer:
        writer.write(render_html(data).encode("utf-8"))


__all__ = ["ReportBuilder", "apply_budget", "build_report", "render_html", "top_companies", "write_report"]
