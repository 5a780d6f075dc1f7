"""A real dump folder end to end: JSON lines (gzip), text, HTML and WARC in one run.

Every record is accounted for in the summary; HTML output carries its extracted
text so that offsets can be checked; teasers of other stories on a page yield no
relations; non-German articles are skipped; an agency copy is marked as a
duplicate and does not count twice in the graph.
"""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import networkx as nx
import orjson
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extractor.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PELLETS_HTML = FIXTURES / "html" / "anleihencheck-german-pellets-2016-02-25.html"
BOEING_HTML = FIXTURES / "html" / "ariva-boeing-2016-02-23.html"
ARTICLES = FIXTURES / "io" / "articles.jsonl"
ENGLISH = FIXTURES / "io" / "english.txt"


def _warc(path: Path) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warc_record("http://ariva.de/", "request",
                                                      payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://www.ariva.de/news/boeing", "response", payload=io.BytesIO(BOEING_HTML.read_bytes()),
            http_headers=http, warc_headers_dict={"WARC-Date": "2016-02-23T10:00:00Z"}))


def _dump(tmp_path: Path) -> Path:
    folder = tmp_path / "dump"
    folder.mkdir()
    lines = ARTICLES.read_bytes().splitlines()
    copy = orjson.loads(lines[2])  # the Verdi strike story again, as another outlet runs it
    copy["id"], copy["title"] = "copy-of-strike", "Warnstreik: Lufthansa-Bodenpersonal legt Arbeit nieder"
    copy["text"] = copy["text"] + "\nMit Material von dpa."
    with gzip.open(folder / "agency.jsonl.gz", "wb") as f:
        f.write(b"\n".join(lines + [orjson.dumps(copy)]) + b"\n")
    shutil.copy(ENGLISH, folder / "english.txt")
    shutil.copy(PELLETS_HTML, folder / "pellets.html")
    _warc(folder / "crawl.warc.gz")
    return folder


def test_mixed_folder_in_one_run(tmp_path):
    folder = _dump(tmp_path)
    out, graph = tmp_path / "out.jsonl", tmp_path / "g.gexf"
    assert main(["extract", str(folder), "-o", str(out), "--graph", str(graph), "--quiet"]) == 0
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert summary["read"] == len(records) == 7
    assert summary["skipped_by_reason"].get("skipped_language") == 1
    assert summary["duplicates"] == 1
    assert sum(summary["skipped_by_reason"].values()) >= 2  # the language skip and the WARC request

    by_id = {r["id"]: r for r in records}
    assert by_id["copy-of-strike"]["duplicate_of"] == "rtr-2016-03-01-lufthansa-streik"
    assert by_id["english"]["status"] == "skipped_language"

    html = by_id["pellets"]
    assert "Amtsgericht" in html["text"] or "Insolvenz" in html["text"]
    for record in records:
        for entity in record["entities"]:
            for mention in entity["mentions"]:
                if "text" in record:
                    assert record["text"][mention["start"]:mention["end"]] == mention["text"]
    warc = [r for r in records if r["id"].startswith("urn:uuid:")]
    assert len(warc) == 1 and warc[0]["url"] == "http://www.ariva.de/news/boeing"

    # the page's teasers of other stories ("FCR Immobilien AG kauft ...", "RWE-Tochter ELMU ...")
    # must not turn into relations
    raw = PELLETS_HTML.read_text(encoding="utf-8", errors="replace")
    assert "FCR Immobilien AG kauft" in raw and "RWE-Tochter ELMU" in raw
    names = {r["subject_name"] for r in html["relations"]} | {r["object_name"] for r in html["relations"]}
    assert not {n for n in names if n and ("FCR" in n or "ELMU" in n or n == "RWE")}
    assert any(r["type"] == "insolvency" for r in html["relations"]), html["relations"]

    g = nx.read_gexf(graph)
    strikes = [d for _, _, d in g.edges(data=True) if d["relation"] == "strike"]
    assert strikes and all(d["weight"] == 1 for d in strikes)  # the copy did not count twice
