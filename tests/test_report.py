"""`extractor report`: the page's data (budget, evidence, tables), that the page
asks nothing of the network, and, in headless Chromium where installed, that
the page of a real run draws, filters and shows evidence on a click."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import orjson
import pytest

from extractor.cli import main
from extractor.report import apply_budget, build_report, render_html

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium); the page is not drawn")


def _entity(eid: str, name: str, etype: str = "COMPANY", kb_id: Optional[str] = None) -> Dict[str, Any]:
    return {"id": eid, "type": etype, "name": name, "kb_id": kb_id,
            "mentions": [{"start": 0, "end": len(name), "text": name, "kind": "name"}]}


def _relation(rtype: str, subj: str, obj: Optional[str], text: str, **attributes: Any) -> Dict[str, Any]:
    return {"type": rtype, "subject": subj, "object": obj, "attributes": attributes, "confidence": 0.9,
            "evidence": {"start": 0, "end": len(text), "text": text}}


def _record(rid: str, entities: List[Dict[str, Any]], relations: List[Dict[str, Any]],
            date: str = "2016-01-05", **extra: Any) -> Dict[str, Any]:
    return {"schema_version": "1", "id": rid, "title": f"Title {rid}", "date": date,
            "url": f"https://news.example/{rid}", "entities": entities, "relations": relations, "meta": {}, **extra}


def _write(path: Path, records: List[Dict[str, Any]], bad: str = "") -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records) + bad.encode())
    return path


def _pair(rid: str, a: str, b: str, rtype: str = "cooperation", date: str = "2016-01-05") -> Dict[str, Any]:
    return _record(rid, [_entity("E1", a), _entity("E2", b)], [_relation(rtype, "E1", "E2", f"{a} und {b} in {rid}.")],
                   date=date)


# ---------------------------------------------------------------------------
# The page's data


def test_budget_keeps_the_strongest_edges_and_says_so(tmp_path: Path) -> None:
    records = [_pair(f"ab{i}", "Alpha", "Beta") for i in range(3)]
    records += [_pair(f"cd{i}", "Gamma", "Delta") for i in range(2)]
    records += [_pair("ef", "Epsilon", "Zeta")]
    data, _ = build_report([str(_write(tmp_path / "r.jsonl", records))], max_edges=2)
    budget = data["budget"]
    assert budget["truncated"] and budget["edges_total"] == 3 and budget["edges_shown"] == 2
    assert budget["min_weight"] == 2
    assert sorted(e["w"] for e in data["edges"]) == [2, 3]
    labels = {n["label"] for n in data["nodes"]}
    assert {"Alpha", "Beta", "Gamma", "Delta"} <= labels
    # the weakest edge's nodes only fill what is left of the node budget
    small, _ = build_report([str(tmp_path / "r.jsonl")], max_nodes=4, max_edges=2)
    assert {n["label"] for n in small["nodes"]} == {"Alpha", "Beta", "Gamma", "Delta"}
    assert small["budget"]["nodes_total"] == 6 and small["budget"]["nodes_shown"] == 4


def test_budget_drops_edges_whose_nodes_were_cut_and_fills_up() -> None:
    import networkx as nx

    graph = nx.MultiDiGraph()
    for n in "abcd":
        graph.add_node(n, articles=1)
    graph.add_edge("a", "b", key="e0", weight=5)
    graph.add_edge("c", "d", key="e1", weight=1)
    graph.add_edge("a", "b", key="e2", weight=1)
    nodes, edges, budget = apply_budget(graph, max_nodes=2, max_edges=2)
    # c-d is among the 2 strongest but its nodes are cut: the weaker a-b edge takes its place
    assert nodes == ["a", "b"] and edges == [("a", "b", "e0"), ("a", "b", "e2")]
    assert budget["truncated"] and budget["edges_shown"] == 2 and budget["edges_total"] == 3


def test_evidence_is_attached_to_edges_and_events_and_capped(tmp_path: Path) -> None:
    records = [_pair(f"a{i}", "Alpha", "Beta", rtype="acquisition", date=f"2016-0{i + 1}-10") for i in range(3)]
    # a name-keyed mention of a kb entity lands on the kb node, evidence included
    records[0]["entities"][0]["kb_id"] = "alpha"
    records.append(_record("ins", [_entity("E1", "Alpha", kb_id="alpha")],
                           [_relation("insolvency", "E1", None, "Alpha ist pleite.")], date="2016-04-01"))
    data, _ = build_report([str(_write(tmp_path / "r.jsonl", records))], evidence_per_edge=2)
    (edge,) = data["edges"]
    assert edge["rel"] == "acquisition" and edge["w"] == 3
    assert edge["first"] == "2016-01-10" and edge["last"] == "2016-03-10"
    assert len(edge["evidence"]) == 2  # capped
    item = edge["evidence"][0]
    assert item["text"] == "Alpha und Beta in a0."
    assert data["articles"][str(item["a"])] == ["a0", "Title a0", "https://news.example/a0", "2016-01-10"]
    alpha = next(n for n in data["nodes"] if n["label"] == "Alpha")
    assert alpha["id"] == "kb:alpha"
    assert alpha["events"]["insolvency"]["evidence"][0]["text"] == "Alpha ist pleite."
    assert ["acquisition", "2016-02", 1] in data["months"]
    assert data["top_companies"][0]["label"] == "Alpha"


def test_summary_counts_skipped_duplicates_and_rejected(tmp_path: Path) -> None:
    records = [_pair("a", "Alpha", "Beta"), _pair("b", "Alpha", "Beta", date="2016-02-01"),
               _record("c", [], [], status="skipped_language")]
    records[1]["duplicate_of"] = "a"
    results = _write(tmp_path / "run.jsonl", records)
    (tmp_path / "run.summary.json").write_text(json.dumps({"rejected": 2, "rejected_by_reason": {"invalid JSON": 2}}))
    data, _ = build_report([str(results)])
    summary = data["summary"]
    assert (summary["records"], summary["processed"], summary["duplicates"], summary["skipped"]) == (3, 1, 1, 1)
    assert summary["rejected"] == 2 and summary["rejected_by_reason"] == {"invalid JSON": 2}
    assert data["edges"][0]["w"] == 1  # the copy is the same story
    assert [row for row in data["months"] if row[0] == "cooperation"] == [["cooperation", "2016-01", 1]]


class _References(HTMLParser):
    """Every attribute that makes a browser load something, and the inline scripts."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
               ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href")}

    def __init__(self) -> None:
        super().__init__()
        self.loads: List[str] = []
        self.scripts: List[str] = []
        self.csp = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: List[Any]) -> None:
        values = dict(attrs)
        self.loads += [str(v) for k, v in attrs if (tag, k) in self.LOADING]
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content") or ""
        self._in_script = tag == "script" and values.get("type") != "application/json"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


