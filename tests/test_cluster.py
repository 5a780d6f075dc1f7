"""Folder output and --cluster, end to end with the real pipeline on a Dask
LocalCluster of two worker processes on loopback (started once for the module).

What a user relies on: the parts concatenated are the output of a local run,
record for record (near-duplicates across shards included), with the same
rejected lines, summary counts and graph; a run killed with SIGKILL goes on
with --resume to the output of an uninterrupted run; a damaged or half-written
part is never taken as done.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import orjson
import pytest

from extractor import cluster as folder_runs, parallel
from extractor.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "smartdata-news.jsonl"
SENTENCES = sorted((ROOT / "data" / "training" / "germeval-relations").glob("batch-*.gold.jsonl"))
ENGLISH = Path(__file__).parent / "fixtures" / "io" / "english.txt"
COUNTS = ("read", "processed", "duplicates", "rejected_by_reason", "skipped_by_reason", "failed",
          "entities_by_type", "relations_by_type", "exit_status")


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster on loopback: two worker processes, one thread each."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, memory_limit="3GiB", silence_logs=40) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    """Twelve news articles with, further down, an exact and a near copy of two
    of them (other shards at --shard-size 3), an English article, a broken
    JSON line and a record with a bad field."""
    articles = [orjson.loads(line) for line in SAMPLES.read_bytes().splitlines()]
    lines = []
    for i, article in enumerate(articles):
        lines.append({"id": article["id"], "text": article["text"], "date": f"2016-03-{i % 9 + 1:02d}"})
        if i == 6:
            lines.append({"id": "english", "text": ENGLISH.read_text(encoding="utf-8")})
    lines.append({"id": "copy-of-first", "text": articles[0]["text"]})
    lines.append({"id": "near-copy", "text": articles[1]["text"] + "\n\nEin weiterer Satz am Ende des Artikels."})
    lines.append({"id": 42, "title": 7, "text": "x"})
    raw = [orjson.dumps(line) for line in lines]
    raw.insert(4, b'{"id": "kaputt", "text": ')
    path = tmp_path_factory.mktemp("dump") / "news.jsonl"
    path.write_bytes(b"\n".join(raw) + b"\n")
    return path


@pytest.fixture(scope="module")
def local_run(dump, tmp_path_factory, extractor) -> Path:
    """The reference: a local run to one file."""
    out = tmp_path_factory.mktemp("local") / "out.jsonl"
    patch = pytest.MonkeyPatch()
    patch.setattr(parallel, "load_extractor", lambda model=None: extractor)
    try:
        assert main(["extract", str(dump), "-o", str(out), "--graph", str(out.with_suffix(".gexf")), "-q"]) == 1
    finally:
        patch.undo()
    return out


@pytest.fixture(scope="module")
def cluster_run(dump, cluster, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cluster") / "out"
    status = main(["extract", str(dump), "-o", f"{folder}/", "--cluster", cluster, "--shard-size", "3",
                   "--graph", str(folder.parent / "graph.gexf"), "-q"])
    assert status == 1  # two rejected records, as in the local run
    return folder


def parts(folder: Path) -> List[Path]:
    return sorted(folder.glob("part-*.jsonl.gz"))


def concatenated(folder: Path) -> bytes:
    return b"".join(gzip.decompress(p.read_bytes()) for p in parts(folder))


def counts(summary: Path) -> Dict[str, Any]:
    data = json.loads(summary.read_text())
    return {key: data[key] for key in COUNTS}


def test_cluster_parts_are_the_local_run(local_run, cluster_run):
    assert len(parts(cluster_run)) == 6
    assert concatenated(cluster_run) == local_run.read_bytes()
    assert (cluster_run / "rejected.jsonl").read_bytes() == local_run.with_name("out.rejected.jsonl").read_bytes()
    assert ((cluster_run / "rejected.index.jsonl").read_bytes()
            == local_run.with_name("out.rejected.index.jsonl").read_bytes())
    assert counts(cluster_run / "summary.json") == counts(local_run.with_name("out.summary.json"))
    assert (cluster_run.parent / "graph.gexf").read_bytes() == local_run.with_suffix(".gexf").read_bytes()


def test_copies_in_later_shards_point_to_the_story_in_an_earlier_one(cluster_run):
    by_id = {}
    for number, part in enumerate(parts(cluster_run)):
        for line in gzip.decompress(part.read_bytes()).splitlines():
            record = orjson.loads(line)
            by_id[record["id"]] = (number, record)
    (copy_part, copy), (near_part, near) = by_id["copy-of-first"], by_id["near-copy"]
    original_part, original = by_id[copy["duplicate_of"]]
    assert original_part < copy_part and original["entities"] and not copy["entities"]
    assert by_id[near["duplicate_of"]][0] < near_part
    assert by_id["english"][1]["status"] == "skipped_language"


def test_a_copy_of_a_copy_in_one_shard_points_to_the_first_story(extractor, tmp_path, monkeypatch):
    """A shard's own answers name the first copy in it; the run's answer is the
    story in an earlier shard, as in a local run (the part is redone)."""
    articles = [orjson.loads(line) for line in SAMPLES.read_bytes().splitlines()][:4]
    lines = [*articles, {"id": "copy-a", "text": articles[0]["text"]}, {"id": "copy-b", "text": articles[0]["text"]},
             {"id": "other", "text": articles[3]["text"] + " Noch ein Satz."}, {"id": "short", "text": "Kurz."}]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps({"id": line["id"], "text": line["text"]}) + b"\n" for line in lines))
    for module in (parallel, folder_runs):
        monkeypatch.setattr(module, "load_extractor", lambda model=None: extractor)
    assert main(["extract", str(source), "-o", str(tmp_path / "local.jsonl"), "-q"]) == 0
    assert main(["extract", str(source), "-o", f"{tmp_path}/out/", "--shard-size", "4", "-q"]) == 0
    assert concatenated(tmp_path / "out") == (tmp_path / "local.jsonl").read_bytes()
    copies = [orjson.loads(line) for line in concatenated(tmp_path / "out").splitlines()][4:6]
    assert [copy.get("duplicate_of") for copy in copies] == [articles[0]["id"]] * 2
    assert not list((tmp_path / "out" / ".extractor").glob("*.jsonl.gz"))  # no part left waiting


def test_ids_of_earlier_shards_are_renamed_as_in_a_local_run(extractor, tmp_path, monkeypatch, capsys):
    """A shard renames the ids repeated within it on its first try; an id of an
    earlier shard (here also "X#2", taken there) makes the run's answers differ,
    and that part alone is redone with the main process's renames and
    duplicates, giving the bytes, warnings and counts of a local run."""
    texts = [orjson.loads(line)["text"] for line in SAMPLES.read_bytes().splitlines()][:6]
    docs = [("A", texts[0]), ("X#2", texts[1]), ("X", texts[2]),  # shard 0
            ("X", texts[3]), ("X", texts[4]), ("B", texts[0]),  # shard 1: X#3, X#4, a copy of A
            ("Y", texts[5]), ("Y", texts[5])]  # shard 2: Y, Y#2 a copy of Y, as within it alone
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(orjson.dumps({"id": i, "text": text}) + b"\n" for i, text in docs))
    for module in (parallel, folder_runs):
        monkeypatch.setattr(module, "load_extractor", lambda model=None: extractor)
    tries: List[Any] = []
    write_part = folder_runs.write_part
    monkeypatch.setattr(folder_runs, "write_part", lambda ex, job: tries.append(job) or write_part(ex, job))
    local = tmp_path / "local.jsonl"
    assert main(["extract", str(source), "-o", str(local), "-q"]) == 0
    local_err = capsys.readouterr().err
    assert main(["extract", str(source), "-o", f"{tmp_path}/out/", "--shard-size", "3", "-q"]) == 0
    assert concatenated(tmp_path / "out") == local.read_bytes()
    results = [orjson.loads(line) for line in local.read_bytes().splitlines()]
    assert [(r["id"], r.get("duplicate_of")) for r in results] == [
        ("A", None), ("X#2", None), ("X", None), ("X#3", None), ("X#4", None), ("B", "A"), ("Y", None),
        ("Y#2", "Y")]
    redone = [job for job in tries if job.given is not None]
    assert [job.shard.number for job in redone] == [1]
    assert redone[0].given == folder_runs.Answers(renames={0: "X#3", 1: "X#4"}, duplicates={2: "A"})
    assert sorted(capsys.readouterr().err.splitlines()) == sorted(local_err.splitlines())
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["duplicates"], summary["warnings_by_reason"]) == (2, {"duplicate id": 3})
    assert counts(tmp_path / "out" / "summary.json") == counts(local.with_name("local.summary.json"))


def sentences(tmp: Path) -> Path:
    """~500 short German sentences: enough work that a run can be killed half way."""
    path = tmp / "sentences.jsonl"
    with path.open("wb") as out:
        for batch in SENTENCES:
            for line in batch.read_bytes().splitlines():
                record = orjson.loads(line)
                out.write(orjson.dumps({"id": record["id"], "text": record["text"]}) + b"\n")
    return path


def done_markers(folder: Path) -> int:
    return len(list((folder / ".extractor").glob("part-*.done.json")))


def test_run_killed_after_two_parts_resumes_to_the_uninterrupted_output(cluster, tmp_path):
    source = sentences(tmp_path)
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    options = ["--cluster", cluster, "--shard-size", "32", "-q"]
    assert main(["extract", str(source), "-o", f"{whole}/", *options]) == 0
    total = len(parts(whole))
    command = [sys.executable, "-m", "extractor", "extract", str(source), "-o", f"{broken}/", *options]
    run = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while done_markers(broken) < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    kept = done_markers(broken)
    assert 2 <= kept < total, run.stderr.read().decode()
    assert not (broken / "summary.json").exists()

    assert main(["extract", str(source), "-o", f"{broken}/", *options, "--resume"]) == 0
    assert [p.read_bytes() for p in parts(broken)] == [p.read_bytes() for p in parts(whole)]
    assert counts(broken / "summary.json") == counts(whole / "summary.json")
    assert json.loads((broken / "summary.json").read_text())["parts_resumed"] >= kept


def test_damaged_and_half_written_parts_are_done_again(cluster_run, local_run, dump, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(cluster_run, folder)
    state = folder / ".extractor"
    cut = folder / "part-00001.jsonl.gz"
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])  # a part cut short, its done marker left
    (state / "part-00002.done.json").unlink()  # a writer killed before its done marker...
    (folder / "part-00002.jsonl.gz").unlink()
    (folder / ".part-00002.jsonl.gz.k1ll3d.tmp").write_bytes(b"\x1f\x8b half a part")  # ... left its temp file
    (folder / "part-00003.jsonl.gz").write_bytes(b"not gzip at all")

    # resumed without --cluster, in this process: the settings are the same
    assert main(["extract", str(dump), "-o", f"{folder}/", "--shard-size", "3", "--resume", "-q"]) == 1
    assert concatenated(folder) == local_run.read_bytes()
    assert not list(folder.glob(".*.tmp"))
    assert json.loads((folder / "summary.json").read_text())["parts_resumed"] == 3


def test_resume_refuses_other_settings_or_changed_inputs(cluster_run, dump, tmp_path, capsys):
    folder = tmp_path / "out"
    shutil.copytree(cluster_run, folder)
    assert main(["extract", str(dump), "-o", f"{folder}/", "--shard-size", "4", "--resume"]) == 2
    assert "shard_size 3 -> 4" in capsys.readouterr().err
    changed = tmp_path / "news.jsonl"
    shutil.copy(dump, changed)
    assert main(["extract", str(changed), "-o", f"{folder}/", "--shard-size", "3", "--resume"]) == 2
    assert "inputs changed" in capsys.readouterr().err
    assert concatenated(folder) == concatenated(cluster_run)  # nothing mixed in, nothing removed


@pytest.mark.parametrize("argv", [["-o", "out.jsonl", "--cluster", "local:2"], ["-o", "out.jsonl", "--resume"],
                                  ["-o", "OUT/", "--cluster", "local:0"]])
def test_cluster_and_resume_need_a_folder(argv, dump, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["extract", str(dump), *argv]) == 2
    assert "extractor: error:" in capsys.readouterr().err


def test_folder_output_does_not_read_stdin(tmp_path, capsys):
    assert main(["extract", "-", "-o", f"{tmp_path}/out/"]) == 2
    assert "stdin" in capsys.readouterr().err
