"""Command line and worker pool, end to end.

Most tests run with a stand-in extractor (fast, no model needed) so they check
the plumbing: order, rejections, exit codes, atomic output. The tests marked
`needs_pipeline` run the real pipeline and are skipped while it cannot load.
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List

import orjson
import pytest

from extractor import cluster, parallel  # cluster now: imported under `fake`, it would keep the stand-in
from extractor.cli import main
from extractor.records import Record

FIXTURES = Path(__file__).parent / "fixtures" / "io"
ARTICLES = FIXTURES / "articles.jsonl"
IDS = ["hb-2010-10-07-gm-bmw", "dpa-2016-02-25-german-pellets", "rtr-2016-03-01-lufthansa-streik"]
ROOT = Path(__file__).resolve().parent.parent


class FakeExtractor:
    """Stands in for pipeline.Extractor: one COMPANY entity per known name in the text."""

    NAMES = ("BMW", "Siemens", "Lufthansa", "German Pellets")

    def __init__(self, model: Any = None) -> None:
        self.model = {"name": "de_fake", "version": "0.0.0"}

    def process(self, records: Iterable[Record], batch_size: int = 16) -> Iterator[Dict[str, Any]]:
        records = list(records)
        if any("LANGSAM" in r.text for r in records):  # a run that lasts: 50 records a second
            time.sleep(0.02 * len(records))
        if any("KAPUTT" in r.text for r in records):
            raise ValueError("kaputtes Dokument")
        for record in records:
            entities = [{"id": f"E{i}", "type": "COMPANY", "name": name, "kb_id": None, "mentions": []}
                        for i, name in enumerate((n for n in self.NAMES if n in record.text), start=1)]
            yield {"schema_version": "1", "id": record.id, "title": record.title, "date": record.date,
                   "model": self.model, "entities": entities, "relations": [], "meta": record.meta,
                   "pid": os.getpid()}
            if "ABSTURZ" in record.text:  # a worker that dies (only ever with --workers 2 and more)
                os._exit(70)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(parallel, "load_extractor", lambda model=None: FakeExtractor(model))


@pytest.fixture(scope="session")
def pipeline_ready() -> None:
    try:
        from extractor.pipeline import Extractor

        Extractor()
    except Exception as err:  # the components are still being written
        pytest.skip(f"pipeline cannot load yet: {type(err).__name__}: {err}")


needs_pipeline = pytest.mark.usefixtures("pipeline_ready")


def lines(path: Path) -> List[Dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def mixed_folder(tmp: Path) -> Path:
    """A folder with a .jsonl.gz holding one bad line between good ones, and a .txt."""
    folder = tmp / "in"
    folder.mkdir()
    good = ARTICLES.read_bytes().splitlines()
    with gzip.open(folder / "a-news.jsonl.gz", "wb") as fh:
        fh.write(b"\n".join([good[0], b'{"id": "kaputt", "text": "BMW', good[1], good[2]]) + b"\n")
    shutil.copy(FIXTURES / "siemens-stellenabbau.txt", folder / "b-siemens.txt")
    return folder


# ---------------------------------------------------------------------------
# extract, with the stand-in extractor


def test_extract_mixed_folder(fake, tmp_path, capsys):
    folder = mixed_folder(tmp_path)
    out = tmp_path / "out" / "result.jsonl"
    code = main(["extract", str(folder), "-o", str(out)])
    assert code == 1
    results = lines(out)
    assert [r["id"] for r in results] == IDS + ["b-siemens"]
    assert results[0]["meta"] == {"section": "Unternehmen"}
    assert results[3]["entities"][0]["name"] == "Siemens"
    rejected = (tmp_path / "out" / "result.rejected.jsonl").read_bytes()
    assert rejected == b'{"id": "kaputt", "text": "BMW\n'
    summary = orjson.loads((tmp_path / "out" / "result.summary.json").read_bytes())
    assert summary["read"] == 4 and summary["processed"] == 4
    assert summary["rejected"] == 1 and summary["rejected_by_reason"] == {"invalid JSON": 1}
    assert summary["entities_by_type"] == {"COMPANY": 4}
    assert summary["exit_status"] == 1
    err = capsys.readouterr().err
    assert f"{folder / 'a-news.jsonl.gz'}:2: invalid JSON" in err
    assert "4 read, 4 processed" in err and "1 rejected" in err


def test_rejected_file_holds_the_bad_lines_byte_for_byte(fake, tmp_path, capsys):
    """OUT.rejected.jsonl is exactly the rejected input lines, in order, so it
    can be fed in again (and is rejected again, line for line); the index has
    a row per rejection with file, line and reason, whole-file problems only
    there."""
    from extractor.records import MAX_CHARS

    good = ARTICLES.read_bytes().splitlines()
    bad = [b'{"id": "kaputt", "text": "BMW', b'["keine", "Meldung"]',
           b'{"id": "lang", "text": "' + b"BMW " * (MAX_CHARS // 4) + b'x"}', b'{"id": "ohne-text", "title": "T"}']
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(b"\n".join([good[0], bad[0], bad[1], good[1], bad[2], bad[3], good[2]]) + b"\n")
    (tmp_path / "kaputt.json").write_bytes(b"[{")  # a whole-file problem
    out = tmp_path / "res" / "out.jsonl"
    assert main(["extract", str(source), str(tmp_path / "kaputt.json"), "-o", str(out), "-q"]) == 1
    assert [r["id"] for r in lines(out)] == IDS
    rejected = out.with_name("out.rejected.jsonl")
    assert rejected.read_bytes() == b"".join(line + b"\n" for line in bad)
    index = lines(out.with_name("out.rejected.index.jsonl"))
    assert [(r["file"], r["line"], r["reason"].split(":")[0], r["kept"]) for r in index] == [
        (str(source), 2, "invalid JSON", True), (str(source), 3, "not a JSON object", True),
        (str(source), 5, f"text longer than {MAX_CHARS} characters", True), (str(source), 6, "missing text", True),
        (str(tmp_path / "kaputt.json"), None, "invalid JSON", False)]
    summary = orjson.loads(out.with_name("out.summary.json").read_bytes())
    assert summary["rejected"] == 5 and summary["rejected_index"] == str(out.with_name("out.rejected.index.jsonl"))

    again = tmp_path / "again" / "out.jsonl"
    assert main(["extract", str(rejected), "-o", str(again), "-q"]) == 1
    assert again.read_bytes() == b""
    assert again.with_name("out.rejected.jsonl").read_bytes() == rejected.read_bytes()
    assert [(r["line"], r["reason"]) for r in lines(again.with_name("out.rejected.index.jsonl"))] == [
        (n, r["reason"]) for n, r in enumerate(index[:4], start=1)]


def test_unreadable_inputs_are_reported_and_the_run_goes_on(fake, tmp_path, monkeypatch, capsys):
    """A symlink loop, a dangling link, an unreadable folder and an unreadable
    file are file-level errors (stderr line, index row, counted), the rest is
    read: compression by magic bytes whatever the name, Windows-1252 text with
    a warning. chmod 000 does not stop root, so the refusals are simulated."""
    import extractor.io as reader

    good = ARTICLES.read_bytes().splitlines()
    folder = tmp_path / "in"
    (folder / "gesperrt").mkdir(parents=True)
    (folder / "gesperrt" / "x.jsonl").write_bytes(good[0] + b"\n")
    (folder / "a-plain.jsonl.gz").write_bytes(good[0] + b"\n")  # named .gz, but plain text
    (folder / "b-packed.jsonl").write_bytes(gzip.compress(good[1] + b"\n"))  # gzip without the name
    (folder / "c-alt.txt").write_bytes("Grüße aus Köln: BMW erhöht die Preise um 5 €.".encode("cp1252"))
    (folder / "d-zu.jsonl").write_bytes(good[2] + b"\n")
    (folder / "e-loop").symlink_to(folder / "f-loop")
    (folder / "f-loop").symlink_to(folder / "e-loop")
    (folder / "g-dangling.jsonl").symlink_to(folder / "fehlt.jsonl")
    scandir, real_open = os.scandir, open

    def locked_scandir(path: Any = ".") -> Any:
        if str(path).endswith("gesperrt"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return scandir(path)

    def locked_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("d-zu.jsonl"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", locked_scandir)
    monkeypatch.setattr(reader, "open", locked_open, raising=False)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(folder), "-o", str(out)]) == 1
    assert [r["id"] for r in lines(out)] == [IDS[0], IDS[1], "c-alt"]
    index = lines(tmp_path / "out.rejected.index.jsonl")
    assert [(Path(r["file"]).name, r["reason"].split(":")[0], r["kept"]) for r in index] == [
        ("d-zu.jsonl", "unreadable file", False), ("e-loop", "symlink loop", False),
        ("f-loop", "symlink loop", False), ("g-dangling.jsonl", "dangling symlink", False),
        ("gesperrt", "unreadable folder", False)]
    assert not (tmp_path / "out.rejected.jsonl").exists()  # no input line was rejected
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert summary["rejected_by_reason"] == {"dangling symlink": 1, "symlink loop": 2,
                                             "unreadable file": 1, "unreadable folder": 1}
    assert summary["warnings_by_reason"] == {"decoded as Windows-1252": 1}
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{folder / 'e-loop'}: symlink loop" in err and f"{folder / 'gesperrt'}: unreadable folder" in err
    assert f"{folder / 'c-alt.txt'}: warning: decoded as Windows-1252" in err
    assert "5 rejected" in err and "1 warnings" in err


def test_wrong_types_rejected_invalid_dates_counted(fake, tmp_path, capsys):
    source = tmp_path / "v.jsonl"
    source.write_bytes(b'{"id": "a", "text": "BMW", "date": "gestern"}\n{"id": "b", "text": "BMW", "url": 7}\n'
                       b'{"id": "c", "text": "BMW", "date": "2024-13-45"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(source), "-o", str(out)]) == 1
    assert [(r["id"], r["date"]) for r in lines(out)] == [("a", None), ("c", None)]
    assert (tmp_path / "out.rejected.jsonl").read_bytes() == b'{"id": "b", "text": "BMW", "url": 7}\n'
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert summary["rejected_by_reason"] == {"url is not a string": 1}
    assert summary["warnings_by_reason"] == {"invalid date": 2}
    err = capsys.readouterr().err
    assert f"{source}:1: warning: invalid date: 'gestern' (dropped)" in err and f"{source}:2: url is not a string" in err


def test_max_chars_rejects_longer_texts(fake, tmp_path, capsys):
    source = tmp_path / "l.jsonl"
    long = b'{"id": "lang", "text": "BMW baut ein Werk."}'
    source.write_bytes(b'{"id": "kurz", "text": "BMW baut."}\n' + long + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(source), "-o", str(out), "--max-chars", "10", "-q"]) == 1
    assert [r["id"] for r in lines(out)] == ["kurz"]
    assert (tmp_path / "out.rejected.jsonl").read_bytes() == long + b"\n"
    assert f"{source}:2: text longer than 10 characters" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["extract", str(source), "-o", str(out), "--max-chars", "5000001"])
    assert stop.value.code == 2 and "must be at most 5000000" in capsys.readouterr().err


def test_extract_clean_input_exit_0_and_no_rejected_file(fake, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    stale = tmp_path / "out.rejected.jsonl"
    stale.write_text("von einem früheren Lauf\n")
    assert main(["extract", str(ARTICLES), "-o", str(out), "--quiet"]) == 0
    assert [r["id"] for r in lines(out)] == IDS
    assert not stale.exists()
    assert capsys.readouterr().err == ""  # --quiet: no summary line


def test_extract_errors_fail_writes_nothing(fake, tmp_path, capsys):
    folder = mixed_folder(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_text("alt\n")
    assert main(["extract", str(folder), "-o", str(out), "--errors", "fail"]) == 1
    assert out.read_text() == "alt\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.jsonl"]
    assert ":2: invalid JSON" in capsys.readouterr().err


def test_extract_marks_language_and_duplicates(fake, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURES / "english.txt", folder / "a-english.txt")
    shutil.copy(FIXTURES / "siemens-stellenabbau.txt", folder / "b-siemens.txt")
    shutil.copy(FIXTURES / "siemens-stellenabbau.txt", folder / "c-siemens-kopie.txt")
    (folder / "d-leer.txt").write_text("")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(folder), "-o", str(out), "-q"]) == 0
    results = lines(out)
    assert [r["id"] for r in results] == ["a-english", "b-siemens", "c-siemens-kopie", "d-leer"]
    assert results[0]["status"] == "skipped_language" and results[0]["entities"] == []
    assert "status" not in results[1] and "duplicate_of" not in results[1]
    assert results[2]["duplicate_of"] == "b-siemens" and results[2]["entities"] == []
    assert results[3]["entities"] == [] and "duplicate_of" not in results[3]
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert (summary["processed"], summary["duplicates"], summary["skipped_by_reason"]) == (2, 1, {"skipped_language": 1})


def test_repeated_ids_are_renamed_with_a_warning(fake, tmp_path, monkeypatch, capsys):
    """A record with an earlier record's id is written as ID#2, ID#3 ... with a
    warning: with its id kept, a copy would be its own `duplicate_of`, and an
    article with other text would be left out of the graph (which counts an id
    once). A folder run renames exactly as a local run, across its parts."""
    pytest.importorskip("networkx")
    monkeypatch.setattr(cluster, "load_extractor", lambda model=None: FakeExtractor(model))
    story = "Siemens streicht in München Stellen, teilte der Konzern mit. " * 8
    docs = [{"id": "X", "text": story}, {"id": "X", "text": story}, {"id": "X", "text": "BMW kauft Zulieferer."},
            {"id": "X#2", "text": "Lufthansa fliegt."}]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps({**d, "lang": "de"}) + b"\n" for d in docs))
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(source), "-o", str(out), "--graph", str(tmp_path / "g.graphml"), "-q"]) == 0
    results = lines(out)
    assert [(r["id"], r.get("duplicate_of")) for r in results] == [("X", None), ("X#2", "X"), ("X#3", None),
                                                                   ("X#2#2", None)]
    err = capsys.readouterr().err
    assert f"{source}:2: warning: duplicate id: X is an earlier record's id, written as X#2" in err
    assert err.count("warning: duplicate id") == 3
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert (summary["processed"], summary["duplicates"], summary["warnings_by_reason"]) == (3, 1, {"duplicate id": 3})
    import networkx as nx

    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert {d["label"]: d["articles"] for _, d in graph.nodes(data=True)} == {"Siemens": 1, "BMW": 1, "Lufthansa": 1}
    folder = tmp_path / "parts"
    assert main(["extract", str(source), "-o", f"{folder}/", "--shard-size", "1", "-q"]) == 0
    parts = sorted(folder.glob("part-*.jsonl.gz"))
    assert len(parts) == 4 and b"".join(gzip.decompress(p.read_bytes()) for p in parts) == out.read_bytes()


def test_extract_stdin(fake, tmp_path, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLES.read_bytes())))
    out = tmp_path / "out.jsonl"
    assert main(["extract", "-", "-o", str(out), "-q"]) == 0
    assert [r["id"] for r in lines(out)] == IDS


def test_extract_to_stdout(fake, tmp_path, monkeypatch, capsys):
    """`-o -`: results on stdout (no file named "-" and no companions), rejections
    and the summary line on stderr."""
    folder = mixed_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["extract", str(folder), "-o", "-"]) == 1
    out, err = capsys.readouterr()
    assert [orjson.loads(line)["id"] for line in out.splitlines()] == IDS + ["b-siemens"]
    assert f"{folder / 'a-news.jsonl.gz'}:2: invalid JSON" in err
    assert "4 read, 4 processed" in err and "1 rejected" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


# `python -c` with the stand-in extractor: a real process reading real pipes.
FAKE_CLI = """import sys
sys.path.insert(0, "tests")
import test_cli
from extractor import parallel
parallel.load_extractor = lambda model=None: test_cli.FakeExtractor(model)
from extractor.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_extract_from_pipes_loses_nothing(tmp_path):
    """Pipes, FIFOs and /dev/stdin cannot be reopened or rewound: the format
    sniff used to swallow their first 4 KB (twice for a .json FIFO)."""
    if shutil.which("bash") is None or not hasattr(os, "mkfifo"):
        pytest.skip("needs bash and FIFOs")
    ids = {}
    for name in "abcde":
        ids[name] = [f"{name}{i}" for i in range(300)]
        docs = ({"id": i, "text": f"Artikel {i} über BMW und Siemens.", "lang": "de"} for i in ids[name])
        (tmp_path / f"{name}.jsonl").write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    assert (tmp_path / "a.jsonl").stat().st_size > 8192
    os.mkfifo(tmp_path / "fifo")
    os.mkfifo(tmp_path / "fifo.json")
    cli = f"{sys.executable} -c '{FAKE_CLI}'"
    script = (f"cd {tmp_path}; cat c.jsonl > fifo & c=$!; cat d.jsonl > fifo.json & d=$!\n"
              f"(cd {ROOT}; cat {tmp_path}/a.jsonl | {cli} extract - <(cat {tmp_path}/b.jsonl) {tmp_path}/fifo "
              f"{tmp_path}/fifo.json -o {tmp_path}/o1.jsonl -q); rc=$?; kill $c $d 2>/dev/null\n"
              f"(cd {ROOT}; cat {tmp_path}/e.jsonl | {cli} extract /dev/stdin -o {tmp_path}/o2.jsonl -q) || exit\n"
              "exit $rc\n")
    proc = subprocess.Popen(["bash", "-c", script], stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # also the reader blocked on a FIFO's second open
        proc.communicate()
        pytest.fail("reading the pipes hung")
    assert proc.returncode == 0, err.decode()[-2000:]
    assert [r["id"] for r in lines(tmp_path / "o1.jsonl")] == ids["a"] + ids["b"] + ids["c"] + ids["d"]
    assert [r["id"] for r in lines(tmp_path / "o2.jsonl")] == ids["e"]


def fake_cli(args: List[str], **kwargs: Any) -> subprocess.CompletedProcess:
    """`extractor ARGS` with the stand-in extractor, as its own process."""
    return subprocess.run([sys.executable, "-c", FAKE_CLI, *args], cwd=ROOT, capture_output=True, timeout=120, **kwargs)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_stdout_closed_early_ends_the_run_quietly(tmp_path, workers):
    """`extractor extract X -o - | head -1`: the reader going away is no crash
    of the extractor. It stops without a word (no traceback, no "failed"),
    with 141 as for a process a closed pipe ended (`set -o pipefail` sees it)."""
    if shutil.which("bash") is None or shutil.which("head") is None:
        pytest.skip("needs bash and head")
    source = write_docs(tmp_path / "in.jsonl", 3000)  # about 1 MB of results: more than a pipe holds
    cli = f"{sys.executable} -c '{FAKE_CLI}' extract {source} -o - --workers {workers}"
    proc = subprocess.run(["bash", "-c", f"{cli} | head -1; exit ${{PIPESTATUS[0]}}"], cwd=ROOT,
                          capture_output=True, timeout=120)
    assert (proc.returncode, proc.stderr.decode()) == (141, "")
    assert orjson.loads(proc.stdout)["id"] == "a0"


def write_docs(path: Path, n: int, text: str = "Artikel über BMW und Siemens.") -> Path:
    docs = ({"id": f"a{i}", "text": f"{text} Nummer {i}.", "lang": "de"} for i in range(n))
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def limit_file_size() -> None:
    """Writes past 64 KB fail with EFBIG, as they would on a full disk (Python ignores SIGXFSZ)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, 1 << 16))


def test_failed_write_exit_3_one_line_old_output_kept(tmp_path):
    """An I/O error during the run is a failed run (exit 3, not 1 "some
    rejected"): one line naming the file and the cause, no traceback unless
    --debug, the old output untouched and no temporary file left."""
    source = write_docs(tmp_path / "in.jsonl", 2000)
    out = tmp_path / "res" / "out.jsonl"
    out.parent.mkdir()
    out.write_text("alt\n")
    proc = fake_cli(["extract", str(source), "-o", str(out), "-q"], preexec_fn=limit_file_size)
    err = proc.stderr.decode()
    assert proc.returncode == 3, err
    assert err.startswith("extractor: failed: ") and err.count("\n") == 1, err
    assert str(out) in err and "File too large" in err
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.jsonl"] and out.read_text() == "alt\n"
    proc = fake_cli(["extract", str(source), "-o", str(out), "-q", "--debug"], preexec_fn=limit_file_size)
    err = proc.stderr.decode()
    assert proc.returncode == 3 and "Traceback" in err and err.splitlines()[-1].startswith("extractor: failed: ")


def test_a_record_that_kills_its_worker_fails_alone(fake, tmp_path, capsys):
    """A worker that dies (here: the stand-in exits on "ABSTURZ") is replaced;
    the chunks lost with it run again, and a chunk that kills its worker again
    runs record by record: only the record that kills it each time gets
    status "error" (exit 1), the run goes on and every other record is analysed."""
    source = write_docs(tmp_path / "in.jsonl", 30)
    with source.open("ab") as fh:
        fh.write(b'{"id": "x", "text": "ABSTURZ bei BMW", "lang": "de"}\n')
    write_docs(tmp_path / "more.jsonl", 20, "Mehr über Siemens:")
    out = tmp_path / "out.jsonl"
    argv = ["extract", str(source), str(tmp_path / "more.jsonl"), "-o", str(out), "--workers", "2", "--batch-size", "4"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "warning: a worker process died (exit status 70)" in err and "x: processing failed: WorkerDied" in err
    results = lines(out)
    assert [r["id"] for r in results] == [f"a{i}" for i in range(30)] + ["x"] + [f"a{i}#2" for i in range(20)]
    assert [r["id"] for r in results if r.get("status")] == ["x"] and results[30]["error"].startswith("WorkerDied")
    assert all(r["entities"] for r in results if r["id"] != "x")
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert (summary["processed"], summary["failed_by_reason"]) == (50, {"WorkerDied": 1})


def test_workers_that_keep_dying_fail_the_run(fake, tmp_path, capsys):
    """Workers that die on everything, one record at a time too, are not the
    data's doing: exit 3, one line, nothing written."""
    source = write_docs(tmp_path / "in.jsonl", 30, "ABSTURZ bei BMW:")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(source), "-o", str(out), "--workers", "2", "--batch-size", "4", "-q"]) == 3
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("extractor: failed: worker processes keep dying (exit status 70): 5 times"), err
    assert list(tmp_path.iterdir()) == [source]


