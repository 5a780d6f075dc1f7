"""`make train`: corpora -> DocBin -> spaCy training -> packaged model in models/.

Usage: python -m extractor.training.train [--data ../shared/data] [--out models/de_business_news]
       [--max-steps N] [--work training] [--limit N] [--seed N]

`--limit N` reads at most N documents/sentences from each corpus file: with a small
`--max-steps` it is a smoke run of the whole chain (minutes become seconds), not a model.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Dict, Optional

import spacy
from spacy.cli.train import train as spacy_train
from spacy.tokens import DocBin
from spacy.training import Example

from .. import __version__, ml  # noqa: F401  (registers the model architecture)
from ..tokenizer import business_tokenizer
from .corpora import build_corpora

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "de_business_news.cfg"


def evaluate_ner(nlp, path: Path) -> Dict[str, object]:
    """Span-level NER scores of `nlp` on a DocBin (the held-out GermEval sentences)."""
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    examples = [Example(nlp(doc.text), doc) for doc in docs]
    scores = nlp.get_pipe("ner").score(examples)
    return {"ents_p": scores["ents_p"], "ents_r": scores["ents_r"], "ents_f": scores["ents_f"],
            "ents_per_type": scores["ents_per_type"]}


def run(data: Path, out: Path, work: Path, max_steps: Optional[int] = None, seed: int = 0,
        limit: Optional[int] = None, vectors: Optional[Path] = None, wikiann: int = 0,
        init_tok2vec: Optional[Path] = None) -> Path:
    data, out, work = Path(data), Path(out), Path(work)
    if not data.is_dir():
        raise FileNotFoundError(f"data folder {data} is absent (expected ../shared/data)")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    nlp = business_tokenizer(spacy.blank("de"))
    counts = build_corpora(nlp, data, work / "corpus", seed=seed, limit=limit, wikiann=wikiann)
    print(f"corpora: {counts}", file=sys.stderr)
    if not counts["train"] or not counts["dev"]:
        raise ValueError(f"nothing to train or select on in {data}: {counts}")
    overrides = {"paths.train": str(work / "corpus" / "train.spacy"),
                 "paths.dev": str(work / "corpus" / "dev.spacy"),
                 "system.seed": seed}
    if vectors is not None:
        overrides["paths.vectors"] = str(vectors)
    else:
        overrides["components.tok2vec.model.embed.include_static_vectors"] = False
    if init_tok2vec is not None:  # weights from `spacy pretrain` (make pretrain)
        overrides["paths.init_tok2vec"] = str(init_tok2vec)
    if max_steps is not None:
        overrides["training.max_steps"] = max_steps
        overrides["training.eval_frequency"] = max(1, min(300, max_steps))
    spacy_train(CONFIG, work / "output", overrides=overrides)
    return package(work / "output" / "model-best", out, work, limit)


def package(best: Path, out: Path, work: Path, limit: Optional[int] = None) -> Path:
    """The trained pipeline with our meta (sources, held-out GermEval scores) into `out`.
    Also usable on the model-best of a training stopped early."""
    if not (best / "meta.json").exists():
        raise FileNotFoundError(f"training wrote no {best}")
    trained = spacy.load(best)
    trained.meta.update({
        "name": "business_news",
        "version": __version__,
        "description": "German business-news NER (COMPANY, ORG, PERSON, LOCATION, MISC) for extractor",
        "license": "CC BY-SA 4.0",
        "sources": [
            {"name": "SmartData Corpus (DFKI)", "license": "CC BY 4.0"},
            {"name": "GermEval 2014 NER", "license": "CC BY 4.0"},
            {"name": "German Legal Entity Recognition (LER)", "license": "CC BY 4.0"},
            {"name": "spacy-lookups-data German lemma table", "license": "MIT"},
            {"name": "SmartData train-full (this project's full-schema annotation)", "license": "CC BY 4.0"},
            {"name": "floret vectors trained on Bundestag speeches and federal laws", "license": "public domain / § 48 UrhG"},
        ],
        "heldout_germeval_test": evaluate_ner(trained, work / "corpus" / "germeval-test.spacy"),
    })
    if limit is not None:
        trained.meta["training_limit"] = limit
    for key in trained.config["paths"]:  # corpora and vectors of the training machine: no use elsewhere
        trained.config["paths"][key] = None
    if out.exists():
        shutil.rmtree(out)
    trained.to_disk(out)
    print(json.dumps(trained.meta.get("performance", {}), indent=1)[:2000], file=sys.stderr)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "de_business_news")
    parser.add_argument("--work", type=Path, default=ROOT / "training")
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--vectors", type=Path, default=ROOT / "training" / "vectors" / "model",
                        help="spaCy vectors folder from `make vectors` (missing: train without static vectors)")
    parser.add_argument("--limit", type=int, default=None,
                        help="read at most N documents/sentences from each corpus file (smoke runs)")
    parser.add_argument("--wikiann", type=int, default=0,
                        help="add N WikiANN silver sentences to the training data (default: none)")
    parser.add_argument("--init-tok2vec", type=Path, default=None,
                        help="tok2vec weights from `spacy pretrain` to start from (default: none)")
    args = parser.parse_args(argv)
    if args.max_steps is not None and args.max_steps < 1:
        parser.error("--max-steps must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    vectors = args.vectors if (args.vectors / "config.cfg").exists() else None
    if vectors is None:
        print(f"warning: no vectors at {args.vectors} (run `make vectors`): training without them", file=sys.stderr)
    run(args.data, args.out, args.work, args.max_steps, args.seed, limit=args.limit, vectors=vectors, wikiann=args.wikiann,
        init_tok2vec=args.init_tok2vec)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
