"""Graph aggregation and the GEXF/GraphML/CSV writers, read back with networkx."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List

import networkx as nx
import pytest

from extractor.graph import GraphBuilder, build_graph, nodes_csv_path, write_graph


def _ent(eid: str, etype: str, name: str, kb_id: Any = None, n: int = 1) -> Dict[str, Any]:
    mentions = [{"start": i * 10, "end": i * 10 + len(name), "text": name, "kind": "name"} for i in range(n)]
    return {"id": eid, "type": etype, "name": name, "kb_id": kb_id, "mentions": mentions}


def _rel(rtype: str, subj: str, obj: Any, **attributes: Any) -> Dict[str, Any]:
    return {"type": rtype, "subject": subj, "object": obj, "attributes": attributes,
            "confidence": 0.9, "evidence": {"start": 0, "end": 1, "text": "x"}}


def _record(rid: str, date: str, entities: List[dict], relations: List[dict], **extra: Any) -> dict:
    return {"schema_version": "1", "id": rid, "title": rid, "date": date,
            "entities": entities, "relations": relations, "meta": {}, **extra}


@pytest.fixture
def records() -> List[dict]:
    art1 = _record(
        "a1", "2010-10-07",
        [_ent("E1", "COMPANY", "BMW", "bmw", n=2), _ent("E2", "COMPANY", "General Motors AG"),
         _ent("E3", "PERSON", "Norbert Reithofer")],
        [_rel("cooperation_talks", "E2", "E1", topic="Motoren"),
         _rel("role", "E3", "E1", title="Vorstandschef", status="current"),
         _rel("insolvency", "E2", None)],
    )
    # A later article: GM without legal suffix, the symmetric relation written the other way.
    art2 = _record(
        "a2", "2010-11-02T08:00:00+01:00",
        [_ent("E1", "COMPANY", "BMW", "bmw"), _ent("E2", "COMPANY", "General Motors")],
        [_rel("cooperation_talks", "E1", "E2", topic="Motoren")],
    )
    # A copy of a2 (e.g. syndicated): must not count as another story.
    dup = dict(art2, id="a2-copy", date="2010-12-24", duplicate_of="a2")
    skipped = _record("a3", "2011-01-01", [_ent("E1", "COMPANY", "Saab")], [], status="skipped_language")
    return [art1, art2, dup, skipped]


def _no_none(graph: nx.MultiDiGraph) -> None:
    for _, data in graph.nodes(data=True):
        assert all(v is not None and not isinstance(v, list) for v in data.values()), data
    for _, _, data in graph.edges(data=True):
        assert all(v is not None and not isinstance(v, list) for v in data.values()), data


def test_aggregation(records: List[dict]) -> None:
    graph = build_graph(records)
    assert set(graph.nodes) == {"kb:bmw", "COMPANY:general motors", "PERSON:norbert reithofer"}
    gm = graph.nodes["COMPANY:general motors"]
    assert gm["label"] in ("General Motors AG", "General Motors")
    assert gm["kb_id"] == "" and gm["type"] == "COMPANY"
    assert gm["articles"] == 2 and gm["mentions"] == 2  # the copy adds no story, no mentions
    assert gm["insolvency"] == 1 and gm["insolvency_first_seen"] == "2010-10-07"
    assert graph.nodes["kb:bmw"]["mentions"] == 3
    assert graph.nodes["kb:bmw"]["insolvency"] == 0  # defaults keep one type per attribute
    edges = {(d["relation"]): (u, v, d) for u, v, d in graph.edges(data=True)}
    assert set(edges) == {"cooperation_talks", "role"}  # insolvency is no edge
    u, v, talks = edges["cooperation_talks"]
    assert talks["weight"] == 2
    assert (talks["first_seen"], talks["last_seen"]) == ("2010-10-07", "2010-11-02")
    assert talks["articles"] == "a1 a2" and talks["topic"] == "Motoren"
    role = edges["role"][2]
    assert role["weight"] == 1 and role["title"] == "Vorstandschef" and role["status"] == "current"
    assert role["title"] and talks["title"] == ""  # attribute present everywhere as str
    keys = [k for _, _, k in graph.edges(keys=True)]
    assert len(keys) == len(set(keys))
    _no_none(graph)


def test_inconsistent_attribute_dropped_and_kb_merge() -> None:
    builder = GraphBuilder()
    builder.add(_record("x1", "", [_ent("E1", "PERSON", "Ann Lee"), _ent("E2", "COMPANY", "Acme")],
                        [_rel("role", "E1", "E2", title="CEO")]))
    builder.add(_record("x2", "2020-01-01", [_ent("E1", "PERSON", "Ann Lee"),
                                             _ent("E2", "COMPANY", "Acme Inc.", "Q1")],
                        [_rel("role", "E1", "E2", title="CFO")]))
    graph = builder.to_graph()
    # The name-keyed "Acme" merges into the kb node of "Acme Inc." (same type + folded name).
    assert set(graph.nodes) == {"PERSON:ann lee", "kb:Q1"}
    (_, _, data), = graph.edges(data=True)
    assert data["weight"] == 2 and "title" not in data  # CEO vs CFO: not consistent
    assert data["first_seen"] == "2020-01-01"


def test_write_gexf(records: List[dict], tmp_path: Path) -> None:
    path = tmp_path / "g.gexf"
    write_graph(build_graph(records), str(path))
    root = ET.parse(path).getroot()
    graph_el = next(el for el in root.iter() if el.tag.endswith("graph"))
    assert graph_el.get("mode") == "dynamic" and graph_el.get("timeformat") == "date"
    ids = [el.get("id") for el in root.iter() if el.tag.endswith("}edge")]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(i.startswith("e") for i in ids)
    # each attribute is declared once per class, i.e. has one type everywhere
    for attributes in (el for el in root.iter() if el.tag.endswith("}attributes")):
        titles = [a.get("title") for a in attributes]
        assert len(titles) == len(set(titles)), titles
    back = nx.read_gexf(path)
    talks = [d for _, _, d in back.edges(data=True) if d["relation"] == "cooperation_talks"][0]
    assert talks["weight"] == 2.0 and talks["start"] == "2010-10-07" and talks["end"] == "2010-11-02"
    gm = back.nodes["COMPANY:general motors"]
    assert gm["insolvency"] == 1 and gm["start"] == "2010-10-07" and gm["end"] == "2010-11-02"
    assert not list(tmp_path.glob(".*tmp"))  # no temp file left behind
    _no_none(back)


def test_write_graphml(records: List[dict], tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    write_graph(build_graph(records), str(path))
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == 3
    keys = [k for _, _, k in back.edges(keys=True)]
    assert sorted(keys) == ["e0", "e1"]
    rel = {d["relation"]: d for _, _, d in back.edges(data=True)}
    assert rel["cooperation_talks"]["weight"] == 2 and rel["role"]["weight"] == 1
    assert rel["role"]["first_seen"] == "2010-10-07"
    assert back.nodes["kb:bmw"]["kb_id"] == "bmw"
    _no_none(back)


def test_write_csv(records: List[dict], tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    write_graph(build_graph(records), str(path))
    with open(path, newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    with open(nodes_csv_path(str(path)), newline="", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    assert nodes_csv_path(str(path)).name == "g.nodes.csv"
    assert list(edges[0])[:6] == ["Source", "Target", "Type", "Id", "Label", "Weight"]
    by_rel = {e["relation"]: e for e in edges}
    assert by_rel["cooperation_talks"]["Type"] == "Undirected" and by_rel["role"]["Type"] == "Directed"
    assert by_rel["cooperation_talks"]["Weight"] == "2"
    assert {n["Id"] for n in nodes} == {"kb:bmw", "COMPANY:general motors", "PERSON:norbert reithofer"}
    assert list(nodes[0])[:2] == ["Id", "Label"]


def test_parallel_edges_have_unique_ids(tmp_path: Path) -> None:
    entities = [_ent("E1", "COMPANY", "Acme"), _ent("E2", "COMPANY", "Beta")]
    relations = [_rel("stake", "E1", "E2", share="10%"), _rel("supply_contract", "E1", "E2"),
                 _rel("merger", "E2", "E1")]
    graph = build_graph([_record("p1", "2020-01-02", entities, relations)])
    assert graph.number_of_edges() == 3
    write_graph(graph, str(tmp_path / "p.gexf"))
    write_graph(graph, str(tmp_path / "p.graphml"))
    for path in (tmp_path / "p.gexf", tmp_path / "p.graphml"):
        ids = [el.get("id") for el in ET.parse(path).getroot().iter() if el.tag.endswith("}edge")]
        assert sorted(ids) == ["e0", "e1", "e2"], path
    assert "networkx_key" not in (tmp_path / "p.gexf").read_text(encoding="utf-8")
    back = nx.read_gexf(tmp_path / "p.gexf")
    assert sorted(k for _, _, k in back.edges(keys=True)) == ["e0", "e1", "e2"]
    assert {d["share"] for _, _, d in back.edges(data=True)} == {"10%", ""}


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="gexf"):
        write_graph(nx.MultiDiGraph(), str(tmp_path / "g.dot"))


def test_control_characters_in_names_leave_valid_xml(tmp_path: Path) -> None:
    """Texts keep their control characters (offsets must stay valid), so names
    can carry them: the graph files drop them, or XML parsers refuse the file."""
    entities = [_ent("E1", "COMPANY", "Müller\x0bBau\x1f AG"), _ent("E2", "PERSON", "Eva\x00 Berg")]
    relations = [_rel("role", "E2", "E1", title="Chef\x1fin")]
    graph = build_graph([_record("c1", "2020-01-02", entities, relations)])
    for name in ("c.gexf", "c.graphml"):
        write_graph(graph, str(tmp_path / name))
        root = ET.parse(tmp_path / name).getroot()  # raises on a control character
        values = {el.get("label") or el.get("value") or el.text for el in root.iter()}
        assert {"MüllerBau AG", "Chefin"} <= values, name
    assert sorted(d["label"] for _, d in nx.read_gexf(tmp_path / "c.gexf").nodes(data=True)) == ["Eva Berg", "MüllerBau AG"]


def test_group_and_legal_words_do_not_split_a_company_across_articles() -> None:
    """ "Zyrbel Holding GmbH" in one article and "Zyrbel GmbH" in another are one node: the
    graph keys names by the knowledge base's matching fold, not by their exact spelling."""
    builder = GraphBuilder()
    builder.add(_record("z1", "2020-01-01", [_ent("E1", "COMPANY", "Zyrbel Holding GmbH"), _ent("E2", "COMPANY", "Quax")],
                        [_rel("acquisition", "E1", "E2")]))
    builder.add(_record("z2", "2020-02-01", [_ent("E1", "COMPANY", "Zyrbel GmbH"), _ent("E2", "COMPANY", "Quax AG")],
                        [_rel("acquisition", "E1", "E2")]))
    graph = builder.to_graph()
    assert set(graph.nodes) == {"COMPANY:zyrbel", "COMPANY:quax"}
    (_, _, data), = graph.edges(data=True)
    assert data["weight"] == 2