def test_a_worker_killed_from_outside_is_replaced_and_nothing_is_lost(tmp_path):
    """kill -9 of a worker in the middle of a run (the OOM killer, an admin):
    a new worker takes over, the records it had are analysed again, and the
    run ends as if nothing had happened (exit 0), with a warning saying so."""
    if not sys.platform.startswith("linux"):
        pytest.skip("needs /proc")
    source = write_docs(tmp_path / "in.jsonl", 600, "LANGSAM bei BMW:")
    res = tmp_path / "res"
    res.mkdir()
    argv = ["extract", str(source), "-o", str(res / "out.jsonl"), "--workers", "2", "--batch-size", "4"]
    proc = started_run(argv, res, ".out.jsonl.*.tmp")
    try:
        workers: List[int] = []
        while len(workers) < 2:
            time.sleep(0.05)
            workers = child_pids(proc.pid)
        os.kill(workers[0], signal.SIGKILL)
        returncode = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        err = proc.communicate()[1].decode()
    assert returncode == 0, err
    assert "warning: a worker process died (killed by SIGKILL)" in err
    results = lines(res / "out.jsonl")
    assert [r["id"] for r in results] == [f"a{i}" for i in range(600)]
    assert not [r for r in results if r.get("status") or not r["entities"]]
    assert len({r["pid"] for r in results}) >= 3  # the two first workers and at least one new one


