"""`make vectors`: floret word vectors from the raw German text in ../shared/data.

Usage: python -m extractor.training.vectors [--data ../shared/data] [--out training/vectors]
       [--dim 100] [--bucket 50000] [--epoch 3] [--laws 0.25] [--limit-lines N]

Why floret: its subword hash table has a fixed size (`bucket` rows × `dim`), so every
word — also one never seen in training, such as a new company name — gets a vector,
and the bundled model's size is known in advance (rows × dim × 4 bytes).

Text: the Bundestag speeches whole, the federal laws subsampled (`--laws`, a share of
their paragraphs: a repetitive legal register that would otherwise dominate), and the
texts of the training corpora (SmartData train, GermEval, LER, ÖBL, WikiANN train).
Never anything from ../shared/eval or SmartData dev. Tokens are split like the
pipeline's tokenizer splits them (punctuation and hyphenated compounds apart), so
the vectors are looked up under the same strings.
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Optional, TextIO

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"\w+(?:[.']\w+)*|[^\w\s]", re.UNICODE)


def tokenize_line(line: str) -> str:
    """Space-separated tokens, hyphens split off as the pipeline's tokenizer does."""
    return " ".join(TOKEN.findall(line))


def _xz_lines(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("*.txt.xz")):
        with lzma.open(path, "rt", encoding="utf-8") as handle:
            yield from handle


def _corpus_texts(data: Path) -> Iterator[str]:
    """Texts of the annotated training corpora (their labels are not used here)."""
    for name in ("smartdata/train.jsonl", "germeval2014/germeval2014-dev.jsonl",
                 "germeval2014/germeval2014-test.jsonl", "ler/ler-dev.jsonl", "ler/ler-test.jsonl"):
        path = data / name
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield json.loads(line)["text"]
    oebl = data / "oebl" / "cleaned_simplified.json.xz"
    if oebl.exists():
        with lzma.open(oebl, "rt", encoding="utf-8") as handle:
            for item in json.load(handle):
                yield item["text_raw"]
    wikiann = data / "wikiann" / "train.conllu.xz"
    if wikiann.exists():
        words = []
        with lzma.open(wikiann, "rt", encoding="utf-8") as handle:
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    words.append(parts[1])
                elif words:
                    yield " ".join(words)
                    words = []


def write_training_text(data: Path, out: TextIO, laws: float, seed: int = 0,
                        limit_lines: Optional[int] = None) -> int:
    """Write the tokenised training text, one paragraph a line; returns the word count."""
    rng = random.Random(seed)
    words = lines = 0
    sources = [(_xz_lines(data / "text" / "bundestag"), 1.0),
               (_xz_lines(data / "text" / "gesetze"), laws),
               (_corpus_texts(data), 1.0)]
    for source, share in sources:
        for n, line in enumerate(source):
            if limit_lines is not None and n >= limit_lines:
                break
            if share < 1.0 and rng.random() >= share:
                continue
            tokens = tokenize_line(line)
            if tokens:
                out.write(tokens + "\n")
                words += tokens.count(" ") + 1
                lines += 1
    return words


def train(data: Path, out: Path, dim: int, bucket: int, epoch: int, laws: float,
          limit_lines: Optional[int] = None, threads: int = 2) -> Path:
    """Train floret vectors and convert them into a spaCy vectors folder (`out/model`)."""
    import floret

    out.mkdir(parents=True, exist_ok=True)
    text = out / "text.txt"
    with text.open("w", encoding="utf-8") as handle:
        words = write_training_text(data, handle, laws, limit_lines=limit_lines)
    print(f"vectors: {words:,} words of training text", file=sys.stderr)
    model = floret.train_unsupervised(
        str(text), model="skipgram", mode="floret", hashCount=2, bucket=bucket,
        minn=4, maxn=5, minCount=5, dim=dim, epoch=epoch, thread=threads, neg=5, ws=5)
    vectors = out / "vectors.floret"
    model.save_floret_vectors(str(vectors))
    subprocess.run([sys.executable, "-m", "spacy", "init", "vectors", "de", str(vectors),
                    str(out / "model"), "--mode", "floret"], check=True)
    settings = {"dim": dim, "bucket": bucket, "epoch": epoch, "laws": laws, "words": words,
                "model": "skipgram", "mode": "floret", "hashCount": 2, "minn": 4, "maxn": 5}
    (out / "settings.json").write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
    text.unlink()
    return out / "model"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "training" / "vectors")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--bucket", type=int, default=50000)
    parser.add_argument("--epoch", type=int, default=3)
    parser.add_argument("--laws", type=float, default=0.25, help="share of law paragraphs kept")
    parser.add_argument("--limit-lines", type=int, default=None, help="lines per source (smoke runs)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"data folder {args.data} is absent")
    train(args.data, args.out, args.dim, args.bucket, args.epoch, args.laws, args.limit_lines, args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
