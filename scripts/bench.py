"""`make bench`: throughput and memory per stage, next to spaCy's bare tokenizer.

Each stage runs in its own process over the same articles (SmartData train news and
RSS items from ../shared/data when present, else data/samples repeated), so peak RSS
is per stage. Machines here are noisy: compare rows of one run, not across runs.

    python scripts/bench.py [--input FILE.jsonl] [--limit N] [--workers 2] [--shard-size 50] [--memory]

The last rows compare `--workers N` with `--cluster local:N` (a Dask cluster of N worker processes
writing parts of --shard-size articles) on the same articles; --memory adds the cluster workers'
peak RSS for runs of 4 and of 16 parts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = ROOT.parent / "shared" / "data" / "smartdata" / "train.jsonl"


def load_texts(path: Path, limit: int) -> list:
    texts = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("source", "news") != "tweet":
                texts.append(record["text"])
            if len(texts) >= limit:
                break
    return texts


def stage(name: str, path: str, limit: int) -> dict:
    """Run one stage in this process and report counts, seconds and peak RSS."""
    texts = load_texts(Path(path), limit)
    words = sum(len(t.split()) for t in texts)
    if name == "tokenizer":
        import spacy

        nlp = spacy.blank("de")
        start = time.perf_counter()
        for _ in nlp.tokenizer.pipe(texts, batch_size=64):
            pass
    elif name == "base model":
        from extractor.pipeline import CLASSIFIER, EXTRACTOR_COMPONENTS, load_pipeline

        nlp = load_pipeline()
        ours = [name for name in (*EXTRACTOR_COMPONENTS, CLASSIFIER) if name in nlp.pipe_names]
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32, disable=ours):
            pass
    elif name == "extractor":
        from extractor.pipeline import Extractor
        from extractor.records import Record

        extractor = Extractor()
        records = [Record(id=str(i), text=t) for i, t in enumerate(texts)]
        start = time.perf_counter()
        for _ in extractor.process(records):
            pass
    else:
        raise ValueError(name)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"stage": name, "articles": len(texts), "words": words, "seconds": seconds, "rss_mb": rss}


def cli_stage(path: str, limit: int, workers: int, cluster: bool = False, shard_size: int = 50) -> dict:
    """The whole command line (read, language, duplicates, pipeline, write, graph) with N workers, or
    with `--cluster local:N` into a folder of parts of `shard_size` articles; start-up (imports, model
    and knowledge-base loading, for the cluster also starting it) is timed on a one-article run and
    reported apart."""
    texts = load_texts(Path(path), limit)
    words = sum(len(t.split()) for t in texts)
    options = ["--cluster", f"local:{workers}", "--shard-size", str(shard_size)] if cluster else ["--workers", str(workers)]
    if cluster:  # start-up as the run measured it: the cluster's varies too much to subtract a second run's
        seconds, summary = _run_cli(texts, options, folder=True)
        startup = summary["startup_seconds"] + seconds - summary["seconds"]  # + imports before the summary's clock
    else:
        startup, _ = _run_cli(texts[:1], options)
        seconds, summary = _run_cli(texts, options)
    if cluster:
        rss = max(summary["workers_peak_rss_mb"].values())  # the largest worker
        name = f"CLI --cluster local:{workers}, {summary['parts']} parts, start-up {startup:.1f}s excluded"
    else:
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest single process
        name = f"CLI end to end, {workers} worker(s), start-up {startup:.1f}s excluded"
    return {"stage": name, "articles": len(texts), "words": words, "seconds": max(seconds - startup, 1e-6),
            "rss_mb": rss, "startup_s": startup}


def _run_cli(texts: list, options: list, folder: bool = False) -> tuple:
    """Seconds the run took, and its summary."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for i, text in enumerate(texts):
                f.write(json.dumps({"id": f"a{i}", "text": text}, ensure_ascii=False) + "\n")
        out = f"{tmp}/out/" if folder else str(Path(tmp) / "out.jsonl")
        cmd = [sys.executable, "-m", "extractor", "extract", str(src), "-o", out,
               "--graph", str(Path(tmp) / "g.gexf"), *options, "--quiet"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        summary = Path(tmp) / ("out/summary.json" if folder else "out.summary.json")
        return seconds, json.loads(summary.read_text())


def memory_rows(path: str, shard_size: int, workers: int) -> list:
    """Peak RSS of the cluster's workers for runs of 4 and of 16 parts of `shard_size` articles:
    a worker holds one shard at a time, so it should not grow with the number of shards."""
    rows = []
    for parts in (4, 16):
        texts = load_texts(Path(path), parts * shard_size)
        _, summary = _run_cli(texts, ["--cluster", f"local:{workers}", "--shard-size", str(shard_size)], folder=True)
        rows.append({"parts": summary["parts"], "articles": len(texts), "workers_peak_rss_mb": summary["workers_peak_rss_mb"]})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", default=str(DEFAULT_INPUT if DEFAULT_INPUT.exists() else ROOT / "data" / "samples" / "smartdata-news.jsonl"))
    parser.add_argument("--limit", type=int, default=800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=50, help="articles per part for the cluster rows (default 50)")
    parser.add_argument("--memory", action="store_true", help="also: cluster workers' peak RSS at 4 and at 16 parts")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        if args.stage.startswith("cluster"):
            row = cli_stage(args.input, args.limit, int(args.stage[7:]), cluster=True, shard_size=args.shard_size)
        elif args.stage.startswith("cli"):
            row = cli_stage(args.input, args.limit, int(args.stage[3:]))
        else:
            row = stage(args.stage, args.input, args.limit)
        print(json.dumps(row))
        return 0
    rows = []
    # each stage in its own process, so peak RSS (self or children) belongs to that stage alone
    for name in ("tokenizer", "base model", "extractor", "cli1", f"cli{args.workers}", f"cluster{args.workers}"):
        out = subprocess.run([sys.executable, __file__, "--stage", name, "--input", args.input, "--limit", str(args.limit),
                              "--shard-size", str(args.shard_size)], check=True, capture_output=True, text=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"input: {args.input} ({rows[0]['articles']} articles, {rows[0]['words']} words); cpus: {os.cpu_count()}")
    print(f"{'stage':66} {'articles/s':>10} {'words/s':>10} {'peak RSS MB':>12}")
    for row in rows:
        print(f"{row['stage']:66} {row['articles'] / row['seconds']:10.1f} {row['words'] / row['seconds']:10.0f} {row['rss_mb']:12.0f}")
    local, cluster = rows[-2], rows[-1]
    ratio = (cluster["articles"] / cluster["seconds"]) / (local["articles"] / local["seconds"])
    print(f"--cluster local:{args.workers} / --workers {args.workers}: {ratio:.2f} of the throughput "
          f"(start-up {cluster['startup_s']:.1f}s vs {local['startup_s']:.1f}s)")
    if args.memory:
        for row in memory_rows(args.input, args.shard_size, args.workers):
            print(f"{row['parts']:3} parts ({row['articles']} articles): workers' peak RSS MB {row['workers_peak_rss_mb']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