@pytest.mark.parametrize("failing", ["g.graphml", "g.csv", "out.summary.json"])
def test_failed_companion_leaves_every_output_as_it_was(fake, tmp_path, monkeypatch, capsys, failing):
    """A run's outputs are committed together: when the graph (or the CSV
    graph's second table, or the summary) cannot be written, OUT.jsonl and its
    companions are not replaced either, and no temporary file is left."""
    pytest.importorskip("networkx")
    from extractor.io import AtomicWriter

    folder = mixed_folder(tmp_path)
    res = tmp_path / "res"
    res.mkdir()
    for name in ("out.jsonl", "out.rejected.jsonl", "out.summary.json"):
        (res / name).write_text("alt\n")
    write = AtomicWriter.write

    def full_disk(self: AtomicWriter, data: bytes) -> None:
        if self.path.name == failing:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(self, data)

    monkeypatch.setattr(AtomicWriter, "write", full_disk)
    graph = "g.csv" if failing == "g.csv" else "g.graphml"
    assert main(["extract", str(folder), "-o", str(res / "out.jsonl"), "--graph", str(res / graph), "-q"]) == 3
    assert capsys.readouterr().err.splitlines()[-1] == "extractor: failed: No space left on device"
    assert sorted((p.name, p.read_text()) for p in res.iterdir()) == [
        ("out.jsonl", "alt\n"), ("out.rejected.jsonl", "alt\n"), ("out.summary.json", "alt\n")]