_NETWORK_CALL = re.compile(
    r"""(fetch|import|importScripts|Worker|EventSource|WebSocket|sendBeacon|open|url)\s*\(\s*["'`](https?:)?//"""
    r"""|@import\s|\.(src|href)\s*=\s*["'`](https?:)?//""", re.IGNORECASE)


def test_page_references_no_network_and_keeps_the_data_intact(tmp_path: Path) -> None:
    hostile = "Alpha </script><script src=\"https://evil.example/x.js\"></script> <!-- und Beta"
    record = _record("a", [_entity("E1", "Alpha"), _entity("E2", "Beta")],
                     [_relation("cooperation", "E1", "E2", hostile)])
    data, _ = build_report([str(_write(tmp_path / "r.jsonl", [record]))])
    page = render_html(data)
    refs = _References()
    refs.feed(page)
    assert refs.loads == []  # no <script src>, <link href>, <img src>, ...
    assert "default-src 'none'" in refs.csp and "connect-src 'none'" in refs.csp
    script = "".join(refs.scripts)
    assert len(script) > 100_000  # the bundle is inlined
    assert not _NETWORK_CALL.search(script)
    assert "url(" not in page.split("<script")[0]  # no CSS url() either
    payload = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)
    assert "</" not in payload and "<!--" not in payload
    assert json.loads(payload)["edges"][0]["evidence"][0]["text"] == hostile
    # article urls are data, shown as links to click, never loaded
    assert "https://news.example/a" in payload


