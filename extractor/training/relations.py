"""`make train-relations`: train the relation classifier on full-schema gold.

Usage: python -m extractor.training.relations [--gold ../shared/data/smartdata/train-full.gold.jsonl]
       [--model models/de_business_news] [--out MODEL/relation_classifier] [--epochs 6] [--limit N]

The rule pipeline runs over the training articles; every candidate pair of its
linked entities gets labels from the document-level gold through
`evaluate.RelationOracle` (the matching `extractor eval` uses; optional gold
relations are masked out, not taught as negatives). Thresholds per label come
from 5-fold out-of-fold predictions over the training articles (best F1 with
precision of at least `--min-precision`); the shipped model is then trained on
all articles. Never point `--gold` at ../shared/eval.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

import numpy
import orjson
from thinc.api import Adam

from ..components.relation_classifier import (DocContext, RelationClassifier, candidate_group, candidates, labels_for,
                                              orient)
from ..relation_types import SYMMETRIC_TYPES
from ..components.relation import entity_type
from ..evaluate import RelationOracle
from ..components.resources import DATA
from ..pipeline import BUNDLED_MODEL, CLASSIFIER, load_pipeline
from .gold import fold_of, training_main, training_paths

ROOT = Path(__file__).resolve().parents[2]
# SmartData train in the full schema, plus what this project annotated (data/training, same guideline)
DEFAULT_GOLD = [ROOT.parent / "shared" / "data" / "smartdata" / "train-full.gold.jsonl",
                *sorted((ROOT / "data" / "training").glob("*/*.gold.jsonl"))]
PairKey = Tuple[str, str, str]  # (label, first entity, second entity)


class Example:
    """One article's candidates: feature bags, label truth and masks, the gold it must find."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.bags: List[List[str]] = []
        self.pairs: List[Tuple[str, str, Tuple[str, str]]] = []  # first, second entity ids, their types
        self.groups: List[str] = []  # "sent" / "cross": which thresholds apply
        self.truth: List[Dict[str, Optional[bool]]] = []
        # (type, subject, object) of each gold relation a candidate reaches -> the labels reaching it
        # ("Kengeter, Chef der Börse ... Börsen-Chef Kengeter": role> and role< reach one relation)
        self.gold_keys: Dict[PairKey, Set[str]] = {}


def build_examples(nlp, classifier: RelationClassifier, gold_paths: Sequence[Path],
                   limit: Optional[int] = None) -> List[Example]:
    """`limit`: at most that many articles from each file."""
    records = []
    for path in gold_paths:
        rows = [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]
        records += rows[:limit] if limit else rows
    examples = []
    for record, doc in zip(records, nlp.pipe((r["text"] for r in records), batch_size=16)):
        pred = {"entities": list(doc._.entities or [])}
        oracle = RelationOracle(record, pred)
        example = Example(str(record["id"]))
        context = DocContext(doc, classifier.features)
        for cand in candidates(doc, context.ranks):
            a, b = cand.first.entity, cand.second.entity
            types = (entity_type(doc, a), entity_type(doc, b))
            truth = {}
            for label in labels_for(types):
                truth[label] = oracle(*orient(label, a, b))
                if truth[label]:
                    example.gold_keys.setdefault(relation_key(label, a, b), set()).add(label)
            example.bags.append(classifier.features(doc, cand, context))
            example.pairs.append((a, b, types))
            example.groups.append(candidate_group(cand))
            example.truth.append(truth)
        examples.append(example)
    return examples


def arrays(classifier: RelationClassifier, examples: Sequence[Example]):
    """Stacked bags, truth and mask matrices over the classifier's label order."""
    bags, truth, mask = [], [], []
    index = {label: j for j, label in enumerate(classifier.labels)}
    for ex in examples:
        for bag, labels in zip(ex.bags, ex.truth):
            t = numpy.zeros(len(index), dtype="float32")
            m = numpy.zeros(len(index), dtype="float32")
            for label, value in labels.items():
                if label in index and value is not None:
                    m[index[label]] = 1.0
                    t[index[label]] = float(value)
            bags.append(bag)
            truth.append(t)
            mask.append(m)
    return bags, numpy.asarray(truth), numpy.asarray(mask)