def child_pids(pid: int) -> List[int]:
    """The live child processes of `pid`, from /proc (psutil is no dependency)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(ppid) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def is_alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_signal_stops_the_run_and_its_workers(tmp_path, signum):
    """SIGTERM and SIGHUP end a run as Ctrl-C does (exit 130, temporary files
    removed, workers stopped); even after a SIGKILL of the main process its
    workers do not linger."""
    if not sys.platform.startswith("linux"):
        pytest.skip("needs /proc and PR_SET_PDEATHSIG")
    source = write_docs(tmp_path / "in.jsonl", 3000, "LANGSAM bei BMW:")
    res = tmp_path / "res"
    res.mkdir()
    argv = [sys.executable, "-c", FAKE_CLI, "extract", str(source), "-o", str(res / "out.jsonl"),
            "--workers", "2", "--batch-size", "4", "-q"]
    proc = subprocess.Popen(argv, cwd=ROOT, stderr=subprocess.PIPE)
    workers: List[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 or not list(res.glob(".out.jsonl.*.tmp")):  # started, results coming in
            assert proc.poll() is None and time.monotonic() < deadline, "the run did not get going"
            time.sleep(0.05)
            workers = child_pids(proc.pid)
        proc.send_signal(signum)
        returncode = proc.wait(timeout=15)
        deadline = time.monotonic() + 5
        while any(map(is_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if is_alive(pid)], "workers outlived the run"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in workers:
            if is_alive(pid):
                os.kill(pid, signal.SIGKILL)
        err = proc.communicate()[1].decode()
    if signum != signal.SIGKILL:
        assert returncode == 130, err
        assert err.startswith("extractor: error: interrupted") and err.count("\n") == 1, err
        assert list(res.iterdir()) == []


def started_run(argv: List[str], written: Path, pattern: str) -> subprocess.Popen:
    """`extractor ARGV` (stand-in extractor) in the background, once it has written a file `pattern` in `written`."""
    proc = subprocess.Popen([sys.executable, "-c", FAKE_CLI, *argv], cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(written.glob(pattern)):
        assert proc.poll() is None and time.monotonic() < deadline, "the run did not get going"
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("output, written, pattern", [("res/out.jsonl", "res", ".out.jsonl.*.tmp"),
                                                       # the first part, waiting for the check across shards
                                                       ("res/", "res", ".extractor/part-00000.jsonl.gz")])
def test_a_second_run_on_the_same_output_is_refused(tmp_path, output, written, pattern):
    """While a run writes OUT.jsonl (or OUTDIR/), another run on it fails at
    once (exit 2, one line naming the other run and the lock) and leaves the
    first run's files alone; the lock goes with the run, even with a kill -9."""
    if not sys.platform.startswith("linux"):
        pytest.skip("flock")
    source = write_docs(tmp_path / "in.jsonl", 150, "LANGSAM bei BMW:")
    with source.open("ab") as fh:
        fh.write(b'{"id": "kaputt", "text": 5}\n')
    out, folder = f"{tmp_path}/{output}", tmp_path / written  # a Path would drop the folder's trailing slash
    argv = ["extract", str(source), "-o", out, "-q", "--batch-size", "10", "--shard-size", "50"]
    first = started_run(argv, folder, pattern)
    first.send_signal(signal.SIGSTOP)  # still running (and locking) however slow the second run starts
    try:
        second = fake_cli(["extract", str(write_docs(tmp_path / "other.jsonl", 3)), "-o", out, "-q"])
    finally:
        first.send_signal(signal.SIGCONT)
    err = second.stderr.decode()
    assert second.returncode == 2 and err.count("\n") == 1, err
    assert "being written by another run" in err and f"pid {first.pid}" in err and ".lock" in err, err
    assert first.wait(timeout=60) == 1, first.stderr.read().decode()
    first.stderr.close()
    if output.endswith("/"):
        results = b"".join(gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("part-*.jsonl.gz")))
        rejected = folder / "rejected.jsonl"
    else:
        results, rejected = Path(out).read_bytes(), folder / "out.rejected.jsonl"
    assert [orjson.loads(line)["id"] for line in results.splitlines()] == [f"a{i}" for i in range(150)]
    assert rejected.read_bytes() == b'{"id": "kaputt", "text": 5}\n'
    assert not list(folder.glob(".*lock"))  # a run that ends removes its lock file
    killed = started_run(argv, folder, ".*lock")
    killed.kill()
    killed.wait()
    killed.stderr.close()
    assert list(folder.glob(".*lock"))  # left behind by the kill -9, but unlocked: the next run goes ahead
    assert fake_cli(argv[:1] + [str(tmp_path / "other.jsonl")] + argv[2:]).returncode == 0