def test_cli_report_exit_codes_and_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    results = _write(tmp_path / "r.jsonl", [_pair("a", "Alpha", "Beta")], bad="{not json\n")
    out = tmp_path / "sub" / "report.html"
    assert main(["report", str(results), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{results}:2: invalid JSON" in err and "2 of 2 nodes, 1 of 1 edges" in err
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in out.parent.iterdir() if p.name != "report.html"]  # atomic: no temporary left
    assert main(["report", str(tmp_path / "missing.jsonl"), "-o", str(out)]) == 2
    assert main(["report", str(results), "-o", str(results)]) == 2  # would overwrite its input
    assert main(["report", str(_write(tmp_path / "ok.jsonl", [_pair("a", "A", "B")])), "-o", str(out)]) == 0


# ---------------------------------------------------------------------------
# Headless Chromium


def run_selftest(page: Path, tmp_path: Path, timeout: float = 60) -> Dict[str, Any]:
    """Open the page with #selftest in headless Chromium; its status JSON, plus
    the wall time and the browser's console lines that report errors."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
               "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'chromium-profile'}",
               "--window-size=1400,900", "--enable-logging=stderr", "--v=0",
               "--dump-dom", f"{page.resolve().as_uri()}#selftest"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    match = re.search(r'<pre id="selftest">(.*?)</pre>', done.stdout, re.S)
    assert match and match.group(1), f"no self-test result; stderr:\n{done.stderr[-3000:]}"
    status = json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    status["wall_s"] = round(wall, 2)
    status["console_errors"] = [line for line in done.stderr.splitlines()
                                if "Uncaught" in line or ("CONSOLE" in line and "error" in line.lower()
                                                          and "WebGL" not in line)]
    return status


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real pipeline over data/samples, once for this module (~5 s)."""
    out = tmp_path_factory.mktemp("samples") / "samples.jsonl"
    assert main(["extract", str(SAMPLES), "-o", str(out), "--quiet"]) == 0
    return out


@needs_chromium
def test_report_of_a_real_run_draws_filters_and_shows_evidence(sample_run: Path, tmp_path: Path) -> None:
    page = tmp_path / "samples.report.html"
    assert main(["report", str(sample_run), "-o", str(page)]) == 0
    status = run_selftest(page, tmp_path)
    assert status["errors"] == [] and status["console_errors"] == []
    assert status["node_pixels"] > 0 and status["edge_pixels"] > 0  # the WebGL canvases are drawn
    assert status["visible_edges"] > 0
    flt = status["filter"]
    assert flt["after"] < flt["before"] and flt["restored"] == flt["before"]
    click = status["click"]
    assert click["hovered"] == click["node"] and click["neighbours"] > 0  # hover highlights the neighbourhood
    assert click["panel_open"] and click["selected"] == click["node"]
    sentences = {" ".join(r["evidence"]["text"].split())
                 for line in sample_run.read_text(encoding="utf-8").splitlines()
                 for r in json.loads(line)["relations"]}
    assert click["evidence"] and set(click["evidence"]) <= sentences


def synthetic_records(n: int, seed: int = 7) -> Iterator[Dict[str, Any]]:
    """Output records of realistic shape: entities drawn with a long tail (a few
    companies in many articles), 0-5 relations per article, evidence sentences,
    dates over two years."""
    rng = random.Random(seed)
    pools = {"COMPANY": 6000, "PERSON": 3000, "ORG": 800, "LOCATION": 1000}
    words = "Konzern übernimmt Anteile Gespräche Vertrag liefert Chef Vorstand Bank Aktie Milliarden".split()
    binary = ["role", "cooperation_talks", "cooperation", "supply_contract", "rating", "acquisition", "stake",
              "merger", "subsidiary", "spin_off", "strike"]

    def pick(etype: str) -> int:  # a third from a heavy head, the rest from the long tail
        if rng.random() < 0.35:
            return min(int(rng.paretovariate(1.2)) - 1, pools[etype] - 1)
        return rng.randrange(pools[etype])

    for i in range(n):
        chosen = {(etype, pick(etype)) for etype in rng.choices(list(pools), weights=(5, 2, 1, 2), k=rng.randint(4, 12))}
        entities = [_entity(f"E{j}", f"{etype.title()} {k}", etype, kb_id=f"c{k}" if etype == "COMPANY" and k < 500 else None)
                    for j, (etype, k) in enumerate(sorted(chosen))]
        orgs = [e for e in entities if e["type"] in ("COMPANY", "ORG")]
        relations = []
        for _ in range(rng.randint(0, 5) if len(orgs) > 1 else 0):
            a, b = rng.sample(orgs, 2)
            sentence = f"{a['name']} {' '.join(rng.choices(words, k=rng.randint(8, 25)))} {b['name']}."
            relations.append(_relation(rng.choice(binary), a["id"], b["id"], sentence))
        if orgs and rng.random() < 0.05:
            relations.append(_relation(rng.choice(["insolvency", "layoffs"]), orgs[0]["id"], None, "Stellen fallen weg."))
        day = rng.randrange(730)
        date = f"{2015 + day // 365}-{(day % 365) // 31 + 1:02d}-{day % 28 + 1:02d}"
        yield _record(f"syn-{i}", entities, relations, date=date)


@needs_chromium
def test_report_of_10000_articles_opens_and_draws_within_5_s(tmp_path: Path) -> None:
    results = _write(tmp_path / "big.jsonl", list(synthetic_records(10_000)))
    page = tmp_path / "big.report.html"
    start = time.perf_counter()
    assert main(["report", str(results), "-o", str(page)]) == 0
    build_s = time.perf_counter() - start
    status = run_selftest(page, tmp_path)
    print(f"10,000 articles: report {build_s:.1f} s, {page.stat().st_size / 1e6:.1f} MB; page {status}")
    assert status["errors"] == [] and status["console_errors"] == []
    assert status["edges"] == 5000 and status["node_pixels"] > 0  # past the budget: the strongest 5,000
    assert "Large run" in status["budget_note"]
    assert status["ready_ms"] < 5000  # navigation start to graph drawn, in the page's own clock
    assert status["filter"]["after"] < status["filter"]["before"]
    assert status["click"]["panel_open"] and status["click"]["evidence"]
    assert os.path.getsize(page) < 30_000_000
