"""What the trainers on full-schema gold share: the files they may read, folds, the command line."""

from __future__ import annotations

import argparse
import zlib
from pathlib import Path
from typing import Callable, List, Sequence


def fold_of(doc_id: str, folds: int) -> int:
    """Deterministic fold by id, stable when articles are added."""
    return zlib.crc32(doc_id.encode("utf-8")) % folds


def training_paths(gold) -> List[Path]:
    """The gold files to train on; evaluation gold (../shared/eval) is refused."""
    paths = [Path(gold)] if isinstance(gold, (str, Path)) else [Path(g) for g in gold]
    for path in paths:
        if "shared/eval" in str(path.resolve()).replace("\\", "/"):
            raise ValueError(f"{path}: evaluation gold is never training data")
    return paths


def training_main(argv, description: str, run: Callable, default_gold: Sequence[Path], out: Path, epochs: int,
                  min_precision: float) -> int:
    """`python -m extractor.training.X [--gold ...] [--model M] [--out DIR] [--epochs N] [--min-precision P]`."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, nargs="+", default=list(default_gold),
                        help="full-schema gold files to train on (never ../shared/eval)")
    parser.add_argument("--model", default=None, help="base pipeline (default: the bundled model)")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--min-precision", type=float, default=min_precision)
    parser.add_argument("--limit", type=int, default=None, help="read at most N articles (smoke runs)")
    args = parser.parse_args(argv)
    for path in args.gold:
        if not path.exists():
            parser.error(f"{path} does not exist")
    run(args.gold, args.model, args.out, args.epochs, args.min_precision, args.limit)
    return 0