def test_extract_with_workers_and_graph(fake, tmp_path):
    pytest.importorskip("networkx")
    out = tmp_path / "out.jsonl"
    graph = tmp_path / "g.graphml"
    assert main(["extract", str(ARTICLES), str(FIXTURES / "siemens-stellenabbau.txt"), "-o", str(out),
                 "--graph", str(graph), "--workers", "2", "--batch-size", "1", "-q"]) == 0
    assert [r["id"] for r in lines(out)] == IDS + ["siemens-stellenabbau"]
    assert graph.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_pipeline_error_fails_one_record_not_the_run(fake, tmp_path, capsys, workers):
    source = tmp_path / "in.jsonl"
    docs = [{"id": "a", "text": "BMW"}, {"id": "b", "text": "KAPUTT"}, {"id": "c", "text": "Siemens"}]
    source.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(source), "-o", str(out), "--workers", workers, "--batch-size", "3"]) == 1
    results = lines(out)
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert [len(r["entities"]) for r in results] == [1, 0, 1]
    assert results[1]["status"] == "error" and results[1]["error"] == "ValueError: kaputtes Dokument"
    summary = orjson.loads((tmp_path / "out.summary.json").read_bytes())
    assert (summary["processed"], summary["failed"], summary["failed_by_reason"]) == (2, 1, {"ValueError": 1})
    assert "b: processing failed: ValueError: kaputtes Dokument" in capsys.readouterr().err
    assert main(["extract", str(source), "-o", str(tmp_path / "o2.jsonl"), "--errors", "fail", "-q"]) == 1
    assert not (tmp_path / "o2.jsonl").exists()