def train_model(classifier: RelationClassifier, labels: Sequence[str], examples: Sequence[Example],
                epochs: int, seed: int = 0, batch_size: int = 32, learn_rate: float = 0.02,
                verbose: bool = True) -> None:
    classifier.new_model(labels)
    bags, truth, mask = arrays(classifier, examples)
    optimizer = Adam(learn_rate, L2=1e-6, use_averages=False)
    rng = random.Random(seed)
    order = list(range(len(bags)))
    for epoch in range(epochs):
        rng.shuffle(order)
        loss = 0.0
        for i in range(0, len(order), batch_size):
            batch = order[i:i + batch_size]
            loss += classifier.update([bags[j] for j in batch], truth[batch], mask[batch], optimizer)
        if verbose:
            print(f"epoch {epoch + 1}: loss {loss:.1f}", file=sys.stderr)


def predicted_relations(classifier: RelationClassifier, ex: Example) -> Dict[Tuple[str, PairKey], float]:
    """(type, subject, object) -> best probability over the article's candidates, per label."""
    best: Dict[Tuple[str, PairKey], float] = {}
    if not ex.bags:
        return {}
    probs = classifier.scores(ex.bags)
    for (a, b, types), group, row in zip(ex.pairs, ex.groups, probs):
        allowed = set(labels_for(types))
        for j, label in enumerate(classifier.labels):
            if label not in allowed:
                continue
            key = relation_key(label, a, b)
            tkey = f"{label}@{group}"
            best[(tkey, key)] = max(best.get((tkey, key), 0.0), float(row[j]))
    return best


def out_of_fold(classifier: RelationClassifier, labels: Sequence[str], examples: Sequence[Example],
                epochs: int, folds: int) -> List[Dict[Tuple[str, PairKey], float]]:
    """Each article's predictions from a model that did not see it (k-fold)."""
    predictions: List[Dict[Tuple[str, PairKey], float]] = [{} for _ in examples]
    for fold in range(folds):
        train = [ex for i, ex in enumerate(examples) if fold_of(ex.doc_id, folds) != fold]
        train_model(classifier, labels, train, epochs, verbose=False)
        for i, ex in enumerate(examples):
            if fold_of(ex.doc_id, folds) == fold:
                predictions[i] = predicted_relations(classifier, ex)
    return predictions


