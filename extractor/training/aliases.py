"""`make train-aliases`: train the alias linker's ranker on full-schema gold aliases.

Usage: python -m extractor.training.aliases [--gold ../shared/data/smartdata/train-full.gold.jsonl]
       [--model models/de_business_news] [--out MODEL/alias_linker] [--epochs 10] [--limit N]

The pipeline runs over the training articles with the hand-weighted ranker; every
organisation reference it considers, with its candidate organisations and their
evidence, becomes one ranking example. A candidate is correct when linking the
reference to it counts as a correct alias link in `extractor eval`
(`evaluate.AliasOracle`). Articles without gold aliases teach that most "die Bank"
are no reference a reader resolves. The shipped ranker vets the hand-weighted
ranker's choice; its threshold comes from 5-fold out-of-fold scores of those choices:
the most correct links at precision >= `--min-precision`.
Never point `--gold` at ../shared/eval.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy
import orjson
from thinc.api import Adam

from ..components.alias_ranker import Candidate, RuleRanker, TrainedRanker
from ..components.relation_classifier import featurize, sigmoid
from ..evaluate import AliasOracle
from ..pipeline import BUNDLED_MODEL, load_pipeline
from .gold import fold_of, training_main, training_paths

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = [ROOT.parent / "shared" / "data" / "smartdata" / "train-full.gold.jsonl"]
LINKER = "alias_linker"


@dataclass
class Reference:
    """One organisation reference: its candidates' features and which of them are right."""

    doc_id: str
    text: str
    bags: List[List[str]] = field(default_factory=list)
    correct: List[bool] = field(default_factory=list)
    rule_choice: Optional[int] = None  # the candidate the hand-weighted ranker links


class RecordingRanker(RuleRanker):
    """Decides as the rules do and keeps every decision's candidates for training."""

    def __init__(self) -> None:
        # reference start, end, candidates, index of the one the rules chose
        self.seen: List[Tuple[int, int, List[Candidate], Optional[int]]] = []

    def choose(self, doc, alias, cands: Sequence[Candidate]):
        chosen = self.pick(doc, cands)
        if cands:
            self.seen.append((alias.start, alias.end, list(cands), cands.index(chosen) if chosen else None))
        return chosen.entity if chosen is not None else None


def build_references(nlp, gold_paths: Sequence[Path], limit: Optional[int] = None) -> List[Reference]:
    records = []
    for path in gold_paths:
        rows = [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]
        records += rows[:limit] if limit else rows
    linker = nlp.get_pipe(LINKER)
    trained, linker.ranker = linker.ranker, RecordingRanker()
    references = []
    try:
        for record in records:
            linker.ranker.seen = []
            doc = nlp(record["text"])
            oracle = AliasOracle(record, {"entities": list(doc._.entities or [])})
            for start, end, cands, chosen in linker.ranker.seen:
                ref = Reference(str(record["id"]), doc[start:end].text, rule_choice=chosen)
                for cand in cands:
                    ref.bags.append(cand.features)
                    ref.correct.append(oracle(cand.entity.id, ref.text))
                references.append(ref)
    finally:
        linker.ranker = trained
    return references


def train_ranker(references: Sequence[Reference], epochs: int, seed: int = 0, batch_size: int = 32,
                 learn_rate: float = 0.05) -> TrainedRanker:
    """Binary cross-entropy per candidate (a linear model; the ranking is by its score)."""
    ranker = TrainedRanker()
    bags = [bag for ref in references for bag in ref.bags]
    truth = numpy.asarray([[float(c)] for ref in references for c in ref.correct], dtype="float32")
    optimizer = Adam(learn_rate, L2=1e-5, use_averages=False)
    order = list(range(len(bags)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in range(0, len(order), batch_size):
            batch = order[i:i + batch_size]
            logits, backprop = ranker.model.begin_update(featurize([bags[j] for j in batch]))
            backprop(((sigmoid(logits) - truth[batch]) / len(batch)).astype("float32"))
            ranker.model.finish_update(optimizer)
    return ranker


def out_of_fold(references: Sequence[Reference], epochs: int, folds: int = 5) -> List[Tuple[float, bool]]:
    """Per reference the rules link: (probability of their choice, is it correct), each
    from a model that did not see the reference's article."""
    points = []
    for fold in range(folds):
        ranker = train_ranker([r for r in references if fold_of(r.doc_id, folds) != fold], epochs)
        for ref in references:
            if fold_of(ref.doc_id, folds) == fold and ref.rule_choice is not None:
                points.append((float(ranker.scores([ref.bags[ref.rule_choice]])[0]), ref.correct[ref.rule_choice]))
    return points


def choose_threshold(points: Sequence[Tuple[float, bool]], min_precision: float) -> Tuple[float, int, int]:
    """(threshold, correct links, wrong links): the most correct links at the precision."""
    best = (1.01, 0, 0)
    tp = fp = 0
    for p, ok in sorted(points, reverse=True):
        tp += ok
        fp += not ok
        if tp / (tp + fp) >= min_precision and tp > best[1]:
            best = (round(max(p, 0.05), 4), tp, fp)
    return best


def run(gold: Sequence[Path], model: Optional[str], out: Path, epochs: int, min_precision: float,
        limit: Optional[int] = None) -> Path:
    nlp = load_pipeline(model)
    references = build_references(nlp, training_paths(gold), limit)
    reachable = sum(any(r.correct) for r in references)
    print(f"aliases: {len(references)} organisation references, {reachable} with the right organisation "
          f"among the candidates", file=sys.stderr)
    if not reachable:
        raise ValueError(f"{gold}: no reference reaches a gold alias")
    rule_links = [r.correct[r.rule_choice] for r in references if r.rule_choice is not None]
    print(f"aliases: the hand-weighted ranker links {sum(rule_links)} correctly, {len(rule_links) - sum(rule_links)} "
          f"wrongly", file=sys.stderr)
    threshold, tp, fp = choose_threshold(out_of_fold(references, epochs), min_precision)
    print(f"aliases: out-of-fold threshold {threshold}: {tp} correct links, {fp} wrong "
          f"(precision {tp / max(1, tp + fp):.2f})", file=sys.stderr)
    ranker = train_ranker(references, epochs)
    ranker.threshold = threshold
    ranker.to_disk(out / "ranker")
    print(f"aliases: saved {out / 'ranker'}", file=sys.stderr)
    return out


def main(argv=None) -> int:
    return training_main(argv, __doc__, run, DEFAULT_GOLD, BUNDLED_MODEL / LINKER, epochs=10, min_precision=0.8)


if __name__ == "__main__":
    raise SystemExit(main())