def test_usage_errors(fake, tmp_path, capsys):
    out = str(tmp_path / "out.jsonl")
    assert main(["extract", str(tmp_path / "fehlt.jsonl"), "-o", out]) == 2
    assert "input not found" in capsys.readouterr().err
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    assert main(["extract", str(ARTICLES), "-o", str(blocker / "out.jsonl")]) == 2
    assert main(["extract", str(ARTICLES), "-o", out, "--graph", str(tmp_path / "g.png")]) == 2
    for argv in (["extract", str(ARTICLES)], ["extract", str(ARTICLES), "-o", out, "--workers", "0"],
                 ["extract", str(ARTICLES), "-o", out, "--errors", "maybe"], ["bogus"], []):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert not (tmp_path / "out.jsonl").exists()


def test_output_on_an_input_or_another_output_is_refused(tmp_path, monkeypatch, capsys):
    """Exit 2 with one line before any work (no model loaded, nothing written):
    the readers skip the run's own outputs, so `-o a.jsonl` on a.jsonl used to
    replace the input with an empty result."""
    monkeypatch.setattr(parallel, "load_extractor", lambda model=None: pytest.fail("work started"))
    source = tmp_path / "a.jsonl"
    shutil.copy(ARTICLES, source)
    (tmp_path / "link.jsonl").symlink_to(source)
    os.link(source, tmp_path / "hard.jsonl")
    (tmp_path / "in.gexf").write_bytes(ARTICLES.read_bytes())  # sniffed as JSON lines
    shutil.copy(ARTICLES, tmp_path / "gold.json")
    shutil.copy(ARTICLES, tmp_path / "a.summary.json")  # a companion of -o a.jsonl
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    t = str(tmp_path)
    for argv in (["extract", f"{t}/a.jsonl", "-o", f"{t}/a.jsonl"],
                 ["extract", f"{t}/a.jsonl", "-o", f"{t}/sub/../link.jsonl"],
                 ["extract", f"{t}/hard.jsonl", "-o", f"{t}/a.jsonl"],
                 ["extract", f"{t}/a.jsonl", "-o", f"{t}/s.gexf", "--graph", f"{t}/s.gexf"],
                 ["extract", f"{t}/a.jsonl", "-o", f"{t}/g.nodes.csv", "--graph", f"{t}/g.csv"],
                 ["extract", f"{t}/in.gexf", "-o", f"{t}/out.jsonl", "--graph", f"{t}/in.gexf"],
                 ["extract", f"{t}/a.summary.json", "-o", f"{t}/a.jsonl"],
                 ["graph", f"{t}/in.gexf", "-o", f"{t}/in.gexf"],
                 ["eval", "--gold", f"{t}/gold.json", "--json", f"{t}/gold.json"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("extractor: error: ") and err.count("\n") == 1, err
        assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before, argv


def test_unknown_model_is_usage_error(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code = main(["extract", str(ARTICLES), "-o", str(out), "--model", str(tmp_path / "kein-modell"), "-q"])
    assert code == 2
    assert "cannot load model" in capsys.readouterr().err
    assert not out.exists()


def test_graph_command(fake, tmp_path):
    pytest.importorskip("networkx")
    results = tmp_path / "res.jsonl"
    assert main(["extract", str(ARTICLES), "-o", str(results), "-q"]) == 0
    for ext in (".gexf", ".graphml", ".csv"):
        assert main(["graph", str(results), "-o", str(tmp_path / f"g{ext}")]) == 0
        assert (tmp_path / f"g{ext}").stat().st_size > 0
    assert main(["graph", str(tmp_path / "fehlt.jsonl"), "-o", str(tmp_path / "g.gexf")]) == 2


def test_eval_with_pred(fake, tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(orjson.dumps({"id": "a", "text": "BMW und Siemens.",
                                   "entities": [{"name": "BMW", "type": "COMPANY"}], "relations": []}) + b"\n")
    pred = tmp_path / "pred.jsonl"
    assert main(["extract", str(gold), "-o", str(pred), "-q"]) == 0
    report = tmp_path / "report.json"
    assert main(["eval", "--gold", str(gold), "--pred", str(pred), "--json", str(report)]) == 0
    assert report.exists()
    assert capsys.readouterr().out.strip()
    assert main(["eval", "--gold", str(gold), "--json", str(tmp_path / "r2.json")]) == 0  # runs the (fake) extractor


def test_graph_command_reads_a_folder(fake, tmp_path, capsys):
    """A folder stands for the result files under it; the runs' rejected and
    summary files next to them are not read (it crashed with IsADirectoryError)."""
    pytest.importorskip("networkx")
    runs = tmp_path / "runs"
    assert main(["extract", str(ARTICLES), "-o", str(runs / "a.jsonl"), "-q"]) == 0
    assert main(["extract", str(mixed_folder(tmp_path)), "-o", str(runs / "sub" / "b.jsonl.gz"), "-q"]) == 1
    assert (runs / "sub" / "b.rejected.jsonl").exists() and (runs / "a.summary.json").exists()
    capsys.readouterr()
    assert main(["graph", str(runs / "a.jsonl"), str(runs / "sub" / "b.jsonl.gz"), "-o", str(tmp_path / "g1.gexf")]) == 0
    files_line = capsys.readouterr().err.split(" -> ")[0]
    assert main(["graph", str(runs), "-o", str(tmp_path / "g2.gexf")]) == 0
    assert capsys.readouterr().err.split(" -> ")[0] == files_line
    (tmp_path / "leer").mkdir()
    assert main(["graph", str(tmp_path / "leer"), "-o", str(tmp_path / "g3.gexf")]) == 2
    assert "no result files" in capsys.readouterr().err
    assert not (tmp_path / "g3.gexf").exists()


def test_eval_bad_gold_lines_exit_1_and_folders_exit_2(fake, tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    good = orjson.dumps({"id": "a", "text": "BMW und Siemens.", "entities": [{"name": "BMW", "type": "COMPANY"}]})
    gold.write_bytes(good + b'\n{"id": "b", "text": \n[1, 2]\n')
    assert main(["eval", "--gold", str(gold)]) == 1
    err = capsys.readouterr().err
    assert f"{gold}:2: invalid JSON" in err and f"{gold}:3: not a JSON object" in err
    pred = tmp_path / "pred.jsonl"
    assert main(["extract", str(gold), "-o", str(pred), "-q"]) == 1
    assert main(["eval", "--gold", str(gold), "--pred", str(pred)]) == 1
    assert f"{gold}:3: not a JSON object" in capsys.readouterr().err
    for argv in (["eval", "--gold", str(tmp_path)], ["eval", "--gold", str(gold), "--pred", str(tmp_path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is a folder" in err


# ---------------------------------------------------------------------------
# parallel, with the stand-in extractor


def test_process_records_order_and_marks_in_process(fake):
    recs = [Record(id=str(i), text=f"Text {i} BMW") for i in range(7)]
    recs[2].status = "skipped_language"
    recs[4].duplicate_of = "0"
    out = list(parallel.process_records(recs, None, workers=1, batch_size=3))
    assert [o["id"] for o in out] == [str(i) for i in range(7)]
    assert out[2]["status"] == "skipped_language" and out[2]["entities"] == []
    assert out[4]["duplicate_of"] == "0" and out[4]["entities"] == []
    assert out[3]["entities"][0]["name"] == "BMW"


def test_process_records_pool_order_and_bounded_window(fake):
    consumed = 0
    gaps = []

    def source() -> Iterator[Record]:
        nonlocal consumed
        for i in range(400):
            consumed += 1
            yield Record(id=str(i), text="Siemens " * (i % 7))

    workers, batch = 2, 5
    ids = []
    for result in parallel.process_records(source(), None, workers=workers, batch_size=batch):
        ids.append(result["id"])
        gaps.append(consumed - len(ids))
    assert ids == [str(i) for i in range(400)]
    assert max(gaps) <= (workers * parallel.IN_FLIGHT_PER_WORKER + 1) * batch
    pids = set()
    for result in parallel.process_records((Record(id=str(i), text="x") for i in range(40)), None, 2, 2):
        pids.add(result["pid"])
    assert os.getpid() not in pids


def test_process_records_pool_stops_on_input_error(fake):
    def source() -> Iterator[Record]:
        for i in range(20):
            yield Record(id=str(i), text="x")
        raise RuntimeError("Eingabe kaputt")

    with pytest.raises(RuntimeError, match="Eingabe kaputt"):
        list(parallel.process_records(source(), None, workers=2, batch_size=3))


def test_process_records_pool_reports_model_error(tmp_path):
    with pytest.raises(parallel.ModelError):
        list(parallel.process_records([Record(id="a", text="x")], str(tmp_path / "fehlt"), workers=2, batch_size=1))


# ---------------------------------------------------------------------------
# With the real pipeline


@needs_pipeline
def test_pipeline_pool_keeps_order(tmp_path):
    texts = [orjson.loads(line)["text"] for line in ARTICLES.read_bytes().splitlines()]
    recs = [Record(id=f"r{i}", text=texts[i % 3]) for i in range(10)]
    pooled = list(parallel.process_records(recs, None, workers=2, batch_size=3))
    assert [o["id"] for o in pooled] == [f"r{i}" for i in range(10)]
    # each result belongs to its own record: every mention sits at its offsets in that text
    for record, result in zip(recs, pooled):
        assert result["entities"]
        for entity in result["entities"]:
            for mention in entity["mentions"]:
                assert record.text[mention["start"]:mention["end"]] == mention["text"]


@needs_pipeline
def test_pipeline_extract_end_to_end(tmp_path):
    folder = mixed_folder(tmp_path)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(folder), "-o", str(out), "-q"]) == 1
    results = lines(out)
    assert [r["id"] for r in results] == IDS + ["b-siemens"]
    text = (folder / "b-siemens.txt").read_text(encoding="utf8")
    for entity in results[3]["entities"]:
        for mention in entity["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    assert results[0]["model"]["name"]


ONE_MB_SECONDS = 90  # the brief asks for ~20 s; a slower pipeline fails here instead of hanging the suite


@needs_pipeline
def test_pipeline_one_megabyte_article(tmp_path):
    paragraph = orjson.loads(ARTICLES.read_bytes().splitlines()[0])["text"]
    text = "\n\n".join([paragraph] * (1_000_000 // len(paragraph) + 1))
    assert len(text) > 1_000_000
    source = tmp_path / "gross.jsonl"
    source.write_bytes(orjson.dumps({"id": "gross", "text": text}) + b"\n")
    out = tmp_path / "out.jsonl"
    argv = [sys.executable, "-m", "extractor", "extract", str(source), "-o", str(out), "-q"]
    try:
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=ONE_MB_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"a 1 MB article took more than {ONE_MB_SECONDS} s")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    (result,) = lines(out)
    assert result["id"] == "gross"
    assert "status" not in result
    assert result["entities"]


@needs_pipeline
def test_python_m_extractor_info():
    proc = subprocess.run([sys.executable, "-m", "extractor", "info"], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    info = orjson.loads(proc.stdout)
    assert info["model"]["name"] and info["components"]


def test_vocabulary_growth_triggers_a_reload(monkeypatch):
    """Memory must not grow with a dump: past MAX_STRINGS the pipeline is reloaded."""
    from extractor import pipeline

    try:
        extractor = pipeline.Extractor()
    except Exception as err:  # pragma: no cover - the model is part of the repo
        pytest.skip(f"pipeline cannot load: {err}")
    monkeypatch.setattr(pipeline, "RELOAD_CHECK_EVERY", 2)
    monkeypatch.setattr(pipeline, "MAX_STRINGS", len(extractor.nlp.vocab.strings) + 10)
    first = extractor.nlp
    texts = [f"Die Firma Quxa{i} Zyrbel GmbH meldet Insolvenz an. Wort{i}a Wort{i}b Wort{i}c." for i in range(6)]
    out = list(extractor.process([Record(id=str(i), text=t) for i, t in enumerate(texts)]))
    assert [o["id"] for o in out] == [str(i) for i in range(6)]
    assert extractor.nlp is not first
    assert all(o["relations"] and o["relations"][0]["type"] == "insolvency" for o in out)


def test_readme_documents_every_exit_status():
    from extractor import cli

    codes = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    table = [line.split("|")[1].strip() for line in (ROOT / "README.md").read_text().splitlines()
             if line.strip().startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert sorted(map(int, table)) == sorted(codes)


@needs_pipeline
def test_show_renders_entities_by_type_and_kind_and_relations(tmp_path):
    page = tmp_path / "page.html"
    proc = subprocess.run([sys.executable, "-m", "extractor", "show", str(ARTICLES), "-o", str(page)],
                          cwd=ROOT, capture_output=True, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    html = page.read_text(encoding="utf-8")
    assert html.count("<article>") == len(IDS)
    assert 'class="entity"' in html  # displaCy's markup
    assert "COMPANY name" in html and "COMPANY compound" in html and "COMPANY alias" in html
    assert "cooperation_talks" in html and "<q>" in html  # relations with their evidence