def choose_thresholds(labels: Sequence[str], examples: Sequence[Example],
                      predictions: Sequence[Dict[Tuple[str, PairKey], float]],
                      min_precision: float) -> Dict[str, float]:
    """Per label: the threshold with the best F1 among those with precision >= min_precision."""
    scored: Dict[str, List[Tuple[float, bool]]] = defaultdict(list)
    gold_count: Dict[str, int] = defaultdict(int)
    for ex, predicted in zip(examples, predictions):
        optional = _optional_keys(ex)
        for (label, key), p in predicted.items():
            if key not in optional:
                scored[label].append((p, key in ex.gold_keys))
        for reaching in ex.gold_keys.values():
            for label in reaching:
                gold_count[label] += 1
    thresholds = {}
    for label in [f"{label}@{group}" for label in labels for group in ("sent", "cross")]:
        thresholds[label], (precision, recall, f) = _best_threshold(
            sorted(scored.get(label, []), reverse=True), gold_count[label.split("@")[0]], min_precision)
        print(f"threshold {label:20s} {thresholds[label]:.3f}  out-of-fold P {precision:.2f} R {recall:.2f} "
              f"F1 {f:.3f}  (gold {gold_count[label.split('@')[0]]})", file=sys.stderr)
    p, r, f = out_of_fold_score(examples, predictions, thresholds)
    print(f"out-of-fold micro (reachable gold {sum(len(ex.gold_keys) for ex in examples)}): "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
    return thresholds


def _best_threshold(points: Sequence[Tuple[float, bool]], total: int,
                    min_precision: float) -> Tuple[float, Tuple[float, float, float]]:
    """The threshold with the best F1 whose precision is at least `min_precision` with 90 %
    confidence (Wilson lower bound) over (probability, correct) points sorted by probability;
    1.01 (never) when none qualifies. The bound keeps a threshold that three lucky points
    support from passing: on unseen articles such thresholds fired mostly wrongly."""
    best_t, best = 1.01, (0.0, 0.0, 0.0)
    tp = fp = 0
    for p, ok in points:
        tp += ok
        fp += not ok
        if total == 0:
            break
        precision, recall = tp / (tp + fp), min(1.0, tp / total)
        f = 2 * precision * recall / (precision + recall) if tp else 0.0
        if wilson_lower_bound(tp, tp + fp) >= min_precision and f > best[2]:
            best_t, best = max(p, 0.05), (precision, recall, f)
    return round(best_t, 4), best


def wilson_lower_bound(successes: int, trials: int, z: float = 1.2816) -> float:
    """Lower end of the Wilson score interval (z = 1.2816: one-sided 90 %)."""
    if trials == 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * ((p * (1 - p) + z * z / (4 * trials)) / trials) ** 0.5
    return (centre - margin) / (1 + z * z / trials)


def out_of_fold_score(examples: Sequence[Example], predictions: Sequence[Dict[Tuple[str, PairKey], float]],
                      thresholds: Dict[str, float]) -> Tuple[float, float, float]:
    """Micro P/R/F1 over distinct relations, as `extractor eval` counts them."""
    tp = fp = 0
    for ex, predicted in zip(examples, predictions):
        optional = _optional_keys(ex)
        found = {key for (label, key), p in predicted.items() if p >= thresholds.get(label, 1.01)} - optional
        tp += len(found & ex.gold_keys.keys())
        fp += len(found - ex.gold_keys.keys())
    gold = sum(len(ex.gold_keys) for ex in examples)
    p, r = tp / max(1, tp + fp), tp / max(1, gold)
    return p, r, 2 * p * r / max(1e-9, p + r)


def _optional_keys(ex: Example) -> Set[PairKey]:
    """Relations the gold marks optional: neither taught nor counted."""
    out = set()
    for (a, b, _), labels in zip(ex.pairs, ex.truth):
        for label, value in labels.items():
            if value is None:
                out.add(relation_key(label, a, b))
    return out


def relation_key(label: str, a: str, b: str) -> PairKey:
    """The comparable (type, subject, object) of a label on a pair: symmetric pairs sorted."""
    rtype, subj, obj = orient(label, a, b)
    return (rtype, *sorted((subj, obj))) if rtype in SYMMETRIC_TYPES else (rtype, subj, obj)


def run(gold: Sequence[Path], model: Optional[str], out: Path, epochs: int, min_precision: float,
        limit: Optional[int] = None, data_dir: Optional[Path] = None, folds: int = 5) -> Path:
    gold = training_paths(gold)
    nlp = load_pipeline(model, data_dir)
    if CLASSIFIER in nlp.pipe_names:
        nlp.remove_pipe(CLASSIFIER)  # candidates come from the rule components alone
    classifier = RelationClassifier()
    classifier.initialize(data_dir=str(data_dir) if data_dir else None)
    examples = build_examples(nlp, classifier, gold, limit)
    labels = sorted({label for ex in examples for truth in ex.truth for label, v in truth.items() if v})
    print(f"relations: {len(examples)} articles, {sum(len(e.bags) for e in examples)} candidates, "
          f"{sum(len(e.gold_keys) for e in examples)} gold relations reachable, labels {labels}", file=sys.stderr)
    if not labels:
        raise ValueError(f"{gold}: no candidate pair matches a gold relation")
    predictions = out_of_fold(classifier, labels, examples, epochs, folds)
    thresholds = choose_thresholds(labels, examples, predictions, min_precision)
    train_model(classifier, labels, examples, epochs)
    classifier.thresholds = thresholds
    classifier.to_disk(out, exclude=[DATA])  # the weights: the pipeline reads the current lexicons
    print(f"relations: saved {out}", file=sys.stderr)
    return out


def main(argv=None) -> int:
    return training_main(argv, __doc__, run, DEFAULT_GOLD, BUNDLED_MODEL / "relation_classifier", epochs=6,
                         min_precision=0.7)


if __name__ == "__main__":
    raise SystemExit(main())
