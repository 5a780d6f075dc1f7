"""Aggregate output records into one entity/relation graph and write GEXF, GraphML or CSV.

The builder is streaming: `GraphBuilder.add` takes one output record at a time
and keeps only per-node and per-edge aggregates, so a graph over millions of
articles needs memory for the graph, not for the records.

Identity: a node is keyed by `kb:<kb_id>` when the entity has a kb_id, else by
`<TYPE>:<folded name>` (`kb.fold`, the knowledge base's matching key: case-folded,
legal forms and group words dropped, so "Zyrbel Holding GmbH" and "Zyrbel GmbH" in two
articles are one node). A name-keyed node whose type and folded name equal those of one
kb entity is merged into that kb node when the graph is built, so articles in
which the KB lookup failed still land on the same node.

Stories: a record with `duplicate_of` counts for the story of the original
(its mentions and date are ignored), so edge weights and article counts are
numbers of distinct stories. Records with
`status` set (skipped) and repeated record ids add nothing.

All attribute values are str, int or float (never None or lists) and every
attribute has one type across all nodes (or all edges), as GEXF/GraphML
readers such as graphology-gexf require.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import networkx as nx

from .kb import fold
from .relation_types import SYMMETRIC_TYPES

# Edge attribute names the writers reserve; relation attributes with these
# names are written as "attr_<name>".
_RESERVED = frozenset(
    {"id", "key", "label", "type", "weight", "relation", "start", "end", "articles",
     "first_seen", "last_seen", "confidence", "networkx_key"}
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_OK_STATUS = (None, "", "ok")


# Characters XML 1.0 forbids (C0 controls but tab, newline; DEL; the non-characters U+FFFE/U+FFFF).
# Offsets into the input must stay valid, so the texts keep them; only the graph files drop them.
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """A string without the characters that would make GEXF/GraphML invalid XML."""
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def _iso_date(value: Any) -> str:
    """The YYYY-MM-DD part of an ISO date/datetime, "" when unknown."""
    match = _DATE_RE.match(str(value or ""))
    return match.group(0) if match else ""


def _flat(value: Any) -> str:
    """An attribute value as one string (lists joined), for consistent typing."""
    if isinstance(value, (list, tuple, set)):
        return "|".join(str(v) for v in value)
    return str(value)


@dataclass
class _Span:
    """Distinct stories plus the first/last date they were seen."""

    stories: Dict[str, None] = field(default_factory=dict)  # ordered set
    first: str = ""
    last: str = ""

    def see(self, story: Optional[str], date: str) -> None:
        if story is not None:
            self.stories[story] = None
        if date:
            self.first = min(self.first, date) if self.first else date
            self.last = max(self.last, date)

    def merge(self, other: "_Span") -> None:
        self.stories.update(other.stories)
        self.see(None, other.first)
        self.see(None, other.last)


@dataclass
class _Values:
    """Distinct string values per attribute name; written only when there is exactly one."""

    values: Dict[str, Dict[str, None]] = field(default_factory=dict)

    def see(self, attributes: Dict[str, Any]) -> None:
        for name, value in (attributes or {}).items():
            if value is None or value == "" or value == []:
                continue
            self.values.setdefault(str(name), {})[_flat(value)] = None

    def merge(self, other: "_Values") -> None:
        for name, values in other.values.items():
            self.values.setdefault(name, {}).update(values)

    def consistent(self) -> Dict[str, str]:
        return {name: next(iter(v)) for name, v in self.values.items() if len(v) == 1}


@dataclass
class _Node:
    names: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    kb_id: str = ""
    mentions: int = 0
    span: _Span = field(default_factory=_Span)
    events: Dict[str, Tuple[_Span, _Values]] = field(default_factory=dict)  # unary relations

    def merge(self, other: "_Node") -> None:
        self.names.update(other.names)
        self.types.update(other.types)
        self.kb_id = self.kb_id or other.kb_id
        self.mentions += other.mentions
        self.span.merge(other.span)
        for rtype, (span, values) in other.events.items():
            mine = self.events.setdefault(rtype, (_Span(), _Values()))
            mine[0].merge(span)
            mine[1].merge(values)


@dataclass
class _Edge:
    span: _Span = field(default_factory=_Span)
    values: _Values = field(default_factory=_Values)
    confidence: Optional[float] = None

    def see_confidence(self, value: Any) -> None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.confidence = max(self.confidence or 0.0, float(value))

    def merge(self, other: "_Edge") -> None:
        self.span.merge(other.span)
        self.values.merge(other.values)
        if other.confidence is not None:
            self.see_confidence(other.confidence)


def node_key(entity: Dict[str, Any]) -> str:
    """The cross-article identity of an entity: its kb_id, else type + folded name."""
    kb_id = entity.get("kb_id")
    return f"kb:{kb_id}" if kb_id else _name_key(entity)


def _name_key(entity: Dict[str, Any]) -> str:
    name = str(entity.get("name") or "")
    return f"{entity.get('type') or 'MISC'}:{fold(name) or name}"


def edge_key(subj: str, rtype: str, obj: str) -> Tuple[str, str, str]:
    """Symmetric relation types get one direction (sorted keys) so A-B and B-A aggregate."""
    if rtype in SYMMETRIC_TYPES and obj < subj:
        subj, obj = obj, subj
    return (subj, rtype, obj)


_edge_key = edge_key


class GraphBuilder:
    """Collects output records one at a time; `to_graph` builds the aggregated graph."""

    def __init__(self) -> None:
        self._nodes: Dict[str, _Node] = {}
        self._edges: Dict[Tuple[str, str, str], _Edge] = {}
        # type+name key -> kb key, None when two kb entities share it (ambiguous)
        self._kb_by_name: Dict[str, Optional[str]] = {}
        self._seen_ids: set = set()
        self.records = 0  # records that contributed
        self.unresolved_relations = 0  # relations whose argument ids were not in the record

    def add(self, record: Dict[str, Any]) -> None:
        """Add one output record (skipped records and repeated ids are ignored)."""
        if record.get("status") not in _OK_STATUS:
            return
        rec_id = str(record.get("id", ""))
        if rec_id in self._seen_ids:
            return
        self._seen_ids.add(rec_id)
        self.records += 1
        copy = bool(record.get("duplicate_of"))
        story = str(record.get("duplicate_of") or rec_id)
        # A copy's date is when it was re-published, not when the story happened.
        date = "" if copy else _iso_date(record.get("date"))
        keys: Dict[str, str] = {}
        for entity in record.get("entities") or []:
            key = node_key(entity)
            keys[str(entity.get("id"))] = key
            self._add_entity(key, entity, story, date, copy)
        for relation in record.get("relations") or []:
            self._add_relation(relation, keys, story, date)

    def _add_entity(self, key: str, entity: Dict[str, Any], story: str, date: str, copy: bool) -> None:
        node = self._nodes.setdefault(key, _Node())
        if entity.get("name"):
            node.names[str(entity["name"])] += 1
        node.types[str(entity.get("type") or "MISC")] += 1
        if entity.get("kb_id"):
            node.kb_id = str(entity["kb_id"])
            name_key = _name_key(entity)
            known = self._kb_by_name.setdefault(name_key, key)
            if known not in (key, None):
                self._kb_by_name[name_key] = None
        if not copy:  # a copy's mentions are the original's mentions again
            node.mentions += len(entity.get("mentions") or [])
        node.span.see(story, date)

    def _add_relation(self, relation: Dict[str, Any], keys: Dict[str, str], story: str, date: str) -> None:
        rtype = str(relation.get("type") or "")
        subj = keys.get(str(relation.get("subject")))
        obj_id = relation.get("object")
        obj = keys.get(str(obj_id)) if obj_id is not None else None
        if not rtype or subj is None or (obj_id is not None and obj is None):
            self.unresolved_relations += 1
            return
        if obj is None:  # unary: an event on the node
            span, values = self._nodes[subj].events.setdefault(rtype, (_Span(), _Values()))
            span.see(story, date)
            values.see(relation.get("attributes") or {})
            return
        edge = self._edges.setdefault(_edge_key(subj, rtype, obj), _Edge())
        edge.span.see(story, date)
        edge.values.see(relation.get("attributes") or {})
        edge.see_confidence(relation.get("confidence"))

    def merge(self, other: "GraphBuilder") -> None:
        """Add the records another builder collected, as if they had come after
        this one's: a cluster run builds one builder per part and merges them in
        part order, which gives the graph of one builder over all records (same
        weights, article lists and node order). A record id `other` shares with
        this builder must not count twice: the caller rebuilds such a part with
        `skip_ids` instead (see `add`), as `shares_ids` tells."""
        for key, node in other._nodes.items():
            self._nodes.setdefault(key, _Node()).merge(node)
        for key, edge in other._edges.items():
            self._edges.setdefault(key, _Edge()).merge(edge)
        for name_key, kb_key in other._kb_by_name.items():
            known = self._kb_by_name.setdefault(name_key, kb_key)
            if kb_key is None or known not in (kb_key, None):
                self._kb_by_name[name_key] = None
        self._seen_ids.update(other._seen_ids)
        self.records += other.records
        self.unresolved_relations += other.unresolved_relations

    def shares_ids(self, other: "GraphBuilder") -> bool:
        """Whether a record id counted in `other` was counted here already."""
        return not self._seen_ids.isdisjoint(other._seen_ids)

    def skip_ids(self, ids: Iterable[str]) -> None:
        """Ignore records with these ids, as if they had been added already."""
        self._seen_ids.update(ids)

    @property
    def seen_ids(self) -> set:
        return self._seen_ids

    # -- building

    def resolve(self, key: str) -> str:
        """The node `key` (from `node_key`) lands on in `to_graph`: a name key
        merges into its unique kb node. Known only once all records are added,
        so callers that keep their own per-edge data (the report's evidence)
        map it with this at the end."""
        if key.startswith("kb:"):
            return key
        return self._kb_by_name.get(key) or key

    def _resolved(self) -> Tuple[Dict[str, _Node], Dict[Tuple[str, str, str], _Edge]]:
        """Nodes and edges after merging name-keyed nodes into their unique kb node."""
        resolve = self.resolve
        nodes: Dict[str, _Node] = {}
        for key, node in self._nodes.items():
            target = resolve(key)
            if target not in nodes:
                nodes[target] = _Node()
            nodes[target].merge(node)
        edges: Dict[Tuple[str, str, str], _Edge] = {}
        for (subj, rtype, obj), edge in self._edges.items():
            key = _edge_key(resolve(subj), rtype, resolve(obj))
            edges.setdefault(key, _Edge()).merge(edge)
        return nodes, edges

    def to_graph(self) -> nx.MultiDiGraph:
        """The aggregated graph; edge keys (and `id`s) are unique: "e0", "e1", ..."""
        nodes, edges = self._resolved()
        graph = nx.MultiDiGraph()
        for key, node in nodes.items():
            graph.add_node(xml_safe(key), **_safe(_node_attributes(key, node)))
        # Self-loops (two entities of one article that are one node) say nothing: dropped.
        kept = [(key, edge) for key, edge in edges.items() if key[0] != key[2]]
        for i, ((subj, rtype, obj), edge) in enumerate(kept):
            graph.add_edge(xml_safe(subj), xml_safe(obj), key=f"e{i}", **_safe(_edge_attributes(rtype, edge)))
        _fill_defaults([data for _, data in graph.nodes(data=True)])
        _fill_defaults([data for _, _, data in graph.edges(data=True)])
        return graph


def _safe(attrs: Dict[str, Any]) -> Dict[str, Any]:
    return {xml_safe(name): xml_safe(value) for name, value in attrs.items()}


def _node_attributes(key: str, node: _Node) -> Dict[str, Any]:
    label = node.names.most_common(1)[0][0] if node.names else key
    attrs: Dict[str, Any] = {
        "label": label,
        "type": node.types.most_common(1)[0][0] if node.types else "MISC",
        "kb_id": node.kb_id,
        "mentions": node.mentions,
        "articles": len(node.span.stories),
        "first_seen": node.span.first,
        "last_seen": node.span.last,
    }
    for rtype, (span, values) in sorted(node.events.items()):
        attrs[rtype] = len(span.stories)
        attrs[f"{rtype}_first_seen"] = span.first
        attrs[f"{rtype}_last_seen"] = span.last
        attrs[f"{rtype}_articles"] = " ".join(span.stories)
        for name, value in values.consistent().items():
            attrs[f"{rtype}_{name}"] = value
    return attrs


def _edge_attributes(rtype: str, edge: _Edge) -> Dict[str, Any]:
    attrs: Dict[str, Any] = {
        "relation": rtype,
        "label": rtype,
        "weight": len(edge.span.stories),
        "first_seen": edge.span.first,
        "last_seen": edge.span.last,
        "articles": " ".join(edge.span.stories),
    }
    if edge.confidence is not None:
        attrs["confidence"] = round(edge.confidence, 4)
    for name, value in edge.values.consistent().items():
        attrs[f"attr_{name}" if name in _RESERVED else name] = value
    return attrs


def _fill_defaults(items: List[Dict[str, Any]]) -> None:
    """Give every item every attribute (0, 0.0 or "") so each attribute has one type everywhere."""
    kinds: Dict[str, type] = {}
    for data in items:
        for name, value in data.items():
            kind = type(value) if type(value) in (int, float) else str
            previous = kinds.setdefault(name, kind)
            if previous is not kind:  # mixed: fall back to the wider type
                kinds[name] = str if str in (previous, kind) else float
    for data in items:
        for name, kind in kinds.items():
            value = data.get(name)
            data[name] = kind() if value is None else kind(value)


def build_graph(records: Iterable[Dict[str, Any]]) -> nx.MultiDiGraph:
    """Convenience: aggregate all records into one graph."""
    builder = GraphBuilder()
    for record in records:
        builder.add(record)
    return builder.to_graph()


# ---------------------------------------------------------------------------
# Writers


def write_graph(graph: nx.MultiDiGraph, path: str) -> None:
    """Write the graph by extension: .gexf (dynamic GEXF 1.2), .graphml, or .csv.

    `.csv` writes the Gephi spreadsheet edge table to `path` itself and the node
    table next to it as `<stem>.nodes.csv` (graph.csv -> graph.nodes.csv).
    Files are written atomically (temporary file in the same directory, then
    renamed).
    """
    for target, text in graph_files(graph, path):
        _atomic_write(target, text)


def graph_files(graph: nx.MultiDiGraph, path: str) -> List[Tuple[str, str]]:
    """(file, text) for each file `write_graph` writes, so a caller can commit
    them together with its other outputs."""
    suffix = Path(path).suffix.lower()
    if suffix == ".gexf":
        return [(path, gexf_text(graph))]
    if suffix == ".graphml":
        return [(path, "\n".join(nx.generate_graphml(graph)) + "\n")]
    if suffix == ".csv":
        nodes_text, edges_text = csv_tables(graph)
        return [(str(nodes_csv_path(path)), nodes_text), (path, edges_text)]
    raise ValueError(
        f"Unknown graph format {suffix or '(no extension)'!r} for {path}: "
        "use .gexf, .graphml or .csv"
    )


def nodes_csv_path(path: str) -> Path:
    """Where `write_graph(..., "X.csv")` puts the node table: X.nodes.csv."""
    p = Path(path)
    return p.with_name(p.stem + ".nodes.csv")


def gexf_text(graph: nx.MultiDiGraph) -> str:
    """GEXF 1.2 in dynamic mode: nodes and edges get start/end from first/last seen."""
    timed = graph.copy()
    timed.graph["mode"] = "dynamic"
    for _, _, key, data in timed.edges(keys=True, data=True):
        data["id"] = str(key)  # the edge's XML id, instead of a bare counter
    items = [d for _, d in timed.nodes(data=True)] + [d for _, _, d in timed.edges(data=True)]
    for data in items:
        if data.get("first_seen"):
            data["start"] = data["first_seen"]
        if data.get("last_seen"):
            data["end"] = data["last_seen"]
    text = _drop_gexf_attribute("\n".join(nx.generate_gexf(timed, version="1.2draft")), "networkx_key")
    # networkx only sets timeformat when some start/end exists; make it explicit.
    head, sep, rest = text.partition("<graph ")
    if sep:
        tag, close, tail = rest.partition(">")
        if "timeformat=" not in tag:
            tag += ' timeformat="date"'
        if 'mode="dynamic"' not in tag:
            tag = re.sub(r'mode="\w+"', 'mode="dynamic"', tag)
        text = head + sep + tag + close + tail
    return text + "\n"


def _drop_gexf_attribute(text: str, title: str) -> str:
    """Remove an attribute networkx adds on its own (the multigraph key, equal to the edge id)."""
    match = re.search(rf'<attribute id="(\d+)" title="{re.escape(title)}" type="\w+"\s*/>\s*', text)
    if not match:
        return text
    text = text[: match.start()] + text[match.end():]
    return re.sub(rf'<attvalue for="{match.group(1)}" value="[^"]*"\s*/>\s*', "", text)


_NODE_HEAD = ("Id", "Label")
_EDGE_HEAD = ("Source", "Target", "Type", "Id", "Label", "Weight")


def csv_tables(graph: nx.MultiDiGraph) -> Tuple[str, str]:
    """Node and edge tables in Gephi's spreadsheet import format."""
    node_cols = sorted({k for _, d in graph.nodes(data=True) for k in d} - {"label"})
    nodes = io.StringIO()
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(list(_NODE_HEAD) + node_cols)
    for key, data in graph.nodes(data=True):
        writer.writerow([key, data.get("label", key)] + [data.get(c, "") for c in node_cols])
    skip = {"label", "weight"}
    edge_cols = ["relation", "first_seen", "last_seen", "articles"]
    edge_cols += sorted({k for _, _, d in graph.edges(data=True) for k in d} - skip - set(edge_cols))
    edges = io.StringIO()
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(list(_EDGE_HEAD) + edge_cols)
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = "Undirected" if data.get("relation") in SYMMETRIC_TYPES else "Directed"
        row = [u, v, kind, key, data.get("label", ""), data.get("weight", 1)]
        writer.writerow(row + [data.get(c, "") for c in edge_cols])
    return nodes.getvalue(), edges.getvalue()


def _atomic_write(path: str, text: str) -> None:
    """Write via io.AtomicWriter so readers never see half a file."""
    from .io import AtomicWriter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with AtomicWriter(target) as writer:
        writer.write(text.encode("utf-8"))