"""Readers, atomic writers and run summaries (no model needed)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import shutil
import sys
from pathlib import Path

import orjson
import pytest

from extractor.io import (
    AtomicWriter,
    LineRejected,
    OutputBusy,
    iter_inputs,
    iter_json_objects,
    output_dir_error,
    output_locks,
    output_paths,
    rejected_bytes,
    sniff,
)
from extractor.records import Record, Rejected, Skipped
from extractor.summary import RunSummary

FIXTURES = Path(__file__).parent / "fixtures" / "io"
HTML_FIXTURES = Path(__file__).parent / "fixtures" / "html"
ARTICLES = FIXTURES / "articles.jsonl"
IDS = ["hb-2010-10-07-gm-bmw", "dpa-2016-02-25-german-pellets", "rtr-2016-03-01-lufthansa-streik"]


def read(*paths) -> list:
    return list(iter_inputs([str(p) for p in paths]))


def records(items) -> list:
    return [item for item in items if isinstance(item, Record)]


def rejected(items) -> list:
    return [item for item in items if isinstance(item, Rejected)]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


# ---------------------------------------------------------------------------
# JSON lines


def test_jsonl_fields_and_meta():
    items = read(ARTICLES)
    assert [r.id for r in items] == IDS
    first = items[0]
    assert first.title == "Kooperation: GM flirtet mit BMW"
    assert first.date == "2010-10-07"
    assert first.source == "fixture"
    assert first.text.startswith("Der US-Autokonzern General Motors")
    assert first.meta == {"section": "Unternehmen"}
    assert items[1].meta == {"tags": ["Insolvenz", "Energie"]}
    assert first.origin == f"{ARTICLES}:1"
    assert first.status is None and first.duplicate_of is None


@pytest.mark.parametrize("suffix,opener", [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_jsonl(tmp_path, suffix, opener):
    path = tmp_path / f"news.jsonl{suffix}"
    with opener(path, "wb") as fh:
        fh.write(ARTICLES.read_bytes())
    items = read(path)
    assert [r.id for r in items] == IDS
    assert items[2].origin == f"{path}:3"
    assert items[0].meta == {"section": "Unternehmen"}


def test_json_extension_is_json_lines(tmp_path):
    path = tmp_path / "news.json"
    shutil.copy(ARTICLES, path)
    assert [r.id for r in read(path)] == IDS


def test_json_array(tmp_path):
    path = tmp_path / "news.json"
    docs = [orjson.loads(line) for line in ARTICLES.read_bytes().splitlines()]
    path.write_bytes(orjson.dumps(docs, option=orjson.OPT_INDENT_2))
    items = read(path)
    assert [r.id for r in items] == IDS
    assert items[1].origin == f"{path}:2"


def test_json_pretty_printed_object(tmp_path):
    path = tmp_path / "one.json"
    path.write_bytes(orjson.dumps({"id": "a", "text": "Die Bahn streikt.", "x": 1}, option=orjson.OPT_INDENT_2))
    (item,) = read(path)
    assert (item.id, item.text, item.meta) == ("a", "Die Bahn streikt.", {"x": 1})


BAD_LINES = [
    (b'{"id": "ok", "text": "BMW baut Stellen ab."}', None),
    (b'{"id": "broken", "text": "BMW', "invalid JSON"),
    (b'["not", "an", "object"]', "not a JSON object"),
    (b'{"id": "no-text"}', "missing text"),
    (b'{"id": "null-text", "text": null}', "missing text"),
    (b'{"id": "num-text", "text": 42}', "text is not a string"),
    (b'{"id": 7.5, "text": "Die Post erh\xc3\xb6ht das Porto."}', "id is not a string or integer"),
    (b'{"id": "latin1", "text": "Gr\xfc\xdfe aus M\xfcnchen"}', "invalid UTF-8"),
]


def test_each_rejection_reason_with_file_and_line(tmp_path):
    lines = [line for line, _ in BAD_LINES]
    path = write_lines(tmp_path / "bad.jsonl", lines[:1] + [b"", b"   "] + lines[1:])
    items = read(path)
    assert [r.id for r in records(items)] == ["ok"]
    bad = rejected(items)
    # the two blank lines are ignored but still counted in line numbers
    assert [(r.file, r.line) for r in bad] == [(str(path), n) for n in range(4, 11)]
    assert [r.reason.split(":")[0] for r in bad] == [reason for _, reason in BAD_LINES[1:]]
    assert [r.raw for r in bad] == lines[1:]
    assert all(isinstance(r, LineRejected) for r in bad)


def test_rejections_in_compressed_file_keep_line_numbers(tmp_path):
    path = tmp_path / "news.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(ARTICLES.read_bytes() + b"{oops\n")
    items = read(path)
    assert len(records(items)) == 3
    (bad,) = rejected(items)
    assert (bad.file, bad.line, bad.raw) == (str(path), 4, b"{oops")


def test_integer_id_is_kept_as_string(tmp_path):
    """The contract: an integer id is kept as a string (it used to be rejected)."""
    path = write_lines(tmp_path / "nums.jsonl", [b'{"id": 7, "text": "Die Post erh\xc3\xb6ht das Porto."}',
                                                 b'{"id": true, "text": "Kein Artikel."}'])
    items = read(path)
    assert [r.id for r in records(items)] == ["7"]
    assert [r.reason for r in rejected(items)] == ["id is not a string or integer"]


def test_missing_id_gets_file_stem_and_line(tmp_path):
    path = write_lines(tmp_path / "dump.jsonl.gz", [])
    with gzip.open(path, "wb") as fh:
        fh.write(b'\n{"text": "Die Telekom investiert."}\n{"id": null, "text": ""}\n')
    items = read(path)
    assert [r.id for r in items] == ["dump:2", "dump:3"]
    assert items[1].text == ""  # empty text is valid


def test_crlf_and_bom(tmp_path):
    path = tmp_path / "win.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "Text", "date": "2016-02-25", "lang": "de"}\r\n'
                     b'{"id": "b", "text": "Noch ein Text", "meta": {"feed": "rss"}, "rank": 3}\r\n')
    a, b = read(path)
    assert (a.id, a.text, a.date, a.lang) == ("a", "Text", "2016-02-25", "de")
    assert b.meta == {"feed": "rss", "rank": 3}


@pytest.mark.parametrize("key", ["title", "date", "url", "source", "lang"])
@pytest.mark.parametrize("value", [20160225, 1.5, True, ["de"], {"x": 1}])
def test_optional_field_of_the_wrong_type_rejects_the_record(tmp_path, key, value):
    """One policy: a known field of the wrong type rejects the record (a guess
    at what a number or list means would pass unnoticed)."""
    line = orjson.dumps({"id": "a", "text": "Text", key: value})
    (item,) = read(write_lines(tmp_path / "t.jsonl", [line]))
    assert isinstance(item, LineRejected) and item.reason == f"{key} is not a string" and item.raw == line


def test_invalid_date_is_dropped_with_a_note(tmp_path):
    """...while a string that is no date only loses the date: the article is still worth analysing."""
    dates = ["gestern", "2024-13-45", "2024-02-30", "2024-01-05", "2024-01-05T09:30:00Z", None]
    path = write_lines(tmp_path / "d.jsonl", [orjson.dumps({"id": str(i), "text": "T", "date": d})
                                              for i, d in enumerate(dates)])
    items = read(path)
    assert [r.date for r in items] == [None, None, None, "2024-01-05", "2024-01-05T09:30:00Z", None]
    assert [r.notes for r in items[:3]] == [["invalid date: 'gestern' (dropped)"], ["invalid date: '2024-13-45' (dropped)"],
                                            ["invalid date: '2024-02-30' (dropped)"]]
    assert all(not r.notes for r in items[3:])


def test_truncated_gzip_is_rejected_not_raised(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(ARTICLES.read_bytes() * 50)
    path.write_bytes(data[: len(data) // 2])
    items = read(path)
    assert isinstance(items[-1], Rejected)
    assert items[-1].reason.startswith("unreadable file")
    assert all(isinstance(item, Record) for item in items[:-1])


# ---------------------------------------------------------------------------
# Text, HTML, folders, sniffing


def test_txt_file_is_one_article():
    path = FIXTURES / "siemens-stellenabbau.txt"
    (item,) = read(path)
    assert item.id == "siemens-stellenabbau"
    assert item.text == path.read_text(encoding="utf8")
    assert item.origin == str(path)


def test_txt_in_windows_1252_is_decoded_with_a_note(tmp_path):
    path = tmp_path / "alt.txt"
    path.write_bytes("Grüße aus Köln – 5 €".encode("cp1252"))
    (item,) = read(path)
    assert isinstance(item, Record) and item.text == "Grüße aus Köln – 5 €"
    assert item.notes == ["decoded as Windows-1252"]


def test_txt_neither_utf8_nor_windows_1252_is_rejected(tmp_path):
    path = tmp_path / "kaputt.txt"
    path.write_bytes(b"Gr\xfc\x81e")  # 0x81 is unassigned in Windows-1252
    (item,) = read(path)
    assert isinstance(item, Rejected) and item.reason == "neither UTF-8 nor Windows-1252"
    assert rejected_bytes(item) is None  # a whole-file problem: listed in the index only


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress, lambda data: data])
@pytest.mark.parametrize("name", ["news.jsonl", "news.jsonl.gz", "news.jsonl.xz", "feed.dat"])
def test_compression_by_magic_bytes_not_name(tmp_path, compress, name):
    path = tmp_path / name
    path.write_bytes(compress(ARTICLES.read_bytes()))
    assert [r.id for r in read(path)] == IDS


def test_directory_walk_sorted_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("versteckt")
    (tmp_path / ".hidden.txt").write_text("versteckt")
    (tmp_path / "b" / "z.txt").write_text("Zweiter Text")
    (tmp_path / "a.txt").write_text("Erster Text")
    shutil.copy(ARTICLES, tmp_path / "b" / "a.jsonl")
    (tmp_path / "c.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    items = read(tmp_path)
    assert [getattr(i, "id", None) for i in items] == ["a", *IDS, "z", None]
    assert isinstance(items[-1], Skipped) and items[-1].reason == "binary file"


def test_exclude_skips_own_output(tmp_path):
    (tmp_path / "a.txt").write_text("Erster Text")
    (tmp_path / "out.jsonl").write_text('{"id": "x", "text": "alt"}\n')
    items = list(iter_inputs([str(tmp_path)], exclude=[str(tmp_path / "out.jsonl")]))
    assert [r.id for r in items] == ["a"]


def test_unknown_extension_is_sniffed(tmp_path):
    (tmp_path / "feed.dat").write_bytes(ARTICLES.read_bytes())
    (tmp_path / "notiz").write_text("Ein einfacher Text ohne Endung.")
    items = read(tmp_path / "feed.dat", tmp_path / "notiz")
    assert [r.id for r in items] == IDS + ["notiz"]


def test_sniff():
    assert sniff(b"WARC/1.0\r\n") == "warc"
    assert sniff(b'  \n{"id": 1}') == "jsonl"
    assert sniff(b"[{}]") == "json"
    assert sniff(b"<!DOCTYPE html><html><head>") == "html"
    assert sniff(b"Die Aktie steigt.") == "text"
    assert sniff(b"\x00\x01") == "binary"


def test_html_file():
    path = HTML_FIXTURES / "ariva-boeing-2016-02-23.html"
    if not path.exists():
        pytest.skip("HTML fixture missing")
    (item,) = read(path)
    assert isinstance(item, Record)
    assert item.id == "ariva-boeing-2016-02-23"
    assert "Boeing" in item.text


# ---------------------------------------------------------------------------
# stdin


def fake_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_json_lines(monkeypatch):
    fake_stdin(monkeypatch, b"\n\n" + ARTICLES.read_bytes() + b'{"text": "ohne id"}\nkaputt\n')
    items = read("-")
    assert [r.id for r in records(items)] == IDS + ["stdin:6"]
    assert records(items)[0].origin == "<stdin>:3"
    (bad,) = rejected(items)
    assert (bad.file, bad.line, bad.raw) == ("<stdin>", 7, b"kaputt")


def test_stdin_large_json_lines(monkeypatch):
    # more than the sniffing buffer, so the prefixed stream is really used
    lines = [orjson.dumps({"id": f"n{i}", "text": "Die Commerzbank " * 40}) for i in range(200)]
    fake_stdin(monkeypatch, b"\n".join(lines) + b"\n")
    assert [r.id for r in read("-")] == [f"n{i}" for i in range(200)]


def test_stdin_plain_text(monkeypatch):
    text = (FIXTURES / "siemens-stellenabbau.txt").read_text(encoding="utf8")
    fake_stdin(monkeypatch, text.encode("utf8"))
    (item,) = read("-")
    assert (item.id, item.text) == ("stdin", text)


def test_iter_json_objects(tmp_path):
    path = write_lines(tmp_path / "res.jsonl", [b'{"id": "a"}', b"", b"[1]", b"{bad"])
    items = list(iter_json_objects(str(path)))
    assert items[:2] == [(1, {"id": "a"}), (3, "not a JSON object")]
    assert items[2][0] == 4 and items[2][1].startswith("invalid JSON")


# ---------------------------------------------------------------------------
# Writing


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_writer_replaces_on_success(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("alt\n")
    with AtomicWriter(target) as out:
        out.write_jsonl({"id": "a", "text": "Ä"})
        out.write_jsonl({"id": "b"})
        assert target.read_text() == "alt\n"  # not visible before the end
    assert target.read_bytes() == '{"id":"a","text":"Ä"}\n{"id":"b"}\n'.encode()
    assert leftovers(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_writer_keeps_old_target_on_error(tmp_path, error):
    target = tmp_path / "out.jsonl"
    target.write_text("alt\n")
    with pytest.raises(error):
        with AtomicWriter(target, buffer_size=16) as out:
            for i in range(100):
                out.write_jsonl({"id": i, "text": "Ein längerer Text " * 10})
            raise error()
    assert target.read_text() == "alt\n"
    assert leftovers(tmp_path) == []


def test_atomic_writer_leaves_nothing_for_new_target(tmp_path):
    target = tmp_path / "neu.jsonl"
    with pytest.raises(ValueError):
        with AtomicWriter(target) as out:
            out.write(b"halb")
            raise ValueError
    assert list(tmp_path.iterdir()) == []


def test_atomic_writer_lazy_and_gzip(tmp_path):
    with AtomicWriter(tmp_path / "leer.jsonl", lazy=True):
        pass
    assert list(tmp_path.iterdir()) == []
    with AtomicWriter(tmp_path / "out.jsonl.gz") as out:
        out.write_jsonl({"id": "a"})
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == b'{"id":"a"}\n'


def test_output_paths_and_dir_errors(tmp_path):
    assert output_paths("res/out.jsonl") == {"out": "res/out.jsonl", "rejected": "res/out.rejected.jsonl",
                                             "rejected_index": "res/out.rejected.index.jsonl",
                                             "summary": "res/out.summary.json"}
    assert output_paths("out.jsonl.gz")["summary"] == "out.summary.json"
    assert output_dir_error(str(tmp_path / "neu" / "out.jsonl")) is None  # created
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    assert "not a folder" in output_dir_error(str(blocker / "out.jsonl"))
    assert "is a folder" in output_dir_error(str(tmp_path))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="flock")
def test_output_lock_is_exclusive_and_removed_by_its_holder(tmp_path):
    """flock locks an open file, so even a second lock from this process is refused."""
    out, folder = tmp_path / "o.jsonl", f"{tmp_path}/dir/"
    os.mkdir(folder)
    with output_locks([out, folder]):
        assert (tmp_path / ".o.jsonl.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(OutputBusy, match=f"output {out} is being written by another run \\(pid {os.getpid()}"):
            with output_locks([out]):
                pass
    assert not (tmp_path / ".o.jsonl.lock").exists()
    (tmp_path / ".o.jsonl.lock").write_text("4242\n")  # left by a run killed with kill -9: not locked
    with output_locks([out]):
        pass


def test_rejected_line_kept_byte_for_byte(tmp_path):
    raw = b'{"id": "latin1", "text": "Gr\xfc\xdfe"}'
    item = LineRejected(file="f.jsonl", line=3, reason="invalid UTF-8", raw=raw)
    assert rejected_bytes(item) == raw


# ---------------------------------------------------------------------------
# Summary


def test_run_summary_counts():
    summary = RunSummary()
    for item in [Record(id="a", text="x"), Record(id="b", text="y"), Record(id="c", text="z"), Record(id="d", text="w"),
                 Rejected("f", 2, "invalid JSON: unexpected end", b"{"), Rejected("f", 3, "missing text", b"{}"),
                 Rejected("f", 4, "invalid JSON: trailing", b"{}}"), Skipped("w.warc", "warc request")]:
        summary.add_item(item)
    summary.add_output({"id": "a", "entities": [{"type": "COMPANY"}, {"type": "PERSON"}, {"type": "COMPANY"}],
                        "relations": [{"type": "role"}]})
    summary.add_output({"id": "b", "entities": [], "relations": [], "status": "skipped_language"})
    summary.add_output({"id": "c", "entities": [], "relations": [], "duplicate_of": "a"})
    summary.add_output({"id": "d", "entities": [], "relations": []})
    summary.finish()
    data = summary.to_json()
    assert data["read"] == 4 and data["processed"] == 2 and data["duplicates"] == 1
    assert data["rejected"] == 3 and data["rejected_by_reason"] == {"invalid JSON": 2, "missing text": 1}
    assert data["skipped_by_reason"] == {"skipped_language": 1, "warc request": 1}
    assert data["entities_by_type"] == {"COMPANY": 2, "PERSON": 1}
    assert data["relations_by_type"] == {"role": 1}
    assert data["seconds"] >= 0 and data["articles_per_second"] >= 0
    line = summary.line()
    assert line.startswith("4 read, 2 processed, 1 duplicates")
    assert "3 rejected (invalid JSON: 2, missing text: 1)" in line
    assert "\n" not in line
    orjson.dumps(data)


def test_warc_file_is_routed(tmp_path):
    pytest.importorskip("warcio")
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    html = (HTML_FIXTURES / "ariva-boeing-2016-02-23.html")
    if not html.exists():
        pytest.skip("HTML fixture missing")
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        url = "http://ariva.de/news/boeing"
        request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        response = writer.create_warc_record(url, "response", payload=io.BytesIO(html.read_bytes()), http_headers=headers)
        writer.write_record(request)
        writer.write_record(response)
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Skipped", "Record"]
    assert "Boeing" in items[1].text and items[1].url == "http://ariva.de/news/boeing"
